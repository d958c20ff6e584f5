"""switching_probability_error: the Wilson score interval, against scipy's own."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, norm

from fastspin.models.macrospin import wilson_error


@pytest.mark.parametrize("n", [1, 7, 24, 512])
def test_matches_scipy_wilson_interval_at_one_sigma(n):
    confidence = norm.cdf(1.0) - norm.cdf(-1.0)  # z = 1
    for k in range(0, n + 1, max(1, n // 16)):
        ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        assert wilson_error(k, n) == pytest.approx((ci.high - ci.low) / 2, rel=1e-9, abs=1e-15)


def test_never_zero_and_symmetric_and_wald_limit():
    n = 512
    k = np.arange(n + 1)
    error = wilson_error(k, n)
    assert error[0] == pytest.approx(1 / (2 * (n + 1)), rel=1e-15)  # z²/(2(N + z²)) at P = 0
    np.testing.assert_allclose(error, error[::-1], rtol=1e-13)  # P <-> 1 - P
    assert np.all(error > 0)
    big = 10**8  # large N, P = 0.3: the Wald error sqrt(P(1-P)/N)
    assert wilson_error(0.3 * big, big) == pytest.approx(np.sqrt(0.21 / big), rel=1e-7)
