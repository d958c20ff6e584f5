"""The magnon-driven macrospin: generalized LLG, Boltzmann law, μ' threshold, linewidth vs ΔT."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2

from fastspin.kernels import llg_table
from fastspin.physics.magnon_llg import MagnonMacrospin, ringdown_linewidth
from fastspin.physics.torque_table import run_table_ensemble


def test_table_drift_solves_the_generalized_llg():
    """ħṅ from the table satisfies (1 + α n×)ħṅ + n×H = (α'_i + α'_r n×)(μ'×n − ħṅ) at random n."""
    model = MagnonMacrospin(mu_s=0.03, anisotropy=0.02, dT=0.4, alpha=0.01)
    k = model.coefficients()
    table = model.table()
    rng = np.random.default_rng(0)
    n = rng.normal(size=(5, 3))
    n /= np.linalg.norm(n, axis=1)[:, None]
    # no noise gradient (c is constant), so the Stratonovich drift is ṅ itself
    ndot = llg_table.drift_at(table.coef, n, 1.0)[:, :3]
    z = np.array([0.0, 0.0, 1.0])
    for ni, vi in zip(n, ndot, strict=True):
        H = (model.field - model.anisotropy * ni[2]) * z
        mu = model.mu_s * z
        lhs = vi + model.alpha * np.cross(ni, vi) + np.cross(ni, H)
        source = np.cross(mu, ni) - vi
        rhs = k["alpha_i_prime"] * source + k["alpha_r_prime"] * np.cross(ni, source)
        assert np.allclose(lhs, rhs, rtol=0, atol=1e-14)


def _boltzmann_chi2(dt: float, n: int, seed: int = 4) -> float:
    # small magnet (broad distribution), bistable (K > H), strong bulk damping (fast relaxation)
    model = MagnonMacrospin(volume=250.0, anisotropy=0.03, alpha=0.05)
    k = model.coefficients()
    S, T = k["S"], model.T_magnon
    t_end = 3000.0
    r = run_table_ensemble(model.table(), n, seed, dt=dt, n_steps=int(round(t_end / dt)),
                           m0=(1.0, 0.0, 0.0), n_bins=20)  # fmt: skip
    u = np.linspace(-1, 1, 20001)
    w = np.exp(-S * (model.field * u - 0.5 * model.anisotropy * u * u) / T)
    cumulative = np.concatenate(([0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(u))))
    expected = np.diff(np.interp(r.bin_edges, u, cumulative / cumulative[-1])) * n
    return float(np.sum((r.histogram - expected) ** 2 / expected))


@pytest.mark.parametrize("dt", [4.0, 2.0])
def test_zero_bias_is_boltzmann_in_the_total_energy(dt):
    """μ' = ΔT = 0: final states (t = 3000 ħ/meV, several relaxation times 1/(2c)) follow
    exp(−E/T), E = S(H u − K u²/2); χ² over 20 bins below its 0.1 % quantile."""
    assert _boltzmann_chi2(dt, 6000) < chi2.ppf(0.999, 19)


def test_spin_accumulation_threshold():
    """p(−1) changes sign at μ'_c; in a large, nearly noiseless magnet started 0.05 rad from −ẑ
    nothing switches at μ'_c/2 and everything switches to +ẑ at 2 μ'_c."""
    base = MagnonMacrospin(volume=1e9, anisotropy=0.02)
    mu_c = base.threshold_mu_s()
    assert mu_c > 0
    for factor, sign in ((0.999, -1), (1.001, 1)):
        model = MagnonMacrospin(volume=1e9, anisotropy=0.02, mu_s=factor * mu_c)
        assert np.sign(model.fields(np.array([-1.0]))["polar"][0]) == sign
    m0 = (math.sin(0.05), 0.0, -math.cos(0.05))
    for factor, expected in ((0.5, 0.0), (2.0, 1.0)):
        model = MagnonMacrospin(volume=1e9, anisotropy=0.02, mu_s=factor * mu_c)
        r = run_table_ensemble(model.table(), 64, 1, dt=3.0, n_steps=25000, m0=m0,
                               switch_level=0.5)  # fmt: skip
        switched = np.mean(~np.isnan(r.switch_time))
        assert switched == expected
        if expected:
            assert np.all(r.final_m[:, 2] > 0.99)


def _linewidth_change(n_trajectories: int, seed: int) -> tuple[float, float, float]:
    measured = {}
    predicted = {}
    for dT in (-0.5, 0.5):
        model = MagnonMacrospin(dT=dT, volume=4e6)
        width = model.linewidth()
        dt = 5.0
        measured[dT] = ringdown_linewidth(model, n_trajectories, seed, dt=dt,
                                          n_steps=int(2 / width["exact"] / dt), trace_every=100)
        predicted[dT] = (model.field + model.anisotropy) * (
            model.alpha + model.coefficients()["alpha_r_prime"])
    change = measured[0.5][0] - measured[-0.5][0]
    error = math.hypot(measured[0.5][1], measured[-0.5][1])
    return change, error, predicted[0.5] - predicted[-0.5]


def test_linewidth_change_with_dT_matches_alpha_r():
    """Γ(ΔT = +0.5 meV) − Γ(−0.5 meV) from simulated ring-downs (thermal noise on) equals the
    linearized (H + K) Δα'_r within 3 fit errors; α'_r(T) nearly halves over this range."""
    change, error, predicted = _linewidth_change(400, 1)
    assert abs(change - predicted) < 3 * error
    assert abs(predicted) > 10 * error  # the effect is resolved, not noise


@pytest.mark.slow
def test_linewidth_change_with_dT_long():
    change, error, predicted = _linewidth_change(3200, 2)
    assert abs(change - predicted) < 3 * error
