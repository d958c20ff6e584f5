"""Tests of the fis model (seed 000): quad reference, symmetries, limits, linear response.

The reference :func:`quad_reference` is written independently from Eqs. (3)–(5) and (20) of
seed 000 with scipy.integrate.quad (pure-Python complex BCS DOS, panels split at every DOS
singularity ±h ± Δ and every Fermi step), and evaluates Ė_F from its own integral
Ė_F = −(G_T/2)∫ Σ ⟨σ|σ'⟩² N_S N_F (ε − V − Ω_σσ')[f_F − f_S] (energy measured from the
rotating-frame chemical potential of F), not from the conservation law.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.integrate import quad

import fastspin
from fastspin.model import ParameterError
from fastspin.physics.fis import (
    dynamics_tables,
    fis_currents,
    fmr_coefficients,
    linear_response_coefficients,
    linear_response_matrix,
    linear_response_matrix_numerical,
    resolve_gap,
    second_order_response,
)
from fastspin.units import Tc

from reference import complex_piecewise_quad, dynes_dos, fermi, graded

OUTPUTS = ("I_charge", "heat_S", "heat_F", "torque_z", "torque_x", "torque_noise")
RTOL, ATOL = 1e-6, 1e-9  # the engine's stated accuracy


# -- independent reference ---------------------------------------------------------------------


# the same independent DOS and Fermi function as the sis references
_n0 = dynes_dos
_fermi = fermi


def quad_reference(
    V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta, epsrel=1e-12, epsabs=1e-14
) -> dict[str, float]:
    """All fis outputs from Eqs. (3)–(5), (20) of seed 000 by scipy quad (default epsrel 1e-12).

    Panels are split at every Fermi step, every gap edge ±h ± Δ and at edge ± Γ·4^k.
    """
    cos_t, sin2 = math.cos(theta), math.sin(theta) ** 2
    cos_h, sin_h = math.cos(h_angle), math.sin(h_angle)
    channels = []  # (σ, σ', μ_F = V + Ω_σσ', N_F,σ')
    for s in (1, -1):
        for sp in (1, -1):
            channels.append((s, sp, V + 0.5 * (s - sp * cos_t) * Omega, 1.0 + sp * P))

    def n_s(energy: float, s: int) -> float:
        return 0.5 * (1 + s * cos_h) * _n0(energy - h, delta, dynes) + 0.5 * (1 - s * cos_h) * _n0(
            energy + h, delta, dynes
        )

    def integrand(energy: float, which: str) -> float:
        f_s = _fermi(energy, T_S)
        total = 0.0
        ns = {1: n_s(energy, 1), -1: n_s(energy, -1)}
        for s, sp, mu, n_f in channels:
            f_f = _fermi(energy - mu, T_F)
            if which == "torque_noise":
                occ = f_f * _fermi(-energy, T_S) + f_s * _fermi(mu - energy, T_F)
                total += (1 - s * sp * cos_t) / 2 * ns[s] * n_f * occ / 16
                continue
            diff = f_f - f_s
            overlap = (1 + s * sp * cos_t) / 2
            if which == "I_charge":
                total += 0.5 * overlap * ns[s] * n_f * diff
            elif which == "heat_S":
                total += 0.5 * energy * overlap * ns[s] * n_f * diff
            elif which == "heat_F":
                total -= 0.5 * (energy - mu) * overlap * ns[s] * n_f * diff
            elif which == "torque_z":
                total -= sin2 / 8 * s * ns[s] * n_f * diff
            elif which == "torque_x":  # Eq. (A5), ĥ in the x-z plane
                n_x = sin_h * (_n0(energy - h, delta, dynes) - _n0(energy + h, delta, dynes)) / 2
                total -= (1 + s * sp * cos_t) ** 2 / 16 * n_x * diff
        return total

    mus = [c[2] for c in channels] + [0.0]
    t_max = max(T_S, T_F)
    lo, hi = min(mus) - 40 * t_max, max(mus) + 40 * t_max
    points = set(mus)
    if delta > 0:
        # each gap edge, plus points graded geometrically away from it from the Dynes scale
        # up (QAGS alone misses the Γ-wide edge peak by ~1e-6 relative for Γ ≲ 1e-5)
        for edge in (b * h + d * delta for b in (1, -1) for d in (1, -1)):
            points.add(edge)
            points |= {edge + side * dynes * 4.0**k for k in range(14) for side in (1, -1)}
    edges = sorted({lo, hi} | {p for p in points if lo < p < hi})
    result = {}
    for which in OUTPUTS:
        total = 0.0
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            value, _ = quad(integrand, a, b, args=(which,), epsabs=epsabs, epsrel=epsrel, limit=800)
            total += value
        result[which] = total
    return result


def _point(**kw):
    base = dict(V=0.0, h=0.3, h_angle=0.0, P=0.7, theta=0.6, Omega=0.2,
                T_S=0.5 * Tc, T_F=0.5 * Tc, dynes=1e-3, delta=np.nan)
    base.update(kw)
    base["delta"] = float(resolve_gap(base["T_S"], base["h"], base["delta"]))
    return base


REFERENCE_POINTS = [
    # Fig. 2-like pumping above the gap edge, h along +z, equal temperatures
    _point(Omega=1.5, T_S=0.1 * Tc, T_F=0.1 * Tc, P=1.0, theta=math.pi / 8),
    # h along -z, voltage and thermal bias, negative Omega, small Dynes
    _point(V=0.8, h=0.3, h_angle=math.pi, Omega=-0.4, T_S=0.6 * Tc, T_F=0.3 * Tc, dynes=1e-4),
    # h along x, large cone angle, F hotter
    _point(V=-0.5, h=0.4, h_angle=math.pi / 2, theta=2.0, Omega=0.7, T_S=0.2 * Tc, T_F=0.7 * Tc),
    # very small broadening: the gap-edge peaks are only Γ = 1.5e-5 wide
    _point(V=1.27, h=0.38, h_angle=0.48, P=-0.05, theta=1.96, Omega=-0.73, T_S=0.27 * Tc,
           T_F=0.7 * Tc, dynes=1.5e-5),
    # equal temperatures with bias (noise rows by detailed balance), tilted h
    _point(V=0.35, h=0.2, h_angle=2.2, P=0.5, theta=1.0, Omega=-0.9, T_S=0.4 * Tc, T_F=0.4 * Tc,
           dynes=1e-4),
    # generic tilt, fixed gap, P < 0, larger broadening
    _point(V=1.3, h=-0.25, h_angle=1.0, P=-0.4, theta=1.2, Omega=1.1, T_S=0.8 * Tc, T_F=0.4 * Tc,
           dynes=2e-2, delta=0.7),
]


@pytest.mark.parametrize("point", REFERENCE_POINTS)
def test_agrees_with_quad_reference(point):
    """Every output matches the independent quad integral at 1e-6 rel or 1e-9 abs."""
    fast = fis_currents(**point)
    reference = quad_reference(**point)
    for name in OUTPUTS:
        value, ref = float(fast[name]), reference[name]
        assert abs(value - ref) <= max(RTOL * abs(ref), ATOL), (name, value, ref)


def test_model_evaluate_matches_kernel_and_uses_self_consistent_gap():
    """fastspin.evaluate gives the same numbers, with Δ(T_S, h) from the gap equation."""
    from fastspin.physics.superconductor import gap

    ds = fastspin.evaluate("fis", V=[0.0, 0.6], Omega=[0.3, 1.4], h=0.3, T_S="0.5 Tc",
                           T_F="0.3 Tc", dynes=1e-3)
    direct = fis_currents(np.array([[0.0], [0.6]]), 0.3, 0.0, 1.0, math.pi / 8,
                          np.array([[0.3, 1.4]]), 0.5 * Tc, 0.3 * Tc, 1e-3,
                          float(gap(0.5 * Tc, 0.3)))
    for name in OUTPUTS:
        np.testing.assert_allclose(ds[name].values, direct[name], rtol=1e-12, atol=0)
    ref = quad_reference(V=0.6, h=0.3, h_angle=0.0, P=1.0, theta=math.pi / 8, Omega=1.4,
                         T_S=0.5 * Tc, T_F=0.3 * Tc, dynes=1e-3, delta=float(gap(0.5 * Tc, 0.3)))
    assert abs(ds.torque_z.values[1, 1] - ref["torque_z"]) <= max(RTOL * abs(ref["torque_z"]), ATOL)


def test_bad_parameters_are_rejected():
    with pytest.raises(ParameterError, match="P"):
        fastspin.evaluate("fis", P=1.5)
    with pytest.raises(ParameterError, match="h_angle"):
        fastspin.evaluate("fis", h_angle=4.0)
    with pytest.raises(ParameterError, match="cos_theta"):
        dynamics_tables(np.array([1.2]), 0.0, 0.1, 0.1, 0.1, 0.3, 0.0, 1.0, 1e-3)
    with pytest.raises(ParameterError, match="T_F"):
        dynamics_tables(np.array([0.5]), 0.0, 0.1, -0.1, 0.1, 0.3, 0.0, 1.0, 1e-3)
    with pytest.raises(ParameterError, match="T"):
        linear_response_coefficients(0.0, 0.3, 0.0, 1e-3, 1.0)
    with pytest.raises(ParameterError, match="dynes"):
        fmr_coefficients(0.1, 0.3, 0.3, 0.0, 0.0, 1.0)


# -- symmetries and conservation ------------------------------------------------------------------


@pytest.mark.parametrize("point", REFERENCE_POINTS[1:4])
def test_spin_reversal_symmetry(point):
    """(h, Ω, P) → (−h, −Ω, −P) relabels σ, σ' → −σ, −σ' in Eqs. (3)–(5), (20).

    ⟨σ|σ'⟩², N_S,σ N_F,σ' and Ω_σσ' map onto the relabelled channel, so I_c, Ė_S, D are
    even; τ_z carries one σ and is odd; Ė_F = I_c V − Ω τ_z − Ė_S is then even; τ_x of
    Eq. (A5) is odd because N_S,x ∝ N0(ε − h) − N0(ε + h) is odd in h.
    """
    flipped = dict(point, h=-point["h"], Omega=-point["Omega"], P=-point["P"])
    a, b = fis_currents(**point), fis_currents(**flipped)
    for name, parity in (("I_charge", 1), ("heat_S", 1), ("heat_F", 1), ("torque_z", -1),
                         ("torque_x", -1), ("torque_noise", 1)):
        assert abs(float(a[name]) - parity * float(b[name])) <= 1e-7 * abs(float(a[name])) + 1e-11, name


def test_field_sign_equals_field_reversal():
    """(h, θ_h) and (−h, π − θ_h) have the same h_z and opposite h_x: N_S,σ depends only on
    h·ẑ, so every output is equal except τ_x ∝ h_x (Eq. (A5)), which changes sign.
    """
    point = REFERENCE_POINTS[2] | {"h_angle": 0.4}
    other = dict(point, h=-point["h"], h_angle=math.pi - 0.4)
    a, b = fis_currents(**point), fis_currents(**other)
    for name in OUTPUTS:
        parity = -1.0 if name == "torque_x" else 1.0
        assert abs(float(a[name]) - parity * float(b[name])) <= 1e-7 * abs(float(a[name])) + 1e-11, name


def test_energy_conservation():
    """Ė_S + Ė_F = I_c V − Ω τ_z (Sec. III A), checked on a grid of biases and frequencies."""
    V = np.linspace(-1.5, 1.5, 7)[:, None]
    Omega = np.linspace(-1.2, 1.2, 5)[None, :]
    out = fis_currents(V, 0.3, 2.5, 0.6, 0.9, Omega, 0.3, 0.15, 1e-3)
    np.testing.assert_allclose(out["heat_S"] + out["heat_F"], out["I_charge"] * V - Omega * out["torque_z"],
                               rtol=1e-12, atol=1e-14)


# -- limits ---------------------------------------------------------------------------------------


def test_normal_state_closed_forms():
    """Δ = 0: I = G_T V (pumping cancels), Ė_S = ½Σ w μ²/2 + π²/6 (T_F² − T_S²) w,
    τ_z = −G_T sin²θ Ω/4 and, at T_S = T_F, D = (1/16)Σ (1 − σσ'c)/2 N_F μ coth(μ/2T).
    """
    V, Omega, theta, P = 0.37, 0.55, 0.8, 0.6
    c = math.cos(theta)
    for T_S, T_F in ((0.2, 0.2), (0.3, 0.1)):
        out = fis_currents(V, 0.3, 0.0, P, theta, Omega, T_S, T_F, 1e-3, 0.0)
        heat = 0.0
        noise = 0.0
        for s in (1, -1):
            for sp in (1, -1):
                mu = V + 0.5 * (s - sp * c) * Omega
                w = 0.5 * (1 + s * sp * c) * (1 + sp * P)
                heat += 0.5 * w * (mu**2 / 2 + math.pi**2 / 6 * (T_F**2 - T_S**2))
                noise += (1 - s * sp * c) / 2 * (1 + sp * P) * mu / math.tanh(mu / (2 * T_S)) / 16
        assert abs(float(out["I_charge"]) - V) < 1e-9
        assert abs(float(out["heat_S"]) - heat) < 1e-9
        assert abs(float(out["torque_z"]) + math.sin(theta) ** 2 * Omega / 4) < 1e-9
        if T_S == T_F:
            assert abs(float(out["torque_noise"]) - noise) < 1e-9


def test_charge_pumping_is_second_order():
    """I_c(V = 0, δT = 0, Ω) = α⁻_{2,0} sin²θ P cos θ Ω²/8 + O(Ω³) (Eq. (A3)): no linear term."""
    T, h, theta, P = 0.3, 0.3, 0.9, 0.8
    delta = float(resolve_gap(T, h, np.nan))
    coeff = linear_response_coefficients(T, h, 0.0, 1e-3, delta)["alpha_minus_20"]
    expected = coeff * math.sin(theta) ** 2 * P * math.cos(theta) / 8
    assert abs(expected) > 1e-3  # the second-order pumping is there
    omegas = np.array([0.01, 0.005, -0.005])
    pumped = fis_currents(0.0, h, 0.0, P, theta, omegas, T, T, 1e-3, delta)["I_charge"]
    np.testing.assert_allclose(pumped / omegas**2, expected, rtol=0.03)
    # the linear coefficient G Ω would be ~40x larger than what is pumped at Ω = 0.01
    G = linear_response_coefficients(T, h, 0.0, 1e-3, delta)["G"]
    assert abs(pumped[0]) < 1e-3 * G * omegas[0]


def test_fluctuation_dissipation_of_torque_noise():
    """At Ω → 0, V = 0, T_S = T_F = T: D = T G/4 (damping −G sin²θ/4 of Eq. (6))."""
    for h_angle, P, theta, T in ((0.0, 1.0, 0.5, 0.2), (2.0, -0.5, 1.9, 0.45)):
        delta = float(resolve_gap(T, 0.3, np.nan))
        G = linear_response_coefficients(T, 0.3, h_angle, 1e-3, delta)["G"]
        D = fis_currents(0.0, 0.3, h_angle, P, theta, 0.0, T, T, 1e-3, delta)["torque_noise"]
        assert abs(float(D) - T * G / 4) <= 1e-7 * T * G / 4


def test_dynamics_tables_equilibrium_detailed_balance():
    """Tables τ_z(cos θ), D(cos θ); in equilibrium τ_z = −(Ω/T) D sin²θ (1 + O(Ω²/T²)),
    the relation that makes the Langevin equation (8) relax to exp(S Ω cos θ/T).
    """
    T, Omega = 0.3, 0.01
    grid = np.linspace(-1.0, 1.0, 9)
    table = dynamics_tables(grid, 0.0, T, T, Omega, 0.3, 0.0, 0.8, 1e-3)
    sin2 = 1.0 - grid**2
    assert np.all(table["torque_noise"] > 0)
    inner = slice(1, -1)
    np.testing.assert_allclose(table["torque_z_per_sin2"][inner] * sin2[inner],
                               table["torque_z"][inner], rtol=1e-9)
    # at the poles τ_z/sin²θ is finite and equals −(Ω/T) D (1 + O(Ω²/T²)) as well
    np.testing.assert_allclose(table["torque_z_per_sin2"][[0, -1]],
                               -(Omega / T) * table["torque_noise"][[0, -1]], rtol=2e-3)
    assert np.all(np.abs(table["torque_z"][[0, -1]]) < 1e-12)
    np.testing.assert_allclose(table["torque_z"], -(Omega / T) * table["torque_noise"] * sin2,
                               rtol=2e-3, atol=1e-12)


# -- linear response ------------------------------------------------------------------------------

LR_CASES = [(0.3, 0.3, 0.0, 1.0, math.pi / 8, 1e-4), (0.2, 0.4, 2.6, -0.6, 1.3, 1e-3)]


@pytest.mark.parametrize(("T", "h", "h_angle", "P", "theta", "dynes"), LR_CASES)
def test_linear_response_closed_form_equals_numerical(T, h, h_angle, P, theta, dynes):
    """Eq. (6) from G, G_th, α equals the numerical Jacobian of the nonlinear currents;
    the pumping coefficients L_13 = L_31 = 0 and the spin-torque Seebeck term is present.
    """
    delta = float(resolve_gap(T, h, np.nan))
    closed = linear_response_matrix(T, h, h_angle, P, theta, dynes, delta)
    numerical = linear_response_matrix_numerical(T, h, h_angle, P, theta, dynes, delta)
    np.testing.assert_allclose(numerical, closed, rtol=1e-6, atol=1e-9)
    assert abs(closed[1, 2]) > 1e-3


@pytest.mark.parametrize(("T", "h", "h_angle", "P", "theta", "dynes"), LR_CASES)
def test_onsager_reciprocity(T, h, h_angle, P, theta, dynes):
    """L_ij = L_ji^tr (Sec. III): tr reverses h (N_σ → N_−σ, α → −α) and P, numerically."""
    delta = float(resolve_gap(T, h, np.nan))
    forward = linear_response_matrix_numerical(T, h, h_angle, P, theta, dynes, delta)
    reversed_ = linear_response_matrix_numerical(T, -h, h_angle, -P, theta, dynes, delta)
    np.testing.assert_allclose(forward, reversed_.T, rtol=1e-6, atol=1e-9)
    # and a non-trivial content: the thermal spin torque L_32 is odd under h → −h
    assert abs(forward[2, 1] + reversed_[2, 1]) < 1e-8 * abs(forward[2, 1]) + 1e-12


def test_thermoelectric_coefficient_sign_and_normal_state():
    """α > 0 for h·ẑ < 0 (Sec. IV A: F refrigerated), α = 0 for h ⊥ ẑ and in the normal state;
    G_th → π²T/3 G_T and G → G_T in the normal state (Wiedemann–Franz).
    """
    T = 0.3
    delta = float(resolve_gap(T, 0.3, np.nan))
    assert linear_response_coefficients(T, 0.3, math.pi, 1e-4, delta)["alpha"] > 0.05
    assert linear_response_coefficients(T, 0.3, 0.0, 1e-4, delta)["alpha"] < -0.05
    assert abs(linear_response_coefficients(T, 0.3, math.pi / 2, 1e-4, delta)["alpha"]) < 1e-12
    normal = linear_response_coefficients(T, 0.3, 0.0, 1e-4, 0.0)
    assert abs(normal["alpha"]) < 1e-12
    assert abs(normal["G"] - 1.0) < 1e-9
    assert abs(normal["G_th"] - math.pi**2 * T / 3) < 1e-8


def test_fmr_coefficients_limits():
    """Eqs. (14)–(15): G̃ → G, α̃ → α as Ω → 0; G̃ = G_T, α̃ = 0 in the normal state.

    Expanding Eq. (15) in Ω: G̃ = G − (Ω/2) α⁻_{2,0} + O(Ω²), which fixes the slope; the
    limits are checked by linear extrapolation from Ω = 2e-3 and 1e-3 (error O(Ω²)).
    """
    T, h, h_angle = 0.3, 0.3, math.pi
    delta = float(resolve_gap(T, h, np.nan))
    lr = linear_response_coefficients(T, h, h_angle, 1e-4, delta)
    coarse = fmr_coefficients(2e-3, T, h, h_angle, 1e-4, delta)
    fine = fmr_coefficients(1e-3, T, h, h_angle, 1e-4, delta)
    for tilde, plain in (("G_tilde", "G"), ("alpha_tilde", "alpha")):
        extrapolated = 2.0 * fine[tilde] - coarse[tilde]
        assert abs(extrapolated - lr[plain]) < 1e-5 * abs(lr[plain]), tilde
    slope = (coarse["G_tilde"] - fine["G_tilde"]) / 1e-3
    assert abs(slope + 0.5 * lr["alpha_minus_20"]) < 1e-2 * abs(lr["alpha_minus_20"])
    for Omega in (0.2, 1.7):
        normal = fmr_coefficients(Omega, T, h, h_angle, 1e-4, 0.0)
        assert abs(normal["G_tilde"] - 1.0) < 1e-9
        assert abs(normal["alpha_tilde"]) < 1e-9
    # superconducting: pumping above the gap restores G̃ towards G_T
    assert fmr_coefficients(3.0, T, h, h_angle, 1e-4, delta)["G_tilde"] > lr["G"]


def test_transverse_torque_limits_and_azimuth():
    """Eq. (A5): τ_⊥ = 0 for ĥ ∥ ẑ and in the normal state; at θ = 0 it is −I_s,x with
    I_s,x = ¼ Σσ (1 + σP) N_S,x [f_F − f_S], independent of P; (τ_x, τ_y) = τ_⊥ (cos φ_h, sin φ_h).
    """
    point = REFERENCE_POINTS[2]
    along_z = fis_currents(**(point | {"h_angle": 0.0}))
    assert abs(float(along_z["torque_x"])) < 1e-14 and abs(float(along_z["torque_y"])) < 1e-14
    normal = fis_currents(**(point | {"delta": 0.0}))
    assert abs(float(normal["torque_x"])) < 1e-12
    at_zero = [float(fis_currents(**(point | {"theta": 0.0, "P": P}))["torque_x"]) for P in (-0.9, 0.9)]
    assert abs(at_zero[0] - at_zero[1]) < 1e-9 and abs(at_zero[0]) > 1e-3
    tilted = fis_currents(**point, h_azimuth=0.7)
    np.testing.assert_allclose([float(tilted["torque_x"]), float(tilted["torque_y"])],
                               float(fis_currents(**point)["torque_x"]) * np.array([math.cos(0.7), math.sin(0.7)]),
                               rtol=1e-12)


# -- second order, onset, torque balance, FMR ------------------------------------------------------


def _hessian(function, scales, step=0.02):
    """Central-difference Hessian of a vector function of 3 variables (Richardson, O(step⁴))."""

    def at(step_):
        h = step_ * np.asarray(scales)
        n = 3
        result = np.zeros((n, n))
        f0 = function(np.zeros(n))
        for i in range(n):
            for j in range(n):
                if i == j:
                    e = np.zeros(n)
                    e[i] = h[i]
                    result[i, i] = (function(e) - 2 * f0 + function(-e)) / h[i] ** 2
                else:
                    ei, ej = np.zeros(n), np.zeros(n)
                    ei[i], ej[j] = h[i], h[j]
                    result[i, j] = (function(ei + ej) - function(ei - ej) - function(ej - ei)
                                    + function(-ei - ej)) / (4 * h[i] * h[j])
        return result

    return (4 * at(step / 2) - at(step)) / 3


def test_second_order_coefficients_match_numerical_hessian():
    """Hessians of I_c and τ_z/sin²θ in (V, Ω, δT/T) from (A3)–(A4)-type closed forms equal
    the numerical second derivatives of the nonlinear Eqs. (3), (5) (T_S = T, T_F = T − δT).
    """
    T, h, h_angle, P, theta, dynes = 0.3, 0.3, 0.5, 0.8, 0.9, 1e-3
    delta = float(resolve_gap(T, h, np.nan))
    closed = second_order_response(T, h, h_angle, P, theta, dynes, delta)
    sin2 = math.sin(theta) ** 2

    def currents(x, name):
        out = fis_currents(x[0], h, h_angle, P, theta, x[1], T, T * (1 - x[2]), dynes, delta)
        return float(out[name]) / (sin2 if name == "torque_z" else 1.0)

    for name, key in (("I_charge", "I_charge"), ("torque_z", "torque_z_per_sin2")):
        numerical = _hessian(lambda x, name=name: currents(x, name), (T, T, 1.0), step=0.05)
        np.testing.assert_allclose(numerical, closed[key], rtol=2e-4, atol=2e-5)
    assert abs(closed["torque_z_per_sin2"][1, 1]) > 0.01 and abs(closed["I_charge"][0, 2]) > 0.01


def test_onset_voltage_matches_nonlinear_torque():
    """V_o (second-order condition) equals the voltage where the nonlinear τ_z/sin²θ at θ → 0
    overcomes the damping S A_eff Ω, for Ω ≪ T; and V_o → 2√(S A_eff Ω/α⁻_{2,0})."""
    from scipy.optimize import brentq

    from fastspin.physics.fis import onset_voltage, torque_per_sin2

    T, h, P, dynes, S_A0, Omega = 0.3, 0.3, 1.0, 1e-3, 0.05, 1e-3
    delta = float(resolve_gap(T, h, np.nan))
    V_o = onset_voltage(Omega, T, h, 0.0, P, dynes, delta, S_A0)

    def balance(V):
        return float(torque_per_sin2(1.0, V, T, T, Omega, h, 0.0, P, dynes, delta)) - S_A0 * Omega

    V_num = brentq(balance, 1e-4, 0.5, xtol=1e-12)
    assert abs(V_o - V_num) < 0.01 * V_num
    lr = linear_response_coefficients(T, h, 0.0, dynes, delta)
    leading = 2 * math.sqrt((S_A0 + lr["G"] / 4) * Omega / lr["alpha_minus_20"])
    assert abs(V_o - leading) < 0.05 * leading


def test_critical_thermal_bias_matches_nonlinear_torque():
    """δT_o of Sec. IV B equals the δT where the nonlinear τ_z/sin²θ(θ → 0) − S A0 Ω changes sign."""
    from scipy.optimize import brentq

    from fastspin.physics.fis import critical_thermal_bias, torque_per_sin2

    T, h, h_angle, P, dynes, S_A0, Omega = 0.5 * Tc, 0.3, 0.0, 1.0, 1e-3, 0.02, 2e-3
    delta = float(resolve_gap(T, h, np.nan))
    dT_o = critical_thermal_bias(Omega, T, h, h_angle, dynes, delta, S_A0)
    alpha = linear_response_coefficients(T, h, h_angle, dynes, delta)["alpha"]
    sign = math.copysign(1.0, alpha)

    def balance(dT):  # T_S = T + δT/2, T_F = T − δT/2
        tau = torque_per_sin2(1.0, 0.0, T + dT / 2, T - dT / 2, Omega, h, h_angle, P, dynes, delta)
        return float(tau) - S_A0 * Omega

    dT_num = brentq(balance, 0.0, sign * 0.2, xtol=1e-12)
    assert abs(sign * dT_num - dT_o) < 0.01 * dT_o


def test_precession_angles_voltage_window():
    """Torque balance (Sec. IV B, Fig. 5(a) parameters, T = 0.5 Tc, Ω = 0.3, P = 1, S A0 = 0):
    a voltage window with a stable 0 < θ* < π that moves from 0 towards π as |V| grows;
    at V = 0 only θ = 0 is stable.  With Eq. (5) as printed the window is at V < 0 for h·ẑ > 0.
    """
    from fastspin.physics.fis import precession_angles, torque_per_sin2

    T, h, Omega = 0.5 * Tc, 0.3, 0.3
    delta = float(resolve_gap(T, h, np.nan))
    assert precession_angles(0.0, T, T, Omega, h, 0.0, 1.0, 1e-3, delta, n_grid=33) == [
        (0.0, True), (math.pi, False)]
    angles = []
    for V in (-0.42, -0.5, -0.58):
        found = precession_angles(V, T, T, Omega, h, 0.0, 1.0, 1e-3, delta, n_grid=33)
        interior = [(t, s) for t, s in found if 0 < t < math.pi]
        assert len(interior) == 1 and interior[0][1], found
        theta_star = interior[0][0]
        assert abs(float(torque_per_sin2(math.cos(theta_star), V, T, T, Omega, h, 0.0, 1.0,
                                         1e-3, delta))) < 1e-8
        angles.append(theta_star)
    assert angles[0] < angles[1] < angles[2]


def test_fmr_balance_solves_the_nonlinear_open_circuit():
    """Eq. (16): at small θ, (V, δT) ∝ θ² make the nonlinear I_c and Ė_F + λ P_G vanish to
    O(θ⁴), with T_S = T fixed (S is the reservoir) and T_F = T − δT."""
    from fastspin.physics.fis import fmr_response

    T, h, h_angle, P, dynes, S_A0, lam, Omega = 0.3, 0.3, math.pi, 0.7, 1e-3, 0.1, 0.5, 0.2
    delta = float(resolve_gap(T, h, np.nan))
    theta = 0.02
    fmr = fmr_response(Omega, T, h, h_angle, P, dynes, delta, S_A0, lam)
    V, dT = fmr["V_per_theta2"] * theta**2, fmr["dT_per_theta2"] * theta**2
    out = fis_currents(V, h, h_angle, P, theta, Omega, T, T - dT, dynes, delta)
    G = linear_response_coefficients(T, h, h_angle, dynes, delta)["G"]
    P_G = S_A0 * Omega**2 * math.sin(theta) ** 2
    assert abs(float(out["I_charge"])) < 1e-2 * abs(G * V)
    assert abs(float(out["heat_F"]) + lam * P_G) < 1e-2 * abs(float(out["heat_S"]))
    # and without the balance the currents are not small: the test has teeth
    off = fis_currents(0.0, h, h_angle, P, theta, Omega, T, T, dynes, delta)
    assert abs(float(off["heat_F"]) + lam * P_G) > 0.3 * abs(float(out["heat_S"]))


def test_fmr_small_omega_and_normal_state_limits():
    """Eq. (17) is the Ω → 0 limit of Eq. (16); Eq. (18) is its normal-state value; F is cooled
    for α > 0 (h·ẑ < 0); at the damping of Fig. 4 the induced δT vanishes."""
    from fastspin.physics.fis import fmr_response, max_damping_for_refrigeration

    T, h, P, dynes = 0.3, 0.3, 1.0, 1e-3
    delta = float(resolve_gap(T, h, np.nan))
    small = fmr_response(2e-3, T, h, math.pi, P, dynes, delta)
    assert abs(small["dT_per_theta2"] / small["dT_per_theta2_small_omega"] - 1) < 5e-3
    assert abs(small["V_per_theta2"] / small["V_per_theta2_small_omega"] - 1) < 5e-3
    assert small["dT_per_theta2"] > 0  # δT = T_S − T_F > 0: F refrigerated for h·ẑ < 0
    assert fmr_response(2e-3, T, h, 0.0, P, dynes, delta)["dT_per_theta2"] < 0
    for lam, S_A0 in ((0.0, 0.0), (1.0, 0.3)):
        normal = fmr_response(0.4, T, h, math.pi, P, dynes, 0.0, S_A0, lam)
        assert abs(normal["dT_per_theta2"] - normal["dT_per_theta2_normal"]) < 1e-9
        assert abs(normal["V_per_theta2"]) < 1e-9
    Omega = 0.1
    limit = max_damping_for_refrigeration(Omega, T, h, math.pi, P, dynes, delta)
    assert limit > 0
    at_limit = fmr_response(Omega, T, h, math.pi, P, dynes, delta, S_A0=limit, heating_fraction=1.0)
    assert abs(at_limit["dT_per_theta2"]) < 1e-9


# -- counting statistics ---------------------------------------------------------------------------


def test_cumulants_reproduce_currents_and_torque_noise():
    """−i∂s_T = (I_c, Ė_S, Ė_F, 2τ_z) (Sec. V) and D = −(1/8)∂²_φq s_T csc²θ from the moments;
    the χ-derivative of the complex s_T by finite differences gives I_c too."""
    from fastspin.physics.fis import cumulant_generating_function, cumulants

    point = REFERENCE_POINTS[2]
    stats = cumulants(**point)
    out = fis_currents(**point)
    expected = [out["I_charge"], out["heat_S"], out["heat_F"], 2 * out["torque_z"]]
    np.testing.assert_allclose(stats["mean"], np.array(expected, float), rtol=1e-7, atol=1e-10)
    D = stats["covariance"][3, 3] / (8 * math.sin(point["theta"]) ** 2)
    assert abs(D - float(out["torque_noise"])) < 1e-7 * abs(D)
    assert np.all(np.linalg.eigvalsh(stats["covariance"]) > -1e-12)  # a covariance matrix
    step = 1e-4
    rest = {k: v for k, v in point.items()}
    derivative = (cumulant_generating_function(step, 0.0, 0.0, 0.0, 0.0, **rest)
                  - cumulant_generating_function(-step, 0.0, 0.0, 0.0, 0.0, **rest)) / (2 * step)
    assert abs((-1j * derivative).real - float(out["I_charge"])) < 1e-7
    second = (cumulant_generating_function(step, 0.0, 0.0, 0.0, 0.0, **rest) - 2 * cumulant_generating_function(0.0, 0.0, 0.0, 0.0, 0.0, **rest)
              + cumulant_generating_function(-step, 0.0, 0.0, 0.0, 0.0, **rest)) / step**2
    assert abs(-second.real - stats["covariance"][0, 0]) < 1e-5 * stats["covariance"][0, 0]


@pytest.mark.parametrize(("V", "Omega"), [(0.0, 0.3), (0.4, -0.7), (-1.2, 1.5)])
def test_fluctuation_relation(V, Omega):
    """Eq. (7) at T_S = T_F = T: s_T(χ = iV/T, φ_q = −iΩ/(2T)) = 0, while s_T at a generic
    imaginary source is not zero."""
    from fastspin.physics.fis import cumulant_generating_function

    T = 0.3
    args = dict(V=V, h=0.3, h_angle=1.0, P=0.6, theta=0.8, Omega=Omega, T_S=T, T_F=T, dynes=1e-3)
    zero = cumulant_generating_function(1j * V / T, 0.0, 0.0, -1j * Omega / (2 * T), 0.0, **args)
    generic = cumulant_generating_function(0.5j * V / T, 0.0, 0.0, -0.25j * Omega / T, 0.0, **args)
    assert abs(zero) < 1e-9 and abs(generic) > 1e-4


def _cgf_quad_reference(chi, xi_S, xi_F, phi_q, theta_q, V, h, h_angle, P, theta, Omega, T_S, T_F,
                       dynes, delta):
    """Eq. (20) of seed 000 written again term by term, complex quad per channel (σ, σ')."""
    b = xi_S - xi_F
    rate = min(1 / T_F + b.imag, 1 / T_S - b.imag)  # slowest decay of the counting integrand
    total = 0.0j
    for spin_s in (1.0, -1.0):
        for spin_f in (1.0, -1.0):
            omega_ss = 0.5 * (spin_s - spin_f * math.cos(theta)) * Omega
            mu = V + omega_ss
            lo, hi = min(0.0, mu) - 45 / rate, max(0.0, mu) + 45 / rate

            def integrand(e, spin_s=spin_s, spin_f=spin_f, omega_ss=omega_ss, mu=mu):
                n_s = sum(0.5 * (1 + br * spin_s * math.cos(h_angle)) * dynes_dos(e - br * h, delta, dynes)
                          for br in (1.0, -1.0))
                f_f, f_s = fermi(e - mu, T_F), fermi(e, T_S)
                forward, backward = f_f * fermi(-e, T_S), f_s * fermi(mu - e, T_F)
                eta = chi + e * xi_S - (e - mu) * xi_F - 2 * phi_q * omega_ss / Omega
                cc = spin_s * spin_f * math.cos(theta)
                braces = (0.5 * (np.cos(theta_q) + cc) * (np.exp(1j * eta) * forward + np.exp(-1j * eta) * backward)
                          - 0.5 * (1 + cc * np.cos(theta_q)) * (forward + backward))
                return 0.5 * (1 + spin_f * P) * n_s * braces

            edges = [br * h + sd * delta for br in (1, -1) for sd in (1, -1)]
            total += complex_piecewise_quad(integrand, lo, hi, graded(edges, dynes, reach=0.5) + [0.0, mu])
    return total


CGF_POINT = REFERENCE_POINTS[2]


def _cgf(*sources, point=CGF_POINT):
    from fastspin.physics.fis import cumulant_generating_function

    return cumulant_generating_function(*sources, **point)


def test_cgf_vanishes_at_zero_and_reduces_to_channel_rates():
    """s_T(0) = 0 exactly; at ξ_S = ξ_F = θ_q = 0, s_T = Σ_c R⁺(e^{iη} − 1) + R⁻(e^{−iη} − 1)
    with η_c = χ − φ_q(σ − σ' cos θ) from the channel rates (Eq. (20), η independent of ε)."""
    from fastspin.physics.fis import CHANNELS, channel_rates

    assert _cgf(0.0, 0.0, 0.0, 0.0, 0.0) == 0.0
    chi, phi_q = 0.7 - 0.3j, -0.4 + 0.2j
    rates = channel_rates(**CGF_POINT)
    expected = 0.0j
    for c, (spin_s, spin_f) in enumerate(CHANNELS):
        eta = chi - phi_q * (spin_s - spin_f * math.cos(CGF_POINT["theta"]))
        expected += rates[c, 0, 0] * (np.exp(1j * eta) - 1) + rates[c, 1, 0] * (np.exp(-1j * eta) - 1)
    assert abs(_cgf(chi, 0.0, 0.0, phi_q, 0.0) - expected) < 1e-9 * max(1.0, abs(expected))


def _taylor_on_circle(direction, radius=0.05, n=8):
    """First and second derivatives of s_T along ``direction`` (χ, ξ_S, ξ_F, φ_q, θ_q) at 0,
    from Cauchy's formula on a circle in the complex plane (exact up to O(radius^n))."""
    roots = np.exp(2j * np.pi * np.arange(n) / n)
    values = np.array([_cgf(*(radius * w * np.asarray(direction, float))) for w in roots])
    first = np.mean(values / roots) / radius
    second = 2 * np.mean(values / roots**2) / radius**2
    return first, second


def test_cgf_derivatives_are_the_cumulants_and_torque_noise():
    """−i∂_k s_T = mean_k and −∂_k∂_l s_T = covariance_kl of :func:`cumulants` in all four
    sources (χ, ξ_S, ξ_F, φ_q) of Eq. (20), and D = −(1/8)∂²_φq s_T csc²θ = −(1/8)∂²_θq s_T."""
    from fastspin.physics.fis import cumulants

    stats = cumulants(**CGF_POINT)
    unit = np.eye(5)
    seconds = {}
    for k in range(4):
        first, seconds[k, k] = _taylor_on_circle(unit[k])
        assert abs(-1j * first - stats["mean"][k]) < 1e-7 * max(1.0, abs(stats["mean"][k]))
    for k in range(4):
        for m in range(k + 1, 4):
            _, both = _taylor_on_circle(unit[k] + unit[m])
            seconds[k, m] = 0.5 * (both - seconds[k, k] - seconds[m, m])
    for (k, m), value in seconds.items():
        assert abs(-value - stats["covariance"][k, m]) < 1e-7 * max(1.0, abs(stats["covariance"][k, m]))
    D = float(fis_currents(**CGF_POINT)["torque_noise"])
    assert abs(-seconds[3, 3] / (8 * math.sin(CGF_POINT["theta"]) ** 2) - D) < 1e-7 * D
    _, second_theta_q = _taylor_on_circle(unit[4])
    assert abs(-second_theta_q / 8 - D) < 1e-7 * D


@pytest.mark.parametrize("sources", [
    (0.3 + 0.1j, 1.2 - 0.5j, -0.7 + 0.4j, 0.25 - 0.2j),
    (-0.8j, 0.3j, 1.1j, 0.6j),
    (1.0, 2.5, -1.5, -0.4),
])
def test_cgf_gallavotti_cohen_symmetry(sources):
    """s_T(χ, ξ_S, ξ_F, φ_q) = s_T(−χ, i/T_S − ξ_S, i/T_F − ξ_F, −φ_q) at θ_q = 0 for any V, Ω,
    T_S ≠ T_F: f_F(1 − f_S)/[f_S(1 − f_F)] = exp(ε/T_S − (ε − V − Ω_σσ')/T_F) swaps the two
    exponentials of Eq. (20)."""
    chi, xi_S, xi_F, phi_q = sources
    T_S, T_F = CGF_POINT["T_S"], CGF_POINT["T_F"]
    assert T_S != T_F and CGF_POINT["V"] != 0 and CGF_POINT["Omega"] != 0
    direct = _cgf(chi, xi_S, xi_F, phi_q, 0.0)
    mirrored = _cgf(-chi, 1j / T_S - xi_S, 1j / T_F - xi_F, -phi_q, 0.0)
    assert abs(direct) > 1e-3
    assert abs(direct - mirrored) < 1e-9 + 1e-6 * abs(direct)


@pytest.mark.parametrize(("sources", "point"), [
    ((0.3 + 0.1j, 1.3 + 2.0j, -0.8 + 0.5j, 0.25 - 0.2j, 0.4 + 0.1j), CGF_POINT),
    # fast oscillation: Re(ξ_S − ξ_F) = 20/min(T_S, T_F)
    ((0.2, 20 / REFERENCE_POINTS[1]["T_F"], 0.0, 0.1, 0.0), REFERENCE_POINTS[1]),
])
def test_cgf_agrees_with_quad_reference(sources, point):
    """s_T of Eq. (20) at complex sources vs scipy.integrate.quad, real and imaginary parts,
    to the engine's accuracy (1e-6 relative or 1e-9 absolute)."""
    value = _cgf(*sources, point=point)
    reference = _cgf_quad_reference(*sources, **point)
    for part in (lambda z: z.real, lambda z: z.imag):
        assert abs(part(value) - part(reference)) <= max(1e-6 * abs(part(reference)), 1e-9)


def test_cgf_rejects_divergent_sources():
    """Im(ξ_S − ξ_F) outside (−1/T_F, 1/T_S) makes the integral of Eq. (20) diverge."""
    T_S, T_F = CGF_POINT["T_S"], CGF_POINT["T_F"]
    with pytest.raises(ParameterError, match="xi_S"):
        _cgf(0.0, 1.01j / T_S, 0.0, 0.0, 0.0)
    with pytest.raises(ParameterError, match="xi_F"):
        _cgf(0.0, 0.0, 1.01j / T_F, 0.0, 0.0)


def test_figure_2_features():
    """Fig. 2 of seed 000 (V = 0, θ = π/8, P = 1, h = 0.3): (a) at T = 0.1 Tc the pumped charge
    current switches on at |Ω| ≈ Δ + h for h = +hẑ and at Δ − h for h = −hẑ; (b), (c) at
    T = 0.6 Tc and small Ω the precession cools F for h = −hẑ (α > 0) and S for h = +hẑ."""
    T = 0.1 * Tc
    Omega = np.array([0.3, 0.8, 0.9, 1.5, 2.0])
    up = fis_currents(0.0, 0.3, 0.0, 1.0, math.pi / 8, Omega, T, T, 1e-4)["I_charge"]
    down = fis_currents(0.0, 0.3, math.pi, 1.0, math.pi / 8, Omega, T, T, 1e-4)["I_charge"]
    assert np.all(np.abs(up[:3]) < 1e-3 * abs(up[-1])) and abs(up[3]) > 0.05 * abs(up[-1])
    assert abs(down[0]) < 1e-3 * abs(down[-1]) and np.all(np.abs(down[2:]) > 0.05 * abs(down[-1]))
    T = 0.6 * Tc
    cool_F = fis_currents(0.0, 0.3, math.pi, 1.0, math.pi / 8, 0.3, T, T, 1e-4)
    cool_S = fis_currents(0.0, 0.3, 0.0, 1.0, math.pi / 8, 0.3, T, T, 1e-4)
    assert cool_F["heat_F"] < 0 < cool_F["heat_S"]
    assert cool_S["heat_S"] < 0 < cool_S["heat_F"]


def test_noise_by_detailed_balance_is_continuous():
    """At T_S = T_F the noise rows use (f_F − f_S)/tanh(μ/2T); a 1e-9 relative temperature
    difference switches to the direct MODE_NOISE rows and must give the same D."""
    point = REFERENCE_POINTS[4]
    equal = fis_currents(**point)["torque_noise"]
    apart = fis_currents(**(point | {"T_F": point["T_S"] * (1 + 1e-9)}))["torque_noise"]
    assert abs(float(equal) - float(apart)) < 1e-7 * abs(float(equal))


def test_random_points_across_the_stated_range_agree_with_quad():
    """24 seeded random points: Γ ∈ [1e-5, 1e-1], T_S, T_F ∈ [0.01, 1] Tc, |V|, |Ω| ≤ 4,
    |h| ≤ 0.6, any θ, θ_h, P: every output within 1e-6 relative or 1e-9 absolute of quad."""
    rng = np.random.default_rng(20260)
    for _ in range(24):
        point = _point(V=rng.uniform(-4, 4), h=rng.uniform(-0.6, 0.6), h_angle=rng.uniform(0, math.pi),
                       P=rng.uniform(-1, 1), theta=rng.uniform(0, math.pi), Omega=rng.uniform(-4, 4),
                       T_S=Tc * 10 ** rng.uniform(-2, 0), T_F=Tc * 10 ** rng.uniform(-2, 0),
                       dynes=10 ** rng.uniform(-5, -1))
        fast = fis_currents(**point)
        with warnings.catch_warnings():  # QAGS may warn on the tiny tail panels; values are checked
            warnings.simplefilter("ignore")
            reference = quad_reference(**point)
        for name in OUTPUTS:
            value, ref = float(fast[name]), reference[name]
            assert abs(value - ref) <= max(RTOL * abs(ref), ATOL), (name, value, ref, point)


def test_fis_response_model():
    """The sweepable ``fis_response`` model returns the functions' values; F can be refrigerated
    by FMR only for h·ẑ < 0 (Fig. 4: λ S A0_max > 0), V_o exists only for α⁻_{2,0} > 0 (h·ẑ > 0);
    Ω = 0 is refused."""
    from fastspin.physics.fis import fmr_response, max_damping_for_refrigeration, onset_voltage

    ds = fastspin.evaluate("fis_response", h_angle=[0.0, math.pi], Omega=[0.05, 0.3], T="0.5 Tc",
                           dynes=1e-3, S_A0=0.05)
    T = 0.5 * Tc
    delta = float(resolve_gap(T, 0.3, np.nan))
    for i, h_angle in enumerate((0.0, math.pi)):
        for j, Omega in enumerate((0.05, 0.3)):
            assert ds.max_damping_refrigeration.values[i, j] == pytest.approx(
                max_damping_for_refrigeration(Omega, T, 0.3, h_angle, 1.0, 1e-3, delta), rel=1e-12)
            assert ds.fmr_dT_per_theta2.values[i, j] == pytest.approx(
                fmr_response(Omega, T, 0.3, h_angle, 1.0, 1e-3, delta, 0.05)["dT_per_theta2"], rel=1e-12)
            expected_onset = onset_voltage(Omega, T, 0.3, h_angle, 1.0, 1e-3, delta, 0.05)
            np.testing.assert_equal(np.isnan(ds.V_onset.values[i, j]), math.isnan(expected_onset))
    assert np.all(ds.max_damping_refrigeration.values[1] > 0)
    assert np.all(ds.max_damping_refrigeration.values[0] < 0)
    assert np.all(np.isfinite(ds.V_onset.values[0])) and np.all(np.isnan(ds.V_onset.values[1]))
    with pytest.raises(ParameterError, match="Omega"):
        fastspin.evaluate("fis_response", Omega=0.0)
