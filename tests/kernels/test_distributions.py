"""Fermi/Bose kernels: stability at any argument, against mpmath at 30 digits."""

import math

import mpmath
import numpy as np
import pytest

from fastspin.kernels.distributions import (
    bose,
    bose_derivative,
    exp_minus,
    fermi,
    fermi_and_complement,
    fermi_array,
    fermi_complement,
    fermi_derivative,
    x_bose,
)

mpmath.mp.dps = 50

ARGS = [-1e6, -800.0, -40.0, -3.0, -1e-9, 0.0, 1e-9, 2.5, 40.0, 700.0, 800.0, 1e6]


@pytest.mark.parametrize("x", ARGS)
def test_fermi_matches_mpmath(x):
    ref = float(1 / (mpmath.exp(mpmath.mpf(x)) + 1))
    assert fermi(x, 1.0) == pytest.approx(ref, rel=1e-14, abs=1e-300)
    assert fermi_complement(x, 1.0) == pytest.approx(float(1 - 1 / (mpmath.exp(mpmath.mpf(x)) + 1)), rel=1e-14, abs=1e-300)
    xm = mpmath.mpf(x)
    dref = float(-mpmath.exp(xm) / (mpmath.exp(xm) + 1) ** 2)
    assert fermi_derivative(x, 1.0) == pytest.approx(dref, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("x", [1e-12, 1e-6, 0.3, 5.0, 40.0, 600.0, 720.0, -3.0, -1e-8])
def test_bose_matches_mpmath(x):
    ref = float(1 / (mpmath.exp(mpmath.mpf(x)) - 1))
    assert bose(x, 1.0) == pytest.approx(ref, rel=1e-13)
    xm = mpmath.mpf(x)
    dref = float(-mpmath.exp(xm) / (mpmath.exp(xm) - 1) ** 2)
    assert bose_derivative(x, 1.0) == pytest.approx(dref, rel=1e-12)


def test_particle_hole_and_limits():
    x = np.linspace(-50, 50, 1001)
    f = fermi_array(x, 0.7)
    np.testing.assert_allclose(f + fermi_array(-x, 0.7), 1.0, atol=1e-15)
    assert x_bose(0.0, 0.3) == 0.3  # E n(E) -> T
    assert math.isfinite(bose(1e5, 1e-3)) and bose(1e5, 1e-3) == 0.0


def test_exp_minus_and_fermi_dense_against_mpmath():
    """exp_minus (the engine's vectorisable exponential) and the Fermi function built on
    it hold 3e-16 relative on dense random grids, incl. y = k·ln 2 and the 708 cut."""
    rng = np.random.default_rng(7)
    ys = np.concatenate([rng.uniform(0.0, 708.0, 3000), np.geomspace(1e-300, 708.0, 600),
                         np.arange(1022) * math.log(2.0), [0.0, 707.999, 708.0]])
    ys = ys[ys <= 708.0]
    worst = max(float(abs(exp_minus(float(y)) - mpmath.exp(-mpmath.mpf(y))) / mpmath.exp(-mpmath.mpf(y)))
                for y in ys)
    assert worst <= 3e-16
    assert exp_minus(708.5) == 0.0 and exp_minus(math.inf) == 0.0 and math.isnan(exp_minus(math.nan))
    xs = np.concatenate([rng.uniform(-750.0, 750.0, 3000), np.geomspace(1e-12, 700.0, 300),
                         -np.geomspace(1e-12, 700.0, 300)])
    worst = 0.0
    for x in xs:
        ref = 1 / (mpmath.exp(mpmath.mpf(x)) + 1)
        occupied, empty = fermi_and_complement(float(x), 1.0)
        assert occupied == fermi(float(x), 1.0) and empty == fermi(-float(x), 1.0)  # bit-identical
        if ref > 1e-307:
            worst = max(worst, float(abs(occupied - ref) / ref))
    assert worst <= 3e-16
