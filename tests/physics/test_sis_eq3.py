"""Eq. (3) of Germanese et al. (2021): the zero-bias conductance approximant and its misprint."""

import numpy as np
import pytest

import fastspin
from fastspin.model import ParameterError
from fastspin.physics.sis import (
    zero_bias_conductance,
    zero_bias_conductance_closed_form,
    zero_bias_conductance_eq3,
)
from fastspin.physics.superconductor import gap
from fastspin.units import Tc

#: (h/Δ0, T_S/T_c) in the thermoelectric region G0 < 0 of Fig. 2(b), T_Sm = 0.01 T_c
THERMOELECTRIC = [(0.4, 0.7), (0.3, 0.8), (0.3, 0.6), (0.45, 0.75), (0.2, 0.7)]


def _point(h: float, t_over_tc: float) -> dict[str, float]:
    point = {"h": h, "T_S": t_over_tc * Tc, "T_Sm": 0.01 * Tc, "dynes": 1e-4}
    point["delta_S"] = float(gap(point["T_S"], 0.0))
    point["delta_Sm"] = float(gap(point["T_Sm"], h))
    return point


@pytest.mark.parametrize(("h", "t_over_tc"), THERMOELECTRIC)
def test_corrected_eq3_matches_exact_G0_and_printed_eq3_vanishes(h, t_over_tc):
    point = _point(h, t_over_tc)
    exact = zero_bias_conductance_closed_form(point)
    assert exact < 0  # thermoelectric: absolute negative conductance
    # independent check of the exact value: Richardson-extrapolated dI/dV of Eq. (2)
    assert zero_bias_conductance(point) == pytest.approx(exact, rel=1e-6)
    corrected = zero_bias_conductance_eq3(point)
    assert corrected == pytest.approx(exact, rel=1e-4)
    # as printed (f_Sm at T_Sm = 0.01 T_c) the integral is exponentially small, not G0
    printed = zero_bias_conductance_eq3(point, distribution="Sm")
    assert abs(printed) < 1e-8 * abs(exact)


def test_eq3_distribution_is_checked():
    with pytest.raises(ParameterError, match="distribution"):
        zero_bias_conductance_eq3(_point(0.4, 0.7), distribution="F")


def test_sis_merit_reports_G0_eq3():
    ds = fastspin.evaluate("sis_merit", h=0.4, T_S="0.7 Tc", T_Sm="0.01 Tc")
    np.testing.assert_allclose(float(ds.G0_eq3), float(ds.G0_closed_form), rtol=1e-4)
    assert float(ds.G0_eq3) < 0
