"""Stochastic LLG(S) macrospin ensembles (fastspin.dynamics / fastspin.kernels.llg).

Statistical tests use fixed seeds and tolerances from the sample size: chi-square at
p = 1e-4, means within 4.5 standard errors.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import integrate, stats

from fastspin.model import ParameterError
from fastspin.physics.macrospin import (
    Macrospin,
    SwitchCriterion,
    Waveform,
    merge_results,
    run_ensemble,
    switching_statistics,
)
from fastspin.units import BOLTZMANN, ELEMENTARY_CHARGE, GYROMAGNETIC_RATIO, HBAR, MU0

#: the state's float type of the engine (``run_ensemble(precision=...)``): every
#: statistical test runs in both
PRECISIONS = ("double", "single")


def _boltzmann_bin_probabilities(edges, sigma, xi):
    weight = lambda u: math.exp(sigma * u * u + xi * u - sigma - abs(xi))  # noqa: E731
    z = integrate.quad(weight, -1, 1, epsabs=0, epsrel=1e-12)[0]
    return np.array(
        [integrate.quad(weight, a, b, epsabs=0, epsrel=1e-12)[0] for a, b in zip(edges[:-1], edges[1:], strict=True)]
    ) / z


@pytest.mark.parametrize("precision", PRECISIONS)
def test_boltzmann_uniaxial_with_demag_in_field(precision):
    """p(m_z) ∝ exp(σ_eff m_z² + ξ m_z) for anisotropy + axially symmetric demag + field.

    Energy (units μ0 Ms H_K V): -k m_z²/2 + [N⊥(1-m_z²) + N_zz m_z²]/2 - h m_z, so
    σ_eff = (k - N_zz + N⊥)/(2t), ξ = h/t.  Independent final states of N = 4000
    trajectories after 100 reduced time units (>> the inter-well relaxation time), chi-square
    over 20 bins, and the mean of m_z within 4.5 standard errors.
    """
    t = 0.25
    spin = Macrospin(alpha=1.0, temperature=t, anisotropy=1.3, demag=(0.2, 0.2, 0.5), field=(0, 0, 0.25))
    sigma_eff, xi = (1.3 - 0.5 + 0.2) / (2 * t), 0.25 / t
    result = run_ensemble(
        spin, 4000, seed=11, dt=0.02, n_steps=5000, m0=(1, 0, 0), n_bins=20, precision=precision
    )
    counts = result.histogram
    assert counts.sum() == 4000
    expected = _boltzmann_bin_probabilities(result.bin_edges, sigma_eff, xi) * counts.sum()
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert chi2 < stats.chi2.ppf(1 - 1e-4, len(counts) - 1)
    mz = result.final_m[:, 2]
    centres_exact = integrate.quad(lambda u: u * math.exp(sigma_eff * u * u + xi * u - sigma_eff - xi), -1, 1)[0]
    norm = integrate.quad(lambda u: math.exp(sigma_eff * u * u + xi * u - sigma_eff - xi), -1, 1)[0]
    assert abs(mz.mean() - centres_exact / norm) < 4.5 * mz.std() / math.sqrt(mz.size)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("xi", [0.5, 2.0, 5.0])
def test_langevin_function_isotropic_spin(xi, precision):
    """<m·ĥ> = coth ξ - 1/ξ for an isotropic spin in a field along an oblique axis.

    Per-trajectory time averages over τ in [15, 40] (burn-in 15 >> 1/(2k) = 2, k = α t/(1+α²))
    are i.i.d. across trajectories: their mean must be within 4.5 standard errors.
    """
    t = 0.5
    direction = np.array([1.0, 2.0, 2.0]) / 3.0
    spin = Macrospin(alpha=1.0, temperature=t, anisotropy=0.0, field=tuple(xi * t * direction))
    result = run_ensemble(
        spin, 1024, seed=5, dt=0.01, n_steps=4000, sample_start=1500, sample_every=1,
        criterion=SwitchCriterion(axis=tuple(direction)), precision=precision,
    )  # fmt: skip
    averages = result.mean_projection
    langevin = 1.0 / math.tanh(xi) - 1.0 / xi
    assert abs(averages.mean() - langevin) < 4.5 * averages.std() / math.sqrt(averages.size)


def brown_mean_first_passage(sigma, h, alpha, u_abs):
    """Exact MFPT from m_z = 1 to m_z = u_abs of the axially symmetric problem.

    Brown's Fokker-Planck equation in u = m_z (reduced units):
    ∂τ W = ∂u[D(u) e^{-Φ} ∂u(e^{Φ} W)], D = k(1-u²), k = α t/(1+α²), Φ = e/t = -(σu² + ξu).
    With reflection at u = 1 and absorption at u_abs:
    T(1) = ∫_{u_abs}^1 dy e^{Φ(y)}/D(y) ∫_y^1 dz e^{-Φ(z)}  (nested quad, rel. tol 1e-10).
    """
    t = 1.0 / (2.0 * sigma)
    k = alpha * t / (1.0 + alpha**2)
    xi = 2.0 * sigma * h

    def phi(u):
        return -(sigma * u * u + xi * u) + (sigma + xi)  # shifted: phi(1) = 0

    def inner(y):
        return integrate.quad(lambda z: math.exp(-phi(z)), y, 1.0, epsabs=0, epsrel=1e-12)[0]

    def outer(y):
        if y >= 1.0:
            return 1.0 / (2.0 * k)  # limit of inner(y)/(1-y²) e^{phi} as y -> 1
        return math.exp(phi(y)) / (k * (1.0 - y * y)) * inner(y)

    return integrate.quad(outer, u_abs, 1.0, epsabs=0, epsrel=1e-10, limit=200)[0]


def _escape_check(sigma, n_traj, dt, seed, precision):
    """Both schemes (plain discrete monitoring and the crossing correction) against
    Brown's quadrature; the plain one ends exactly at the state below the level."""
    alpha, h, u_abs = 1.0, 0.0, -0.5
    exact = brown_mean_first_passage(sigma, h, alpha, u_abs)
    spin = Macrospin(alpha=alpha, temperature=1.0 / (2.0 * sigma), field=(0, 0, h))
    for correction in (False, True):
        result = run_ensemble(
            spin, n_traj, seed=seed, dt=dt, n_steps=int(30 * exact / dt),
            criterion=SwitchCriterion("crossing", u_abs), stop_at_switch=True,
            crossing_correction=correction, precision=precision,
        )  # fmt: skip
        times = result.switch_time
        assert np.all(np.isfinite(times))  # all escaped within 30 mean times
        if correction:
            # the state after the switching step: below the level, or just above it
            # when the bridge test found the crossing inside the step
            assert np.all(result.final_m[:, 2] < u_abs + 0.3)
            assert np.mean(result.final_m[:, 2] < u_abs) > 0.5
        else:
            assert np.all(result.final_m[:, 2] < u_abs)  # the final state is the state at the switch
        standard_error = times.std() / math.sqrt(times.size)
        assert abs(times.mean() - exact) < 4.5 * standard_error, (times.mean(), exact, standard_error)
        # escape times over a high barrier are nearly exponential: std ≈ mean
        assert abs(times.std() / times.mean() - 1.0) < 0.15


@pytest.mark.parametrize("precision", PRECISIONS)
def test_mean_escape_time_sigma5(precision):
    """Mean first-passage time (m_z: 1 → -1/2) at σ = 5 against Brown's quadrature."""
    _escape_check(5.0, 1200, 0.02, seed=21, precision=precision)


@pytest.mark.slow
@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("sigma", [7.5, 10.0])
def test_mean_escape_time_high_barrier(sigma, precision):
    _escape_check(sigma, 1000, 0.01, seed=22, precision=precision)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize(
    "anisotropy, demag, field, beta",
    [(1.0, (0.0, 0.0, 0.0), 0.2, 0.0), (1.5, (0.1, 0.3, 0.6), -0.1, 0.3)],
)
def test_zero_temperature_critical_spin_torque(anisotropy, demag, field, beta, precision):
    """a_c = -α[k - N_zz + h + (N_xx + N_yy)/2]/(1 + αβ): switch 3% above, not 3% below."""
    base = Macrospin(
        alpha=0.1, temperature=0.0, anisotropy=anisotropy, demag=demag, field=(0, 0, field),
        polarizer=(0, 0, 1), field_like=beta,
    )  # fmt: skip
    critical = base.critical_stt()
    stiffness = anisotropy - demag[2] + field + 0.5 * (demag[0] + demag[1])
    assert critical == pytest.approx(-0.1 * stiffness / (1 + 0.1 * beta), rel=1e-14)
    m0 = (math.sin(0.05), 0.0, math.cos(0.05))
    kwargs = dict(
        dt=0.01, n_steps=300_000, m0=m0, criterion=SwitchCriterion("reversal", 0.9), precision=precision
    )
    above = run_ensemble(base.with_(stt=1.03 * critical), 1, seed=0, stop_at_switch=True, **kwargs)
    below = run_ensemble(base.with_(stt=0.97 * critical), 1, seed=0, **kwargs)
    assert np.isfinite(above.switch_time[0])
    assert np.isnan(below.switch_time[0])
    assert below.final_m[0, 2] > 0.999  # relaxed back to the easy axis


def test_SI_conversion():
    """σ = KV/k_BT, H_K = 2K/μ0Ms, Brown's thermal-field variance and the textbook
    Slonczewski critical current.

    J_c0 = (2 e α μ0 Ms d/(ħ η)) (H_K - N_zz Ms + H_z) for a perpendicular free layer.
    """
    Ms, K, d, area, T, alpha, eta = 1.0e6, 8.0e5, 1.5e-9, (40e-9) ** 2, 300.0, 0.01, 0.6
    spin, units = Macrospin.from_SI(
        Ms=Ms, volume=area * d, K=K, T=T, alpha=alpha, thickness=d, efficiency=eta,
        demag_factors=(0.0, 0.0, 0.5), field_T=(0.0, 0.0, 0.02),
    )  # fmt: skip
    H_K = 2 * K / (MU0 * Ms)
    assert units.H_K == pytest.approx(H_K, rel=1e-14)
    assert units.barrier == pytest.approx(K * area * d / (BOLTZMANN * T), rel=1e-14)
    assert spin.barrier == pytest.approx(units.barrier, rel=1e-12)
    # thermal field: reduced variance 2αt per unit reduced time is, in SI, the Brown
    # variance 2α k_B T/(γ Ms V) of μ0 H_th per second (no extra 1 + α²)
    variance_SI = (MU0 * H_K) ** 2 * 2 * alpha * spin.temperature * units.time_s
    assert variance_SI == pytest.approx(
        2 * alpha * BOLTZMANN * T / (GYROMAGNETIC_RATIO * Ms * area * d), rel=1e-12
    )
    J_c0 = 2 * ELEMENTARY_CHARGE * alpha * MU0 * Ms * d / (HBAR * eta) * (H_K - 0.5 * Ms + 0.02 / MU0)
    assert abs(spin.critical_stt()) * units.current_density == pytest.approx(J_c0, rel=1e-12)
    with pytest.raises(ParameterError, match="thickness"):
        Macrospin.from_SI(Ms=Ms, volume=1e-24, K=K, T=T, alpha=alpha, current_density=1e11)


def test_field_pulse_rotates_by_larmor_angle():
    """A field pulse h x̂ of width w on an isotropic spin, α → 0, T = 0: rotation by
    the angle φ = h w/(1+α²) in the positive sense about x̂ (dm/dτ = -m × h = h × m),
    i.e. m = R_x(φ) ẑ = (0, -sin φ, cos φ)."""
    h, width, alpha = 0.8, 1.5, 1e-9
    spin = Macrospin(
        alpha=alpha, temperature=0.0, anisotropy=0.0, field_ac=(h, 0, 0),
        field_waveform=Waveform.pulse(0.5, width),
    )  # fmt: skip
    result = run_ensemble(spin, 1, seed=0, dt=1e-3, n_steps=3000, trace_every=400)
    phi = h * width / (1 + alpha**2)
    assert np.allclose(result.final_m[0], [0.0, -math.sin(phi), math.cos(phi)], atol=1e-5)
    # before the pulse (τ = 0.4) nothing moves
    assert np.allclose(result.traces[0, 1], [0.0, 0.0, 1.0], atol=1e-12)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_identical_for_block_splits_and_threads(precision):
    """Per-trajectory results and histograms do not depend on blocks or threads."""
    spin = Macrospin(
        alpha=0.5, temperature=0.1, field=(0.0, 0.0, -0.9), stt=-0.02, field_like=0.2,
        stt_waveform=Waveform.pulse(1.0, 3.0), stt_ac=-0.1,
    )  # fmt: skip
    common = dict(
        dt=0.01, n_steps=1000, sample_start=100, sample_every=13, trace_every=50, n_bins=17,
        precision=precision,
    )  # fmt: skip
    whole = run_ensemble(spin, 53, seed=2**33 + 5, stream=4, **common)
    blocks = [
        run_ensemble(spin, 20, seed=2**33 + 5, stream=4, first_trajectory=0, **common),
        run_ensemble(spin, 9, seed=2**33 + 5, stream=4, first_trajectory=20, **common),
        run_ensemble(spin, 24, seed=2**33 + 5, stream=4, first_trajectory=29, parallel=True, **common),
    ]
    merged = merge_results(blocks)
    # two worker threads running serial (nogil) blocks concurrently, as Dask threads do
    with ThreadPoolExecutor(2) as pool:
        futures = [
            pool.submit(run_ensemble, spin, n, seed=2**33 + 5, stream=4, first_trajectory=first, **common)
            for first, n in ((0, 30), (30, 23))
        ]
        two_workers = merge_results([f.result() for f in futures])
    threaded = [run_ensemble(spin, 53, seed=2**33 + 5, stream=4, parallel=True, n_tasks=k, **common) for k in (1, 2, 3)]
    for other in [merged, two_workers, *threaded]:
        for name in ("switch_time", "final_m", "mean_projection", "histogram", "traces"):
            assert np.array_equal(getattr(other, name), getattr(whole, name), equal_nan=True), name
    assert whole.switched.any() and not whole.switched.all()  # the test exercises both branches
    # early stop is split-independent too
    stop = dict(common, criterion=SwitchCriterion("reversal", 0.5))
    a = run_ensemble(spin, 40, seed=8, stop_at_switch=True, **stop)
    assert a.switched.any() and not a.switched.all()
    b = merge_results([run_ensemble(spin, 17, seed=8, stop_at_switch=True, **stop),
                       run_ensemble(spin, 23, seed=8, first_trajectory=17, stop_at_switch=True, parallel=True, **stop)])  # fmt: skip
    for name in ("switch_time", "final_m", "mean_projection", "histogram", "traces"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    # another seed gives another ensemble
    assert not np.array_equal(run_ensemble(spin, 53, seed=6, **common).final_m, whole.final_m)


@pytest.mark.parametrize("z", [1.0, -1.0])
def test_axial_kernel_equals_general_geometry(z):
    """The kernel for easy axis and polarizer along ±z (the perpendicular junction) drops
    only products with zero components: the same ensemble with the polarizer tilted by
    1e-13 rad (which takes the general kernel) agrees to rounding, trajectory by
    trajectory, with field, demag, field-like torque and thermal field on."""
    common = dict(
        alpha=0.1, temperature=0.05, easy_axis=(0.0, 0.0, z), anisotropy=1.3,
        demag=(0.1, 0.2, 0.9), field=(0.05, -0.02, -0.3), stt=-0.08, field_like=0.3,
    )  # fmt: skip
    axial = Macrospin(polarizer=(0.0, 0.0, z), **common)
    tilted = Macrospin(polarizer=(1e-13, 0.0, z), **common)
    kw = dict(seed=3, dt=0.01, n_steps=300, trace_every=100)
    a = run_ensemble(axial, 64, **kw)
    b = run_ensemble(tilted, 64, **kw)
    assert np.max(np.abs(a.traces - b.traces)) < 1e-9
    # the dynamics moved: the comparison is not of a state at rest
    assert np.mean(np.abs(a.final_m[:, 2] - a.traces[:, 0, 2])) > 1e-2


def test_switching_probability_counts():
    """P_sw(t) from streamed counts equals the empirical CDF of the first-switch times
    and rises from 0 to the switched fraction; counts add over blocks."""
    spin = Macrospin(alpha=1.0, temperature=0.1)
    a = run_ensemble(spin, 300, seed=1, dt=0.02, n_steps=2000, criterion=SwitchCriterion("crossing", 0.0))
    b = run_ensemble(spin, 200, seed=1, first_trajectory=300, dt=0.02, n_steps=2000)
    grid = np.linspace(0, 40, 9)
    merged = merge_results([a, b])
    assert np.array_equal(a.switched_count(grid) + b.switched_count(grid), merged.switched_count(grid))
    times = merged.switch_time
    ecdf = np.array([np.sum(times <= g) for g in grid]) / times.size
    assert np.array_equal(merged.switching_probability(grid), ecdf)
    assert merged.switching_probability(grid)[0] == 0.0
    assert merged.switching_probability([np.inf])[0] == pytest.approx(np.mean(np.isfinite(times)))


def test_bad_input_is_refused():
    with pytest.raises(ParameterError, match="alpha"):
        Macrospin(alpha=0.0, temperature=0.1)
    with pytest.raises(ParameterError, match="waveform kind"):
        Waveform("square")
    with pytest.raises(ParameterError, match="n_trajectories"):
        run_ensemble(Macrospin(alpha=0.1, temperature=0.1), 0, seed=1, dt=0.01, n_steps=10)
    with pytest.raises(ParameterError, match="precision must be 'double' or 'single', got 'half'"):
        run_ensemble(Macrospin(alpha=0.1, temperature=0.1), 4, seed=1, dt=0.01, n_steps=10, precision="half")


def test_single_precision_follows_the_double_trajectory():
    """A float32 state departs from the float64 one by rounding only: at T = 0
    (precession, damping, field, anisotropy and demagnetising terms) within 5e-5 after
    10^4 steps of Δτ = 0.01, unit length to 2e-7; with the thermal field and spin
    torque on (the same normals in both) within 1e-6 after 100 steps.  Longer noisy
    paths separate as any perturbation does near a saddle, which is why the single
    engine is held to the statistical tests, not to paths."""
    m0 = (0.6, 0.0, 0.8)
    spin = Macrospin(alpha=0.02, temperature=0.0, field=(0.3, 0.0, -0.2), demag=(0.1, 0.2, 0.7))
    double = run_ensemble(spin, 4, seed=1, dt=0.01, n_steps=10_000, m0=m0)
    single = run_ensemble(spin, 4, seed=1, dt=0.01, n_steps=10_000, m0=m0, precision="single")
    assert np.max(np.abs(single.final_m - double.final_m)) < 5e-5
    assert np.max(np.abs(np.linalg.norm(single.final_m, axis=1) - 1.0)) < 2e-7
    assert np.max(np.abs(double.final_m - np.array(m0))) > 0.1  # it moved
    noisy = Macrospin(alpha=0.1, temperature=0.05, field=(0.0, 0.0, -0.2), stt=-0.05, field_like=0.2)
    double = run_ensemble(noisy, 256, seed=1, dt=0.01, n_steps=100)
    single = run_ensemble(noisy, 256, seed=1, dt=0.01, n_steps=100, precision="single")
    assert np.max(np.abs(single.final_m - double.final_m)) < 1e-6


def test_switching_statistics_map_threshold_and_additivity():
    """A current × temperature map: nearly deterministic at σ = 500, P_sw = 0 at
    0.8 a_c and 1 at 1.3 a_c (a_c the zero-temperature threshold); counts of two
    trajectory blocks add up to the whole block; one point equals run_ensemble."""
    base = Macrospin(alpha=0.1, temperature=0.001, field=(0, 0, 0.1))
    critical = base.critical_stt()
    params = {"stt": np.array([[0.8], [1.3]]) * critical, "temperature": np.array([[0.001, 0.0011]])}
    kwargs = dict(dt=0.01, n_steps=20000, criterion=SwitchCriterion("reversal", 0.9))
    whole = switching_statistics(base, params, 48, seed=4, time_grid=[50.0, 200.0], **kwargs)
    assert whole["switched"].shape == (2, 2)
    assert np.all(whole["switched"][0] == 0) and np.all(whole["switched"][1] == 48)
    first = switching_statistics(base, params, 20, seed=4, time_grid=[50.0, 200.0], **kwargs)
    rest = switching_statistics(
        base, params, 28, seed=4, first_trajectory=20, time_grid=[50.0, 200.0], **kwargs
    )
    for key in ("n", "switched", "switched_by_time"):
        assert np.array_equal(first[key] + rest[key], whole[key]), key
    single = run_ensemble(base.with_(stt=1.3 * critical, temperature=0.0011), 48, seed=4, **kwargs)
    assert whole["switch_time_sum"][1, 1] == pytest.approx(single.switch_time.sum(), rel=1e-13)
    assert whole["switch_time_sq_sum"][1, 1] == pytest.approx((single.switch_time**2).sum(), rel=1e-13)
    assert whole["final_projection_sq_sum"][1, 1] == pytest.approx((single.final_m[:, 2] ** 2).sum(), rel=1e-13)
    # the switched points reversed: mean final m_z close to -1
    assert whole["final_projection_sum"][1, 1] / 48 < -0.9
    with pytest.raises(ParameterError, match="unknown macrospin parameter"):
        switching_statistics(base, {"current": np.ones(2)}, 4, seed=1, **kwargs)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_escape_time_weak_convergence_in_dt(precision):
    """Weak order 1: the σ = 3 mean escape time at Δτ = 0.04, 0.02, 0.01 (N = 20000
    each), extrapolated linearly to Δτ → 0 by weighted least squares, equals Brown's
    quadrature within 4.5 standard errors of the intercept; the finite-Δτ bias shrinks
    with Δτ."""
    sigma, u_abs, n = 3.0, -0.5, 20000
    exact = brown_mean_first_passage(sigma, 0.0, 1.0, u_abs)
    spin = Macrospin(alpha=1.0, temperature=1.0 / (2.0 * sigma))
    steps = np.array([0.04, 0.02, 0.01])
    ratios, errors = [], []
    for i, dt in enumerate(steps):
        times = run_ensemble(
            spin, n, seed=100 + i, dt=dt, n_steps=int(40 * exact / dt), parallel=True,
            criterion=SwitchCriterion("crossing", u_abs), stop_at_switch=True, precision=precision,
        ).switch_time  # fmt: skip
        assert np.all(np.isfinite(times))
        ratios.append(times.mean() / exact)
        errors.append(times.std() / math.sqrt(n) / exact)
    ratios, errors = np.array(ratios), np.array(errors)
    design = np.stack([np.ones_like(steps), steps], axis=1) / errors[:, None]
    coefficients, *_ = np.linalg.lstsq(design, ratios / errors, rcond=None)
    covariance = np.linalg.inv(design.T @ design)
    intercept, intercept_error = coefficients[0], math.sqrt(covariance[0, 0])
    assert abs(intercept - 1.0) < 4.5 * intercept_error, (ratios, intercept, intercept_error)
    assert abs(ratios[-1] - 1.0) < abs(ratios[0] - 1.0) + 4.5 * math.hypot(errors[0], errors[-1])


@pytest.mark.parametrize("precision", PRECISIONS)
def test_thermal_ferromagnetic_resonance(precision):
    """Dynamics, not just statics: transverse thermal fluctuations about m = ẑ (uniaxial
    k = 1 plus field h ẑ, stiffness H = 1 + h) have the correlation
    ⟨m_x(τ) m_x(0)⟩ = (t/H) e^{-Γτ} cos(ω_r τ), ω_r = H/(1+α²), Γ = αH/(1+α²)
    (linearized Gilbert equation; equipartition for the amplitude).  Fitted on
    decimated traces of 256 trajectories; tolerances 4.5 jackknife standard errors
    (8 groups) plus the small-cone correction ~ ⟨θ²⟩ = 2t/H = 0.3 % (1 % for the
    amplitude)."""
    from scipy.optimize import curve_fit

    alpha, h, t = 0.05, 0.5, 0.002
    dt, every = 0.02, 4
    result = run_ensemble(
        Macrospin(alpha=alpha, temperature=t, field=(0, 0, h)), 256, seed=3, dt=dt,
        n_steps=25000, trace_every=every, precision=precision,
    )  # fmt: skip
    x = result.traces[:, int(100 / (dt * every)) :, 0]  # after a burn-in of 100 >> 1/Γ
    n, step = x.shape[1], dt * every
    n_lags = int(40 / step)
    spectrum = np.fft.rfft(x, 2 * n, axis=1)
    correlation = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :n_lags] / (n - np.arange(n_lags))
    lags = np.arange(n_lags) * step
    stiffness = 1.0 + h
    omega_r = stiffness / (1 + alpha**2)
    gamma = alpha * stiffness / (1 + alpha**2)

    def damped_cosine(tau, amplitude, rate, frequency):
        return amplitude * np.exp(-rate * tau) * np.cos(frequency * tau)

    fits = np.array(
        [
            curve_fit(damped_cosine, lags, group.mean(axis=0), p0=(t / stiffness, gamma, omega_r))[0]
            for group in np.array_split(correlation, 8)
        ]
    )
    mean = fits.mean(axis=0)
    error = fits.std(axis=0, ddof=1) / math.sqrt(len(fits))
    small_cone = 2 * t / stiffness
    assert abs(mean[2] - omega_r) < 4.5 * error[2] + small_cone * omega_r
    assert abs(mean[1] - gamma) < 4.5 * error[1] + small_cone * gamma
    assert abs(mean[0] - t / stiffness) < 4.5 * error[0] + 0.01 * t / stiffness
