"""Tests of the dot noise (Ludwig, Burmistrov, Gefen, Shnirman: Keldysh part Eq. 37, App. D).

Each test asserts physics: the closed-form Keldysh kernels (D5)–(D6) against their
integral definitions (scipy quad), Johnson–Nyquist S = 4T·G with G of Eqs. (48)–(49),
the shot-noise (Fano) limit, fluctuation–dissipation and the zero-point cone,
the simulated cone and charge fluctuations against the linearized Ornstein–Uhlenbeck
law, and critical slowing down of the switching time with the exponent that the
linearized dynamics (Eq. 50) predicts.  Statistical tests allow 4 standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from fastspin.kernels import dot as kdot
from fastspin.model import ParameterError
from fastspin.physics import dot as d
from fastspin.physics import dot_noise as dn

FIG3 = dict(Gamma_l_up=0.2, Gamma_l_down=1.0, Gamma_r=1.0, B=1.0, S=500.0, C=50.0,
            rho_d_up=20.0, rho_d_down=30.0)
OTHER = dict(Gamma_l_up=0.05, Gamma_l_down=0.6, Gamma_r=3.0, B=0.4, S=300.0, C=10.0,
             rho_d_up=15.0, rho_d_down=10.0)
RATES = ("Gamma_l_up", "Gamma_l_down", "Gamma_r")
RHOS = ("rho_d_up", "rho_d_down")
#: fast cone/switching runs: strong field and moderate S so that relaxation is quick
CONE = dict(FIG3, B=4.0, S=200.0, T=0.05)
SWITCH = dict(FIG3, B=4.0, S=2000.0, T=0.05)


def _kernel_by_quad(eps, lead, sigma, theta0, B0, Vd0, V, gu, gd, gr, T):
    """−∫dε' [F_d^σ(ε') F(ε' − ε − V_lead) − 1] by quad with the step positions as breakpoints."""
    v_lead = V if lead == "left" else 0.0
    c2 = math.cos(theta0 / 2) ** 2
    s2 = 1 - c2
    steps = [sigma * B0 * s2 - Vd0 + V, -sigma * B0 * c2 - Vd0 + V, sigma * B0 * s2 - Vd0,
             -sigma * B0 * c2 - Vd0, eps + v_lead]

    def integrand(e):
        f_d = kdot.dot_distribution(e, float(sigma), theta0, B0, Vd0, V, gu, gd, gr, T)
        return -(f_d * math.tanh((e - eps - v_lead) / (2 * T)) - 1.0)

    lo, hi = min(steps) - 60 * T, max(steps) + 60 * T
    points = sorted(set(steps))
    value, err = quad(integrand, lo, hi, points=points, limit=400, epsabs=1e-13, epsrel=1e-12)
    return value


@pytest.mark.parametrize("lead", ["left", "right"])
@pytest.mark.parametrize("sigma", [1, -1])
@pytest.mark.parametrize("case", [
    (0.0, 0.3, 1.0, 0.7, 0.1, 0.2),  # (ε, θ0, B0, V_d0, V, T)
    (-0.4, 1.1, -0.6, 0.2, 2.5, 0.05),
    (1.3, 2.9, 2.0, -0.3, -1.5, 0.3),
])
def test_keldysh_kernel_matches_its_integral(lead, sigma, case):
    """Eqs. (D5)-(D6): the closed form equals the defining energy integral (quad, 1e-9)."""
    eps, theta0, B0, Vd0, V, T = case
    gu, gd, gr = 0.3, 1.1, 0.8
    closed = float(dn.keldysh_kernel(eps, lead, sigma, theta0, B0, Vd0, V, gu, gd, gr, T))
    ref = _kernel_by_quad(eps, lead, sigma, theta0, B0, Vd0, V, gu, gd, gr, T)
    assert closed == pytest.approx(ref, rel=1e-9, abs=1e-11)


def test_keldysh_kernel_equilibrium_value():
    """F_d = F (V = B0 = V_d0 = 0) at ε = 0: α^K = 4T (Johnson–Nyquist kernel)."""
    for T in (1e-3, 0.05, 2.0):
        k = dn.keldysh_kernel(0.0, "left", 1, 0.7, 0.0, 0.0, 0.0, 0.3, 1.1, 0.8, T)
        assert float(k) == pytest.approx(4 * T, rel=1e-12)


@pytest.mark.parametrize("ps", [FIG3, OTHER])
@pytest.mark.parametrize("pole", ["north", "south"])
def test_johnson_nyquist_with_pole_conductance(ps, pole):
    """V = 0: the current noise is 4T·G with G of Eq. (48) (north) or (49) (south)."""
    G = float(d.pole_conductance(pole, *(ps[k] for k in RATES), *(ps[k] for k in RHOS)))
    for T in (0.01, 0.3):
        pn = dn.pole_noise(pole, V=0.0, T=T, **ps)
        assert pn["S_current"] == pytest.approx(4 * T * G, rel=1e-12)
        # each junction alone: 4T times its conductance 4 g_j(θ0)
        g_l, _, _, g_r = kdot.conductances(0.0 if pole == "north" else math.pi,
                                           *(ps[k] for k in RATES), *(ps[k] for k in RHOS))
        assert pn["S_l"] == pytest.approx(4 * T * 4 * g_l, rel=1e-12)
        assert pn["S_r"] == pytest.approx(4 * T * 4 * g_r, rel=1e-12)


@pytest.mark.parametrize("ps", [FIG3, OTHER])
@pytest.mark.parametrize("pole", ["north", "south"])
def test_shot_noise_limit(ps, pole):
    """eV ≫ T: S → Σ_σ 2|I_σ| F_σ, F_σ = (Γ_L² + Γ_R²)/(Γ_L + Γ_R)², the double-barrier Fano
    factor of each spin channel (D5–D6 at T → 0); the T correction is O(T/V)."""
    V = 5.0
    expected = 0.0
    for rho, spin in ((ps["rho_d_up"], 1), (ps["rho_d_down"], -1)):
        lead_spin = spin if pole == "north" else -spin
        g_left_rate = ps["Gamma_l_up"] if lead_spin > 0 else ps["Gamma_l_down"]
        gl, gr = 2 * rho * g_left_rate, 2 * rho * ps["Gamma_r"]
        current = gl * gr / (gl + gr) * V
        fano = (g_left_rate**2 + ps["Gamma_r"] ** 2) / (g_left_rate + ps["Gamma_r"]) ** 2
        expected += 2 * abs(current) * fano
    cold = dn.pole_noise(pole, V=V, T=1e-9, **ps)["S_current"]
    assert cold == pytest.approx(expected, rel=1e-9)
    warm = dn.pole_noise(pole, V=V, T=0.01, **ps)["S_current"]
    assert abs(warm / expected - 1) < 10 * 0.01 / V
    assert 0.5 <= dn.pole_noise(pole, V=V, T=1e-9, **ps)["fano"] <= 1.0


def test_cone_noise_fluctuation_dissipation_and_zero_point():
    """V = 0 at the north pole: classically (T ≫ B) ⟨sin²θ⟩ = 2T/(SB) (equipartition of
    E = −SB cos θ) and D = αT/S; at T → 0 the cone is the zero-point spread of a spin-S
    coherent state, ⟨m_x² + m_y²⟩ = 1/S, with the Landau–Lifshitz Larmor frequency
    B/(1 + α²): 1/(S(1 + α²))."""
    ps = dict(FIG3)
    hot = dn.pole_noise("north", V=0.0, T=100.0 * ps["B"], **ps)
    assert hot["sin2_theta_ou"] == pytest.approx(2 * 100.0 / ps["S"], rel=1e-4)
    assert hot["D"] == pytest.approx(hot["alpha"] * 100.0 * ps["B"] / ps["S"], rel=1e-4)
    cold = dn.pole_noise("north", V=0.0, T=1e-9, **ps)
    assert cold["sin2_theta_ou"] == pytest.approx(1 / (ps["S"] * (1 + cold["alpha"] ** 2)),
                                                  rel=1e-9)


def _cone_check(V, n_traj, relax_times):
    ps = dict(CONE, V=V)
    pn = dn.pole_noise("north", **ps)
    lam = pn["rate"]
    e = dn.langevin_ensemble(n_traj, relax_times / lam, seed=11, sample_every=10,
                             t_sample_start=10 / lam, stop_at_switch=False, **ps)
    s2 = e["sin2_theta"]
    err = s2.std(ddof=1) / math.sqrt(n_traj)
    # 4 standard errors + the O(<θ²>) small-angle correction of the linearization
    assert abs(s2.mean() - pn["sin2_theta_ou"]) < 4 * err + pn["sin2_theta_ou"] ** 2
    # the charge: C dV_d = -4(g_l + g_r) δV_d dt + dξ_l - dξ_r
    g_l, _, _, g_r = kdot.conductances(0.0, *(ps[k] for k in RATES), *(ps[k] for k in RHOS))
    G = 4 * (g_l + g_r)
    return pn, s2.mean(), err, G


@pytest.mark.parametrize("V", [0.0, 6.0])
def test_cone_fluctuations_at_stable_pole_fast(V):
    """Simulated ⟨sin²θ⟩ at the stable north pole = 2D'/λ (λ of Eq. 50), at V = 0
    (zero-point/thermal) and at V = V_sw/2 (shot-noise driven)."""
    _cone_check(V, 16, 60.0)


@pytest.mark.slow
@pytest.mark.parametrize("V", [0.0, 6.0, 10.0])
def test_cone_fluctuations_at_stable_pole_slow(V):
    _cone_check(V, 128, 200.0)


def test_charge_fluctuations_and_current_noise_simulation():
    """At the north pole the simulated V_d variance is the OU value (S_l + S_r)/(4GC) and
    the zero-frequency noise of the charge passed from the left lead, 2 var(Q_w)/t_w,
    is the noise the V_d Langevin equation predicts, (G_r² S_l + G_l² S_r)/(G_l + G_r)²."""
    ps = dict(CONE, V=6.0)
    pn = dn.pole_noise("north", **ps)
    g_l, _, _, g_r = kdot.conductances(0.0, *(ps[k] for k in RATES), *(ps[k] for k in RHOS))
    G = 4 * (g_l + g_r)
    tau_rc = ps["C"] / G
    dt = dn.default_time_step(**ps)
    window = int(round(20 * tau_rc / dt))
    r = dn.simulate_langevin(4000 * tau_rc, dt=dt, seed=2, record_every=int(round(tau_rc / dt)),
                             window_steps=window, **ps)
    vd = r["Vd"][20:]
    var_vd = vd.var()
    pred_vd = (pn["S_l"] + pn["S_r"]) / (4 * G * ps["C"])
    # samples one τ_RC apart: effective number n/(1 + 2e^-1/(1 - e^-1)) ≈ n/2.2
    assert abs(var_vd / pred_vd - 1) < 4 * math.sqrt(2 * 2.2 / vd.size) + 0.02
    q = r["window_charge"]
    t_w = window * dt
    s_est = 2 * q.var(ddof=1) / t_w
    assert abs(s_est / pn["S_current_vd"] - 1) < 4 * math.sqrt(2 / q.size) + 0.05


def test_trajectories_reproducible_and_split_invariant():
    """A trajectory is a pure function of (seed, stream, trajectory): equal runs agree
    bit for bit, an ensemble split in two equals the whole, another stream differs."""
    ps = dict(SWITCH, V=20.0)
    a = dn.langevin_ensemble(6, 40.0, seed=9, stream=3, stop_at_switch=False, **ps)
    b1 = dn.langevin_ensemble(2, 40.0, seed=9, stream=3, stop_at_switch=False, **ps)
    b2 = dn.langevin_ensemble(4, 40.0, seed=9, stream=3, first_trajectory=2,
                              stop_at_switch=False, **ps)
    np.testing.assert_array_equal(a["theta_final"], np.concatenate([b1["theta_final"],
                                                                    b2["theta_final"]]))
    one = dn.simulate_langevin(40.0, seed=9, stream=3, trajectory=4, **ps)
    assert one["theta"][-1] == a["theta_final"][4]
    c = dn.langevin_ensemble(6, 40.0, seed=9, stream=4, stop_at_switch=False, **ps)
    assert not np.any(c["theta_final"] == a["theta_final"])


def _switching(deltas, n_traj, seed):
    v_sw = float(d.switching_voltage(*(SWITCH[k] for k in RATES), SWITCH["B"]))
    sim, err, pred = [], [], []
    for delta in deltas:
        V = v_sw * (1 + delta)
        pr = dn.switching_time_prediction(V=V, **SWITCH)
        ts = dn.langevin_ensemble(n_traj, 8 * pr["tau_mean"], seed=seed, V=V,
                                  **SWITCH)["t_switch"]
        assert np.all(np.isfinite(ts))
        sim.append(ts.mean())
        err.append(ts.std(ddof=1) / math.sqrt(n_traj))
        pred.append(pr["tau_mean"])
    x = np.log(np.asarray(deltas) * v_sw)
    y = np.log(sim)
    w = (np.asarray(sim) / np.asarray(err)) ** 2  # 1/var of ln τ
    A = np.vstack([x, np.ones_like(x)]).T
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    slope_sim = float((cov @ (A.T @ (w * y)))[0])
    slope_err = math.sqrt(cov[0, 0])
    slope_pred = float(np.polyfit(x, np.log(pred), 1)[0])
    return np.asarray(sim), np.asarray(err), np.asarray(pred), slope_sim, slope_err, slope_pred


def test_critical_slowing_down_fast():
    """⟨τ_switch⟩ from the north pole above V_sw against the linearized prediction, and the
    fitted exponent of ⟨τ⟩ ∝ (V − V_sw)^ν against the predicted one (ν → −1 up to the
    logarithm of the noise)."""
    sim, err, pred, slope, slope_err, slope_pred = _switching([0.8, 0.3], 32, 21)
    assert np.all(np.abs(sim - pred) < 4 * err + 0.02 * pred)
    assert abs(slope - slope_pred) < 4 * slope_err + 0.05
    assert -1.0 < slope_pred < -0.8


@pytest.mark.slow
def test_critical_slowing_down_slow():
    sim, err, pred, slope, slope_err, slope_pred = _switching([0.8, 0.4, 0.2, 0.1, 0.05], 256,
                                                              22)
    assert np.all(np.abs(sim - pred) < 4 * err + 0.02 * pred)
    assert abs(slope - slope_pred) < 4 * slope_err + 0.01


def test_bad_input_is_refused():
    with pytest.raises(ParameterError, match="lead"):
        dn.keldysh_kernel(0.0, "middle", 1, 0.0, 0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.1)
    with pytest.raises(ParameterError, match="dt"):
        dn.simulate_langevin(1.0, dt=-1.0, **FIG3)
    with pytest.raises(ParameterError, match="n_trajectories"):
        dn.langevin_ensemble(0, 1.0, **FIG3)
    with pytest.raises(ParameterError, match="unstable north pole"):
        dn.switching_time_prediction(V=0.0, **FIG3)


def test_switching_time_distribution_is_the_predicted_gumbel_law():
    """Above V_sw the switching times follow P(τ ≤ t) = exp[−(λ/2D') e^{−2λ(t − t_offset)}]
    (no free parameter): Kolmogorov–Smirnov distance below its 1 % critical value."""
    v_sw = float(d.switching_voltage(*(SWITCH[k] for k in RATES), SWITCH["B"]))
    V = 1.6 * v_sw
    stats = dn.switching_statistics([V], 64, 2000.0, seed=31, **SWITCH)
    ts = np.sort(stats["t_switch"][0])
    assert stats["p_switch"][0] == 1.0
    cdf = dn.switching_time_cdf_prediction(ts, V=V, **SWITCH)
    n = ts.size
    ks = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert ks < 1.63 / math.sqrt(n)
    # the Gumbel spread π/(√6·2λ) (sample std of a Gumbel law: relative error ≈ 1.05/√n)
    assert abs(stats["tau_std"][0] / stats["tau_std_pred"][0] - 1) < 4 * 1.05 / math.sqrt(n)


def test_wilson_interval_known_values():
    """Wilson 95 % interval: 0 of 10 → [0, 0.2775]; 5 of 10 → [0.2366, 0.7634]."""
    lo, hi = dn.wilson_interval(0, 10)
    assert float(lo) == 0.0 and float(hi) == pytest.approx(0.27753279, rel=1e-6)
    lo, hi = dn.wilson_interval(5, 10)
    assert float(lo) == pytest.approx(0.23659309, rel=1e-6)
    assert float(hi) == pytest.approx(0.76340691, rel=1e-6)


def test_noisy_voltage_sweep_switches_without_a_kick():
    """Fig. 3 with the physical noise: starting exactly at the north pole, the sweep stays
    north below V_sw, goes south above it and back north below it (Eq. 50), no kick."""
    ps = dict(CONE)
    v_sw = float(d.switching_voltage(*(ps[k] for k in RATES), ps["B"]))
    res = dn.voltage_sweep_langevin([0.5 * v_sw, 1.5 * v_sw, 0.5 * v_sw], 80.0, seed=4,
                                    theta_start=0.0, **ps)
    np.testing.assert_allclose(res["cos_theta"], [1, -1, 1], atol=0.05)


def test_enforced_equilibrium_noise_is_that_of_two_tunnel_junctions():
    """App. B (F_d = F): at the north pole with V_d between the leads, each junction has the
    noise of a tunnel junction at its own bias, S_l = 4g_l·2(V − V_d)coth((V − V_d)/2T) and
    S_r = 4g_r·2V_d coth(V_d/2T) (the kernels at ε = −V_d)."""
    ps = dict(FIG3, T=0.1, V=2.0, distribution="equilibrium")
    g_l, _, _, g_r = kdot.conductances(0.0, *(FIG3[k] for k in RATES), *(FIG3[k] for k in RHOS))
    vd = g_l * 2.0 / (g_l + g_r)
    ns = dn.noise_strengths(0.0, -1.0, vd, 1.0, 0.3, **ps)

    def two_x_coth(x):
        return 2 * x / math.tanh(x / (2 * 0.1))

    assert ns["S_l"] == pytest.approx(4 * g_l * two_x_coth(2.0 - vd), rel=1e-12)
    assert ns["S_r"] == pytest.approx(4 * g_r * two_x_coth(vd), rel=1e-12)
