"""Small analytic models for the sweep-machinery tests, shipped as a plugin package.

They reach fastspin only through the ``fastspin.models`` entry points of this
installed package, exactly as a third-party model would.

* ``toy_fermi``: the Fermi occupation f(E, T) and the hole occupation f(-E, T) from
  the compiled kernels (``fastspin.kernels.distributions.fermi_array``), so that a
  sweep exercises a real Numba kernel and its warm-up.  Exact physics to check:
  particle-hole symmetry f(E) + f(-E) = 1 and f(0) = 1/2.  ``delay`` (seconds per
  block, fixed) makes blocks slow enough to kill a process in the middle.
* ``toy_walk``: a stochastic model (``stochastic = True``).  Each point draws
  ``n_steps`` unbiased ±1 steps (a 1-D random walk) from a generator keyed on
  (spec seed, global point index); outputs the end position and its square.
  Exact statistics: <x> = 0, <x^2> = n_steps.
"""

from __future__ import annotations

import time

import numpy as np

from fastspin.kernels.distributions import fermi_array
from fastspin.model import Model, Output, Parameter


class ToyFermi(Model):
    name = "toy_fermi"
    description = "Fermi occupation of a level at energy E (test model)"
    parameters = (
        Parameter("E", "Delta0", 0.0, "level energy"),
        Parameter("T", "Delta0/k_B", 0.1, "temperature", low=0.0, low_open=True, temperature=True),
        Parameter("delay", "s", 0.0, "sleep per block (test only)", low=0.0, high=60.0,
                  sweepable=False),
    )
    outputs = (
        Output("occupation", "1", "Fermi occupation f(E, T)"),
        Output("hole_occupation", "1", "hole occupation f(-E, T)"),
    )
    cost_per_point = 1e-7
    warmed_up = False

    @classmethod
    def warmup(cls) -> None:
        fermi_array(np.zeros(2), np.ones(2))
        cls.warmed_up = True

    def evaluate_block(self, params):
        delay = float(np.ravel(params["delay"])[0])
        if delay > 0:
            time.sleep(delay)
        energy = np.asarray(params["E"], dtype=float)
        temperature = np.asarray(params["T"], dtype=float)
        return {
            "occupation": fermi_array(energy, temperature),
            "hole_occupation": fermi_array(-energy, temperature),
        }


class ToyWalk(Model):
    name = "toy_walk"
    description = "end point of an unbiased 1-D random walk (stochastic test model)"
    stochastic = True
    parameters = (
        Parameter("n_steps", "1", 100, "number of ±1 steps", low=1, high=1e6, integer=True),
        Parameter("label", "1", 0.0, "dummy axis to make a grid"),
    )
    outputs = (
        Output("position", "1", "end position of the walk"),
        Output("position_squared", "1", "squared end position"),
    )

    def evaluate_block(self, params):
        n_steps = np.asarray(params["n_steps"], dtype=float)
        index = params["point_index"]
        position = np.empty(index.shape)
        for where in np.ndindex(index.shape):
            rng = np.random.default_rng(
                np.random.SeedSequence(params["spec_seed"], spawn_key=(int(index[where]),))
            )
            steps = rng.integers(0, 2, size=int(n_steps[where])) * 2 - 1
            position[where] = steps.sum()
        return {"position": position, "position_squared": position**2}
