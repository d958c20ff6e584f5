r"""Thermally induced spin-transfer torques of a conducting ferromagnet (Kohno et al.).

Numerics for Kohno, Hiraoka, Hatami & Bauer, *Microscopic calculation of
thermally-induced spin-transfer torques*: the s-d model with a parabolic band,
spin-σ kinetic energy E_σ(ε) = ε_F + ε + σM at energy ε measured from the chemical
potential μ = ε_F (σ = +1 majority ↑, −1 minority ↓).

Energy-resolved model, in reduced form (every energy in one unit, called eV below;
the model is covariant under a change of that unit):

* ν̂_σ = √E_σ, n̂_σ = E_σ^{3/2}: density of states and density of spin σ in units of
  ν_1 = (3/2) n_1/eV and n_1 = (2m·eV)^{3/2}/(6π²ħ³), the one-spin density at 1 eV
  kinetic energy (zero below the band edge E_σ = 0);
* Eq. (11): γ_σ = ħ/2τ_σ = γ_n ν̂_σ + γ_m (ν̂_σ + 2ν̂_σ̄), with γ_n = π n_i u_i² ν_1 and
  γ_m = (π/3) n_s u_s² S_imp² ν_1 (broadenings at 1 eV kinetic energy);
* Eq. (61): σ_s = (e²/m)(n_↑τ_↑ − n_↓τ_↓) = (ħe²n_1/(2m eV)) Σ_σ σ n̂_σ/γ_σ, and
  σ_c the same with + (open-circuit charge conductivity, Sec. VIII);
* Eq. (58): A(ε) = (ħ/2e) σ_s(ε) = U Â, Â = Σ_σ σ n̂_σ/γ_σ, with the unit
  U = ħ² e n_1/(4 m eV); B − C = β A;
* Eq. (62): β(ε) = (2π/3) n_s u_s² S_imp² (ν_↑ + ν_↓)/M = 2γ_m(ν̂_↑ + ν̂_↓)/M;
* Eq. (38) in the clean limit (lowest order in γ, as the paper):
  C(ε) = (1/4m)[ν_↑ + ν_↓ − (n_↑ − n_↓)/M] = U Ĉ, Ĉ = (3/2)(ν̂_↑ + ν̂_↓) − (n̂_↑ − n̂_↓)/M
  (from G_↑G_↓ = (G_↓ − G_↑)/2M and Σ_k (v²/3) Im G^R_σ = −π n_σ/m).

Thermal integrals (Eqs. (42)–(43), (56)–(60)), with −∂f/∂ε at temperature T:
a = A_0, b = B_0 − C_0 = ∫(−f')βA, a_T = A_1 = ∫(−f')εA, b_T = B_1 − C_1 = ∫(−f')εβA,
C_1 = ∫(−f')εC and the Fermi-sea constant c = ∫ f C of Eq. (43); the naive (Luttinger,
Eq. (45)) coefficient is b_T + c.

Quadrature: in x = ε/T on [max(−40, x_band bottom), 40] (−f' < e^{−40} outside),
panels no wider than 4 (the poles of f, at x = iπ(2k+1), are ≥ π/2 half-widths
away), a breakpoint at x = 0 (where f − θ(−ε) jumps in the Fermi-sea integral) and
panels graded geometrically
(first width 1e−9, ratio 2) up from every band edge E_σ = 0 inside the window (the √E
edges); 20-point Gauss–Legendre per panel.  c = ∫_{−∞}^0 C (closed form) +
∫ [f(ε) − θ(−ε)] C(ε) dε (quadrature).

Accuracy (``tests/test_texture.py`` against ``scipy.integrate.quad``): a, b, c to 1e-11
relative; a_T, b_T, C_1 to 1e-11 of ∫(−f')|ε||integrand| (they are small differences
of odd parts), for k_B T from 5e-4 to 0.1 of the distance from μ to the nearest band
edge.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastspin.kernels.quadrature_1d import (
    GL_NODES,
    GL_WEIGHTS,
    graded_breakpoints,
    merge_breakpoints,
    panel_rule,
    uniform_breakpoints,
)

# columns of spin_band_functions' output
F_A = 0  # Â = Σσ σ n̂σ/γσ  (∝ σ_s)
F_DA = 1  # dÂ/dε
F_SC = 2  # σ̂_c = Σσ n̂σ/γσ
F_DSC = 3
F_BETA = 4  # β(ε)
F_DBETA = 5
F_C = 6  # Ĉ(ε)
N_F = 7


@njit(cache=True, nogil=True)
def _band(kinetic: float) -> tuple[float, float, float, float]:
    """(ν̂, dν̂/dE, n̂, dn̂/dE) of one parabolic band at kinetic energy E (0 below the edge)."""
    if kinetic <= 0.0:
        return 0.0, 0.0, 0.0, 0.0
    root = math.sqrt(kinetic)
    return root, 0.5 / root, kinetic * root, 1.5 * root


@njit(cache=True, nogil=True)
def spin_band_functions(
    energy: float, eps_f: float, exchange: float, gamma_n: float, gamma_m: float, out: np.ndarray
) -> None:
    """Energy-resolved Â, σ̂_c, β, Ĉ and ε-derivatives at ε = ``energy`` (columns F_*).

    Eqs. (11), (38), (58), (61), (62) of Kohno et al. in the reduced units of the module
    docstring.  Exact (closed form).
    """
    nu_u, dnu_u, n_u, dn_u = _band(eps_f + energy + exchange)
    nu_d, dnu_d, n_d, dn_d = _band(eps_f + energy - exchange)
    g_u = (gamma_n + gamma_m) * nu_u + 2.0 * gamma_m * nu_d
    g_d = (gamma_n + gamma_m) * nu_d + 2.0 * gamma_m * nu_u
    dg_u = (gamma_n + gamma_m) * dnu_u + 2.0 * gamma_m * dnu_d
    dg_d = (gamma_n + gamma_m) * dnu_d + 2.0 * gamma_m * dnu_u
    r_u = 0.0
    dr_u = 0.0
    if n_u > 0.0:
        r_u = n_u / g_u
        dr_u = dn_u / g_u - n_u * dg_u / (g_u * g_u)
    r_d = 0.0
    dr_d = 0.0
    if n_d > 0.0:
        r_d = n_d / g_d
        dr_d = dn_d / g_d - n_d * dg_d / (g_d * g_d)
    out[F_A] = r_u - r_d
    out[F_DA] = dr_u - dr_d
    out[F_SC] = r_u + r_d
    out[F_DSC] = dr_u + dr_d
    out[F_BETA] = 2.0 * gamma_m * (nu_u + nu_d) / exchange
    out[F_DBETA] = 2.0 * gamma_m * (dnu_u + dnu_d) / exchange
    out[F_C] = 1.5 * (nu_u + nu_d) - (n_u - n_d) / exchange


@njit(cache=True, nogil=True)
def fermi_sea_zero_temperature(eps_f: float, exchange: float) -> float:
    """∫_{−∞}^0 Ĉ(ε) dε in closed form: c at T = 0 (electron exchange stiffness, App. C).

    = n̂_↑ + n̂_↓ − (2/5)(E_↑^{5/2} − E_↓^{5/2})/M at E_σ = max(ε_F + σM, 0).
    """
    e_u = max(eps_f + exchange, 0.0)
    e_d = max(eps_f - exchange, 0.0)
    return e_u**1.5 + e_d**1.5 - 0.4 * (e_u**2.5 - e_d**2.5) / exchange


@njit(cache=True, nogil=True)
def texture_rule(eps_f: float, exchange: float, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes x_k = ε_k/T and weights for ∫ dx over the thermal window (see module docstring)."""
    lo = max(-40.0, -(eps_f + exchange) / temperature)
    hi = 40.0
    breaks = uniform_breakpoints(lo, hi, 4.0)
    breaks = merge_breakpoints(breaks, np.zeros(1), 1e-12)
    for edge in (-(eps_f + exchange) / temperature, (exchange - eps_f) / temperature):
        if lo <= edge < hi:
            graded = graded_breakpoints(edge, min(edge + 8.0, hi), 1e-9, 4.0, 2.0)
            breaks = merge_breakpoints(breaks, graded, 1e-12)
    return panel_rule(breaks, GL_NODES, GL_WEIGHTS)


# columns of texture_point's output
T_SIGMA_S = 0
T_SIGMA_C = 1
T_BETA = 2
T_A = 3
T_B = 4
T_A_T = 5
T_B_T = 6
T_A_T_MOTT = 7
T_B_T_MOTT = 8
T_C_SEA = 9
T_C_1 = 10
T_B_T_NAIVE = 11
T_TORQUE_AD = 12
T_TORQUE_DL = 13
T_TORQUE_DL_NAIVE = 14
T_BETA_T_CLOSED = 15
T_BETA_T_OPEN = 16
T_BETA_T_CLOSED_FULL = 17
T_BETA_T_OPEN_FULL = 18
T_C_ENERGY = 19
T_TORQUE_AD_OPEN = 20
T_TORQUE_DL_OPEN = 21
N_T = 22


@njit(cache=True, nogil=True)
def texture_point(
    eps_f: float,
    exchange: float,
    temperature: float,
    gamma_n: float,
    gamma_m: float,
    energy: float,
    out: np.ndarray,
) -> None:
    """All outputs of the ``texture`` model at one parameter point (columns T_*).

    Full thermal integrals (Eqs. (42), (43), (56)–(60)), Mott forms (Eqs. (65)–(66)),
    effective β_T for closed and open circuits (Eqs. (72), (74), Sommerfeld level, and
    the same ratios from the full integrals), and the naive Eq. (45) coefficient.
    """
    f = np.empty(N_F)
    spin_band_functions(energy, eps_f, exchange, gamma_n, gamma_m, f)
    out[T_SIGMA_S] = f[F_A]
    out[T_SIGMA_C] = f[F_SC]
    out[T_BETA] = f[F_BETA]
    out[T_C_ENERGY] = f[F_C]
    # Fermi-level values and derivatives for the Sommerfeld/Mott forms
    spin_band_functions(0.0, eps_f, exchange, gamma_n, gamma_m, f)
    a0 = f[F_A]
    da0 = f[F_DA]
    beta0 = f[F_BETA]
    dbeta0 = f[F_DBETA]
    sc0 = f[F_SC]
    dsc0 = f[F_DSC]
    sommerfeld = math.pi**2 / 3.0 * temperature**2
    out[T_A_T_MOTT] = sommerfeld * da0
    out[T_B_T_MOTT] = sommerfeld * (dbeta0 * a0 + beta0 * da0)
    out[T_BETA_T_CLOSED] = beta0 + dbeta0 * a0 / da0
    out[T_BETA_T_OPEN] = beta0 + dbeta0 / (da0 / a0 - dsc0 / sc0)
    # full thermal integrals
    x, w = texture_rule(eps_f, exchange, temperature)
    a = 0.0
    b = 0.0
    a_t = 0.0
    b_t = 0.0
    c_1 = 0.0
    sea = 0.0
    l0 = 0.0
    l1 = 0.0
    for k in range(x.size):
        eps = temperature * x[k]
        spin_band_functions(eps, eps_f, exchange, gamma_n, gamma_m, f)
        ax = abs(x[k])
        e = math.exp(-ax)
        minus_df = e / (1.0 + e) ** 2  # −∂f/∂x
        occupation = e / (1.0 + e)  # f − θ(−x): +f(x) for x > 0, −f(−x) for x < 0
        if x[k] < 0.0:
            occupation = -occupation
        wk = w[k] * minus_df
        ba = f[F_BETA] * f[F_A]
        a += wk * f[F_A]
        b += wk * ba
        a_t += wk * eps * f[F_A]
        b_t += wk * eps * ba
        c_1 += wk * eps * f[F_C]
        l0 += wk * f[F_SC]
        l1 += wk * eps * f[F_SC]
        sea += w[k] * occupation * f[F_C]
    c_sea = fermi_sea_zero_temperature(eps_f, exchange) + temperature * sea
    out[T_A] = a
    out[T_B] = b
    out[T_A_T] = a_t
    out[T_B_T] = b_t
    out[T_C_SEA] = c_sea
    out[T_C_1] = c_1
    out[T_B_T_NAIVE] = b_t + c_sea
    out[T_TORQUE_AD] = a_t / temperature
    out[T_TORQUE_DL] = b_t / temperature
    out[T_TORQUE_DL_NAIVE] = (b_t + c_sea) / temperature
    out[T_BETA_T_CLOSED_FULL] = b_t / a_t
    thermopower = l1 / l0  # e T S_c with the full integrals: open circuit E = −S_c ∇T
    out[T_TORQUE_AD_OPEN] = (a_t - a * thermopower) / temperature
    out[T_TORQUE_DL_OPEN] = (b_t - b * thermopower) / temperature
    out[T_BETA_T_OPEN_FULL] = (b_t - b * thermopower) / (a_t - a * thermopower)


@njit(cache=True, nogil=True)
def texture_block(
    eps_f: np.ndarray,
    exchange: np.ndarray,
    temperature: np.ndarray,
    gamma_n: np.ndarray,
    gamma_m: np.ndarray,
    energy: np.ndarray,
) -> np.ndarray:
    """:func:`texture_point` over 1-D parameter arrays of one length; returns (n, N_T)."""
    n = eps_f.size
    out = np.empty((n, N_T))
    for i in range(n):
        texture_point(eps_f[i], exchange[i], temperature[i], gamma_n[i], gamma_m[i], energy[i], out[i])
    return out


__all__ = [
    "spin_band_functions",
    "fermi_sea_zero_temperature",
    "texture_rule",
    "texture_point",
    "texture_block",
    "N_F",
    "N_T",
]
