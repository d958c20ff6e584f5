"""Physics tests of the ``magnon`` model (seed 001, Bender & Tserkovnyak).

The Bose integrals are checked against scipy.integrate.quad (and mpmath for the
gapless case and the magnon density); the linear-response coefficients against finite
differences of the nonlinear integrals; Onsager Π = T S/ħ with both sides from the
integrals; the (T/T_c)^{3/2} law of the thermal corrections by a fit.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy.integrate import quad

import fastspin
from fastspin.kernels import magnon as km
from fastspin.model import ParameterError
from fastspin.models.magnon import Magnon
from fastspin.physics.magnon import magnon_torque_coefficients

BASE = {
    "g_r": 1.0, "g_i": 0.2, "s": 10.0, "gap": 0.05, "stiffness": 5.0, "T": 2.0, "T_e": 2.0,
    "mu": 0.0, "mu_s": 0.0, "n_dot_n_prime": 1.0, "d_F": 10.0,
}


def run(**changes) -> dict[str, float]:
    """Model outputs at one point (BASE with changes), via the block evaluator."""
    params = {k: np.array([float(v)]) for k, v in {**BASE, **changes}.items()}
    return {k: float(v[0]) for k, v in Magnon().evaluate_block(params).items()}


# -- independent references --------------------------------------------------------------
def transfer_reference(gap, mu, mu_ab, t, t_e, power):
    """∫_0^∞ √ε E^p (E−μ_ab){n[(E−μ)/T] − n[(E−μ_ab)/T']} dε by quad (u = √ε, GK21 adaptive)."""

    def bose_times(x: float, y: float, temp: float) -> float:  # x · n(y/temp), n(y) = 1/(e^y − 1)
        z = y / temp
        if z > 700:
            return 0.0
        return x / math.expm1(z) if z != 0 else (temp if x == y else math.inf)

    def integrand(u: float) -> float:
        eps = u * u
        energy = eps + gap
        x = energy - mu_ab
        value = bose_times(x, eps + (gap - mu), t) - bose_times(x, x, t_e)
        return 2 * u * u * energy**power * value

    def absolute(u: float) -> float:
        eps = u * u
        energy = eps + gap
        x = energy - mu_ab
        value = abs(bose_times(x, eps + (gap - mu), t)) + abs(bose_times(x, x, t_e))
        return 2 * u * u * energy**power * value

    top = math.sqrt(max(0.0, mu_ab - gap) + 80 * max(t, t_e))
    points = sorted({math.sqrt(q) for q in (t, t_e, 5 * t, 5 * t_e, max(0.0, mu_ab - gap) + t_e, gap - mu) if 0 < q < top * top})
    edges = [0.0, *points, top]
    value = sum(quad(integrand, a, b, epsabs=0, epsrel=1e-13, limit=400)[0] for a, b in zip(edges[:-1], edges[1:], strict=True))
    scale = sum(quad(absolute, a, b, epsabs=0, epsrel=1e-10, limit=400)[0] for a, b in zip(edges[:-1], edges[1:], strict=True))
    return value, scale


CASES = [  # (gap, mu, mu_ab, T, T')
    (0.1, 0.0, 0.3, 1.0, 1.2),
    (0.0, 0.0, 0.0, 1.0, 1.1),  # gapless: n ∝ T/ε at the band bottom
    (2.0, -1.0, 5.0, 1.0, 0.5),  # strongly nonlinear spin accumulation
    (1e-3, 0.0, -1e-2, 100.0, 90.0),  # T ≫ ħΩ
    (0.01, 0.0, 0.0, 1e-3, 2e-3),  # cold
    (0.3, 0.29, -0.5, 0.05, 0.5),  # near condensation, hot electrons
]


@pytest.mark.parametrize(("gap", "mu", "mu_ab", "t", "t_e"), CASES)
def test_bose_integrals_match_quad(gap, mu, mu_ab, t, t_e):
    """I_M and I_N to 1e-10 of the integral of |integrand| (kernel docstring)."""
    eps, weight = km.magnon_rule(gap, mu, max(mu_ab, 0.0), t, t_e)
    i_m, i_n, _, _ = km.transfer_integrals(eps, weight, gap, mu, mu_ab, t, t_e)
    ref_m, scale_m = transfer_reference(gap, mu, mu_ab, t, t_e, 0)
    ref_n, scale_n = transfer_reference(gap, mu, mu_ab, t, t_e, 1)
    assert abs(i_m - ref_m) <= 1e-10 * scale_m
    assert abs(i_n - ref_n) <= 1e-10 * scale_n


def test_gapless_condensation_edge_against_mpmath():
    """μ = ħΩ (n ∝ T/ε at the band bottom): 30-digit tanh-sinh reference."""
    gap, mu, mu_ab, t, t_e = 0.5, 0.5, -2.0, 0.3, 0.2
    mpmath.mp.dps = 30

    def f(u):
        e = u * u
        x = e + gap - mu_ab
        n_magnon = t / e if e < mpmath.mpf(10) ** -60 else 1 / mpmath.expm1(e / t)
        return 2 * u * u * (x * n_magnon - x / mpmath.expm1(x / t_e))

    reference = float(mpmath.quad(f, [0, 0.1, 0.5, 1, 2, 4, 8]))
    eps, weight = km.magnon_rule(gap, mu, 0.0, t, t_e)
    assert km.transfer_integrals(eps, weight, gap, mu, mu_ab, t, t_e)[0] == pytest.approx(reference, rel=1e-12)


@pytest.mark.parametrize(("gap", "mu", "t"), [(0.0, 0.0, 1.0), (0.2, 0.0, 1.0), (1.0, -0.5, 0.3), (1e-3, 1e-3, 50.0)])
def test_magnon_density_is_a_polylog(gap, mu, t):
    """n = g0 Γ(3/2) T^{3/2} Li_{3/2}(e^{(μ−ħΩ)/T}) for the quadratic dispersion."""
    eps, weight = km.magnon_rule(gap, mu, 0.0, t, t)
    got = km.density_integral(eps, weight, gap, mu, t)
    ref = float(mpmath.gamma(1.5) * t**1.5 * mpmath.polylog(1.5, mpmath.exp((mu - gap) / t)))
    assert got == pytest.approx(ref, rel=1e-11)


def test_bloch_curie_temperature_gives_n_equal_s():
    p = run(gap=0.0, T=run()["T_c"])
    assert p["n_magnon"] == pytest.approx(BASE["s"], rel=1e-11)


# -- linear response from the nonlinear integrals -----------------------------------------
def d_dmu(key: str, h: float, **changes) -> float:
    """∂(output)/∂μ at μ = 0: central difference if μ = +h is allowed (h ≤ ħΩ), else one-sided.

    The one-sided stencil (3f(0) − 4f(−h) + f(−2h))/2h is used at ħΩ = 0, where μ > 0
    would mean a condensate.
    """
    gap = changes.get("gap", BASE["gap"])
    if h <= gap:
        return (run(mu=h, **changes)[key] - run(mu=-h, **changes)[key]) / (2 * h)
    f0, f1, f2 = (run(mu=-k * h, **changes)[key] for k in (0, 1, 2))
    return (3 * f0 - 4 * f1 + f2) / (2 * h)


def d_dT(key: str, t: float, h: float, **changes) -> float:
    """∂(output)/∂T at fixed electron temperature T' = t (central difference)."""
    return (run(T=t + h, T_e=t, **changes)[key] - run(T=t - h, T_e=t, **changes)[key]) / (2 * h)


def test_response_coefficients_are_derivatives_of_M_and_N():
    """g = 4∂_μM_++, S = 4∂_TM_++, Π = 4∂_μN_++, κ = 4∂_TN_++ (Eqs. (4)-(5)), by central differences."""
    h = 1e-4
    p = run()
    assert p["spin_conductance"] == pytest.approx(4 * d_dmu("M_pp", h), rel=1e-6)
    assert p["spin_peltier"] == pytest.approx(4 * d_dmu("N_pp", h), rel=1e-6)
    assert p["spin_seebeck"] == pytest.approx(4 * d_dT("M_pp", 2.0, h), rel=1e-6)
    assert p["thermal_conductance"] == pytest.approx(4 * d_dT("N_pp", 2.0, h), rel=1e-6)


@pytest.mark.parametrize(("t", "gap"), [(0.5, 0.0), (2.0, 0.05), (20.0, 1.0), (5.0, 10.0)])
def test_onsager_peltier_equals_T_times_seebeck(t, gap):
    """Π = T S/ħ with Π from ∂_μ of the N integral and S from ∂_T of the M integral (not assumed)."""
    gapless = gap == 0.0
    h_mu = 1e-8 * t if gapless else 1e-4 * min(t, gap)
    peltier = 4 * d_dmu("N_pp", h_mu, T=t, T_e=t, gap=gap)
    seebeck = 4 * d_dT("M_pp", t, 1e-4 * t, gap=gap)
    # at ħΩ = μ = 0 the μ-dependence has a |μ|^{3/2} part, so the one-sided stencil is O(√h)
    assert peltier == pytest.approx(t * seebeck, rel=1e-3 if gapless else 1e-6)
    p = run(T=t, T_e=t, gap=gap)
    assert p["spin_peltier"] == pytest.approx(t * p["spin_seebeck"], rel=1e-12)
    assert p["spin_seebeck"] > 0 and p["thermal_conductance"] > 0 and p["spin_conductance"] > 0


@pytest.mark.parametrize("n_dot_n_prime", [1.0, -1.0])
def test_collinear_currents_reduce_to_linear_response(n_dot_n_prime):
    """i·n = g(μ + n·μ') + S δT and q̇ = −κ δT − Π(μ + n·μ') for small biases (Eqs. (4)-(5))."""
    lin = run(n_dot_n_prime=n_dot_n_prime)
    for mu, mu_s, d_t in ((-1e-4, 3e-4, 0.0), (0.0, 0.0, 2e-4), (-2e-4, -1e-4, -1e-4)):
        p = run(n_dot_n_prime=n_dot_n_prime, mu=mu, mu_s=mu_s, T=2.0 + d_t / 2, T_e=2.0 - d_t / 2)
        force = mu + n_dot_n_prime * mu_s
        expected_spin = lin["spin_conductance"] * force + lin["spin_seebeck"] * d_t
        expected_heat = -lin["thermal_conductance"] * d_t - lin["spin_peltier"] * force
        assert p["spin_current_long"] == pytest.approx(expected_spin, rel=2e-3)
        assert p["heat_current"] == pytest.approx(expected_heat, rel=2e-3)
        assert p["spin_current_dl"] == 0.0 and p["spin_current_fl"] == 0.0  # sin θ = 0


@pytest.mark.parametrize("n_dot_n_prime", [-1.0, -0.4, 0.0, 0.7, 1.0])
def test_no_currents_in_equilibrium(n_dot_n_prime):
    """T = T', μ = μ' = 0: every M_ab, N_ab and current vanishes (detailed balance)."""
    p = run(n_dot_n_prime=n_dot_n_prime)
    scale = p["spin_conductance"] * BASE["T"]
    for key in ("spin_current_long", "spin_current_dl", "spin_current_fl", "M_pp", "M_pm", "M_mp"):
        assert abs(p[key]) < 1e-12 * scale, key
    assert abs(p["heat_current"]) < 1e-12 * p["thermal_conductance"] * BASE["T"]


def test_collinear_equilibrium_with_spin_accumulation():
    """n' = n, μ = −μ', T = T': the magnon gas is in equilibrium with N, so i·n = q̇ = 0."""
    p = run(gap=0.5, mu=-0.3, mu_s=0.3, n_dot_n_prime=1.0)
    assert abs(p["spin_current_long"]) < 1e-13 * abs(p["M_pp"])
    assert abs(p["heat_current"]) < 1e-13 * abs(p["N_pp"])


def test_effective_g_r_is_the_mu_prime_derivative_of_the_M_integrals():
    """g̃_r = (1−2n/s)g_r + 4π Σ_ab ∂_μ'M_ab (a/2 − b/2 + ab n·n') (Eq. (4)), by finite differences."""
    h = 1e-5
    for n_dot_n_prime in (0.3, -0.8):
        up, down = run(n_dot_n_prime=n_dot_n_prime, mu_s=h), run(n_dot_n_prime=n_dot_n_prime, mu_s=-h)
        derivative = sum(
            (up[key] - down[key]) / (2 * h) * (a / 2 - b / 2 + a * b * n_dot_n_prime)
            for key, a, b in (("M_pp", 1, 1), ("M_mm", -1, -1), ("M_pm", 1, -1), ("M_mp", -1, 1))
        )
        p = run(n_dot_n_prime=n_dot_n_prime)
        expected = p["g_r_tilde"] + 4 * math.pi * derivative
        assert p["g_r_eff"] == pytest.approx(expected, rel=1e-8)
        # the transverse current is linear in μ' with exactly g̃_r/4π · sin θ
        sin_theta = math.sqrt(1 - n_dot_n_prime**2)
        slope = (up["spin_current_dl"] - down["spin_current_dl"]) / (2 * h)
        assert slope == pytest.approx(p["g_r_eff"] * sin_theta / (4 * math.pi), rel=1e-8)
        slope_fl = (up["spin_current_fl"] - down["spin_current_fl"]) / (2 * h)
        assert slope_fl == pytest.approx(p["g_i_eff"] * sin_theta / (4 * math.pi), rel=1e-8)


# -- (T/T_c)^{3/2} thermal corrections ---------------------------------------------------
def test_thermal_corrections_scale_as_T_over_Tc_to_three_halves():
    """For T ≫ ħΩ, g_r − g̃_r and g_i − g̃_i ∝ (T/T_c)^{3/2} (text after Eq. (5)): fitted exponent."""
    gap = 1e-3
    temps = np.geomspace(1.0, 30.0, 8)  # T/ħΩ from 1e3 to 3e4, n/s ≤ 0.1
    res = Magnon().evaluate_block(
        {k: np.full(temps.size, float(v)) for k, v in {**BASE, "gap": gap}.items() if k not in ("T", "T_e")}
        | {"T": temps, "T_e": temps}
    )
    t_c = res["T_c"][0]
    for name, bare in (("g_r_eff", BASE["g_r"]), ("g_i_eff", BASE["g_i"])):
        correction = bare - res[name]
        exponent = np.polyfit(np.log(temps / t_c), np.log(correction), 1)[0]
        assert exponent == pytest.approx(1.5, abs=0.02), name
    # gapless: exact coefficients, g̃_r = g_r(1 − 5(T/T_c)^{3/2}), g̃_i = g_i(1 − (T/T_c)^{3/2})
    for t in (1.0, 10.0):
        p = run(gap=0.0, T=t, T_e=t)
        ratio = (t / p["T_c"]) ** 1.5
        assert p["n_magnon"] / BASE["s"] == pytest.approx(ratio, rel=1e-11)
        assert p["g_r_eff"] == pytest.approx(BASE["g_r"] * (1 - 5 * ratio), rel=1e-11)
        assert p["g_i_eff"] == pytest.approx(BASE["g_i"] * (1 - ratio), rel=1e-11)


def test_thermal_corrections_freeze_out_below_the_gap():
    """T ≪ ħΩ: g̃ → g, and S approaches its Boltzmann (classical-magnon) limit.

    With −∂n/∂E → e^{−E/T}/T:  S = (g_r g0/(π s)) T^{−2} e^{−ħΩ/T}
    [ħΩ² Γ(3/2) T^{3/2} + 2ħΩ Γ(5/2) T^{5/2} + Γ(7/2) T^{7/2}], up to O(e^{−ħΩ/T}).
    """
    p = run(gap=1.0, T=0.02, T_e=0.02)
    assert p["g_r_eff"] == pytest.approx(BASE["g_r"], rel=1e-15, abs=1e-18)
    for t in (0.05, 0.1):
        gap = 1.0
        g0 = 1.0 / (4 * math.pi**2 * BASE["stiffness"] ** 1.5)
        pref = BASE["g_r"] * g0 / (math.pi * BASE["s"])
        bracket = gap**2 * math.gamma(1.5) * t**1.5 + 2 * gap * math.gamma(2.5) * t**2.5 + math.gamma(3.5) * t**3.5
        boltzmann = pref * t**-2 * math.exp(-gap / t) * bracket
        assert run(gap=gap, T=t, T_e=t)["spin_seebeck"] == pytest.approx(boltzmann, rel=3 * math.exp(-gap / t))


def test_torque_coefficients_reduce_to_zero_temperature_values():
    """α'_{r,i} → g_{r,i}/(4π s d_F) as T → 0, and carry the thermal reduction otherwise."""
    cold = magnon_torque_coefficients(1.0, 0.2, 10.0, 1.0, 5.0, 0.02, 10.0)
    scale = 4 * math.pi * 10.0 * 10.0
    assert float(cold[0][()]) == pytest.approx(1.0 / scale, rel=1e-12)
    assert float(cold[1][()]) == pytest.approx(0.2 / scale, rel=1e-12)
    warm_r, warm_i = magnon_torque_coefficients(1.0, 0.2, 10.0, 0.0, 5.0, 10.0, 10.0)
    p = run(gap=0.0, T=10.0, T_e=10.0)
    s_reduced = BASE["s"] - p["n_magnon"]
    assert float(warm_r) == pytest.approx(p["g_r_eff"] / (4 * math.pi * s_reduced * 10.0), rel=1e-12)
    assert float(warm_i) == pytest.approx(p["g_i_eff"] / (4 * math.pi * s_reduced * 10.0), rel=1e-12)
    assert float(warm_r) < float(cold[0][()])


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"T": -1.0}, "T"),
        ({"T_e": 0.0}, "T_e"),
        ({"s": -1.0}, "s"),
        ({"stiffness": 0.0}, "stiffness"),
        ({"gap": -0.1}, "gap"),
        ({"mu": 0.2, "gap": 0.1}, "mu"),
        ({"n_dot_n_prime": 1.5}, "n_dot_n_prime"),
        ({"g_r": -1.0}, "g_r"),
        ({"T": "0.5 Tc"}, "T"),
    ],
)
def test_bad_input_is_rejected_with_the_parameter_and_range(params, name):
    with pytest.raises(ParameterError) as err:
        fastspin.evaluate("magnon", **params)
    assert repr(name) in str(err.value) and "allowed" in str(err.value)


def test_swept_mu_above_any_swept_gap_is_rejected():
    with pytest.raises(ParameterError, match="'mu'"):
        fastspin.evaluate("magnon", mu=[0.0, 0.05], gap=[0.01, 0.1])


def test_evaluate_block_rejects_bad_elements_directly():
    block = {k: np.full((2, 2), float(v)) for k, v in BASE.items()}
    block["T"] = np.array([[1.0, 2.0], [-1.0, 2.0]])
    with pytest.raises(ParameterError, match="'T' = -1"):
        Magnon().evaluate_block(block)


# -- sweepable ---------------------------------------------------------------------------
def test_spin_seebeck_map_over_temperature_and_gap():
    """A 2-D (T, ħΩ) sweep equals pointwise evaluation; S grows with T and falls with ħΩ."""
    temps = [0.5, 2.0, 8.0]
    gaps = [0.0, 0.5, 2.0, 5.0]
    ds = fastspin.evaluate("magnon", T=temps, gap=gaps, T_e=2.0)
    seebeck = ds["spin_seebeck"]
    assert seebeck.dims == ("T", "gap") and seebeck.shape == (3, 4)
    assert seebeck.attrs["units"] == "nm^-2"
    values = seebeck.values
    assert np.all(np.diff(values, axis=0) > 0) and np.all(np.diff(values, axis=1) < 0)
    for i, t in enumerate(temps):
        for j, gap in enumerate(gaps):
            single = fastspin.evaluate("magnon", T=t, gap=gap, T_e=2.0)
            assert values[i, j] == float(single["spin_seebeck"])


def test_spin_seebeck_map_through_the_zarr_sweep(tmp_path):
    """The same (T, ħΩ) map through the block/Zarr machinery (serial runner): identical values."""
    temps, gaps = [0.5, 2.0, 8.0], [0.0, 0.5, 2.0, 5.0]
    spec = {"model": "magnon", "axes": {"T": temps, "gap": gaps}, "params": {"T_e": 2.0},
            "run": {"block": {"T": 2, "gap": 3}, "scheduler": "serial"}}
    result = fastspin.sweep(spec, tmp_path / "magnon.zarr")
    assert result.computed == [0, 1, 2, 3]
    stored = fastspin.open(tmp_path / "magnon.zarr")
    direct = fastspin.evaluate("magnon", T=temps, gap=gaps, T_e=2.0)
    np.testing.assert_array_equal(stored["spin_seebeck"].values, direct["spin_seebeck"].values)
    np.testing.assert_array_equal(stored["spin_peltier"].values, direct["spin_peltier"].values)
