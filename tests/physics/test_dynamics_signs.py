"""The sign conventions of the dynamics API, one test each (stated in the docstrings)."""

from __future__ import annotations

import pytest

from fastspin.model import ParameterError
from fastspin.models.macrospin import POLARIZER
from fastspin.physics.macrospin import Macrospin, run_ensemble
from fastspin.units import MU0

# a CoFeB-like free layer with a large damping, so runs are short
FREE_LAYER = dict(Ms=1.1e6, volume=50e-9 * 50e-9 * 1.5e-9, K=2e5, T=1.0, alpha=0.1, thickness=1.5e-9)
RUN = dict(dt=0.02, n_steps=6000, m0=(0.0, 0.0, 1.0))


def _switched(spin: Macrospin, **run) -> int:
    return int(run_ensemble(spin, 16, seed=7, **(RUN | run)).switched.sum())


def test_positive_current_pulls_m_towards_the_polarizer():
    """from_SI: J > 0 gives stt > 0, which keeps m = p = +z; J < -J_c reverses it."""
    _, units = Macrospin.from_SI(**FREE_LAYER)
    J_c = 0.1 * units.current_density  # a_c = α (H_K units) for p = n = z, no demag or field
    along, _ = Macrospin.from_SI(**FREE_LAYER, current_density=+2.0 * J_c)
    against, _ = Macrospin.from_SI(**FREE_LAYER, current_density=-2.0 * J_c)
    assert along.stt > 0 > against.stt
    assert _switched(along) == 0
    assert _switched(against) == 16


def test_field_along_minus_m_reverses():
    """field_T along -z beyond mu0 H_K reverses m = +z; the same field along +z keeps it."""
    _, units = Macrospin.from_SI(**FREE_LAYER)
    B_K = MU0 * units.H_K
    down, _ = Macrospin.from_SI(**FREE_LAYER, field_T=(0.0, 0.0, -1.5 * B_K))
    up, _ = Macrospin.from_SI(**FREE_LAYER, field_T=(0.0, 0.0, +1.5 * B_K))
    assert down.field[2] == pytest.approx(-1.5, rel=1e-12)
    # m = +z is an exact (unstable) equilibrium of the reversed field: the thermal kick
    # (~1e-3 at T = 1 K) grows at the rate α(h - 1)/(1 + α²) ≈ 0.05, so leaving it takes
    # ~7 e-foldings (~140 reduced time units); 400 units let every trajectory go
    assert _switched(down, n_steps=20000) == 16
    assert _switched(up, n_steps=20000) == 0


def test_macrospin_model_polarizer_is_minus_z():
    """The macrospin model's p = -z: a positive stt above a_c = α reverses m = +z."""
    assert POLARIZER == (0.0, 0.0, -1.0)
    spin = Macrospin(alpha=0.1, temperature=1e-3, polarizer=POLARIZER, stt=0.2)
    assert _switched(spin) == 16
    assert _switched(spin.with_(stt=-0.2)) == 0


def test_temperature_in_kelvin_is_refused_naming_from_SI():
    with pytest.raises(ParameterError, match=r"temperature = 300.*Macrospin.from_SI"):
        Macrospin(alpha=0.01, temperature=300)
    assert Macrospin(alpha=0.01, temperature=1.0).barrier == 0.5  # the edge of the range
