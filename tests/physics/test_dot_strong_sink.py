"""The strong-sink approximation of Ludwig, Burmistrov, Gefen, Shnirman, Eqs. (57)-(58)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastspin
from fastspin.kernels import dot as kdot
from fastspin.physics import dot as d

PS = dict(Gamma_l_up=0.2, Gamma_l_down=1.0, Gamma_r=1.0, B=1.0, S=500.0, rho_d_up=20.0,
          rho_d_down=30.0)
ARGS = ("Gamma_l_up", "Gamma_l_down", "Gamma_r", "B", "S", "rho_d_up", "rho_d_down")


@pytest.mark.parametrize("sigma", [1, -1])
def test_eq57_is_eq31_without_the_left_steps(sigma):
    """|F_d(31) − F_d(57)| ≤ 2(Γ_σ − Γ_r)/Γ_σ, and the difference falls as that bound,
    ∝ 1/Γ_r at large Γ_r."""
    eps = np.linspace(-6.0, 9.0, 3001)
    theta0, B0, Vd0, V, T = 1.1, 0.8, 0.3, 3.0, 0.05
    worst, bounds = [], []
    for gr in (10.0, 100.0):
        full = d.dot_distribution(eps, sigma, theta0, B0, Vd0, V, 0.2, 1.0, gr, T)
        sink = d.dot_distribution_strong_sink(eps, sigma, theta0, B0, Vd0, T)
        g_sigma = kdot.gamma_sigma(float(sigma), theta0, 0.2, 1.0, gr)
        diff = float(np.max(np.abs(full - sink)))
        assert diff <= 2 * (g_sigma - gr) / g_sigma + 1e-14
        worst.append(diff)
        bounds.append((g_sigma - gr) / g_sigma)
    assert worst[0] / worst[1] == pytest.approx(bounds[0] / bounds[1], rel=0.02)


def test_eq58_cone_edges_and_app_b_limit():
    """Eq. (58): the cone reaches the north pole where α(0)B + g_s V/S = 0 and the south pole
    where α(π)B + g_s V/S = 0; App. B (Eq. B1), whose north pole turns unstable at
    V_e = −α(0)SB(g_l + g_r)/(g_s g_r), is Eq. (58) with V_d = g_l V/(g_l + g_r), so
    V_e/V_58 − 1 = g_l(0)/g_r exactly."""
    args = [PS[k] for k in ARGS]
    g_l, g_lt, g_s, g_r = kdot.conductances(0.0, PS["Gamma_l_up"], PS["Gamma_l_down"],
                                            PS["Gamma_r"], PS["rho_d_up"], PS["rho_d_down"])
    alpha_n = (g_lt + g_r) / PS["S"]
    alpha_s = float(d.gilbert_damping(math.pi, PS["S"], PS["Gamma_l_up"], PS["Gamma_l_down"],
                                      PS["Gamma_r"], PS["rho_d_up"], PS["rho_d_down"]))
    v_north = -alpha_n * PS["S"] * PS["B"] / g_s
    v_south = -alpha_s * PS["S"] * PS["B"] / g_s
    assert float(d.strong_sink_precession(v_north, *args)["cos_theta"]) == pytest.approx(1.0,
                                                                                         abs=1e-12)
    assert float(d.strong_sink_precession(v_south, *args)["cos_theta"]) == pytest.approx(-1.0,
                                                                                          abs=1e-12)
    inside = d.strong_sink_precession(0.5 * (v_north + v_south), *args)["cos_theta"]
    assert abs(float(inside)) < 1
    assert np.isnan(d.strong_sink_precession(0.0, *args)["cos_theta"])
    v_e = float(d.equilibrium_switching_voltage(PS["Gamma_l_up"], PS["Gamma_l_down"],
                                                PS["Gamma_r"], PS["B"], PS["S"], PS["rho_d_up"],
                                                PS["rho_d_down"]))
    assert v_e / v_north - 1 == pytest.approx(g_l / g_r, rel=1e-12)


def test_dot_model_reports_eq58():
    r = fastspin.evaluate("dot", V=[0.0, 2.0], t_settle=1.0, **PS)
    assert np.isnan(r.cos_theta_eq58.values[0])
    assert float(r.cos_theta_eq58.values[1]) == pytest.approx(
        float(d.strong_sink_precession(2.0, *[PS[k] for k in ARGS])["cos_theta"]), abs=1e-14)
    assert float(r.I_s_eq58.values[1]) == pytest.approx(2.0 * (20.0 + 30.0) * (0.2 - 1.0) / 2)
