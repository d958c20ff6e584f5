"""The torque-table stochastic LLG: drift correction, Boltzmann law, tables, bad input, RNG."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from fastspin.kernels import llg_table
from fastspin.model import ParameterError
from fastspin.physics.torque_table import (
    TorqueTable,
    equilibrium_table,
    run_table_ensemble,
)

# a bath whose damping (and noise) varies ninefold over the sphere: strongly multiplicative
S, OMEGA, T, K = 1.0, 1.2, 1.0, 1.0


def _gamma(u):
    return 0.5 * (1.0 + 0.8 * u)


def _boltzmann_bin_probabilities(edges: np.ndarray) -> np.ndarray:
    """∫ exp(S(Ω u + K u²/2)/T) over each bin, normalized (fine trapezoid, error < 1e-9)."""
    u = np.linspace(-1.0, 1.0, 200001)
    w = np.exp(S * (OMEGA * u + 0.5 * K * u * u) / T)
    cumulative = np.concatenate(([0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(u))))
    at_edges = np.interp(edges, u, cumulative)
    return np.diff(at_edges) / cumulative[-1]


def _chi2_of_final_states(dt: float, n: int, t_end: float, correction: bool, n_bins: int = 20):
    table = equilibrium_table(S, OMEGA, T, _gamma, anisotropy=K)
    result = run_table_ensemble(
        table, n, 7, dt=dt, n_steps=int(round(t_end / dt)), m0=(1.0, 0.0, 0.0), n_bins=n_bins,
        drift_correction=correction,
    )  # fmt: skip
    expected = _boltzmann_bin_probabilities(result.bin_edges) * n
    return float(np.sum((result.histogram - expected) ** 2 / expected))


@pytest.mark.parametrize("dt", [0.04, 0.02])
def test_equilibrium_is_boltzmann_and_needs_the_drift_correction(dt):
    """Independent final states at t = 12 from the equator (the slow variant checks t = 20 with
    ten times the trajectories) are Boltzmann in E = −S(Ωu + Ku²/2): χ² over 20 bins below the 0.1 % quantile; without the
    ½∇c drift the same run is rejected far beyond it."""
    n = 6000
    limit = chi2.ppf(0.999, 19)
    assert _chi2_of_final_states(dt, n, 12.0, True) < limit
    assert _chi2_of_final_states(dt, n, 12.0, False) > 3 * limit


@pytest.mark.slow
@pytest.mark.parametrize("dt", [0.02, 0.01])
def test_equilibrium_is_boltzmann_long(dt):
    n = 60000
    assert _chi2_of_final_states(dt, n, 20.0, True, n_bins=40) < chi2.ppf(0.999, 39)


def test_stationary_density_is_boltzmann():
    table = equilibrium_table(S, OMEGA, T, _gamma, anisotropy=K)
    u, density = table.stationary_density()
    exact = np.exp(S * (OMEGA * u + 0.5 * K * u * u) / T)
    exact /= np.trapezoid(exact, u)
    assert np.max(np.abs(density / exact - 1)) < 1e-6


def test_drift_has_the_half_gradient_of_c():
    """Drift (3): A + ½ c'(u)(ẑ − u m), checked at a generic point against the formula."""
    table = equilibrium_table(S, OMEGA, T, _gamma, anisotropy=K)
    m = np.array([[0.36, -0.48, 0.8]])
    u = m[0, 2]
    with_c = llg_table.drift_at(table.coef, m, 1.0)[0]
    without = llg_table.drift_at(table.coef, m, 0.0)[0]
    dc = 0.5 * 0.8 * T / S**2  # c = Γ T / S², Γ' = 0.4
    expected = 0.5 * dc * (np.array([0.0, 0.0, 1.0]) - u * m[0])
    assert np.allclose(with_c[:3] - without[:3], expected, rtol=1e-9, atol=1e-12)
    omega = OMEGA + K * u
    precession = omega * np.cross([0.0, 0.0, 1.0], m[0])
    polar = _gamma(u) * omega / S * (np.array([0.0, 0.0, 1.0]) - u * m[0])
    assert np.allclose(without[:3], precession + polar, rtol=1e-9, atol=1e-12)
    assert with_c[3] == pytest.approx(np.sqrt(2 * _gamma(u) * T / S**2), rel=1e-12)


def test_interpolation_error_bound_between_nodes():
    """Mid-interval error of the spline <= (5/384) h⁴ max|f''''| away from the ends,
    2.5 times that in the two end intervals (not-a-knot end condition); order h⁴."""
    def evaluate(u):
        return {"polar": np.exp(1.5 * u), "lab_x": np.sin(2.0 * u), "diffusion": 1.0 + u**2}

    errors = []
    for n in (32, 64):
        table = TorqueTable.from_function(evaluate, n)
        h = 2.0 / n
        mid = -1.0 + h * (np.arange(n) + 0.5)
        got = table.evaluate(mid)
        exact = evaluate(mid)
        err_p = np.abs(got["polar"] - exact["polar"])
        err_x = np.abs(got["lab_x"] - exact["lab_x"])
        bound_p = 5 / 384 * h**4 * 1.5**4 * np.exp(1.5)
        bound_x = 5 / 384 * h**4 * 2.0**4
        assert np.max(err_p[1:-1]) <= bound_p and np.max(err_p) <= 2.5 * bound_p
        assert np.max(err_x[1:-1]) <= bound_x and np.max(err_x) <= 2.5 * bound_x
        err_p = np.max(err_p)
        assert np.max(np.abs(got["diffusion"] - exact["diffusion"])) < 1e-13
        errors.append(err_p)
    assert errors[0] / errors[1] > 10  # fourth order: 16 in the limit


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"cos_theta": np.linspace(-1, 0.9, 11)}, "cover [-1, 1]"),
        ({"cos_theta": np.linspace(-0.9, 1, 11)}, "cover [-1, 1]"),
        ({"polar": np.r_[np.zeros(10), np.nan]}, "polar: table must be finite"),
        ({"diffusion": np.r_[np.ones(10), -0.1]}, "diffusion: noise strength must be >= 0"),
        ({"cos_theta": np.linspace(1, -1, 11)}, "increasing"),
    ],
)
def test_bad_tables_are_refused_with_one_line(kwargs, word):
    values = {"cos_theta": np.linspace(-1, 1, 11), "diffusion": np.ones(11)}
    values.update(kwargs)
    with pytest.raises(ParameterError) as info:
        TorqueTable.from_values(**values)
    assert word in str(info.value) and "\n" not in str(info.value)


def test_results_depend_only_on_seed_and_trajectory():
    table = equilibrium_table(S, OMEGA, T, _gamma, anisotropy=K, n_intervals=16)
    kw = {"dt": 0.05, "n_steps": 37, "m0": (0.6, 0.0, 0.8), "switch_level": 0.5}
    whole = run_table_ensemble(table, 150, 11, **kw)
    part = run_table_ensemble(table, 70, 11, first_trajectory=80, **kw)
    assert np.array_equal(whole.final_m[80:], part.final_m)
    assert np.array_equal(whole.switch_time[80:], part.switch_time, equal_nan=True)
    threads = run_table_ensemble(table, 150, 11, parallel=True, n_tasks=3, **kw)
    assert np.array_equal(whole.final_m, threads.final_m)
    assert np.array_equal(whole.histogram, threads.histogram)
    other = run_table_ensemble(table, 150, 12, **kw)
    assert not np.array_equal(whole.final_m, other.final_m)


def test_free_precession_without_noise():
    """c = 0, p = 0: m precesses rigidly at ω(u) = Ω about ẑ (Heun phase error O(ω³Δt²t))."""
    table = TorqueTable.from_values(np.linspace(-1, 1, 9), precession=np.full(9, 2.0))
    dt, n = 1e-3, 1000
    r = run_table_ensemble(table, 1, 0, dt=dt, n_steps=n, m0=(0.6, 0.0, 0.8))
    phase = 2.0 * dt * n
    expected = [0.6 * np.cos(phase), 0.6 * np.sin(phase), 0.8]
    assert np.allclose(r.final_m[0], expected, atol=1e-5)
