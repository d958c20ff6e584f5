r"""Magnon spin and heat transfer across a normal-metal / ferromagnetic-insulator interface.

Numerics for Bender and Tserkovnyak (2015) (Bender & Tserkovnyak, *Interfacial spin and heat transfer
between metals and magnetic insulators*): the Bose-function integrals of Eqs. (2)–(3),

.. math::

    I_M(\mu_{ab}) = \int_0^\infty d\epsilon\, \sqrt{\epsilon}\, (E - \mu_{ab})
        \{ n[(E-\mu)/T] - n[(E-\mu_{ab})/T'] \},\qquad E = \epsilon + \hbar\Omega,

    I_N(\mu_{ab}) = \int_0^\infty d\epsilon\, \sqrt{\epsilon}\, E\,(E - \mu_{ab})
        \{ n[(E-\mu)/T] - n[(E-\mu_{ab})/T'] \},

so that, for the quadratic dispersion ε_q = A q² with density of states
g(ε) = √ε / (4π² A^{3/2}),  M_ab = g_r/(4π s) · g0 · I_M(μ_ab) and
N_ab = g_r/(4π ħ s) · g0 · I_N(μ_ab) with g0 = 1/(4π² A^{3/2}); the thermal magnon
density  n = g0 ∫ √ε n[(E−μ)/T];  and the equilibrium (T' = T, μ = μ' = 0)
derivative integrals behind g, S, Π, κ of Eqs. (4)–(5).

Units are the caller's: every energy (ħΩ, μ, μ_ab, k_B T, k_B T') in one unit; the
model layer uses meV and nm (see :mod:`fastspin.models.magnon`).

Quadrature: the substitution ε = u² removes the √ε edge (dε √ε = 2u² du), so that a
gapless (ħΩ = μ) Bose function, n ∝ T/ε, also gives a bounded, analytic integrand.
Panels are graded geometrically in u from 0 (first width 0.1·√(ħΩ − μ), the scale of
the Bose function near the band bottom), then uniform in ε with width 4·T_min up to
ε = max(0, μ_ab − ħΩ) + 50·T_min and width 4·T_max up to 50·T_max beyond that; every
Bose-function pole (ε = μ − ħΩ + 2πikT) is then at least π panel half-widths away.
20-point Gauss–Legendre per panel.

Accuracy (``tests/test_magnon.py`` against ``scipy.integrate.quad``): each integral
agrees with the reference to 1e-10 relative to the integral of the absolute value of
its integrand (|I − I_ref| ≤ 1e-10 · ∫|integrand|), for T, T' from 1e-3 to 1e3 in the
energy unit, ħΩ − μ from 0 to 10 T and |μ_ab| up to 10 T'.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastspin.kernels.distributions import bose, bose_derivative, x_bose
from fastspin.kernels.quadrature_1d import (
    GL_NODES,
    GL_WEIGHTS,
    graded_breakpoints,
    merge_breakpoints,
    panel_rule,
    uniform_breakpoints,
)

#: Riemann ζ(3/2), for the Bloch-law Curie temperature.
ZETA_3_2 = 2.612375348685488343348567567924


@njit(cache=True, nogil=True)
def magnon_dos_prefactor(stiffness: float) -> float:
    """g0 = 1/(4π² A^{3/2}): g(ε) = g0 √ε for ε_q = A q² (states per volume per energy)."""
    return 1.0 / (4.0 * math.pi**2 * stiffness**1.5)


@njit(cache=True, nogil=True)
def bloch_curie_temperature(stiffness: float, spin_density: float) -> float:
    """T_c at which the gapless thermal magnon density equals s (Bloch T^{3/2} law).

    n(T) = ζ(3/2) (T/A)^{3/2} / (8 π^{3/2}) for ε_q = A q², ħΩ = μ = 0; so
    T_c = A (8 π^{3/2} s / ζ(3/2))^{2/3} and n/s = (T/T_c)^{3/2} exactly.
    """
    return stiffness * (8.0 * math.pi**1.5 * spin_density / ZETA_3_2) ** (2.0 / 3.0)


@njit(cache=True, nogil=True)
def magnon_rule(
    gap: float, mu: float, mu_ab_max: float, t_magnon: float, t_electron: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ε_k and weights W_k with Σ W_k F(ε_k) ≈ ∫_0^∞ √ε F(ε) dε.

    For integrands built from n[(ε + ħΩ − μ)/T] and n[(ε + ħΩ − μ_ab)/T'] with
    μ ≤ ħΩ and μ_ab ≤ mu_ab_max; see the module docstring for the panels.
    """
    t_min = min(t_magnon, t_electron)
    t_max = max(t_magnon, t_electron)
    delta = gap - mu
    u1 = math.sqrt(t_min)
    first = 0.1 * min(math.sqrt(delta), u1) if delta > 0.0 else 0.25 * u1
    first = max(first, 1e-8 * u1)
    part_a = graded_breakpoints(0.0, u1, first, 0.5 * u1, 2.0)
    shift = max(0.0, mu_ab_max - gap)
    eps_a = shift + 50.0 * t_min
    eps_b = max(shift + 50.0 * t_max, eps_a)
    part_b = np.sqrt(uniform_breakpoints(t_min, eps_a, 4.0 * t_min))
    part_c = np.sqrt(uniform_breakpoints(eps_a, eps_b, 4.0 * t_max))
    breaks = merge_breakpoints(part_a, np.concatenate((part_b, part_c)), 1e-12 * u1)
    u, w = panel_rule(breaks, GL_NODES, GL_WEIGHTS)
    eps = u * u
    weight = 2.0 * u * u * w
    return eps, weight


@njit(cache=True, nogil=True)
def transfer_integrals(
    eps: np.ndarray,
    weight: np.ndarray,
    gap: float,
    mu: float,
    mu_ab: float,
    t_magnon: float,
    t_electron: float,
) -> tuple[float, float, float, float]:
    """I_M, I_N of Eqs. (2)–(3) of Bender and Tserkovnyak (2015) and the integrals of their |integrands|.

    Returns (I_M, I_N, ∫√ε|E−μ_ab|(n1+|n2|), ∫√ε E|E−μ_ab|(n1+|n2|)); the last two
    set the scale of the stated absolute accuracy 1e-10.
    """
    i_m = 0.0
    i_n = 0.0
    s_m = 0.0
    s_n = 0.0
    delta = gap - mu  # ε + (ħΩ − μ), not (ε + ħΩ) − μ: no cancellation near ε = 0
    for k in range(eps.size):
        energy = eps[k] + gap
        x = energy - mu_ab
        term_magnon = x * bose(eps[k] + delta, t_magnon)
        term_electron = x_bose(x, t_electron)
        diff = term_magnon - term_electron
        absum = abs(term_magnon) + abs(term_electron)
        i_m += weight[k] * diff
        i_n += weight[k] * energy * diff
        s_m += weight[k] * absum
        s_n += weight[k] * energy * absum
    return i_m, i_n, s_m, s_n


@njit(cache=True, nogil=True)
def density_integral(
    eps: np.ndarray, weight: np.ndarray, gap: float, mu: float, t_magnon: float
) -> float:
    """∫_0^∞ √ε n[(ε + ħΩ − μ)/T] dε (thermal magnon density / g0)."""
    total = 0.0
    delta = gap - mu
    for k in range(eps.size):
        total += weight[k] * bose(eps[k] + delta, t_magnon)
    return total


@njit(cache=True, nogil=True)
def response_integrals(
    eps: np.ndarray, weight: np.ndarray, gap: float, temperature: float
) -> tuple[float, float, float, float]:
    """Equilibrium (T' = T, μ = μ' = 0) derivative integrals J_pq = ∫√ε E^p (E/T)^q (−∂n/∂E).

    Returns (J_10, J_11, J_20, J_21): with C = g_r g0/(4π s),
    g = 4C J_10 (= 4 ∂_μ M_++), S = 4C J_11 (= 4 ∂_T M_++), Π = 4C J_20/ħ (= 4 ∂_μ N_++),
    κ = 4C J_21/ħ (= 4 ∂_T N_++); Eqs. (4)–(5) of Bender and Tserkovnyak (2015).
    """
    j10 = 0.0
    j11 = 0.0
    j20 = 0.0
    j21 = 0.0
    for k in range(eps.size):
        energy = eps[k] + gap
        dn = -bose_derivative(energy, temperature)
        ratio = energy / temperature
        j10 += weight[k] * energy * dn
        j11 += weight[k] * energy * ratio * dn
        j20 += weight[k] * energy * energy * dn
        j21 += weight[k] * energy * energy * ratio * dn
    return j10, j11, j20, j21


# -- the block evaluator: columns of the output table ---------------------------------
OUT_SPIN_LONG = 0
OUT_SPIN_DL = 1
OUT_SPIN_FL = 2
OUT_HEAT = 3
OUT_M_PP = 4
OUT_M_MM = 5
OUT_M_PM = 6
OUT_M_MP = 7
OUT_N_PP = 8
OUT_N_MM = 9
OUT_N_PM = 10
OUT_N_MP = 11
OUT_DENSITY = 12
OUT_G_R_TILDE = 13
OUT_G_I_TILDE = 14
OUT_G = 15
OUT_SEEBECK = 16
OUT_KAPPA = 17
OUT_PELTIER = 18
OUT_G_R_EFF = 19
OUT_G_I_EFF = 20
OUT_ALPHA_R = 21
OUT_ALPHA_I = 22
OUT_TC = 23
N_OUT = 24


@njit(cache=True, nogil=True)
def magnon_point(
    g_r: float,
    g_i: float,
    spin_density: float,
    gap: float,
    stiffness: float,
    t_magnon: float,
    t_electron: float,
    mu: float,
    mu_s: float,
    n_dot_n_prime: float,
    d_f: float,
    out: np.ndarray,
) -> None:
    """All outputs of the ``magnon`` model at one parameter point (see the OUT_* columns).

    Spin currents (Eqs. (1)–(2) of Bender and Tserkovnyak (2015)) are densities in units of ħ per area per
    time, heat current (Eq. (3)) energy per area per time, with ħ = k_B = 1.
    Linear-response coefficients (Eqs. (4)–(5)) are evaluated in equilibrium at the
    magnon temperature T (T' = T, μ = μ' = 0).
    """
    g0 = magnon_dos_prefactor(stiffness)
    pref = g_r * g0 / (4.0 * math.pi * spin_density)
    # --- nonlinear currents, Eqs. (1)-(3) ---
    mu_ab_max = max(mu_s, -mu_s, 0.0)
    eps, weight = magnon_rule(gap, mu, mu_ab_max, t_magnon, t_electron)
    m_ab = np.empty(4)  # ++, --, +-, -+
    n_ab = np.empty(4)
    i_m0, i_n0, _, _ = transfer_integrals(eps, weight, gap, mu, 0.0, t_magnon, t_electron)
    i_mp, i_np, _, _ = transfer_integrals(eps, weight, gap, mu, mu_s, t_magnon, t_electron)
    i_mm, i_nm, _, _ = transfer_integrals(eps, weight, gap, mu, -mu_s, t_magnon, t_electron)
    m_ab[0] = pref * i_m0
    m_ab[1] = pref * i_m0
    m_ab[2] = pref * i_mp
    m_ab[3] = pref * i_mm
    n_ab[0] = pref * i_n0
    n_ab[1] = pref * i_n0
    n_ab[2] = pref * i_np
    n_ab[3] = pref * i_nm
    density = g0 * density_integral(eps, weight, gap, mu, t_magnon)
    n_over_s = density / spin_density
    g_r_tilde = (1.0 - 2.0 * n_over_s) * g_r
    g_i_tilde = (1.0 - n_over_s) * g_i
    sin_theta = math.sqrt(max(0.0, 1.0 - n_dot_n_prime * n_dot_n_prime))
    long_sum = 0.0
    trans_sum = 0.0
    heat_sum = 0.0
    signs_a = (1.0, -1.0, 1.0, -1.0)
    signs_b = (1.0, -1.0, -1.0, 1.0)
    for j in range(4):
        a = signs_a[j]
        b = signs_b[j]
        angular = (1.0 - a * n_dot_n_prime) * (1.0 + b * n_dot_n_prime)
        long_sum += m_ab[j] * angular
        trans_sum += m_ab[j] * (0.5 * a - 0.5 * b + a * b * n_dot_n_prime)
        heat_sum += n_ab[j] * angular
    out[OUT_SPIN_LONG] = long_sum
    out[OUT_SPIN_DL] = g_r_tilde * mu_s * sin_theta / (4.0 * math.pi) + trans_sum * sin_theta
    out[OUT_SPIN_FL] = g_i_tilde * mu_s * sin_theta / (4.0 * math.pi)
    out[OUT_HEAT] = -heat_sum
    for j in range(4):
        out[OUT_M_PP + j] = m_ab[j]
        out[OUT_N_PP + j] = n_ab[j]
    out[OUT_DENSITY] = density
    out[OUT_G_R_TILDE] = g_r_tilde
    out[OUT_G_I_TILDE] = g_i_tilde
    # --- linear response in equilibrium at T, Eqs. (4)-(5) ---
    eps_eq, weight_eq = magnon_rule(gap, 0.0, 0.0, t_magnon, t_magnon)
    j10, j11, j20, j21 = response_integrals(eps_eq, weight_eq, gap, t_magnon)
    out[OUT_G] = 4.0 * pref * j10
    out[OUT_SEEBECK] = 4.0 * pref * j11
    out[OUT_PELTIER] = 4.0 * pref * j20
    out[OUT_KAPPA] = 4.0 * pref * j21
    n_eq_over_s = g0 * density_integral(eps_eq, weight_eq, gap, 0.0, t_magnon) / spin_density
    # 4π Σ_ab ∂_μ' M_ab (a/2 − b/2 + ab n·n') = 4π (−K(1 − n·n') − K(1 + n·n')) = −8πK,
    # with K = −∂M_+-/∂μ' = pref·J_10 (the n·n' dependence cancels exactly).
    g_r_eff = (1.0 - 2.0 * n_eq_over_s) * g_r - 8.0 * math.pi * pref * j10
    g_i_eff = (1.0 - n_eq_over_s) * g_i
    out[OUT_G_R_EFF] = g_r_eff
    out[OUT_G_I_EFF] = g_i_eff
    s_reduced = spin_density * (1.0 - n_eq_over_s)
    out[OUT_ALPHA_R] = g_r_eff / (4.0 * math.pi * s_reduced * d_f)
    out[OUT_ALPHA_I] = g_i_eff / (4.0 * math.pi * s_reduced * d_f)
    out[OUT_TC] = bloch_curie_temperature(stiffness, spin_density)


@njit(cache=True, nogil=True)
def magnon_block(
    g_r: np.ndarray,
    g_i: np.ndarray,
    spin_density: np.ndarray,
    gap: np.ndarray,
    stiffness: np.ndarray,
    t_magnon: np.ndarray,
    t_electron: np.ndarray,
    mu: np.ndarray,
    mu_s: np.ndarray,
    n_dot_n_prime: np.ndarray,
    d_f: np.ndarray,
) -> np.ndarray:
    """:func:`magnon_point` over 1-D parameter arrays of one length; returns (n, N_OUT)."""
    n = g_r.size
    out = np.empty((n, N_OUT))
    for i in range(n):
        magnon_point(
            g_r[i], g_i[i], spin_density[i], gap[i], stiffness[i], t_magnon[i],
            t_electron[i], mu[i], mu_s[i], n_dot_n_prime[i], d_f[i], out[i],
        )
    return out


__all__ = [
    "ZETA_3_2",
    "magnon_dos_prefactor",
    "bloch_curie_temperature",
    "magnon_rule",
    "transfer_integrals",
    "density_integral",
    "response_integrals",
    "magnon_point",
    "magnon_block",
    "N_OUT",
]
