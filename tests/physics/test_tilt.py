"""Tilt-angle Langevin equation, Eq. (8) of seed 000 (fastspin.dynamics / kernels.tilt).

Ensemble histograms of independent final states are compared by chi-square (p = 1e-4)
with (i) the Boltzmann law P(cos θ) ∝ exp(SΩ cos θ/T) of Sec. V B of the seed and
(ii) an independent stationary Fokker-Planck solution computed by quadrature from the
Itô form P ∝ exp(∫ 2a/b² du)/b² out of equilibrium.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from fastspin.model import ParameterError
from fastspin.physics.tilt import TiltAngleModel, run_tilt_ensemble


def _chi2_ok(counts, probabilities):
    expected = probabilities * counts.sum()
    chi2 = np.sum((counts - expected) ** 2 / expected)
    return chi2 < stats.chi2.ppf(1 - 1e-4, counts.size - 1), chi2


@pytest.mark.parametrize("Gamma, A0", [(80.0, 2.0), (0.0, 10.0)])
def test_equilibrium_boltzmann(Gamma, A0):
    """τz = -ΓΩ sin²θ, D = ΓT (and/or Gilbert A0 alone): P(u) ∝ exp(SΩu/T), and
    <u> = coth κ - 1/κ, κ = SΩ/T, within 4.5 standard errors (N = 12000)."""
    S, Omega, T = 10.0, 0.3, 1.0
    kappa = S * Omega / T
    model = TiltAngleModel.equilibrium(S=S, A0=A0, Omega=Omega, T=T, Gamma=Gamma)
    result = run_tilt_ensemble(model, 12000, seed=5, dt=0.002, n_steps=3000, u0=1.0, n_bins=20)
    edges = result.bin_edges
    probabilities = np.diff(np.exp(kappa * (edges - 1.0))) / (1.0 - math.exp(-2.0 * kappa))
    ok, chi2 = _chi2_ok(result.histogram, probabilities)
    assert ok, chi2
    u = result.final_u
    exact_mean = 1.0 / math.tanh(kappa) - 1.0 / kappa
    assert abs(u.mean() - exact_mean) < 4.5 * u.std() / math.sqrt(u.size)


# A made-up non-equilibrium drive: τz = [-ΓΩ + g0 + g1 u](1 - u²), D = ΓT(1 + d2 u²).
S, A0, OMEGA, T, GAMMA, G0, G1, D2 = 5.0, 0.2, 0.3, 1.0, 20.0, 6.0, -16.0, 0.5


def _tau_z(u):
    return (-GAMMA * OMEGA + G0 + G1 * u) * (1.0 - u * u)


def _D(u):
    return GAMMA * T * (1.0 + D2 * u * u)


def _ito_coefficients(u):
    """Itô drift a = a0 + B' and b² = 2B of Eq. (8) in the isothermal calculus."""
    a0 = A0 * OMEGA * (1.0 - u * u) - _tau_z(u) / S
    c = (_D(u) + S * A0 * T) / S**2
    dc = 2.0 * GAMMA * T * D2 * u / S**2
    B = c * (1.0 - u * u)
    dB = dc * (1.0 - u * u) - 2.0 * u * c
    return a0 + dB, 2.0 * B


def _fokker_planck_density(u):
    """Unnormalized P(u) = exp(∫_0^u 2a/b² du')/b²(u), by adaptive quadrature."""
    exponent = integrate.quad(
        lambda v: 2.0 * _ito_coefficients(v)[0] / _ito_coefficients(v)[1], 0.0, u,
        epsabs=1e-12, epsrel=1e-12, limit=200,
    )[0]  # fmt: skip
    return math.exp(exponent) / _ito_coefficients(u)[1]


def test_nonequilibrium_fokker_planck():
    """A bimodal non-equilibrium steady state agrees with the FP quadrature."""
    u = np.linspace(-1.0, 1.0, 41)
    model = TiltAngleModel(S, A0, OMEGA, T, u, _tau_z(u), _D(u))
    result = run_tilt_ensemble(model, 12000, seed=17, dt=0.002, n_steps=4000, u0=0.0, n_bins=20)
    edges = result.bin_edges
    masses = np.array(
        [
            integrate.quad(_fokker_planck_density, a, b, epsabs=0, epsrel=1e-10)[0]
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
    )
    probabilities = masses / masses.sum()
    # the state is bimodal: two maxima of the density, at the poles, with a dip between
    density = probabilities / np.diff(edges)
    assert density[0] > 2 * density.min() and density[-1] > 2 * density.min()
    ok, chi2 = _chi2_ok(result.histogram, probabilities)
    assert ok, chi2
    # and it is not the Boltzmann law at the bath temperature
    kappa = S * OMEGA / T
    boltzmann = np.diff(np.exp(kappa * (edges - 1.0))) / (1.0 - math.exp(-2.0 * kappa))
    assert not _chi2_ok(result.histogram, boltzmann)[0]


def test_identical_for_block_splits_and_threads():
    u = np.linspace(-1.0, 1.0, 41)
    model = TiltAngleModel(S, A0, OMEGA, T, u, _tau_z(u), _D(u))
    common = dict(dt=0.002, n_steps=500, u0=0.3, sample_start=10, sample_every=7, trace_every=50)
    whole = run_tilt_ensemble(model, 45, seed=3, stream=2, **common)
    parts = [
        run_tilt_ensemble(model, 17, seed=3, stream=2, **common),
        run_tilt_ensemble(model, 28, seed=3, stream=2, first_trajectory=17, parallel=True, **common),
    ]
    for name in ("final_u", "mean_u", "traces"):
        joined = np.concatenate([getattr(p, name) for p in parts])
        assert np.array_equal(joined, getattr(whole, name)), name
    assert np.array_equal(parts[0].histogram + parts[1].histogram, whole.histogram)
    for tasks in (1, 3):
        threaded = run_tilt_ensemble(model, 45, seed=3, stream=2, parallel=True, n_tasks=tasks, **common)
        assert np.array_equal(threaded.final_u, whole.final_u)
        assert np.array_equal(threaded.histogram, whole.histogram)


def test_bad_tables_are_refused():
    u = np.linspace(-0.9, 1.0, 11)
    with pytest.raises(ParameterError, match="cover"):
        TiltAngleModel(S, A0, OMEGA, T, u, 0 * u, 0 * u)
    u = np.linspace(-1.0, 1.0, 11)
    with pytest.raises(ParameterError, match="D \\+ S A0 T"):
        TiltAngleModel(S, 0.0, OMEGA, T, u, 0 * u, -1.0 + 0 * u)


def test_equilibrium_with_fis_torque_tables():
    """Cross-model check: torque τz(θ) and noise D(θ) tables of the ``fis`` model at
    V = 0, T_S = T_F (seed 000, Eqs. (5), (20)) fed into Eq. (8) give the Boltzmann law
    exp(SΩ cos θ/T) (Sec. V B), chi-square at p = 1e-4.  (The fis tables obey
    D = Γ (Ω/2) coth(Ω/2T) with τz = -ΓΩ sin²θ, i.e. D/ΓT = 1 + O((Ω/2T)²) = 1.0023 here,
    an effective-temperature shift far below the statistical resolution.)"""
    import fastspin

    Omega, T_bath, S_spin = 0.05, 0.3, 12.0
    theta = np.linspace(0.0, np.pi, 25)
    tables = fastspin.evaluate("fis", theta=list(theta), V=0.0, T_S=T_bath, T_F=T_bath, Omega=Omega, h=0.3)
    u = np.cos(theta)[::-1]
    model = TiltAngleModel(
        S_spin, 0.0, Omega, T_bath, u, tables.torque_z.values[::-1],
        tables.torque_noise.values[::-1], conductance=100.0,
    )  # fmt: skip
    result = run_tilt_ensemble(model, 8000, seed=9, dt=0.05, n_steps=6000, u0=1.0, n_bins=16)
    kappa = S_spin * Omega / T_bath
    edges = result.bin_edges
    probabilities = np.diff(np.exp(kappa * (edges - 1.0))) / (1.0 - math.exp(-2.0 * kappa))
    ok, chi2 = _chi2_ok(result.histogram, probabilities)
    assert ok, chi2


def test_stationary_density_against_quadrature():
    """TiltAngleModel.stationary_density (grid, O(h²)) equals the independent adaptive
    quadrature of the Itô formula to 1e-5 relative, and exp(κu)/(2 sinh κ/κ) in
    equilibrium."""
    u_table = np.linspace(-1.0, 1.0, 41)
    model = TiltAngleModel(S, A0, OMEGA, T, u_table, _tau_z(u_table), _D(u_table))
    u, density = model.stationary_density()
    norm = integrate.quad(_fokker_planck_density, -1.0, 1.0, epsabs=0, epsrel=1e-12, limit=200)[0]
    for x in (-0.95, -0.5, 0.0, 0.3, 0.9):
        assert np.interp(x, u, density) == pytest.approx(_fokker_planck_density(x) / norm, rel=1e-5)
    kappa = 1.7
    u, density = TiltAngleModel.equilibrium(S=1.0, A0=0.5, Omega=kappa, T=1.0, Gamma=3.0).stationary_density()
    exact = kappa * np.exp(kappa * u) / (2.0 * np.sinh(kappa))
    assert np.max(np.abs(density / exact - 1.0)) < 1e-5


def _fis_fig5c_model(T_F_over_Tc: float) -> TiltAngleModel:
    """Eq. (8) with fis tables at the parameters of Fig. 5(c) of seed 000: S = 100,
    T_S = 0.5 T_c, Ω = 0.5 Δ0/ħ, P = 1, V = 0, S A0 = 0, G_T = e²/ħ, h = -0.3 Δ0 ẑ (the
    sign for which the fis model shows the thermally driven window; see
    fastspin.fis_figures), Dynes Γ = 1e-3 Δ0."""
    import fastspin
    from fastspin.units import Tc

    theta = np.linspace(0.0, np.pi, 61)
    tables = fastspin.evaluate(
        "fis", theta=list(theta), V=0.0, T_S=0.5 * Tc, T_F=T_F_over_Tc * Tc, Omega=0.5,
        h=-0.3, P=1.0, dynes=1e-3,
    )  # fmt: skip
    u = np.cos(theta)[::-1]
    return TiltAngleModel(
        100.0, 0.0, 0.5, T_F_over_Tc * Tc, u, tables.torque_z.values[::-1],
        tables.torque_noise.values[::-1],
    )  # fmt: skip


def _local_maxima(u, density):
    inner = (density[1:-1] >= density[:-2]) & (density[1:-1] >= density[2:])
    idx = list(np.nonzero(inner)[0] + 1)
    if density[0] > density[1]:
        idx.insert(0, 0)
    if density[-1] > density[-2]:
        idx.append(len(u) - 1)
    return np.array(idx)


def test_thermally_driven_oscillator_fig5c():
    """Fig. 5(c) of seed 000 from the fis tables: cos θ → -1 at low T_F, +1 at high T_F,
    an oscillating state at the torque zero θ* in between, and a significantly bimodal
    distribution near T_F ≈ 0.3 T_c; the ensemble at T_F = 0.25 T_c agrees with the
    stationary Fokker-Planck density (chi-square p = 1e-4, mean within 4.5 s.e.)."""
    for T_F, sign in ((0.15, -1.0), (0.5, 1.0)):
        u, density = _fis_fig5c_model(T_F).stationary_density()
        assert sign * np.trapezoid(u * density, u) > 0.9
    model = _fis_fig5c_model(0.25)
    u, density = model.stationary_density()
    peaks = _local_maxima(u, density)
    assert len(peaks) >= 1
    peak = u[peaks[np.argmax(density[peaks])]]
    assert -0.95 < peak < 0.0  # precession at 0 < θ* < π
    # θ*: zero of τz(θ*) between the poles (S A0 = 0), where the density peaks for S >> 1
    from scipy.interpolate import CubicSpline
    from scipy.optimize import brentq

    tau = CubicSpline(model.cos_theta, model.tau_z)  # the interpolation the model uses
    grid = np.linspace(-0.999, 0.999, 400)
    roots = [brentq(tau, a, b) for a, b in zip(grid[:-1], grid[1:], strict=True) if tau(a) * tau(b) < 0]
    assert min(abs(peak - x) for x in roots) < 2e-3  # the density grid spacing is 1e-3
    bimodal = []
    for T_F in np.arange(0.28, 0.3201, 0.0025):
        u, density = _fis_fig5c_model(T_F).stationary_density()
        values = np.sort(density[_local_maxima(u, density)])[::-1]
        bimodal.append(len(values) >= 2 and values[1] > 0.1 * values[0])
    assert any(bimodal)
    # ensemble vs Fokker-Planck at the oscillating state
    drift0 = model.kernel_tables()[0]
    dt = 0.01 / np.max(np.abs(np.gradient(drift0, np.linspace(-1, 1, model.n_grid))))
    result = run_tilt_ensemble(model, 10000, seed=1, dt=dt, n_steps=3000, u0=0.0, n_bins=40)
    u, density = model.stationary_density()
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(u))])
    probabilities = np.diff(np.interp(result.bin_edges, u, cdf))
    probabilities /= probabilities.sum()
    keep = probabilities * result.histogram.sum() > 5  # pool the empty tails into one bin
    counts = np.append(result.histogram[keep], result.histogram[~keep].sum())
    pooled = np.append(probabilities[keep], probabilities[~keep].sum())
    ok, chi2 = _chi2_ok(counts, pooled)
    assert ok, chi2
    mean_exact = np.trapezoid(u * density, u)
    final = result.final_u
    assert abs(final.mean() - mean_exact) < 4.5 * final.std() / math.sqrt(final.size)


def test_dipole_spectrum_against_quadrature_and_lorentzian_limit():
    """Eq. (23): S_xx(ω) equals an independent adaptive-quadrature average over the FP
    density (rel. 1e-4); for a sharply peaked P(cos θ) at cos θ* the FWHM tends to
    2 D/(S² sin²θ*), the phase-diffusion width (rel. 1e-3)."""
    from fastspin.physics.tilt import dipole_spectrum, spectrum_linewidth

    u_table = np.linspace(-1.0, 1.0, 41)
    model = TiltAngleModel(S, A0, OMEGA, T, u_table, _tau_z(u_table), _D(u_table))
    norm = integrate.quad(_fokker_planck_density, -1.0, 1.0, epsabs=0, epsrel=1e-12, limit=200)[0]

    def reference(w):
        def integrand(x):
            noise = _D(x) + S * A0 * T
            gamma = noise / (S**2 * (1.0 - x * x))
            lorentz = sum(1.0 / ((w + sgn * OMEGA) ** 2 + gamma**2) for sgn in (1.0, -1.0))
            return 0.5 * noise * lorentz * _fokker_planck_density(x) / norm

        return integrate.quad(integrand, -1.0, 1.0, epsabs=0, epsrel=1e-10, limit=400)[0]

    for w in (OMEGA, OMEGA + 0.01, 0.0, 2 * OMEGA):
        assert dipole_spectrum(model, w) == pytest.approx(reference(w), rel=1e-4)
    # sharp distribution: τz = K (1-u²)(u - u*), D = D0 -> Gaussian P of variance D0/(S K)
    spin, stiffness, noise, u_star = 1000.0, 10.0, 1.0, 0.3
    sharp = TiltAngleModel(
        spin, 0.0, 0.2, 1.0, u_table, stiffness * (1 - u_table**2) * (u_table - u_star),
        np.full_like(u_table, noise), n_grid=20001,
    )  # fmt: skip
    expected = 2.0 * noise / (spin**2 * (1.0 - u_star**2))
    assert spectrum_linewidth(sharp) == pytest.approx(expected, rel=1e-3)


def test_linewidth_narrows_in_the_oscillating_state_fig5d():
    """Fig. 5(d) of seed 000: the S_xx linewidth in the thermally driven precession
    window (T_F = 0.25 T_c) is far below the near-equilibrium widths at θ ≈ 0 (T_F =
    0.5 T_c) and θ ≈ π (T_F = 0.15 T_c)."""
    from fastspin.physics.tilt import spectrum_linewidth

    width = {T_F: spectrum_linewidth(_fis_fig5c_model(T_F)) for T_F in (0.15, 0.25, 0.5)}
    assert width[0.25] < width[0.5] / 10.0
    assert width[0.25] < width[0.15] / 3.0
