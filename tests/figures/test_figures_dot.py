"""Figures of the quantum dot (Ludwig, Burmistrov, Gefen, Shnirman): Fig. 2 data and the
noisy Fig. 3 sweep."""

from __future__ import annotations

import numpy as np
import pytest

from fastspin.figures import dot as figs
from fastspin.physics import dot as d


def test_fig2_distribution_carries_the_charge_of_eq53():
    """Fig. 2 data: n_d^σ runs from 1 to 0 through four steps, and the charge it carries,
    Σ_σ ρ_σ ∫ (1/2)[F(ε) − F_d^σ(ε)] dε (Eq. 53), equals C·V_d0 with V_d0 of Eq. (54)."""
    eps = np.linspace(-8.0, 12.0, 40001)
    fd = figs.fig2_distribution(eps)
    ps = figs.FIG3_PARAMETERS
    T = figs.FIG2_STATE["T"]
    lead = 0.5 * (1.0 - np.tanh(eps / (2 * T)))
    charge = 0.0
    for name, rho in (("n_up", ps["rho_d_up"]), ("n_down", ps["rho_d_down"])):
        n = fd[name]
        assert n[0] == pytest.approx(1.0, abs=1e-12) and n[-1] == pytest.approx(0.0, abs=1e-12)
        assert np.all(np.diff(n) <= 1e-15)
        charge += rho * np.trapezoid(n - lead, eps)
    assert charge == pytest.approx(ps["C"] * float(fd["Vd0"]), rel=1e-6)


def test_fig3_langevin_sweep_switches_without_a_kick():
    """The Fig. 3 sweep starts exactly at the north pole and still switches (noise, no kick);
    the time-averaged current is G_N·V (Eq. 48) below V_sw and G_S·V (Eq. 49) above."""
    up, down = figs.fig3_sweeps_langevin(n_points=5, t_settle=300.0)
    v_sw = float(d.switching_voltage(0.2, 1.0, 1.0, 1.0))
    assert up["cos_theta"][0] > 0.9 and up["cos_theta"][-1] < -0.9
    assert down["cos_theta"][-1] > 0.9
    assert up["V"][-1] == pytest.approx(2 * v_sw)
    rates = (0.2, 1.0, 1.0, 20.0, 30.0)
    g_north = float(d.pole_conductance("north", *rates))
    g_south = float(d.pole_conductance("south", *rates))
    assert up["I"][1] == pytest.approx(g_north * up["V"][1], rel=0.03)
    assert up["I"][-1] == pytest.approx(g_south * up["V"][-1], rel=0.03)
