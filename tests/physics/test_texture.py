"""Physics tests of the ``texture`` model (seed 003, thermally induced spin-transfer torques).

References here are independent: the band model is rewritten in plain Python from
Eqs. (11), (61), (62) of the seed, the clean-limit C(ε) is checked against a direct
k-integral of Eq. (38), and every thermal integral against scipy.integrate.quad.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

import fastspin
from fastspin.kernels import texture as kt
from fastspin.model import ParameterError
from fastspin.models.texture import Texture
from fastspin.physics.texture import energy_resolved

EPS_F, EXCHANGE, GAMMA_N, GAMMA_M = 3.0, 1.0, 0.05, 0.01


# -- independent plain-Python band model (Eqs. (11), (61), (62) of seed 003) ----------
def band_reference(eps: float, eps_f: float, m: float, g_n: float, g_m: float) -> dict[str, float]:
    """σ_s, σ_c (as Σσ(±)n̂σ/γσ), β and clean-limit C at energy ε, written from the seed."""
    kinetic = {+1: eps_f + eps + m, -1: eps_f + eps - m}
    nu = {s: math.sqrt(e) if e > 0 else 0.0 for s, e in kinetic.items()}
    dens = {s: e**1.5 if e > 0 else 0.0 for s, e in kinetic.items()}
    # Eq. (11): ħ/2τσ = π n_i u_i² νσ + (π/3) n_s u_s² S² (νσ + 2ν_σ̄)
    gamma = {s: g_n * nu[s] + g_m * (nu[s] + 2.0 * nu[-s]) for s in (+1, -1)}
    tau = {s: (0.5 / gamma[s]) if dens[s] > 0 else 0.0 for s in (+1, -1)}  # τ = ħ/2γ
    # Eq. (61) in units e²ħn_1/(2m eV): σ_s ∝ n↑τ↑ − n↓τ↓ with τ in units ħ/(2 eV)
    sigma_s = 2.0 * (dens[+1] * tau[+1] - dens[-1] * tau[-1])
    sigma_c = 2.0 * (dens[+1] * tau[+1] + dens[-1] * tau[-1])
    beta = 2.0 * g_m * (nu[+1] + nu[-1]) / m  # Eq. (62)
    c_clean = 1.5 * (nu[+1] + nu[-1]) - (dens[+1] - dens[-1]) / m
    return {"sigma_s": sigma_s, "sigma_c": sigma_c, "beta": beta, "C": c_clean}


def minus_fermi_derivative(eps: float, t: float) -> float:
    return 1.0 / (4.0 * t * math.cosh(eps / (2.0 * t)) ** 2)


def fermi(eps: float, t: float) -> float:
    x = eps / t
    return math.exp(-x) / (1.0 + math.exp(-x)) if x > 0 else 1.0 / (1.0 + math.exp(x))


def quad_pieces(func, lo: float, hi: float, points) -> float:
    edges = sorted({lo, hi, *(p for p in points if lo < p < hi)})
    return sum(
        quad(func, a, b, epsabs=0.0, epsrel=1e-13, limit=400)[0]
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    )


def point(eps_f=EPS_F, m=EXCHANGE, t=0.01, g_n=GAMMA_N, g_m=GAMMA_M, energy=0.0) -> dict[str, float]:
    out = Texture().evaluate_block(
        {"eps_F": np.array([eps_f]), "M": np.array([m]), "T": np.array([t]),
         "gamma_n": np.array([g_n]), "gamma_m": np.array([g_m]), "energy": np.array([energy])}
    )
    return {k: float(v[0]) for k, v in out.items()}


# -- energy-resolved model ------------------------------------------------------------
@pytest.mark.parametrize("energy", [-1.5, -0.3, 0.0, 0.2, 2.0])
def test_energy_resolved_functions_follow_the_band_model(energy):
    """σ_s, σ_c, β, C of the kernel equal the seed's formulas (exact to rounding)."""
    ref = band_reference(energy, EPS_F, EXCHANGE, GAMMA_N, GAMMA_M)
    got = energy_resolved(energy, EPS_F, EXCHANGE, GAMMA_N, GAMMA_M)
    for key in ("sigma_s", "sigma_c", "beta", "C"):
        assert got[key] == pytest.approx(ref[key], rel=1e-13), key


def test_energy_derivative_equals_fermi_energy_derivative():
    """The Mott forms use d/dε_F; the model depends on ε_F + ε only, so d/dε = d/dε_F (Eq. (65))."""
    h = 1e-5
    got = energy_resolved(0.0, EPS_F, EXCHANGE, GAMMA_N, GAMMA_M)
    for key, dkey in (("sigma_s", "dsigma_s"), ("sigma_c", "dsigma_c"), ("beta", "dbeta")):
        up = band_reference(0.0, EPS_F + h, EXCHANGE, GAMMA_N, GAMMA_M)[key]
        down = band_reference(0.0, EPS_F - h, EXCHANGE, GAMMA_N, GAMMA_M)[key]
        assert got[dkey] == pytest.approx((up - down) / (2 * h), rel=1e-7), dkey


def test_spin_conductivity_is_fermi_energy_independent_without_magnetic_impurities():
    """Footnote 32: with γ_m = 0, τσ ∝ 1/νσ so σ_s ∝ Σσ σ ε_Fσ = 2M, independent of ε_F."""
    values = [energy_resolved(0.0, ef, EXCHANGE, GAMMA_N, 0.0)["sigma_s"] for ef in (1.5, 3.0, 7.0)]
    expected = 2.0 * EXCHANGE / GAMMA_N  # Σσ σ n̂σ/(γ_n ν̂σ) = Σσ σ Eσ/γ_n
    assert values == pytest.approx([expected] * 3, rel=1e-13)
    assert energy_resolved(0.0, 3.0, EXCHANGE, GAMMA_N, 0.0)["dsigma_s"] == pytest.approx(0.0, abs=1e-12)


def c_eq38_k_integral(eps: float, eps_f: float, m: float, gamma: float) -> float:
    """Eq. (38) with finite broadening γ: (M²/π) Im Σ_k (v²/3)(G↑G↓)², ħ = 1, m_e = 1/2."""

    def integrand(k: float) -> float:
        g_up = 1.0 / complex(eps + eps_f - k * k + m, gamma)
        g_dn = 1.0 / complex(eps + eps_f - k * k - m, gamma)
        return (k * k * (4.0 * k * k / 3.0) * (g_up * g_dn) ** 2).imag  # v = k/m_e = 2k

    k_up, k_dn = math.sqrt(eps + eps_f + m), math.sqrt(eps + eps_f - m)
    points = [kk + s * d * gamma / (2 * kk) for kk in (k_up, k_dn) for s in (-1, 1) for d in (0, 1, 10, 100)]
    top = 2 * k_up + 5
    total = quad_pieces(integrand, 0.0, top, points)
    total += quad(integrand, top, np.inf, epsabs=1e-15, epsrel=1e-11)[0]
    return m * m / math.pi * total / (2.0 * math.pi**2)  # d³k/(2π)³ = k² dk/(2π²)


def test_clean_limit_C_matches_the_k_integral_of_eq38():
    """Ĉ(ε)·U = (1/4m)[ν↑+ν↓ − (n↑−n↓)/M] is the γ → 0 limit of Eq. (38); corrections O(γ²)."""
    eps = 0.1
    unit = 1.0 / (12.0 * math.pi**2)  # U = n_1/(4 m eV) with m = 1/2, ħ = 1: n_1 = 1/(6π²)
    clean = unit * energy_resolved(eps, EPS_F, EXCHANGE, GAMMA_N, GAMMA_M)["C"]
    err_coarse = abs(c_eq38_k_integral(eps, EPS_F, EXCHANGE, 1e-2) / clean - 1)
    err_fine = abs(c_eq38_k_integral(eps, EPS_F, EXCHANGE, 1e-3) / clean - 1)
    assert err_coarse < 5e-5
    assert err_fine < 1e-6
    assert err_fine < err_coarse / 50  # ∝ γ²


# -- full thermal integrals against scipy quad -----------------------------------------
CASES = [  # (eps_F, M, T): low T, room T, hot, minority edge 10 k_B T below μ
    (3.0, 1.0, 0.001),
    (3.0, 1.0, 0.025),
    (3.0, 1.0, 0.1),
    (1.2, 1.0, 0.02),
]


@pytest.mark.parametrize(("eps_f", "m", "t"), CASES)
def test_thermal_integrals_match_quad(eps_f, m, t):
    """a, b, c to 1e-11 relative; a_T, b_T, C_1 to 1e-11 of ∫(−f')|ε·integrand| (docstring)."""
    got = point(eps_f=eps_f, m=m, t=t)
    lo, hi = max(-45 * t, -(eps_f + m)), 45 * t
    edges = [0.0, m - eps_f, -(eps_f + m)]

    def fs(e: float, key: str) -> float:
        return band_reference(e, eps_f, m, GAMMA_N, GAMMA_M)[key]

    def weighted(func) -> float:
        return quad_pieces(lambda e: minus_fermi_derivative(e, t) * func(e), lo, hi, edges)

    # A = (ħ/2e)σ_s (Eq. (58)): in the model's units Â and σ̂_s are the same number
    a = weighted(lambda e: fs(e, "sigma_s"))
    b = weighted(lambda e: fs(e, "beta") * fs(e, "sigma_s"))
    assert got["a"] == pytest.approx(a, rel=1e-11)
    assert got["b"] == pytest.approx(b, rel=1e-11)
    for key, func in (
        ("a_T", lambda e: e * fs(e, "sigma_s")),
        ("b_T", lambda e: e * fs(e, "beta") * fs(e, "sigma_s")),
        ("C_1", lambda e: e * fs(e, "C")),
    ):
        reference = weighted(func)
        scale = weighted(lambda e, f=func: abs(f(e)))
        assert abs(got[key] - reference) <= 1e-11 * scale, key
    # Fermi sea, Eq. (43): over the whole band from its bottom
    c_ref = quad_pieces(lambda e: fermi(e, t) * fs(e, "C"), -(eps_f + m), hi, edges)
    assert got["c"] == pytest.approx(c_ref, rel=1e-11)


# -- Mott formula, Eqs. (65)-(66) -------------------------------------------------------
def test_mott_error_falls_as_T_to_the_fourth():
    """Full integral minus Mott form = (7π⁴/90) T⁴ A'''(0) + O(T⁶): log-log slope 4."""
    temperatures = np.geomspace(0.004, 0.03, 6)
    res = Texture().evaluate_block(
        {"eps_F": np.full(6, EPS_F), "M": np.full(6, EXCHANGE), "T": temperatures,
         "gamma_n": np.full(6, GAMMA_N), "gamma_m": np.full(6, GAMMA_M), "energy": np.zeros(6)}
    )
    for full, mott in (("a_T", "a_T_mott"), ("b_T", "b_T_mott")):
        error = np.abs(res[full] - res[mott])
        slope = np.polyfit(np.log(temperatures), np.log(error), 1)[0]
        assert slope == pytest.approx(4.0, abs=0.02), full
        # and the Mott form is the leading term: relative error ∝ T² → 0
        rel = error / np.abs(res[full])
        assert rel[0] < 1e-4 and rel[0] < rel[-1] / 40
    # the T⁴ coefficient is the next Sommerfeld term (7π⁴/90) A'''(0)
    h = 2e-3
    a = [energy_resolved(k * h, EPS_F, EXCHANGE, GAMMA_N, GAMMA_M)["sigma_s"] for k in (-2, -1, 1, 2)]
    third = (a[3] - 2 * a[2] + 2 * a[1] - a[0]) / (2 * h**3)
    expected = 7 * math.pi**4 / 90 * temperatures[0] ** 4 * third
    assert res["a_T"][0] - res["a_T_mott"][0] == pytest.approx(expected, rel=2e-3)


# -- Nernst theorem: corrected vs naive thermal torque ---------------------------------
def test_corrected_thermal_torque_vanishes_as_T_to_zero_naive_diverges():
    """b_T/T → 0 (∝ T) while the naive (b_T + c)/T ≈ c(0)/T diverges (Eqs. (45)-(47), (53))."""
    temperatures = np.geomspace(1e-4, 1e-2, 5)
    n = temperatures.size
    res = Texture().evaluate_block(
        {"eps_F": np.full(n, EPS_F), "M": np.full(n, EXCHANGE), "T": temperatures,
         "gamma_n": np.full(n, GAMMA_N), "gamma_m": np.full(n, GAMMA_M), "energy": np.zeros(n)}
    )
    corrected = np.abs(res["torque_T_dissipative"])
    naive = np.abs(res["torque_T_dissipative_naive"])
    assert np.polyfit(np.log(temperatures), np.log(corrected), 1)[0] == pytest.approx(1.0, abs=1e-3)
    assert np.polyfit(np.log(temperatures), np.log(naive), 1)[0] == pytest.approx(-1.0, abs=1e-3)
    assert corrected[0] < 1e-6 * naive[0]
    c_zero = kt.fermi_sea_zero_temperature(EPS_F, EXCHANGE)
    assert c_zero > 0  # conduction-electron exchange stiffness (App. C)
    assert res["torque_T_dissipative_naive"][0] * temperatures[0] == pytest.approx(c_zero, rel=1e-6)
    assert res["c"][0] == pytest.approx(c_zero, rel=1e-8)


def test_fermi_sea_constant_obeys_T_dc_dT_equals_C1():
    """App. E: T ∂c/∂T = C_1, with c and C_1 computed by different integrals."""
    t, h = 0.03, 1e-4
    dc = (point(t=t + h)["c"] - point(t=t - h)["c"]) / (2 * h)
    assert t * dc == pytest.approx(point(t=t)["C_1"], rel=1e-6)


def test_zero_temperature_stiffness_matches_direct_integral():
    """c(T=0) = ∫_{-∞}^0 C(ε) dε: the closed form against quad over the band."""
    ref = quad_pieces(
        lambda e: band_reference(e, EPS_F, EXCHANGE, GAMMA_N, GAMMA_M)["C"],
        -(EPS_F + EXCHANGE), 0.0, [EXCHANGE - EPS_F],
    )
    assert kt.fermi_sea_zero_temperature(EPS_F, EXCHANGE) == pytest.approx(ref, rel=1e-12)


# -- effective beta_T, Eqs. (72), (74) ---------------------------------------------------
def test_full_beta_T_tends_to_sommerfeld_closed_and_open():
    """b_T/a_T → Eq. (72) and the open-circuit ratio → Eq. (74) as T → 0, deviation ∝ T²."""
    lo, hi = point(t=0.002), point(t=0.02)
    for full, som in (("beta_T_closed_full", "beta_T_closed"), ("beta_T_open_full", "beta_T_open")):
        dev_lo = abs(lo[full] / lo[som] - 1)
        dev_hi = abs(hi[full] / hi[som] - 1)
        assert dev_lo < 1e-4
        assert dev_hi / dev_lo == pytest.approx(100.0, rel=0.05)
    # Eqs. (72), (74) from the closed-form energy-resolved functions
    f = energy_resolved(0.0, EPS_F, EXCHANGE, GAMMA_N, GAMMA_M)
    closed = f["beta"] + f["dbeta"] * f["sigma_s"] / f["dsigma_s"]
    opened = f["beta"] + f["dbeta"] / (f["dsigma_s"] / f["sigma_s"] - f["dsigma_c"] / f["sigma_c"])
    assert lo["beta_T_closed"] == pytest.approx(closed, rel=1e-12)
    assert lo["beta_T_open"] == pytest.approx(opened, rel=1e-12)


def test_open_circuit_reverses_the_thermal_beta_torque():
    """Sec. VIII: in a closed circuit the thermal torque is dominated by the β-term
    (σ_s' ≈ 0 for a parabolic band); opening the circuit (E = −S_c∇T) reverses its sign."""
    for g_m in (0.001, 0.005):
        p = point(t=0.025, g_m=g_m)
        assert abs(p["torque_T_dissipative"]) > 10 * abs(p["torque_T_adiabatic"])
        assert p["torque_T_dissipative"] > 0 > p["torque_T_dissipative_open"]


# -- bad input ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"eps_F": 0.8, "M": 1.0}, "eps_F"),
        ({"eps_F": 1.0, "M": 1.0}, "eps_F"),
        ({"T": -0.01}, "T"),
        ({"T": 0.0}, "T"),
        ({"gamma_n": -0.1}, "gamma_n"),
        ({"gamma_n": 0.0, "gamma_m": 0.0}, "gamma_n"),
        ({"energy": -2.5}, "energy"),
        ({"M": -1.0}, "M"),
        ({"T": "0.5 Tc"}, "T"),
    ],
)
def test_bad_input_is_rejected_with_the_parameter_and_range(params, name):
    with pytest.raises(ParameterError) as err:
        fastspin.evaluate("texture", **params)
    assert repr(name) in str(err.value) and "allowed" in str(err.value)


def test_evaluate_block_rejects_bad_elements_directly():
    """The sweep machinery calls evaluate_block without validate: it must still refuse."""
    block = {"eps_F": np.array([[3.0, 0.5]]), "M": np.ones((1, 2)), "T": np.full((1, 2), 0.01),
             "gamma_n": np.full((1, 2), 0.05), "gamma_m": np.zeros((1, 2)), "energy": np.zeros((1, 2))}
    with pytest.raises(ParameterError, match="'eps_F' = 0.5"):
        Texture().evaluate_block(block)


# -- sweepable ---------------------------------------------------------------------------
def test_two_dimensional_sweep_matches_pointwise():
    temps = [0.005, 0.02, 0.05]
    fermis = [2.0, 3.0, 5.0, 8.0]
    ds = fastspin.evaluate("texture", T=temps, eps_F=fermis, gamma_n=GAMMA_N, gamma_m=GAMMA_M)
    assert ds["b_T"].dims == ("T", "eps_F") and ds["b_T"].shape == (3, 4)
    assert ds["b_T"].attrs["units"] == "hbar^2*e*n1/(4*m)"
    for i, t in enumerate(temps):
        for j, ef in enumerate(fermis):
            single = point(eps_f=ef, t=t)
            assert float(ds["b_T"][i, j]) == single["b_T"]
            assert float(ds["a_T"][i, j]) == single["a_T"]


def test_thermal_torque_map_through_the_zarr_sweep(tmp_path):
    """A (T, ε_F) map through the block/Zarr machinery (serial runner): identical values."""
    temps, fermis = [0.005, 0.02], [2.0, 3.0, 5.0]
    spec = {"model": "texture", "axes": {"T": temps, "eps_F": fermis},
            "run": {"block": {"T": 1, "eps_F": 2}, "scheduler": "serial"}}
    result = fastspin.sweep(spec, tmp_path / "texture.zarr")
    assert result.computed == [0, 1, 2, 3]
    stored = fastspin.open(tmp_path / "texture.zarr")
    direct = fastspin.evaluate("texture", T=temps, eps_F=fermis)
    for name in ("b_T", "torque_T_dissipative", "torque_T_dissipative_naive", "beta_T_open"):
        np.testing.assert_array_equal(stored[name].values, direct[name].values)
