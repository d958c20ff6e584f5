"""The engine when a Fermi-step breakpoint coincides with the end of a product panel.

A B(x) integral of the Meservey–Tedrow fit, ∫ N0(E) (−∂f/∂E)(E − x) dE, with x at the
end c + δ of the product-integration panel of the gap edge c = Δ (δ = Δ/8 here) left a
zero-width panel that was counted as a second product panel: an out-of-bounds index
and a segmentation fault.  Both cases are held to the engine's stated accuracy against
scipy quad with breakpoints.
"""

from __future__ import annotations

import math

import pytest
from scipy.integrate import quad

from fastspin.kernels import convolution as cv
from fastspin.kernels.dos import bcs_dos


def _table(delta: float, dynes: float, mu: float, T: float):
    t = cv.make_terms(1)
    t[0, cv.COL_COEFF] = 1.0
    t[0, cv.COL_DELTA_B] = delta
    t[0, cv.COL_DYNES_B] = dynes
    t[0, cv.COL_MU_L] = mu
    t[0, cv.COL_T_L] = T
    t[0, cv.COL_MODE] = cv.MODE_DERIVATIVE
    t[0, cv.COL_OUT0] = 0
    t[0, cv.COL_OUT1] = -1
    t[0, cv.COL_OUT2] = -1
    return t


@pytest.mark.parametrize(
    ("delta", "dynes", "mu", "T"),
    [
        (1.057057057057057, 0.0017516191753739366, 1.1891891891891893, 0.11612411749061664),
        (1.0, 0.00175, 1.125, 0.116),
    ],
)
def test_step_at_product_panel_end(delta, dynes, mu, T):
    terms = _table(delta, dynes, mu, T)
    points, _ = cv.breakpoints(terms)
    chosen = cv.product_panels(cv.prepare_plan(terms), points[0], points[-1])
    ends = [delta * (1 + 0.5 ** (level + 1)) for _i, sign, level in chosen if sign > 0]
    assert any(math.isclose(end, mu, rel_tol=1e-15) for end in ends)  # the coincidence is there
    value, _ = cv.integrate(terms, 1)
    reference = quad(
        lambda E: bcs_dos(E, delta, dynes) / (4 * T * math.cosh((E - mu) / (2 * T)) ** 2),
        mu - 40 * T, mu + 40 * T, points=[-delta, delta], limit=2000, epsabs=1e-15, epsrel=1e-12,
    )[0]
    assert abs(value[0] - reference) <= max(1e-6 * abs(reference), 1e-9)
