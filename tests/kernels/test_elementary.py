"""Branch-free elementary functions of fastspin.kernels.elementary."""

from __future__ import annotations

import numpy as np
from numba import njit

from fastspin.kernels.elementary import inverse_sqrt, renormalization


@njit
def _elementwise(function, x):
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = function(x[i])
    return out


def test_inverse_sqrt_relative_error():
    """Against the correctly rounded 1/sqrt (float128 where available: sqrt and divide
    are each correctly rounded in float64, so their composition is within 1 ulp) over
    log-uniform arguments in [1e-300, 1e300] and the Heun normalisation range near 1."""
    rng = np.random.default_rng(7)
    x = np.concatenate([10.0 ** rng.uniform(-300, 300, 500_000), 1.0 + rng.uniform(0, 0.5, 500_000)])
    got = _elementwise(inverse_sqrt, x)
    exact = 1.0 / np.sqrt(x.astype(np.longdouble))
    relative = np.abs((got - exact) / exact).astype(float)
    assert relative.max() <= 4e-16, relative.max()


@njit
def _renormalized(x):
    """renormalization (an overload, not a first-class function) of every element, in
    the float type of x."""
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = renormalization(x[i])
    return out


def test_renormalization_relative_error():
    """Three Newton steps: relative error ≤ 3.3e-11 (the docstring) over the same
    arguments, always from below (Newton's iteration for 1/sqrt approaches from below
    after its first step), so a renormalised vector is never longer than 1 beyond
    rounding."""
    rng = np.random.default_rng(8)
    x = np.concatenate([10.0 ** rng.uniform(-300, 300, 500_000), 1.0 + rng.uniform(-0.1, 0.5, 500_000)])
    got = _renormalized(x)
    exact = 1.0 / np.sqrt(x.astype(np.longdouble))
    relative = ((got - exact) / exact).astype(float)
    assert relative.max() <= 4e-16 and relative.min() >= -3.3e-11, (relative.min(), relative.max())


def test_renormalization_float32():
    """A float32 argument (hardware square root and divide, each correctly rounded):
    within 1.3e-7 relative of the exact 1/sqrt over all normal float32 magnitudes and
    the Heun range near 1; the result is float32."""
    rng = np.random.default_rng(9)
    x = np.concatenate([10.0 ** rng.uniform(-37, 38, 500_000), 1.0 + rng.uniform(-0.1, 0.5, 500_000)])
    x = x.astype(np.float32)
    got = _renormalized(x)
    assert got.dtype == np.float32
    exact = 1.0 / np.sqrt(x.astype(np.float64))
    relative = (got.astype(np.float64) - exact) / exact
    assert np.abs(relative).max() <= 1.3e-7, np.abs(relative).max()
