"""Temperatures below the range where the Fermi-window integrals are accurate are
refused with the allowed range; at the lowest allowed temperature the zero-bias
conductance of sis_merit agrees with an independent scipy quad of its closed form.

Closed form (T_S = T_Sm = T, seed 004, derivative of Eq. (2) at V = 0): the f_S − f_Sm
term vanishes and G0/G_T = ½ Σσ ∫ dE N_S(E) N0(E + σh) (−∂f/∂E).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastspin
from fastspin.model import ParameterError
from fastspin.superconductor import gap
from fastspin.units import T_MIN, Tc
from fastspin.workflows.spec import load_spec

from reference import dynes_dos, graded, piecewise_quad


def test_the_reproduction_is_refused_with_the_allowed_range():
    with pytest.raises(ParameterError) as info:
        fastspin.evaluate("sis_merit", T_S=1e-20, h=[0.1, 0.5])
    message = str(info.value)
    assert "parameter 'T_S' = 1e-20 is out of range" in message
    assert "allowed: 0.00566933 <= T_S <= 3 (from 0.01 Tc) [Delta0/k_B]" in message


@pytest.mark.parametrize(
    ("model", "name"),
    [("sis", "T_S"), ("sis", "T_Sm"), ("sis_merit", "T_Sm"), ("fis", "T_S"), ("fis", "T_F"),
     ("fis_response", "T")],
)
@pytest.mark.parametrize("value", [1e-50, 1e-12, 0.999 * T_MIN, "0.005 Tc"])
def test_every_fermi_window_temperature_has_the_floor(model, name, value):
    with pytest.raises(ParameterError, match=f"parameter '{name}' = .* is out of range; allowed: 0.00566933 <= {name}"):
        fastspin.evaluate(model, **{name: value})


def test_a_spec_below_the_floor_is_refused_naming_the_field():
    with pytest.raises(ParameterError, match="parameter 'T_S' = 1e-12 is out of range"):
        load_spec({"model": "sis_merit", "axes": {"h": [0.1], "T_S": [1e-12, 0.3]}})


def closed_form_quad(T: float, h: float, dynes: float) -> float:
    """½ Σσ ∫ N_S(E) N0(E + σh) (−f′(E)) dE by scipy quad, with self-consistent gaps."""
    delta_S, delta_Sm = float(gap(T, 0.0)), float(gap(T, h))

    def integrand(energy: float) -> float:
        x = energy / (2 * T)
        minus_fprime = 1.0 / (4 * T * math.cosh(x) ** 2) if abs(x) < 350 else 0.0
        both = sum(dynes_dos(energy + s * h, delta_Sm, dynes) for s in (1.0, -1.0))
        return 0.5 * dynes_dos(energy, delta_S, dynes) * both * minus_fprime

    reach = 80 * T  # −f′ < e^-80 beyond: far below 1e-12 of the peak
    value, _ = piecewise_quad(integrand, -reach, reach, graded([0.0], T, reach=reach))
    return value


@pytest.mark.parametrize("h", [0.1, 0.5])
def test_g0_at_the_floor_matches_an_independent_quad_of_the_closed_form(h):
    dynes = 1e-4
    ds = fastspin.evaluate("sis_merit", T_S=T_MIN, T_Sm=T_MIN, h=[h], dynes=dynes)
    reference = closed_form_quad(T_MIN, h, dynes)
    assert reference > 0
    # the engine's stated accuracy: 1e-6 relative (G0 ~ 1e-8 G_T is far above 1e-9·1e-8)
    np.testing.assert_allclose(ds.G0_closed_form.values, [reference], rtol=1e-6)
    np.testing.assert_allclose(ds.G0.values, [reference], rtol=1e-6)
    # and T_MIN is already the T -> 0 limit ½ Σσ N_S(0) N0(σh), up to O((T/Δ)²)
    zero_T = 0.5 * dynes_dos(0.0, float(gap(T_MIN, 0.0)), dynes) * sum(
        dynes_dos(s * h, float(gap(T_MIN, h)), dynes) for s in (1.0, -1.0)
    )
    assert abs(reference / zero_T - 1) < 10 * (T_MIN / (1 - h)) ** 2
    assert T_MIN == 0.01 * Tc
