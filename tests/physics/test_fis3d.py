"""The 3-D F island: reactive torque (A8), tables, closure, axial limit, Boltzmann law."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import chi2

from fastspin.physics import fis
from fastspin.physics.fis3d import (
    anomalous_spin_density,
    fis3d_fields,
    fis3d_table,
    reactive_torque,
)
from fastspin.physics.tilt import TiltAngleModel
from fastspin.physics.torque_table import FIELDS, run_table_ensemble
from fastspin.units import Tc

_PAIRS = ((1, 1), (1, -1), (-1, 1), (-1, -1))


def _reactive_quad(V, h, P, theta, Omega, T_F, dynes, delta):
    """R of Eq. (A8) by scipy quad, breakpoints at every edge ±Δ±h (and ±kΓ around it), at 0
    and at the tanh steps; tails to |ε| = 10⁴ (p decays as ε⁻⁴)."""
    ct = math.cos(theta)
    mus = [V + 0.5 * (s - sp * ct) * Omega for s, sp in _PAIRS]

    def integrand(e):
        bracket = sum(
            math.tanh((e - mu) / (2 * T_F)) * (s + sp * ct) * (1 + sp * P)
            for (s, sp), mu in zip(_PAIRS, mus, strict=True)
        )
        return bracket * float(anomalous_spin_density(e, h, delta, dynes)) / 64

    points = {0.0, *mus}
    for edge in (delta - h, delta + h, -delta - h, -delta + h):
        for k in (0, 1, 3, 10, 30, 100):
            points.update((edge + k * dynes, edge - k * dynes))
    edges = [-1e4, *sorted(points), 1e4]
    return sum(
        quad(integrand, a, b, limit=1000, epsabs=1e-14, epsrel=1e-12)[0]
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    )


@pytest.mark.parametrize(
    ("V", "theta", "Omega", "P"), [(0.7, 0.7, 0.2, 0.6), (0.2, 2.0, 0.5, -0.4), (1.4, 1.2, 0.0, 1.0)]
)
def test_reactive_torque_against_quad(V, theta, Omega, P):
    h, T_F, dynes, delta = 0.3, 0.15, 1e-3, 1.0
    R = reactive_torque(V, h, 1.1, P, theta, Omega, T_F, dynes, delta)["R"]
    assert abs(R - _reactive_quad(V, h, P, theta, Omega, T_F, dynes, delta)) < 1e-9


def test_reactive_torque_symmetries():
    """p(−ε) = p(ε) (stated below Eq. (A8)); R = 0 in equilibrium (V = Ω = 0); τ'' ⊥ ẑ and ĥ."""
    e = np.linspace(-2, 2, 101)
    assert np.allclose(anomalous_spin_density(e, 0.3, 1.0, 1e-3),
                       anomalous_spin_density(-e, 0.3, 1.0, 1e-3), rtol=1e-10, atol=1e-13)  # fmt: skip
    assert abs(reactive_torque(0.0, 0.3, 1.1, 0.6, 0.8, 0.0, 0.15, 1e-3, 1.0)["R"]) < 1e-12
    out = reactive_torque(0.7, 0.3, 1.1, 0.6, 0.8, 0.2, 0.15, 1e-3, 1.0, h_azimuth=0.4)
    h_vec = np.array([math.sin(1.1) * math.cos(0.4), math.sin(1.1) * math.sin(0.4), math.cos(1.1)])
    tau = np.array([out["torque_x"], out["torque_y"], out["torque_z"]])
    assert abs(out["R"]) > 1e-4 and abs(tau @ h_vec) < 1e-15 and tau[2] == 0.0


_FIG5 = {"V": 0.0, "h": 0.3, "h_angle": math.pi, "P": 1.0, "Omega": 0.5, "T_S": 0.5 * Tc,
         "T_F": 0.26 * Tc, "dynes": 1e-3}  # fmt: skip


def test_table_matches_direct_transport_between_nodes():
    """Interpolated fields at mid-interval points agree with the direct transport evaluation
    to 1e-6 of each field's largest value (tilted field: all in-plane and reactive torques on)."""
    params = dict(_FIG5, V=0.4, h_angle=2.3, h_azimuth=0.5, S=20.0, A0=0.01, anisotropy=0.2)
    table = fis3d_table(n_intervals=64, **params)
    mid = -1.0 + (np.arange(64) + 0.5) / 32
    got = table.evaluate(mid)
    direct = fis3d_fields(mid, **params)
    for name in FIELDS:
        scale = np.max(np.abs(direct[name]))
        if scale > 0:
            assert np.max(np.abs(got[name] - direct[name])) < 1e-6 * scale, name
    assert np.max(np.abs(direct["lab_x"])) > 0 and np.max(np.abs(direct["lab_y"])) > 0


def test_closure_limits():
    """K = 0: the fields at every angle are those of fis at the fixed Ω of the paper; K ≠ 0: the
    precession the simulated magnet produces at angle θ is ω(u) = Ω_0 + K u."""
    u = np.linspace(-0.9, 0.9, 7)
    fields = fis3d_fields(u, S=10.0, A0=0.0, in_plane=False, **_FIG5)
    per_sin2 = fis.torque_per_sin2(u, 0.0, _FIG5["T_S"], _FIG5["T_F"], 0.5, 0.3, math.pi, 1.0,
                                   1e-3)  # fmt: skip
    assert np.allclose(fields["polar"], -per_sin2 / 10.0, rtol=1e-12, atol=0)
    assert np.all(fields["precession"] == 0.5)
    # weak noise and torques (S large): the azimuth advances at ω(u0)
    table = fis3d_table(S=1e6, A0=0.0, anisotropy=0.3, n_intervals=16, **dict(_FIG5, Omega=0.2))
    u0, dt, n = 0.5, 0.01, 2000
    r = run_table_ensemble(table, 1, 0, dt=dt, n_steps=n, m0=(math.sqrt(1 - u0**2), 0.0, u0),
                           trace_every=1)  # fmt: skip
    phi = np.unwrap(np.arctan2(r.traces[0, :, 1], r.traces[0, :, 0]))
    rate = np.polyfit(r.trace_times, phi, 1)[0]
    assert rate == pytest.approx(0.2 + 0.3 * u0, rel=1e-4)


def _tilt_reference(S, conductance):
    u = np.linspace(-1, 1, 61)
    p = _FIG5
    tables = fis.dynamics_tables(u, p["V"], p["T_S"], p["T_F"], p["Omega"], p["h"], p["h_angle"],
                                 p["P"], p["dynes"])  # fmt: skip
    model = TiltAngleModel(S, 0.0, p["Omega"], p["T_F"], u, tables["torque_z"],
                           tables["torque_noise"], conductance=conductance)  # fmt: skip
    return model.stationary_density()


def _axial_run(n, n_steps, seed=3):
    S, g = 10.0, 100.0
    table = fis3d_table(S=S, A0=0.0, conductance=g, in_plane=False, **_FIG5)
    u, density = _tilt_reference(S, g)
    # the 3-D table's own Fokker-Planck density is the tilt model's (both exact, O(h²))
    u3, density3 = table.stationary_density(n_grid=u.size)
    assert np.max(np.abs(density3 - density)) < 1e-4 * density.max()
    m0 = (math.sqrt(1 - 0.49), 0.0, -0.7)
    r = run_table_ensemble(table, n, seed, dt=0.05, n_steps=n_steps, m0=m0, n_bins=20)
    cumulative = np.concatenate(([0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(u))))
    expected = np.diff(np.interp(r.bin_edges, u, cumulative)) * n
    statistic = float(np.sum((r.histogram - expected) ** 2 / expected))
    final_u = r.final_m[:, 2]
    mean_ref = float(np.trapezoid(u * density, u))
    return statistic, final_u.mean() - mean_ref, final_u.std() / math.sqrt(n)


def test_axial_limit_reproduces_the_tilt_model():
    """In-plane torques off: P(cos θ) of the 3-D run (final states, t = 75 ≫ relaxation) against
    the tilt model's stationary density (χ², 20 bins) and ⟨cos θ⟩ within 4 standard errors."""
    statistic, mean_error, standard_error = _axial_run(4000, 1500)
    assert statistic < chi2.ppf(0.999, 19)
    assert abs(mean_error) < 4 * standard_error


@pytest.mark.slow
def test_axial_limit_long():
    statistic, mean_error, standard_error = _axial_run(40000, 3000, seed=5)
    assert statistic < chi2.ppf(0.999, 19)
    assert abs(mean_error) < 4 * standard_error


# V = δT = 0, ĥ ∥ ẑ (no in-plane torque): E = −S(Ω u + K u²/2)
_EQ = {"V": 0.0, "h": 0.3, "h_angle": 0.0, "P": 0.5, "T_S": 0.3, "T_F": 0.3, "dynes": 1e-3}


def _equilibrium_table(Omega, K, S=10.0):
    return fis3d_table(S=S, A0=0.01, conductance=50.0, anisotropy=K, Omega=Omega, **_EQ)


def _boltzmann(u, Omega, K, S=10.0, T=0.3):
    w = np.exp(S * (Omega * u + 0.5 * K * u * u) / T)
    return w / np.trapezoid(w, u)


def test_fokker_planck_of_fis_is_boltzmann_to_second_order_in_omega_over_T():
    """The Keldysh noise D and torque τ_z obey the classical fluctuation-dissipation relation
    τ_z = −ω D sin²θ / T up to O((ħω/k_BT)²): the stationary density deviates from Boltzmann by
    a relative 2e-3 at ω/T <= 0.17, and by four times less at half the frequencies."""
    deviations = []
    for scale in (1.0, 0.5):
        Omega, K = 0.02 * scale, 0.03 * scale
        u, density = _equilibrium_table(Omega, K, S=10.0 / scale).stationary_density()
        deviations.append(np.max(np.abs(density / _boltzmann(u, Omega, K, S=10.0 / scale) - 1)))
    assert deviations[0] < 2e-3
    assert 3.0 < deviations[0] / deviations[1] < 5.0


def _equilibrium_chi2(dt, n, t_end, seed=2):
    Omega, K = 0.02, 0.03
    table = _equilibrium_table(Omega, K)
    r = run_table_ensemble(table, n, seed, dt=dt, n_steps=int(round(t_end / dt)),
                           m0=(1.0, 0.0, 0.0), n_bins=20)  # fmt: skip
    u = np.linspace(-1, 1, 20001)
    w = _boltzmann(u, Omega, K)
    cumulative = np.concatenate(([0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(u))))
    expected = np.diff(np.interp(r.bin_edges, u, cumulative)) * n
    return float(np.sum((r.histogram - expected) ** 2 / expected))


@pytest.mark.parametrize("dt", [1.0, 0.5])
def test_fis_at_zero_bias_is_boltzmann_in_the_total_energy(dt):
    """V = δT = 0: final states at t = 300 (relaxation time ~ S²/(2 g_T D) ≈ 15) are Boltzmann
    in E = −S(Ω u + K u²/2) (χ², 20 bins, 6000 trajectories: the O((ω/T)²) deviation above
    is 30 times below the bins' sampling error)."""
    assert _equilibrium_chi2(dt, 6000, 300.0) < chi2.ppf(0.999, 19)
