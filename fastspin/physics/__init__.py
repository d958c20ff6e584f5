"""The Python API of each physical system, one module per system.

======================  =====================================================================
module                  system (paper)
======================  =====================================================================
``superconductor``      self-consistent gap Δ(T, h) of a spin-split BCS superconductor
``sis``                 S–I–Sm thermospin junction (Germanese et al. 2021)
``nis``                 N–I–S Meservey–Tedrow tunnelling into a Zeeman-split superconductor (Meservey and Tedrow 1994)
``fis``                 F/I/S junction with a precessing magnetization (Ojajärvi et al. 2020)
``tilt``                tilt-angle Langevin equation of that junction, Eq. (8)
``semiclassical``       its stationary P(cos θ) from the root of the Keldysh generating function (Sec. V B)
``dot``                 ferromagnetic quantum dot, non-equilibrium distribution (Ludwig et al.)
``magnon``              magnon spin and heat transfer at an N/F interface (Bender and Tserkovnyak 2015)
``texture``             thermal spin-transfer torques (Kohno et al.)
``macrospin``           stochastic LLG(S) macrospin ensembles
``spectra``             power spectra of simulated traces, Lorentzian fits
======================  =====================================================================

These modules never import :mod:`fastspin.models`, :mod:`fastspin.workflows` or
:mod:`fastspin.figures`; importing this package imports none of the systems.
"""
