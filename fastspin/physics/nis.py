r"""N–I–S tunnelling into a Zeeman-split superconductor from a spin-polarized electrode.

The Meservey–Tedrow experiment (R. Meservey and P. M. Tedrow, *Spin-polarized electron
tunneling*, Phys. Rep. 238, 173 (1994), Eqs. (4)–(6)): a ferromagnetic (or normal,
P = 0) counter-electrode with Fermi-level spin polarization P tunnels into a
superconductor whose spin-σ DOS is the Dynes BCS DOS shifted by the Zeeman energy h,
N_σ(E) = N0(E + σh; Δ, Γ) (the convention of Eq. (1) of Germanese et al., *Spontaneous
symmetry breaking induced thermospin effect in superconducting tunnel junctions*:
σ = +1 is the band lowered by h, and the majority spin of the counter-electrode couples
to it with weight (1 + P)/2).  Both electrodes are at temperature T; eV = μ_N − μ_S.

.. math::

    I(V) = \frac{G_T}{e} \sum_\sigma \frac{1 + \sigma P}{2}
           \int dE\, N_0(E + \sigma h)\,[f(E - eV) - f(E)]
         = \frac{G_T}{e} \sum_\sigma \frac{1 + \sigma P}{2}\,[K(eV + \sigma h) - K(\sigma h)],

    \frac{dI}{dV} = G_T \sum_\sigma \frac{1 + \sigma P}{2}\, B(eV + \sigma h),

with the thermally smeared DOS B(x) = ∫ dE N0(E) (−∂f/∂E)(E − x) (even in x) and its
integral K(x) = ∫ dE N0(E) [f(E − x) − f(E)] (odd, K′ = B).  Writing the curves through
B and K makes the derivatives in h, P and G_T exact (B′(x) = ∫ N0′(E)(−∂f/∂E)(E − x) dE
by parts), which is what :mod:`fastspin.fit` uses for its Jacobian.

Units: energies x, Δ, h, Γ, k_B T in one energy unit (Δ0 in fastspin), B dimensionless,
K in that energy unit.  Every integral goes through the shared engine
(:mod:`fastspin.kernels.convolution`): a normal DOS (Δ_a = 0) times the Dynes DOS,
with breakpoints at ±Δ and the Fermi window; accuracy 1e-6 relative or 1e-9 absolute,
whichever is looser (``tests/physics/test_fit.py`` holds B, B′ and K to it against
``scipy.integrate.quad`` with breakpoints).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from fastspin.kernels import convolution as cv

#: which integral :func:`smeared_dos` computes
KIND_B, KIND_DB, KIND_K = 0, 1, 2
#: |x| closer than this many ulps of the largest |x| share one integral
_MERGE_ULPS = 4.0


@njit(cache=True, nogil=True)
def _fill_terms(x: np.ndarray, delta: float, dynes: float, T: float, kind: int) -> np.ndarray:
    """One-term tables for B(x), B′(x) or K(x) at each x (engine frame: E is the S energy)."""
    terms = np.zeros((x.size, 1, cv.N_COLUMNS))
    for i in range(x.size):
        t = terms[i, 0]
        t[cv.COL_COEFF] = 1.0
        t[cv.COL_DELTA_A] = 0.0  # the counter-electrode: a constant DOS, its P goes into the weights
        t[cv.COL_DELTA_B] = delta
        t[cv.COL_DYNES_B] = dynes
        t[cv.COL_MU_L] = x[i]
        t[cv.COL_T_L] = T
        if kind == KIND_K:
            t[cv.COL_MODE] = cv.MODE_DIFFERENCE
            t[cv.COL_MU_R] = 0.0
            t[cv.COL_T_R] = T
        else:
            t[cv.COL_MODE] = cv.MODE_DERIVATIVE
            t[cv.COL_DERIV_B] = 1.0 if kind == KIND_DB else 0.0
        t[cv.COL_OUT0] = 0
        t[cv.COL_OUT1] = -1.0
        t[cv.COL_OUT2] = -1.0
    return terms


@njit(cache=True, nogil=True)
def _integrate(x, delta, dynes, T, kind, rtol, atol, weight_cache) -> np.ndarray:
    values, _errors = cv.integrate_term_batch_cached(_fill_terms(x, delta, dynes, T, kind), 1, rtol, atol, weight_cache)
    return values[:, 0]


def smeared_dos(
    x: np.ndarray, delta: float, dynes: float, T: float, kind: int = KIND_B,
    rtol: float = cv.DEFAULT_RTOL, atol: float = cv.DEFAULT_ATOL,
) -> np.ndarray:
    """B(x), B′(x) (``kind=KIND_DB``) or K(x) (``KIND_K``) at the points ``x``.

    Uses the symmetry of N0 (B even, B′ and K odd): each distinct |x| is integrated once.
    Magnitudes within :data:`_MERGE_ULPS` ulps of the largest |x| count as one (a bias
    grid mirrored by ``np.linspace`` is symmetric only to that rounding), so a symmetric
    grid costs half; the shift of x is ~1e-15 relative, far below the engine tolerance.
    """
    x = np.asarray(x, dtype=float)
    flat = np.abs(x.ravel())
    quantum = _MERGE_ULPS * np.spacing(flat.max(initial=0.0)) or 1.0
    keys, first, inverse = np.unique(np.round(flat / quantum), return_index=True, return_inverse=True)
    magnitude = np.ascontiguousarray(flat[first])
    values = _integrate(magnitude, float(delta), float(dynes), float(T), kind, rtol, atol, cv.thread_weight_cache())
    out = values[inverse].reshape(x.shape)
    if kind != KIND_B:
        out = np.where(x < 0, -out, out)
    return out


def conductance(V: np.ndarray, delta: float, h: float, dynes: float, P: float, T: float) -> np.ndarray:
    """dI/dV in units of G_T (see the module docstring); V, Δ, h, Γ, k_B T in one energy unit."""
    V = np.asarray(V, dtype=float)
    both = smeared_dos(np.concatenate((V + h, V - h)), delta, dynes, T)
    return 0.5 * (1.0 + P) * both[: V.size] + 0.5 * (1.0 - P) * both[V.size :]


def current(V: np.ndarray, delta: float, h: float, dynes: float, P: float, T: float) -> np.ndarray:
    """I in units of G_T·(energy unit)/e (see the module docstring)."""
    V = np.asarray(V, dtype=float)
    both = smeared_dos(np.concatenate((V + h, V - h, [h])), delta, dynes, T, KIND_K)
    offset = both[-1]  # K(h); K(-h) = -K(h)
    return 0.5 * (1.0 + P) * (both[: V.size] - offset) + 0.5 * (1.0 - P) * (both[V.size : 2 * V.size] + offset)
