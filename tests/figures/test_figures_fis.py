"""The features of seed 000's Figs. 2-5 that the text states, checked on the numbers the figures
are drawn from (fastspin.fis_figures -> fastspin.fis), plus the PNG output.

Captions: V = 0, θ = π/8, P = 1, |h| = 0.3 Δ0 (Fig. 2); h = −0.3 Δ0 ẑ, S A0 = 0.1, Γ = 1e-3
(Fig. 3) and 1e-5 (Fig. 4); Ω = 0.3, T = 0.5 T_c (Fig. 5(a)), Ω = 0.5, T_S = 0.5 T_c (5(b)).
With Eq. (5) as printed the torque features of Fig. 5 need the opposite h·ẑ from the captions;
the tests assert both that the feature exists for the code's sign and that it is absent for the
caption's sign (the documented sign finding of fastspin.fis).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fastspin.figures import FIGURE_SETS, draw
from fastspin.figures import fis as ff
from fastspin.physics import fis
from fastspin.units import Tc

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# -- Fig. 2(a): pumping onsets -----------------------------------------------------------------


def _onset(Omega: np.ndarray, current: np.ndarray, fraction: float = 0.05) -> float:
    """First |Ω| on the (increasing-|Ω|) grid where |I_c| exceeds ``fraction`` of its value at the end."""
    above = np.abs(current) > fraction * abs(current[-1])
    return float(np.abs(Omega[np.argmax(above)]))


@pytest.mark.parametrize(
    ("h_angle", "onset_positive", "onset_negative"),
    [(ff.H_DOWN, "low", "high"), (ff.H_X, "low", "low"), (ff.H_UP, "high", "low")],
)
def test_pumping_only_above_gap_edges(h_angle: float, onset_positive: str, onset_negative: str):
    """Fig. 2(a), T = 0.1 T_c: the pumped I_c is zero below and switches on at the spin-flip
    threshold |Ω| = 2(Δ ∓ h)/(1 + cos θ) (the text's |Ω| ≳ Δ ± h): Δ − h for h = −hẑ at Ω > 0
    and for hx̂ at both signs, Δ + h for h = +hẑ at Ω > 0; h = ±hẑ swap for Ω < 0."""
    low, high = ff.pumping_thresholds()
    thresholds = {"low": low, "high": high}
    assert 0.7 < low < 0.75 and 1.33 < high < 1.37  # 2(Δ ∓ 0.3)/(1 + cos π/8), Δ(0.1 T_c) = 1
    step = 0.01
    magnitudes = np.arange(0.3, 2.0 + step / 2, step)
    for sign, expected in ((1.0, onset_positive), (-1.0, onset_negative)):
        current = ff.pumped_current(sign * magnitudes, h_angle)["I_charge"]
        threshold = thresholds[expected]
        assert abs(_onset(magnitudes, current) - threshold) < 0.1
        below = magnitudes < threshold - 0.25
        assert np.all(np.abs(current[below]) < 5e-3 * abs(current[-1]))
        if expected == "high":  # no onset at the lower edge: that spin band is empty here
            between = (magnitudes > low) & (magnitudes < low + 0.15)
            assert np.all(np.abs(current[between]) < 1e-4 * abs(current[-1]))


def test_pumping_reverses_with_omega_and_h():
    """Fig. 2(a): only the relative orientation of h and Ωẑ matters,
    I_c(−Ω, −hẑ) = −I_c(Ω, +hẑ), while I_c(−Ω, +hẑ) differs from −I_c(Ω, +hẑ)."""
    Omega = np.linspace(0.5, 2.0, 16)
    up = ff.pumped_current(Omega, ff.H_UP)["I_charge"]
    down_reversed = ff.pumped_current(-Omega, ff.H_DOWN)["I_charge"]
    up_reversed = ff.pumped_current(-Omega, ff.H_UP)["I_charge"]
    scale = np.abs(up).max()
    assert np.abs(up + down_reversed).max() < 1e-7 * scale
    assert np.abs(up + up_reversed).max() > 0.3 * scale


# -- Fig. 2(b), (c): cooling by precession -------------------------------------------------------


def test_cooling_region_depends_on_sign_of_h_z():
    """Fig. 2(b)/(c), T = 0.6 T_c: at small Ω > 0 the precession cools F for h = −hẑ (α > 0)
    and S for h = +hẑ (α < 0); the other lead is heated; the cooling ends where the Ω²
    dissipation takes over (F: Ω ≈ 1.1 Δ0, S: Ω ≈ 0.7 Δ0)."""
    Omega = np.linspace(0.02, 1.6, 80)
    down = ff.heat_currents(Omega, ff.H_DOWN)
    up = ff.heat_currents(Omega, ff.H_UP)
    assert down["alpha"] > 0 > up["alpha"]
    assert np.all(down["heat_S"] > 0) and np.all(up["heat_F"] > 0)
    cools_F = Omega[down["heat_F"] < 0]
    cools_S = Omega[up["heat_S"] < 0]
    # one cooling window starting at Ω → 0
    assert cools_F[0] == Omega[0] and np.all(np.diff(cools_F) < 0.021)
    assert cools_S[0] == Omega[0] and np.all(np.diff(cools_S) < 0.021)
    assert 1.0 < cools_F[-1] < 1.25 and 0.6 < cools_S[-1] < 0.8
    assert np.all(down["heat_F"][Omega > 1.3] > 0) and np.all(up["heat_S"][Omega > 0.9] > 0)


@pytest.mark.parametrize("h_angle", [ff.H_DOWN, ff.H_UP])
def test_energy_currents_follow_linear_response_at_small_omega(h_angle: float):
    """Fig. 2(b)/(c) dashed lines: Ė_S → (α/2) sin²θ Ω (Eq. (6)); the odd part in Ω,
    [Ė(Ω) − Ė(−Ω)]/2, has only O(Ω³) corrections; Ė_F → −Ė_S to first order."""
    Omega = np.array([-0.01, 0.01])
    data = ff.heat_currents(Omega, h_angle)
    for name in ("heat_S", "heat_F"):
        odd = 0.5 * (data[name][1] - data[name][0])
        assert abs(odd / data[f"{name}_linear"][1] - 1.0) < 1e-3
    assert abs(abs(data["alpha"]) - 0.176) < 0.005  # the value printed in the figure title


# -- Figs. 3 and 4: FMR refrigeration ------------------------------------------------------------


def test_fmr_refrigerates_F_at_small_omega_below_tc():
    """Fig. 3, h = −0.3 Δ0 ẑ (α > 0): at small Ω below T_c the FMR cools F (δT = T_S − T_F > 0)
    for λ = 0 and λ = 1; heating F by the Gilbert power (λ = 1) lowers δT everywhere; above
    T_c (h = 0.3 Δ0 gives T_c(h) < T_c, normal state) F is only heated."""
    Omega = np.array([0.02, 0.05, 0.1])
    T = np.array([0.3, 0.5, 0.7])
    cold = ff.fmr_refrigeration_map(Omega, T, 0.0)
    warm = ff.fmr_refrigeration_map(Omega, T, 1.0)
    assert np.all(cold > 0) and np.all(warm > 0)
    assert np.all(warm < cold)
    normal = ff.fmr_refrigeration_map(np.array([0.05, 0.5]), np.array([1.0]), 0.0)
    assert np.all(normal < 0)


def test_fig4_limit_is_where_fig3b_cooling_stops():
    """Figs. 3(b)/4: δT of Eq. (16) falls linearly with λ S A0, so F is cooled at
    (λ = 1, S A0 = 0.1) exactly where the Fig. 4 limit exceeds Ω·0.1; the limit is positive at
    small Ω below T_c and negative in the normal state (−1/8 · Ω there)."""
    Omega = np.array([0.05, 0.3, 0.6, 0.9])
    T = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    dynes = 1e-3
    limit = ff.max_damping_map(Omega, T, dynes=dynes)
    cooled = ff.fmr_refrigeration_map(Omega, T, 1.0, S_A0=0.1, dynes=dynes) > 0
    expected = limit > 0.1 * Omega[None, :]
    assert np.array_equal(cooled, expected)
    assert cooled.any() and not cooled.all()  # both regions occur on this grid
    assert np.all(limit[:-1, 0] > 0)
    np.testing.assert_allclose(limit[-1], -Omega / 8, rtol=1e-6)


# -- Fig. 5: torque maps and precession angles ----------------------------------------------------


def test_voltage_window_with_interior_precession_angle():
    """Fig. 5(a), Ω = 0.3, T = 0.5 T_c: θ* = 0 at small |V|, a voltage window with a stable
    0 < θ* < π in which θ* grows from 0 to π with |V|, and θ* = π at large |V|.  With Eq. (5)
    as printed this needs h = +hẑ (window at V < 0); for the caption's h = −hẑ θ = 0 stays
    the only stable state."""
    V = np.round(np.arange(-1.2, 0.001, 0.04), 6)
    branches = ff.precession_branches(V, ff.T_FIG5, ff.OMEGA_FIG5A, ff.H_ANGLE_FIG5A, n_grid=33)
    interior = ~np.isnan(branches["interior_stable"])
    window = V[interior]
    assert window.size >= 4
    assert -0.7 < window.min() and window.max() < -0.3
    np.testing.assert_allclose(np.diff(window), 0.04, atol=1e-9)  # one connected window
    theta_star = branches["interior_stable"][interior]
    assert np.all(np.diff(theta_star) < 0)  # θ* grows with |V|
    assert branches["zero_stable"][V > window.max()].all()
    assert not branches["zero_stable"][interior].any() and not branches["pi_stable"][interior].any()
    assert branches["pi_stable"][V < window.min()].all()
    caption = ff.precession_branches(V[::3], ff.T_FIG5, ff.OMEGA_FIG5A, ff.H_DOWN, n_grid=33)
    assert caption["zero_stable"].all() and not caption["pi_stable"].any()
    assert np.isnan(caption["interior_stable"]).all()


def test_torque_map_vanishes_at_poles_and_matches_the_branches():
    """Fig. 5(a) map: τ_z ∝ sin²θ vanishes at θ = 0, π; at a stable θ* the torque changes sign
    from + (θ driven up) below to − above."""
    theta = np.array([0.0, math.pi])
    torque = ff.torque_map(np.array([-0.5, 0.0, 0.5]), theta, ff.T_FIG5, ff.OMEGA_FIG5A,
                           ff.H_ANGLE_FIG5A)
    assert np.abs(torque).max() < 1e-12
    V = -0.48
    theta_star = ff.precession_branches(np.array([V]), ff.T_FIG5, ff.OMEGA_FIG5A,
                                        ff.H_ANGLE_FIG5A, n_grid=33)["interior_stable"][0]
    around = ff.torque_map(np.array([V]), np.array([theta_star - 0.05, theta_star + 0.05]),
                           ff.T_FIG5, ff.OMEGA_FIG5A, ff.H_ANGLE_FIG5A)[:, 0]
    assert around[0] > 0 > around[1]


def test_critical_thermal_bias_marks_the_thermal_window():
    """Fig. 5(b), Ω = 0.5, T_S = 0.5 T_c, S A0 = 0: δT_o (green line) lies inside the δT window
    where a stable 0 < θ* < π exists, the nonlinear loss of stability of θ = 0 lies within 30 %
    above it, and at Ω = 0.05 the two agree to 3 % (δT_o is the linear-response threshold).
    With Eq. (5) as printed the window is at δT > 0 for h = −hẑ; for the caption's +hẑ the
    threshold sgn(α)δT_o < 0 is never reached at Ω = 0.5 (T_F up to 0.975 T_c)."""
    onset = ff.thermal_onset_bias(ff.H_ANGLE_FIG5B)
    dT_o = onset["dT_o"]
    assert abs(dT_o / Tc - 0.232) < 0.002 and onset["alpha"] > 0
    assert 1.0 < onset["dT_nonlinear"] / dT_o < 1.3
    dT = np.linspace(0.10, 0.32, 23) * Tc
    branches = ff.precession_branches(0.0, ff.T_FIG5 - dT, ff.OMEGA_FIG5B, ff.H_ANGLE_FIG5B,
                                      n_grid=49)
    window = dT[~np.isnan(branches["interior_stable"])]
    assert window.min() < dT_o < window.max()
    assert branches["zero_stable"][dT < dT_o].all()
    assert not branches["zero_stable"][dT > onset["dT_nonlinear"]].any()
    slow = ff.thermal_onset_bias(ff.H_ANGLE_FIG5B, Omega=0.05)
    assert abs(slow["dT_nonlinear"] / slow["dT_o"] - 1.0) < 0.03
    caption = ff.thermal_onset_bias(ff.H_UP)
    assert caption["dT_o"] < 0 and math.isnan(caption["dT_nonlinear"])
    # the same δT_o as fastspin.fis at that temperature (no re-implementation)
    delta = float(fis.resolve_gap(ff.T_FIG5, ff.H_FIELD, np.nan))
    assert dT_o == fis.critical_thermal_bias(ff.OMEGA_FIG5B, ff.T_FIG5, ff.H_FIELD, ff.H_DOWN,
                                             ff.DYNES_FIG5, delta)


# -- output ----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_figures_fis_writes_pngs(tmp_path):
    """``fastspin figures fis`` at full resolution (~20 s): eight PNG files, one per panel."""
    assert "fis" in FIGURE_SETS
    paths = draw("fis", tmp_path)  # the CLI entry point
    assert len(paths) == 8
    for path in paths:
        with open(path, "rb") as handle:
            assert handle.read(8) == PNG_SIGNATURE


def test_figures_fis_reduced_resolution(tmp_path):
    """figures_fis with coarse grids writes the same eight files."""
    paths = ff.figures_fis(tmp_path / "coarse", n_curve=21, n_map=7)
    names = sorted(p.rsplit("/", 1)[-1] for p in paths)
    assert names == sorted([
        "fis_fig2a_pumped_current.png", "fis_fig2b_heat_h_down.png", "fis_fig2c_heat_h_up.png",
        "fis_fig3a_fmr_lambda0.png", "fis_fig3b_fmr_lambda1.png", "fis_fig4_max_damping.png",
        "fis_fig5a_torque_voltage.png", "fis_fig5b_torque_thermal.png",
    ])
    for path in paths:
        with open(path, "rb") as handle:
            assert handle.read(8) == PNG_SIGNATURE
