"""Compiled kernels of the non-equilibrium spin-torque quantum dot (Ludwig et al.).

Ludwig et al. is Ludwig, Burmistrov, Gefen, Shnirman, *Strong non-equilibrium effects in
spin torque systems*.  A ferromagnetic quantum dot (magnetization direction θ, φ;
electrostatic potential V_d) is tunnel coupled to a left lead with fixed
magnetization along z (spin-resolved level widths Γ_l^↑, Γ_l^↓, bias V) and to a
grounded normal right lead (width Γ_r).  The field B is along z.

Units (the paper's, ħ = |e| = k_B = 1): every energy (Γ, B, V, V_d, T, ε) is in one
common energy unit E (fastspin calls it Δ0; no superconductor is involved here, and
all equations below are homogeneous in it), times are in ħ/E, the spin S in ħ, the
dot densities ρ_d^σ in 1/E, the capacitance C in e²/E, conductances g = 2ρΓ in
e²/ħ, charge currents in e·E/ħ and the spin-torque current I_s in ħ·(E/ħ) = E.

Reading of the (PDF-garbled) equations of the paper used here
------------------------------------------------------
With Γ_Σ = (Γ_l^↑ + Γ_l^↓)/2 + Γ_r and Γ_Δ = (Γ_l^↑ − Γ_l^↓)/2:

* Γ_σ(θ0) = cos²(θ0/2) Γ_l^σ + sin²(θ0/2) Γ_l^σ̄ + Γ_r, so that
  Γ_↑ = Γ_Σ + cos θ0 Γ_Δ, Γ_↓ = Γ_Σ − cos θ0 Γ_Δ and Γ_↑Γ_↓ = Γ_Σ² − cos²θ0 Γ_Δ².
* Eq. (31): with F(ε) = tanh((ε − μ)/2T) (μ = 0 here), B_± = B0 (1 ± cos θ0)/2 and
  σ = ±1,
  F_d^σ(ε) = [c² Γ_l^σ F(ε − σB_− + V_d0 − V) + s² Γ_l^σ̄ F(ε − σ̄B_+ + V_d0 − V)
              + c² Γ_r F(ε − σB_− + V_d0) + s² Γ_r F(ε − σ̄B_+ + V_d0)] / Γ_σ(θ0),
  c² = cos²(θ0/2), s² = sin²(θ0/2).
* the conductances defined after Eq. (40) ("Sec. III C" in the issue; Sec. IV C of
  the paper text): g_l^{σσ'} = 2ρ_d^σ Γ_l^{σ'},
  g_r^{σσ'} = 2ρ_d^σ Γ_r;
  g_l(θ)  = [cos²(θ/2)(g^↑↑ + g^↓↓) + sin²(θ/2)(g^↑↓ + g^↓↑)]/4,
  g̃_l(θ) = [sin²(θ/2)(g^↑↑ + g^↓↓) + cos²(θ/2)(g^↑↓ + g^↓↑)]/4,
  g_s = (g^↑↑ − g^↓↓ − g^↑↓ + g^↓↑)/4 = (ρ_d^↑ + ρ_d^↓) Γ_Δ,
  g_r = g̃_r = (ρ_d^↑ + ρ_d^↓) Γ_r / 2, and α(θ) = (g̃_l(θ) + g̃_r)/S.
* Eqs. (44)–(46) with X ≡ Γ_r V − Γ_Δ sin²θ0 B0/2:
  I_s = g_s(V − V_d) + g_s(V_d0 − V) + S α(θ0) 2Γ_Δ X / (Γ_Σ² − cos²θ0 Γ_Δ²),
  I_l = 4g_l(V − V_d) − g_s sin²θ φ̇ + 4g_l(V_d0 − V)
        + X Σ_σ [cos²(θ/2) g_l^{σσ} + sin²(θ/2) g_l^{σσ̄}]/Γ_σ(θ0),
  I_r = 4g_r V_d + 4g_r(V − V_d0) − X Σ_σ [cos²(θ/2) g_r^{σσ} + sin²(θ/2) g_r^{σσ̄}]/Γ_σ(θ0).
  App. B (enforced equilibrium F_d = F): I_s = g_s(V − V_d),
  I_l = 4g_l(V − V_d) − g_s sin²θ φ̇, I_r = 4 g_r V_d.
* Eq. (54): V_d0 = Σ_σ ρ_d^σ [(Γ_σ − Γ_r) V + Γ_Δ sin²θ0 B0/2] / [Γ_σ (C + ρ_d^↑ + ρ_d^↓)].
* Eq. (43): sinθ φ̇ = −sinθ B − α θ̇,  sinθ θ̇ = sin²θ [α φ̇ − I_s/S],  C V̇_d = I_l − I_r.

Closure used for the dynamics (our reading, stated once here)
-------------------------------------------------------------
The paper derives Eqs. (44)–(46) for a distribution function fixed by a stationary
trajectory (θ0, φ̇ = −B0, V_d0), Eq. (28).  The distribution relaxes at the rate
Γ_σ, fast against the magnetization dynamics (rate ~ αB, α ∝ Γ/M0), so for a
trajectory from any initial state we let it follow the instantaneous state:
θ0 → θ(t), B0 → −φ̇(t) (solved self-consistently; I_s is linear in φ̇), and V_d0 →
the charge-neutral potential of Eq. (54) at that θ and B0 (Sec. IV G: V_d0 is fixed
by the charge, not by Kirchhoff's law).  V_d itself obeys Kirchhoff's law (42).
With this closure charge is conserved by the distribution: I_l − I_r =
−4(g_l + g_r)(V_d − V_d0) exactly, the stationary states are the poles (Eq. 47), and
the linearisation about a pole is Eq. (50) exactly.

Everything here is serial ``@njit(cache=True, nogil=True)`` numerics.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastspin.kernels.distributions import fermi

# layout of the packed parameter vector ``p`` used by the dynamics kernels
P_GAMMA_L_UP = 0
P_GAMMA_L_DOWN = 1
P_GAMMA_R = 2
P_B = 3
P_V = 4
P_S = 5
P_C = 6
P_RHO_UP = 7
P_RHO_DOWN = 8
N_PARAMS = 9


@njit("float64(float64, float64)", cache=True, nogil=True)
def tanh_distribution(energy: float, temperature: float) -> float:
    """F(ε) = tanh(ε/2T) = 1 − 2 f(ε) = f(−ε) − f(ε), the paper's lead distribution.

    Built from :func:`fastspin.kernels.distributions.fermi` (exact to rounding).
    """
    return fermi(-energy, temperature) - fermi(energy, temperature)


@njit(cache=True, nogil=True)
def gamma_sigma(sigma: float, theta0: float, gamma_l_up: float, gamma_l_down: float,
                gamma_r: float) -> float:
    """Γ_σ(θ0) = cos²(θ0/2) Γ_l^σ + sin²(θ0/2) Γ_l^σ̄ + Γ_r (Eq. 30 of Ludwig et al.); σ = ±1."""
    c2 = math.cos(0.5 * theta0) ** 2
    s2 = 1.0 - c2
    if sigma > 0.0:
        return c2 * gamma_l_up + s2 * gamma_l_down + gamma_r
    return c2 * gamma_l_down + s2 * gamma_l_up + gamma_r


@njit(cache=True, nogil=True, inline="always")
def eq31_channels(sigma: float, theta0: float, B0: float, gamma_l_up: float,
                  gamma_l_down: float, gamma_r: float):
    """The four tunnelling channels of Eq. (31) of Ludwig et al. for dot spin ``sigma``:
    the weights (left same-spin, left spin-flip, right same-spin, right spin-flip), their
    sum, and the Zeeman shifts B_- = B0 (1 - cos θ0)/2, B_+ = B0 (1 + cos θ0)/2 (a
    same-spin channel sits at ε - σB_- + Vd0, a spin-flip one at ε + σB_+ + Vd0)."""
    c2 = math.cos(0.5 * theta0) ** 2
    s2 = 1.0 - c2
    if sigma > 0.0:
        g_same, g_flip = gamma_l_up, gamma_l_down
    else:
        g_same, g_flip = gamma_l_down, gamma_l_up
    total = c2 * g_same + s2 * g_flip + gamma_r
    return c2 * g_same, s2 * g_flip, c2 * gamma_r, s2 * gamma_r, total, B0 * s2, B0 * c2


@njit(cache=True, nogil=True)
def dot_distribution(energy: float, sigma: float, theta0: float, B0: float, Vd0: float,
                     V: float, gamma_l_up: float, gamma_l_down: float, gamma_r: float,
                     temperature: float) -> float:
    """Non-equilibrium dot distribution F_d^σ(ε) of Eq. (31) of Ludwig et al. (rotating frame).

    A Γ-weighted sum of four shifted F(ε) = tanh(ε/2T) steps (μ = 0); exact to rounding.
    ``sigma`` is +1 (↑) or −1 (↓).  Tends to ±1 at ε → ±∞ (weights sum to 1).
    """
    l_same, l_flip, r_same, r_flip, total, b_minus, b_plus = eq31_channels(
        sigma, theta0, B0, gamma_l_up, gamma_l_down, gamma_r)
    e_same = energy - sigma * b_minus + Vd0
    e_flip = energy + sigma * b_plus + Vd0
    value = (
        l_same * tanh_distribution(e_same - V, temperature)
        + l_flip * tanh_distribution(e_flip - V, temperature)
        + r_same * tanh_distribution(e_same, temperature)
        + r_flip * tanh_distribution(e_flip, temperature)
    )
    return value / total


@njit(cache=True, nogil=True)
def dot_distribution_array(energy: np.ndarray, sigma: float, theta0: float, B0: float,
                           Vd0: float, V: float, gamma_l_up: float, gamma_l_down: float,
                           gamma_r: float, temperature: float) -> np.ndarray:
    """:func:`dot_distribution` on an array of energies."""
    out = np.empty(energy.shape[0])
    for i in range(energy.shape[0]):
        out[i] = dot_distribution(energy[i], sigma, theta0, B0, Vd0, V, gamma_l_up,
                                  gamma_l_down, gamma_r, temperature)
    return out


@njit(cache=True, nogil=True)
def conductances(theta: float, gamma_l_up: float, gamma_l_down: float, gamma_r: float,
                 rho_up: float, rho_down: float):
    """(g_l(θ), g̃_l(θ), g_s, g_r) of Sec. III C of Ludwig et al., in e²/ħ; exact.

    g_l^{σσ'} = 2ρ_d^σ Γ_l^{σ'}, g_r^{σσ'} = 2ρ_d^σ Γ_r; g̃_r = g_r.
    """
    c2 = math.cos(0.5 * theta) ** 2
    s2 = 1.0 - c2
    g_uu = 2.0 * rho_up * gamma_l_up
    g_dd = 2.0 * rho_down * gamma_l_down
    g_ud = 2.0 * rho_up * gamma_l_down
    g_du = 2.0 * rho_down * gamma_l_up
    g_l = 0.25 * (c2 * (g_uu + g_dd) + s2 * (g_ud + g_du))
    g_l_tilde = 0.25 * (s2 * (g_uu + g_dd) + c2 * (g_ud + g_du))
    g_s = 0.25 * (g_uu - g_dd - g_ud + g_du)
    g_r = 0.25 * (2.0 * rho_up * gamma_r + 2.0 * rho_down * gamma_r)
    return g_l, g_l_tilde, g_s, g_r


@njit(cache=True, nogil=True)
def gilbert_damping(theta: float, S: float, gamma_l_up: float, gamma_l_down: float,
                    gamma_r: float, rho_up: float, rho_down: float) -> float:
    """α(θ) = (g̃_l(θ) + g̃_r)/S, the angle-dependent Gilbert coefficient (Eq. 41)."""
    _, g_l_tilde, _, g_r = conductances(theta, gamma_l_up, gamma_l_down, gamma_r,
                                        rho_up, rho_down)
    return (g_l_tilde + g_r) / S


@njit(cache=True, nogil=True)
def dot_potential(theta0: float, B0: float, V: float, gamma_l_up: float,
                  gamma_l_down: float, gamma_r: float, C: float, rho_up: float,
                  rho_down: float) -> float:
    """Charge-neutral dot potential V_d0 of Eq. (54) of Ludwig et al. (solves Eq. 53); exact."""
    gamma_delta = 0.5 * (gamma_l_up - gamma_l_down)
    sin2 = math.sin(theta0) ** 2
    g_up = gamma_sigma(1.0, theta0, gamma_l_up, gamma_l_down, gamma_r)
    g_dn = gamma_sigma(-1.0, theta0, gamma_l_up, gamma_l_down, gamma_r)
    extra = 0.5 * gamma_delta * sin2 * B0
    total = (rho_up * ((g_up - gamma_r) * V + extra) / g_up
             + rho_down * ((g_dn - gamma_r) * V + extra) / g_dn)
    return total / (C + rho_up + rho_down)


@njit(cache=True, nogil=True)
def dot_currents(theta: float, phidot: float, Vd: float, theta0: float, B0: float,
                 Vd0: float, p: np.ndarray, equilibrium: bool):
    """(I_s, I_l, I_r) of Eqs. (44)–(46) of Ludwig et al., or of App. B if ``equilibrium``.

    ``theta``, ``phidot``, ``Vd`` are the instantaneous state; ``theta0``, ``B0``,
    ``Vd0`` the parameters of the distribution function Eq. (31).  I_l flows from the
    left lead into the dot, I_r out of the dot into the right lead (e·E/ħ); I_s is the
    spin-torque current (E).  Exact (closed forms).
    """
    gl_up = p[P_GAMMA_L_UP]
    gl_dn = p[P_GAMMA_L_DOWN]
    gr = p[P_GAMMA_R]
    V = p[P_V]
    S = p[P_S]
    rho_up = p[P_RHO_UP]
    rho_dn = p[P_RHO_DOWN]
    g_l, _, g_s, g_r = conductances(theta, gl_up, gl_dn, gr, rho_up, rho_dn)
    sin2 = math.sin(theta) ** 2
    pumped = -g_s * sin2 * phidot
    if equilibrium:
        return g_s * (V - Vd), 4.0 * g_l * (V - Vd) + pumped, 4.0 * g_r * Vd
    gamma_sum = 0.5 * (gl_up + gl_dn) + gr
    gamma_delta = 0.5 * (gl_up - gl_dn)
    cos0 = math.cos(theta0)
    sin2_0 = math.sin(theta0) ** 2
    g_up = gamma_sum + cos0 * gamma_delta
    g_dn = gamma_sum - cos0 * gamma_delta
    x_drive = gr * V - 0.5 * gamma_delta * sin2_0 * B0
    alpha0 = gilbert_damping(theta0, S, gl_up, gl_dn, gr, rho_up, rho_dn)
    I_s = (g_s * (V - Vd) + g_s * (Vd0 - V)
           + S * alpha0 * 2.0 * gamma_delta * x_drive / (g_up * g_dn))
    c2 = math.cos(0.5 * theta) ** 2
    s2 = 1.0 - c2
    left_up = 2.0 * rho_up * (c2 * gl_up + s2 * gl_dn) / g_up
    left_dn = 2.0 * rho_dn * (c2 * gl_dn + s2 * gl_up) / g_dn
    right = 2.0 * rho_up * gr / g_up + 2.0 * rho_dn * gr / g_dn
    I_l = 4.0 * g_l * (V - Vd) + pumped + 4.0 * g_l * (Vd0 - V) + (left_up + left_dn) * x_drive
    I_r = 4.0 * g_r * Vd + 4.0 * g_r * (V - Vd0) - right * x_drive
    return I_s, I_l, I_r


@njit(cache=True, nogil=True)
def closure(theta: float, Vd: float, p: np.ndarray, equilibrium: bool):
    """Solve Eq. (43) for (θ̇, φ̇) and the distribution parameters (B0, V_d0).

    Writing I_s/S = i0 + i1 φ̇ (i1 ≠ 0 only through B0 = −φ̇ in the non-equilibrium
    case), Eq. (43) gives, with a = α(θ) and b = a − i1,
        θ̇ = −sinθ (bB + i0)/(1 + ab),   φ̇ = −B + a (bB + i0)/(1 + ab),
    regular at the poles.  V_d0 (Eq. 54) depends linearly on B0 = −φ̇ and φ̇ linearly
    on V_d0, so the pair is solved in closed form.  Returns (θ̇, φ̇, B0, V_d0); in the
    equilibrium case B0 = B and V_d0 is NaN (unused).
    """
    gl_up = p[P_GAMMA_L_UP]
    gl_dn = p[P_GAMMA_L_DOWN]
    gr = p[P_GAMMA_R]
    B = p[P_B]
    V = p[P_V]
    S = p[P_S]
    C = p[P_C]
    rho_up = p[P_RHO_UP]
    rho_dn = p[P_RHO_DOWN]
    _, _, g_s, _ = conductances(theta, gl_up, gl_dn, gr, rho_up, rho_dn)
    a = gilbert_damping(theta, S, gl_up, gl_dn, gr, rho_up, rho_dn)
    sin_t = math.sin(theta)
    if equilibrium:
        i0 = g_s * (V - Vd) / S
        drive = (a * B + i0) / (1.0 + a * a)
        return -sin_t * drive, -B + a * drive, B, math.nan
    gamma_sum = 0.5 * (gl_up + gl_dn) + gr
    gamma_delta = 0.5 * (gl_up - gl_dn)
    cos_t = math.cos(theta)
    sin2 = sin_t * sin_t
    g_up = gamma_sum + cos_t * gamma_delta
    g_dn = gamma_sum - cos_t * gamma_delta
    denom = g_up * g_dn
    i1 = a * gamma_delta * gamma_delta * sin2 / denom
    b = a - i1
    i0_fixed = 2.0 * a * gamma_delta * gr * V / denom - g_s * Vd / S
    # φ̇ = E + F V_d0
    e_coef = -B + a * (b * B + i0_fixed) / (1.0 + a * b)
    f_coef = a * g_s / (S * (1.0 + a * b))
    # V_d0 = P + Q B0 = P − Q φ̇  (Eq. 54)
    rho_tot = rho_up + rho_dn
    p_coef = (rho_up * (g_up - gr) / g_up + rho_dn * (g_dn - gr) / g_dn) * V / (C + rho_tot)
    q_coef = 0.5 * gamma_delta * sin2 * (rho_up / g_up + rho_dn / g_dn) / (C + rho_tot)
    Vd0 = (p_coef - q_coef * e_coef) / (1.0 + q_coef * f_coef)
    phidot = e_coef + f_coef * Vd0
    i0 = i0_fixed + g_s * Vd0 / S
    thetadot = -sin_t * (b * B + i0) / (1.0 + a * b)
    return thetadot, phidot, -phidot, Vd0


@njit(cache=True, nogil=True)
def dot_rhs(y: np.ndarray, p: np.ndarray, equilibrium: bool):
    """Right-hand side (θ̇, φ̇, V̇_d) of Eq. (43) of Ludwig et al. for y = (θ, φ, V_d).

    Non-equilibrium currents (Eqs. 44–46) with the adiabatic closure of the module
    docstring, or the enforced-equilibrium currents of App. B (Eq. B1).
    """
    theta = y[0]
    Vd = y[2]
    thetadot, phidot, B0, Vd0 = closure(theta, Vd, p, equilibrium)
    _, I_l, I_r = dot_currents(theta, phidot, Vd, theta, B0, Vd0, p, equilibrium)
    return thetadot, phidot, (I_l - I_r) / p[P_C]


# Dormand–Prince 5(4) tableau
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = (9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0,
                                49.0 / 176.0, -5103.0 / 18656.0)
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
# the lower-triangular stage matrix, row n = stage n + 1 (stages 2..6 of the tableau)
_A = np.array([
    [_A21, 0.0, 0.0, 0.0, 0.0],
    [_A31, _A32, 0.0, 0.0, 0.0],
    [_A41, _A42, _A43, 0.0, 0.0],
    [_A51, _A52, _A53, _A54, 0.0],
    [_A61, _A62, _A63, _A64, _A65],
])
# error weights: b − b* (5th minus embedded 4th order)
_E1 = 71.0 / 57600.0
_E3 = -71.0 / 16695.0
_E4 = 71.0 / 1920.0
_E5 = -17253.0 / 339200.0
_E6 = 22.0 / 525.0
_E7 = -1.0 / 40.0


@njit(cache=True, nogil=True)
def _stage(y: np.ndarray, h: float, k: np.ndarray, n: int, out: np.ndarray) -> None:
    """out = y + h Σ_{m<n} A[n−1, m] k[m]: the argument of stage n + 1."""
    for j in range(3):
        acc = y[j]
        for m in range(n):
            acc += h * _A[n - 1, m] * k[m, j]
        out[j] = acc


@njit(cache=True, nogil=True)
def _eval(y: np.ndarray, p: np.ndarray, equilibrium: bool, k: np.ndarray, row: int) -> None:
    d0, d1, d2 = dot_rhs(y, p, equilibrium)
    k[row, 0] = d0
    k[row, 1] = d1
    k[row, 2] = d2


@njit(cache=True, nogil=True)
def integrate_dot(y0: np.ndarray, t_out: np.ndarray, p: np.ndarray, equilibrium: bool,
                  rtol: float, atol: float, max_steps: int):
    """Adaptive Dormand–Prince 5(4) integration of Eq. (43) (Ludwig et al.).

    Returns ``(states, n_steps)``: ``states[i]`` = (θ, φ, V_d) at ``t_out[i]``
    (increasing, ``t_out[0]`` is the start time of ``y0``).  Steps are clipped so
    that every output time is hit exactly (no interpolation).  The local error per
    step is held below ``atol + rtol·|y|`` in every component (max norm); the global
    error against an independent DOP853 reference is tested at ~1e3·rtol.  Raises
    no exception: if ``max_steps`` is exhausted the remaining rows are NaN.
    """
    n_out = t_out.shape[0]
    states = np.full((n_out, 3), np.nan)
    y = y0.copy()
    states[0, :] = y
    k = np.empty((7, 3))
    tmp = np.empty(3)
    y_new = np.empty(3)
    t = t_out[0]
    _eval(y, p, equilibrium, k, 0)
    # initial step: 1 % of the span, or a 1e-2 change of the fastest component
    rate = 0.0
    for j in range(3):
        rate = max(rate, abs(k[0, j]))
    span = t_out[n_out - 1] - t
    h = 0.01 * span
    if rate > 0.0:
        h = min(h, 1e-2 / rate)
    if h <= 0.0:
        h = 1e-6
    n_steps = 0
    for i_out in range(1, n_out):
        t_target = t_out[i_out]
        while t < t_target:
            if n_steps >= max_steps:
                return states, n_steps
            last = False
            if t + h >= t_target:
                h_try = t_target - t
                last = True
            else:
                h_try = h
            for stage in range(1, 6):
                _stage(y, h_try, k, stage, tmp)
                _eval(tmp, p, equilibrium, k, stage)
            for j in range(3):
                y_new[j] = y[j] + h_try * (_B1 * k[0, j] + _B3 * k[2, j] + _B4 * k[3, j]
                                           + _B5 * k[4, j] + _B6 * k[5, j])
            _eval(y_new, p, equilibrium, k, 6)
            err = 0.0
            for j in range(3):
                e = h_try * (_E1 * k[0, j] + _E3 * k[2, j] + _E4 * k[3, j] + _E5 * k[4, j]
                             + _E6 * k[5, j] + _E7 * k[6, j])
                sc = atol + rtol * max(abs(y[j]), abs(y_new[j]))
                err = max(err, abs(e) / sc)
            n_steps += 1
            if err <= 1.0:
                t = t_target if last else t + h_try
                for j in range(3):
                    y[j] = y_new[j]
                    k[0, j] = k[6, j]  # first-same-as-last
                factor = 5.0 if err == 0.0 else min(5.0, 0.9 * err ** -0.2)
                if not last:
                    h = h_try * factor
                else:
                    h = max(h, h_try * factor)
            else:
                h = h_try * max(0.2, 0.9 * err ** -0.2)
        states[i_out, :] = y
    return states, n_steps


@njit(cache=True, nogil=True)
def settle_block(theta_init: np.ndarray, Vd_init: np.ndarray, t_settle: np.ndarray,
                 params: np.ndarray, equilibrium: bool, rtol: float, atol: float,
                 max_steps: int) -> np.ndarray:
    """Final states (θ, φ, V_d, θ̇, φ̇, I_l, I_r) after ``t_settle`` for many points.

    ``params`` has shape (n, N_PARAMS) in the packed layout; each point starts at
    (θ_init, 0, V_d_init).  Serial loop over points (the caller chunks the work).
    """
    n = theta_init.shape[0]
    out = np.empty((n, 7))
    t_out = np.empty(2)
    y0 = np.empty(3)
    for i in range(n):
        p = params[i]
        t_out[0] = 0.0
        t_out[1] = t_settle[i]
        y0[0] = theta_init[i]
        y0[1] = 0.0
        y0[2] = Vd_init[i]
        states, _ = integrate_dot(y0, t_out, p, equilibrium, rtol, atol, max_steps)
        theta = states[1, 0]
        Vd = states[1, 2]
        thetadot, phidot, B0, Vd0 = closure(theta, Vd, p, equilibrium)
        _, I_l, I_r = dot_currents(theta, phidot, Vd, theta, B0, Vd0, p, equilibrium)
        out[i, 0] = theta
        out[i, 1] = states[1, 1]
        out[i, 2] = Vd
        out[i, 3] = thetadot
        out[i, 4] = phidot
        out[i, 5] = I_l
        out[i, 6] = I_r
    return out
