"""The S–I–Sm junction of seed 004: analytic limits, the stated symmetries, energy
balance, G0 two ways, and clear rejection of bad input."""

import math

import numpy as np
import pytest

import fastspin
from fastspin.models.sis import SISJunction
from fastspin.physics.sis import (
    inner_peak_voltage,
    seebeck_voltage,
    threshold_exchange_field,
    threshold_exchange_field_tanh,
    zero_bias_conductance,
    zero_bias_conductance_closed_form,
)
from fastspin.physics.superconductor import gap
from fastspin.units import Tc

HOT = {"T_S": "0.7 Tc", "T_Sm": "0.01 Tc", "dynes": 1e-4}


def test_normal_metal_limit_is_ohmic_with_known_heat():
    """Δ = 0 on both sides: I = G_T V exactly, heat_S = π²(T_S² − T_Sm²)/6 − V²/2."""
    V = np.array([-2.0, -0.3, 0.1, 1.7])
    ds = fastspin.evaluate("sis", V=V, h=0.3, T_S=0.2, T_Sm=0.05, delta_S=0.0, delta_Sm=0.0)
    np.testing.assert_allclose(ds.I_charge, V, rtol=1e-9)
    np.testing.assert_allclose(ds.I_spin, 0.0, atol=1e-12)
    expected = math.pi**2 * (0.2**2 - 0.05**2) / 6 - V**2 / 2
    np.testing.assert_allclose(ds.heat_S, expected, rtol=1e-8)


def test_large_bias_approaches_ohmic():
    """DOS → 1 far from the gap: I(V)/V → 1 at eV ≫ Δ (excess-current correction ~Δ²/V)."""
    ds = fastspin.evaluate("sis", V=[20.0], h=0.2, **HOT)
    assert float(ds.I_charge[0]) / 20.0 == pytest.approx(1.0, abs=0.02)


def test_no_spin_current_without_exchange_field():
    ds = fastspin.evaluate("sis", V=np.linspace(-1.5, 1.5, 13), h=0.0, **HOT)
    np.testing.assert_allclose(ds.I_spin, 0.0, atol=1e-12)


def test_stated_symmetries():
    """Iq(V,h) = −Iq(−V,h) = Iq(V,−h); Is(V,h) = Is(−V,h) = −Is(V,−h)  (seed 004, Sec. II)."""
    V = np.array([0.05, 0.2, 0.37, 0.9, 1.4, 2.3])
    kw = dict(HOT, delta_S=float(gap(0.7 * Tc, 0.0)), delta_Sm=float(gap(0.01 * Tc, 0.4)))
    # integrate every point independently: the fast path uses this very symmetry
    direct = SISJunction(options={"particle_hole_folding": False})
    plus = fastspin.evaluate(direct, V=V, h=0.4, **kw)
    minus_v = fastspin.evaluate(direct, V=-V, h=0.4, **kw)
    minus_h = fastspin.evaluate(direct, V=V, h=-0.4, **kw)
    atol = 1e-9
    np.testing.assert_allclose(plus.I_charge, -minus_v.I_charge, rtol=1e-7, atol=atol)
    np.testing.assert_allclose(plus.I_charge, minus_h.I_charge, rtol=1e-7, atol=atol)
    np.testing.assert_allclose(plus.I_spin, minus_v.I_spin, rtol=1e-7, atol=atol)
    np.testing.assert_allclose(plus.I_spin, -minus_h.I_spin, rtol=1e-7, atol=atol)
    assert np.all(np.abs(plus.I_spin) > 1e-4)  # the symmetry test is not vacuous
    np.testing.assert_allclose(plus.heat_S, minus_v.heat_S, rtol=1e-7, atol=atol)
    # and the folded fast path agrees with direct integration
    both = np.concatenate([-V, V])
    folded = fastspin.evaluate("sis", V=both, h=0.4, **kw)
    unfolded = fastspin.evaluate(direct, V=both, h=0.4, **kw)
    for name in ("I_up", "I_down", "heat_S", "heat_Sm"):
        np.testing.assert_allclose(folded[name], unfolded[name], rtol=1e-7, atol=atol)


def test_folding_pairs_linspace_mirrors_and_matches_direct_integration():
    """np.linspace(-a, a, n) mirrors its points only to rounding; folding must still pair them.

    Each pair then shares one integration, so I_charge is exactly odd on the curve, and the
    folded curve matches point-by-point integration within the engine tolerance.
    """
    V = np.linspace(-2.0, 2.0, 401)
    assert np.unique(np.abs(V)).size > 201  # the mirror images differ in the last bits
    kw = dict(HOT, delta_S=0.8, delta_Sm=0.95)
    folded = fastspin.evaluate("sis", V=V, h=0.3, **kw)
    current = folded.I_charge.values
    np.testing.assert_array_equal(current[:200], -current[201:][::-1])  # V = 0 (index 200) aside
    sample = slice(0, None, 40)
    direct = fastspin.evaluate(SISJunction(options={"particle_hole_folding": False}), V=V[sample], h=0.3, **kw)
    np.testing.assert_allclose(folded.I_charge[sample], direct.I_charge, rtol=1e-7, atol=1e-9)


def test_energy_balance_joule_heat():
    ds = fastspin.evaluate("sis", V=[-0.8, 0.25, 1.3], h=0.35, **HOT)
    np.testing.assert_allclose(ds.heat_S + ds.heat_Sm, -ds.V * ds.I_charge, rtol=1e-12, atol=1e-14)


def test_thermoactive_spin_current_exceeds_charge_current():
    """Between 0 and V_S the junction is thermoactive (I·V < 0) and |Is| > |Iq|, SGE = 1."""
    point = {"h": 0.4, "T_S": 0.7 * Tc, "T_Sm": 0.01 * Tc, "dynes": 1e-4}
    point["delta_S"] = float(gap(point["T_S"], 0.0))
    point["delta_Sm"] = float(gap(point["T_Sm"], 0.4))
    v_s = seebeck_voltage(point)
    assert 0 < v_s
    V = np.linspace(0.05, 0.95, 7) * v_s
    ds = fastspin.evaluate("sis", V=V, h=0.4, **HOT)
    assert np.all(ds.I_charge * ds.V < 0)
    assert np.all(np.abs(ds.I_spin) > np.abs(ds.I_charge))
    np.testing.assert_allclose(np.abs(ds.SGE), 1.0, rtol=1e-12)
    at_vs = fastspin.evaluate("sis", V=[v_s], h=0.4, **HOT)
    assert abs(float(at_vs.I_charge[0])) < 1e-9


@pytest.mark.parametrize(("h", "t_over_tc"), [(0.4, 0.7), (0.2, 0.5), (0.0, 0.7), (0.3, 0.95)])
def test_zero_bias_conductance_numeric_vs_closed_form(h, t_over_tc):
    point = {"h": h, "T_S": t_over_tc * Tc, "T_Sm": 0.01 * Tc, "dynes": 1e-4}
    point["delta_S"] = float(gap(point["T_S"], 0.0))
    point["delta_Sm"] = float(gap(point["T_Sm"], h))
    numeric = zero_bias_conductance(point)
    closed = zero_bias_conductance_closed_form(point)
    assert numeric == pytest.approx(closed, rel=1e-6, abs=1e-9)
    # thermoelectricity (G0 < 0) needs Δ(T_S) > Δ(T_Sm) − h (seed 004, Sec. III); the
    # condition is necessary, not sufficient (it fades again at low T_S, as the text says)
    if numeric < 0:
        assert point["delta_S"] > point["delta_Sm"] - h


def test_threshold_field_numeric_and_tanh_estimate():
    for t in (0.5, 0.7, 0.9):
        h_t = threshold_exchange_field(t * Tc, 0.01 * Tc)
        # definition: Δ(T_S) = Δ(T_Sm, h_t) − h_t
        assert float(gap(t * Tc, 0.0)) == pytest.approx(float(gap(0.01 * Tc, h_t)) - h_t, abs=1e-9)
        # the text's tanh estimate is an interpolation: close, not equal
        assert h_t == pytest.approx(threshold_exchange_field_tanh(t * Tc), abs=0.03)
    point = {"h": 0.3, "delta_S": 0.8, "delta_Sm": 1.0}
    assert inner_peak_voltage(point) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"T_S": -0.1}, r"'T_S' = -0\.1 is out of range; allowed: 0 < T_S <= 3"),
        ({"dynes": 0.0}, r"'dynes' = 0 is out of range"),
        ({"Vbias": 0.1}, r"unknown parameter 'Vbias'.*allowed: V, h"),
        ({"h": "strong"}, r"'h' = 'strong' is not a number"),
        ({"V": []}, r"'V' is an empty array"),
        ({"T_Sm": "0.3 K"}, r"'T_Sm' = '0\.3 K': converting to Delta0/k_B needs the energy scale"),
        ({"V": float("nan")}, r"'V' = nan is not finite"),
    ],
)
def test_bad_input_is_rejected_clearly(params, message):
    with pytest.raises(fastspin.ParameterError, match=message):
        fastspin.evaluate("sis", **params)


def test_evaluate_labels_units_and_broadcasts():
    ds = fastspin.evaluate("sis", V=[0.1, 0.2, 0.3], h=[0.0, 0.4], T_S="0.7 Tc", T_Sm="0.01 Tc")
    assert ds.I_charge.dims == ("V", "h")
    assert ds.I_charge.attrs["units"] == "G_T*Delta0/e"
    assert ds.V.attrs["units"] == "Delta0/e"
    assert ds.attrs["T_S"] == pytest.approx(0.7 * Tc)
    single = fastspin.evaluate("sis", V=0.2, h=0.4, T_S="0.7 Tc", T_Sm="0.01 Tc")
    assert float(single.I_charge) == pytest.approx(float(ds.I_charge.sel(V=0.2, h=0.4)), rel=1e-12)
