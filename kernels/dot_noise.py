"""Compiled Langevin dynamics of the non-equilibrium spin-torque quantum dot (Ludwig et al.).

Ludwig et al. is Ludwig, Burmistrov, Gefen, Shnirman, *Strong non-equilibrium effects
in spin torque systems*.  The deterministic part (Eqs. 43–46 with the adiabatic
closure) is :mod:`fastspin.kernels.dot`; this module adds the noise that the Keldysh
part of the action, Eq. (37), generates.  Units as there (ħ = |e| = k_B = 1, one energy
unit E; times in ħ/E).

Keldysh kernels, App. D (Eqs. D5, D6)
-------------------------------------
α^K_{l,σ}(ε) = −∫dε' [F_d^σ(ε') F(ε' − ε − V) − 1] and α^K_{r,σ}(ε) the same with V → 0,
in closed form a Γ-weighted sum of 2x coth(x/2T) with the four shifts of Eq. (31)
(:func:`keldysh_kernel`; exact to rounding).  Since F1F2 − 1 = −2[n1(1 − n2) + n2(1 − n1)],
α^K is twice the energy integral of the occupation factors of a tunnel event, so a
junction of conductance g has the zero-frequency (one-sided) current noise g α^K:
4Tg in equilibrium (Johnson–Nyquist), 2g|V| at |V| ≫ T (Schottky).

Channels and their frequencies (our white-noise reading of Eq. 37)
------------------------------------------------------------------
Eq. (37) couples the kernel α^K_{σσ'} = g_l^{σσ'} α^K_{l,σ} + g_r^{σσ'} α^K_{r,σ} of each
channel (dot spin σ, lead spin σ') to the quantum components of the amplitudes
A_{σσ'} of Eq. (34).  With the Euler gauge χ̇ = (1 − cos θ) φ̇ the phase of A_{σσ'} on
the classical path runs at ε_{σσ'} = −V_d + δ_{σσ'}, δ_{σσ} = −σ sin²(θ/2) φ̇,
δ_{σσ̄} = σ cos²(θ/2) φ̇.  This frequency rule, put into the retarded kernels
(38)–(39), reproduces Eq. (45) including its pumped current −g_s sin²θ φ̇, so the same
rule is used for the Keldysh kernels.  Expanding A_q to first order in the quantum
fields gives, per channel, |∂A|² = ¼ w̃(θ)(θ^q)² + w(θ)(phase)² with
w = cos²(θ/2) (σ' = σ), sin²(θ/2) (σ' = σ̄) and w̃ = 1 − w.  Slow against the kernels'
energy scales (T, V, B), Hubbard–Stratonovich decoupling turns this into white noise:

* junction current noise (one-sided, zero frequency)
  S_j = Σ_{σσ'} w_{σσ'}(θ) g_j^{σσ'} α^K_{j,σ}(ε_{σσ'}),  ⟨ξ_j(t) ξ_j(t')⟩ = (S_j/2) δ(t − t');
  S_l = 4T·4g_l(θ) in equilibrium;
* an isotropic transverse noise field h on the magnetization,
  ⟨h_a(t) h_b(t')⟩ = 2D δ_ab δ(t − t'),  D = Σ_{j,σσ'} w̃_{σσ'}(θ) g_j^{σσ'} α^K_{j,σ}(ε_{σσ'})/(16S²),
  so that D = α(θ)T/S in classical equilibrium (fluctuation–dissipation with the
  Gilbert coefficient of Eq. 41).  With α^K = 2ε coth(ε/2T) at the Larmor frequency
  the V = 0, T → 0 cone at a pole has ⟨m_x²⟩ = 1/(2S), the zero-point spread of a
  spin-S coherent state.

Equations integrated
--------------------
Eq. (41) with the field h is, in Landau–Lifshitz form, the deterministic drift of
:func:`fastspin.kernels.dot.closure` plus the isotropic transverse noise of intensity
2D' = 2D/(1 + α²), and Eq. (42) gets C V̇_d = I_l − I_r + ξ_l − ξ_r.  The dot
distribution follows the drift (the closure of :mod:`fastspin.kernels.dot` with the
deterministic φ̇): it relaxes at the rates Γ_σ and cannot follow white noise.
The magnetization is integrated as a unit vector m (no pole singularity):

    dm = [θ̇/sinθ (m_z m − ẑ) + φ̇ ẑ × m − ∂_u D'(u) (m_z m − ẑ)] dt + √(2D') m × ∘dW,
    C dV_d = (I_l − I_r) dt + dξ_l − dξ_r,

u = cos θ.  The term −∂_u D' (m_z m − ẑ) = ∇_⊥D' makes the Fokker–Planck current
D'∇P (the form whose equilibrium is the Boltzmann law for an angle-dependent α).
Nothing here depends on φ (the closure, D', S_j are functions of θ and V_d, and the
noise is isotropic), so m is integrated in the frame that co-rotates with the
precession, m' = R_z(−Φ) m with Φ = ∫φ̇ dt: the same law, since R_z(−Φ)dW is again a
Wiener increment.  This keeps the explicit scheme from amplifying the fast precession
(Heun multiplies a rotation by sqrt(1 + (φ̇dt)⁴/4) per step, a spurious growth rate
comparable to λ near V_sw).  Recorded m and φ are rotated back to the lab frame.
Scheme: stochastic Heun (Stratonovich) with D', S_l, S_r frozen over a step
(weak order 1 in dt); m is renormalized after each step.  The charge passed from
the left lead, Q_l = ∫(I_l dt + dξ_l), is accumulated to measure the current noise.

Random numbers: step k of trajectory j at stream s uses normals 6k … 6k + 4 of the
stream of (seed, s, j) (:mod:`fastspin.kernels.rng`), so a trajectory is a pure function of
(seed, stream, trajectory) for any chunking or thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastspin.kernels import dot as kdot
from fastspin.kernels.rng import normals_next, seed_key, seed_lanes

#: normals drawn per time step (three Box-Muller pairs; five are used)
NORMALS_PER_STEP = 6
#: steps whose normals are drawn in one call
_CHUNK = 64
#: step in u = cos θ of the central difference of D'(u)
_DU = 1e-6
#: smallest sin θ at which θ̇/sin θ is evaluated (the ratio is smooth at the poles)
_SIN_MIN = 1e-9


@njit(cache=True, nogil=True)
def two_x_coth(x: float, temperature: float) -> float:
    """2x coth(x/2T): 4T at x = 0, 2|x| at T = 0; exact to rounding (series below |x| = 1e-6·T)."""
    if temperature <= 0.0:
        return 2.0 * abs(x)
    y = x / (2.0 * temperature)
    if abs(y) < 5e-7:
        return 4.0 * temperature * (1.0 + y * y / 3.0)
    return 2.0 * x / math.tanh(y)


@njit(cache=True, nogil=True)
def keldysh_kernel(eps: float, lead: int, sigma: float, theta0: float, B0: float, Vd0: float,
                   V: float, gamma_l_up: float, gamma_l_down: float, gamma_r: float,
                   temperature: float) -> float:
    """α^K_{l,σ}(ε) (``lead`` = 0, Eq. D5) or α^K_{r,σ}(ε) (``lead`` = 1, Eq. D6) of Ludwig et al.

    Closed form: Σ_k (weight_k of Eq. 31) · 2x_k coth(x_k/2T); exact to rounding.
    ``sigma`` = ±1 is the dot spin.  [E]
    """
    l_same, l_flip, r_same, r_flip, total, b_minus, b_plus = kdot.eq31_channels(
        sigma, theta0, B0, gamma_l_up, gamma_l_down, gamma_r)
    x_same = eps - sigma * b_minus + Vd0
    x_flip = eps + sigma * b_plus + Vd0
    if lead == 0:
        shift_left, shift_right = 0.0, V
    else:
        shift_left, shift_right = -V, 0.0
    value = (l_same * two_x_coth(x_same + shift_left, temperature)
             + l_flip * two_x_coth(x_flip + shift_left, temperature)
             + r_same * two_x_coth(x_same + shift_right, temperature)
             + r_flip * two_x_coth(x_flip + shift_right, temperature))
    return value / total


@njit(cache=True, nogil=True)
def noise_strengths(theta: float, phidot: float, Vd: float, B0: float, Vd0: float,
                    p: np.ndarray, temperature: float, equilibrium: bool):
    """(S_l, S_r, D) of the module docstring at one state (exact closed forms).

    S_l, S_r: one-sided zero-frequency current noise of the left/right junction
    [e²E/ħ]; D: transverse field-noise intensity [E/ħ] (⟨h h⟩ = 2D δ).  With
    ``equilibrium`` the dot distribution is the enforced F_d = F of App. B (Eq. 31
    without the left-lead steps and shifts; ``B0``, ``Vd0`` are ignored), so that
    α^K_l(ε) = 2(ε + V) coth((ε + V)/2T) and α^K_r(ε) = 2ε coth(ε/2T).
    """
    gl_up = p[kdot.P_GAMMA_L_UP]
    gl_dn = p[kdot.P_GAMMA_L_DOWN]
    gr = p[kdot.P_GAMMA_R]
    # the weights of the steps of F_d in the kernels (Eq. 31)
    fd_up, fd_dn = gl_up, gl_dn
    if equilibrium:
        fd_up, fd_dn, B0, Vd0 = 0.0, 0.0, 0.0, 0.0
    V = p[kdot.P_V]
    S = p[kdot.P_S]
    c2 = math.cos(0.5 * theta) ** 2
    s2 = 1.0 - c2
    s_left = 0.0
    s_right = 0.0
    d_sum = 0.0
    for i_sigma in range(2):
        sigma = 1.0 - 2.0 * i_sigma
        rho = p[kdot.P_RHO_UP] if sigma > 0.0 else p[kdot.P_RHO_DOWN]
        gamma_same = gl_up if sigma > 0.0 else gl_dn
        gamma_flip = gl_dn if sigma > 0.0 else gl_up
        eps_same = -Vd - sigma * s2 * phidot
        eps_flip = -Vd + sigma * c2 * phidot
        for lead in range(2):
            k_same = keldysh_kernel(eps_same, lead, sigma, theta, B0, Vd0, V, fd_up, fd_dn, gr,
                                    temperature)
            k_flip = keldysh_kernel(eps_flip, lead, sigma, theta, B0, Vd0, V, fd_up, fd_dn, gr,
                                    temperature)
            if lead == 0:
                g_same = 2.0 * rho * gamma_same
                g_flip = 2.0 * rho * gamma_flip
            else:
                g_same = 2.0 * rho * gr
                g_flip = g_same
            charge = c2 * g_same * k_same + s2 * g_flip * k_flip
            if lead == 0:
                s_left += charge
            else:
                s_right += charge
            d_sum += s2 * g_same * k_same + c2 * g_flip * k_flip
    return s_left, s_right, d_sum / (16.0 * S * S)


@njit(cache=True, nogil=True)
def _drift(m: np.ndarray, Vd: float, p: np.ndarray, equilibrium: bool):
    """(θ̇/sinθ, φ̇, V̇_d, I_l, B0, V_d0, θ) of the deterministic closure at (m, V_d)."""
    rho_xy = math.hypot(m[0], m[1])
    theta = math.atan2(rho_xy, m[2])
    sin_t = math.sin(theta)
    theta_eval = theta
    if sin_t < _SIN_MIN:
        theta_eval = _SIN_MIN if m[2] > 0.0 else math.pi - _SIN_MIN
        sin_t = math.sin(theta_eval)
    thetadot, phidot, B0, Vd0 = kdot.closure(theta_eval, Vd, p, equilibrium)
    _, I_l, I_r = kdot.dot_currents(theta, phidot, Vd, theta, B0, Vd0, p, equilibrium)
    return thetadot / sin_t, phidot, (I_l - I_r) / p[kdot.P_C], I_l, B0, Vd0, theta


@njit(cache=True, nogil=True)
def _cone_diffusion(u: float, Vd: float, p: np.ndarray, equilibrium: bool,
                    temperature: float) -> float:
    """D'(u) = D/(1 + α²) at cos θ = u, with the drift's φ̇, B0, V_d0."""
    theta = math.acos(min(1.0, max(-1.0, u)))
    theta_eval = min(max(theta, _SIN_MIN), math.pi - _SIN_MIN)
    _, phidot, B0, Vd0 = kdot.closure(theta_eval, Vd, p, equilibrium)
    _, _, d = noise_strengths(theta, phidot, Vd, B0, Vd0, p, temperature, equilibrium)
    a = kdot.gilbert_damping(theta, p[kdot.P_S], p[kdot.P_GAMMA_L_UP], p[kdot.P_GAMMA_L_DOWN],
                             p[kdot.P_GAMMA_R], p[kdot.P_RHO_UP], p[kdot.P_RHO_DOWN])
    return d / (1.0 + a * a)


@njit(cache=True, nogil=True)
def state_noise(m: np.ndarray, Vd: float, p: np.ndarray, equilibrium: bool,
                temperature: float):
    """(D', ∂D'/∂u, S_l, S_r) at the state (m, V_d); u = cos θ = m_z.

    For ``equilibrium`` (App. B) the distribution is the enforced F_d = F
    (:func:`noise_strengths`).
    """
    u = min(1.0, max(-1.0, m[2]))
    theta = math.acos(u)
    theta_eval = min(max(theta, _SIN_MIN), math.pi - _SIN_MIN)
    _, phidot, B0, Vd0 = kdot.closure(theta_eval, Vd, p, equilibrium)
    s_left, s_right, d = noise_strengths(theta, phidot, Vd, B0, Vd0, p, temperature,
                                         equilibrium)
    a = kdot.gilbert_damping(theta, p[kdot.P_S], p[kdot.P_GAMMA_L_UP], p[kdot.P_GAMMA_L_DOWN],
                             p[kdot.P_GAMMA_R], p[kdot.P_RHO_UP], p[kdot.P_RHO_DOWN])
    d_cone = d / (1.0 + a * a)
    u_hi = min(1.0, u + _DU)
    u_lo = max(-1.0, u - _DU)
    slope = ((_cone_diffusion(u_hi, Vd, p, equilibrium, temperature)
              - _cone_diffusion(u_lo, Vd, p, equilibrium, temperature)) / (u_hi - u_lo))
    return d_cone, slope, s_left, s_right


@njit(cache=True, nogil=True)
def _field(m: np.ndarray, Vd: float, p: np.ndarray, equilibrium: bool, slope: float,
           out: np.ndarray):
    """out[0:3] = meridional drift of m in the frame co-rotating with the precession
    (with the noise-induced ∇_⊥D'), out[3] = V̇_d, out[4] = φ̇; returns I_l."""
    ratio, phidot, vdot, I_l, _, _, _ = _drift(m, Vd, p, equilibrium)
    radial = ratio - slope
    out[0] = radial * m[2] * m[0]
    out[1] = radial * m[2] * m[1]
    out[2] = radial * (m[2] * m[2] - 1.0)
    out[3] = vdot
    out[4] = phidot
    return I_l


@njit(cache=True, nogil=True)
def heun_step(m: np.ndarray, Vd: float, p: np.ndarray, equilibrium: bool, temperature: float,
              dt: float, z: np.ndarray, f0: np.ndarray, f1: np.ndarray, m1: np.ndarray):
    """One stochastic Heun step of (m, V_d) with the standard normals z[0:5].

    z[0:3]: the 3-d Wiener increment of the field noise; z[3], z[4]: ξ_l, ξ_r.
    ``m`` is the magnetization in the frame that co-rotates with the precession about z
    (updated in place); returns (V_d, ΔQ_l, Δφ) with ΔQ_l the charge from the left lead
    and Δφ the precession angle of the step (trapezoid in φ̇).
    """
    d_cone, slope, s_left, s_right = state_noise(m, Vd, p, equilibrium, temperature)
    sq = math.sqrt(dt)
    amp = math.sqrt(2.0 * d_cone) * sq
    w0 = amp * z[0]
    w1 = amp * z[1]
    w2 = amp * z[2]
    xi_l = math.sqrt(0.5 * s_left) * sq * z[3]
    xi_r = math.sqrt(0.5 * s_right) * sq * z[4]
    charge_noise = (xi_l - xi_r) / p[kdot.P_C]
    I0 = _field(m, Vd, p, equilibrium, slope, f0)
    # predictor: Euler with m × dW
    m1[0] = m[0] + f0[0] * dt + (m[1] * w2 - m[2] * w1)
    m1[1] = m[1] + f0[1] * dt + (m[2] * w0 - m[0] * w2)
    m1[2] = m[2] + f0[2] * dt + (m[0] * w1 - m[1] * w0)
    v1 = Vd + f0[3] * dt + charge_noise
    norm = math.sqrt(m1[0] ** 2 + m1[1] ** 2 + m1[2] ** 2)
    for k in range(3):
        m1[k] /= norm
    I1 = _field(m1, v1, p, equilibrium, slope, f1)
    # corrector: trapezoid in the drift and in the multiplicative m × dW
    a0 = 0.5 * (m[0] + m1[0])
    a1 = 0.5 * (m[1] + m1[1])
    a2 = 0.5 * (m[2] + m1[2])
    n0 = m[0] + 0.5 * (f0[0] + f1[0]) * dt + (a1 * w2 - a2 * w1)
    n1 = m[1] + 0.5 * (f0[1] + f1[1]) * dt + (a2 * w0 - a0 * w2)
    n2 = m[2] + 0.5 * (f0[2] + f1[2]) * dt + (a0 * w1 - a1 * w0)
    norm = math.sqrt(n0 * n0 + n1 * n1 + n2 * n2)
    m[0] = n0 / norm
    m[1] = n1 / norm
    m[2] = n2 / norm
    v_new = Vd + 0.5 * (f0[3] + f1[3]) * dt + charge_noise
    return v_new, 0.5 * (I0 + I1) * dt + xi_l, 0.5 * (f0[4] + f1[4]) * dt


@njit(cache=True, nogil=True)
def run_trajectory(theta_init: float, phi_init: float, Vd_init: float, p: np.ndarray,
                   equilibrium: bool, temperature: float, dt: float, n_steps: int,
                   seed: int, stream: int, trajectory: int, record_every: int,
                   u_switch: float, stop_at_switch: bool, window_steps: int,
                   records: np.ndarray, window_charge: np.ndarray):
    """Integrate one Langevin trajectory of Eqs. (41)–(42) with the noise of Eq. (37).

    ``records[r]`` = (t, θ, φ, V_d, m_x, m_y, m_z) after step r·record_every (row 0 is
    the start; rows beyond the run stay untouched).  ``window_charge[w]`` = charge
    passed from the left lead in window w of ``window_steps`` steps (if > 0).
    Returns (first-passage time to cos θ ≤ ``u_switch`` or NaN, steps done, final
    θ, final V_d).  With ``stop_at_switch`` the run ends at that passage.
    """
    k0, k1 = seed_key(seed)
    m = np.empty(3)
    m[0] = math.sin(theta_init) * math.cos(phi_init)
    m[1] = math.sin(theta_init) * math.sin(phi_init)
    m[2] = math.cos(theta_init)
    Vd = Vd_init
    f0 = np.empty(5)
    f1 = np.empty(5)
    m1 = np.empty(3)
    normals = np.empty((NORMALS_PER_STEP * _CHUNK, 1), dtype=np.float32)
    generators = seed_lanes(k0, k1, stream, trajectory, 1)
    words = np.empty((2, NORMALS_PER_STEP * _CHUNK // 2, 1), dtype=np.uint32)
    n_rec = records.shape[0]
    if n_rec > 0:
        records[0, 0] = 0.0
        records[0, 1] = theta_init
        records[0, 2] = phi_init
        records[0, 3] = Vd
        records[0, 4] = m[0]
        records[0, 5] = m[1]
        records[0, 6] = m[2]
    n_windows = window_charge.shape[0]
    charge = 0.0
    t_switch = math.nan
    steps_done = 0
    z = np.empty(5)
    precession = 0.0
    for step in range(n_steps):
        offset = step % _CHUNK
        if offset == 0:
            normals_next(generators, words, normals)
        for j in range(5):
            z[j] = normals[NORMALS_PER_STEP * offset + j, 0]
        Vd, dq, dphi = heun_step(m, Vd, p, equilibrium, temperature, dt, z, f0, f1, m1)
        precession += dphi
        steps_done = step + 1
        if window_steps > 0:
            charge += dq
            if steps_done % window_steps == 0:
                w = steps_done // window_steps - 1
                if w < n_windows:
                    window_charge[w] = charge
                charge = 0.0
        if record_every > 0 and steps_done % record_every == 0:
            r = steps_done // record_every
            if r < n_rec:
                cos_p = math.cos(precession)
                sin_p = math.sin(precession)
                mx = cos_p * m[0] - sin_p * m[1]
                my = sin_p * m[0] + cos_p * m[1]
                records[r, 0] = steps_done * dt
                records[r, 1] = math.atan2(math.hypot(m[0], m[1]), m[2])
                records[r, 2] = math.atan2(my, mx)
                records[r, 3] = Vd
                records[r, 4] = mx
                records[r, 5] = my
                records[r, 6] = m[2]
        if math.isnan(t_switch) and m[2] <= u_switch:
            t_switch = steps_done * dt
            if stop_at_switch:
                break
    return t_switch, steps_done, math.atan2(math.hypot(m[0], m[1]), m[2]), Vd


@njit(cache=True, nogil=True)
def ensemble(theta_init: float, Vd_init: float, p: np.ndarray, equilibrium: bool,
             temperature: float, dt: float, n_steps: int, seed: int, stream: int,
             first_trajectory: int, n_trajectories: int, u_switch: float,
             stop_at_switch: bool, sample_every: int, sample_start: int):
    """Serial ensemble of :func:`run_trajectory` (φ_init = 0, no records).

    Returns (t_switch[n], final (θ, V_d)[n, 2], moments[n, 4]) where moments are the
    time averages over the samples k = sample_start, sample_start + sample_every, …
    of m_x², m_y², sin²θ and V_d (NaN without samples; the run is not stopped then).
    """
    t_switch = np.empty(n_trajectories)
    final = np.empty((n_trajectories, 2))
    moments = np.full((n_trajectories, 4), np.nan)
    records = np.empty((0, 7))
    no_windows = np.empty(0)
    sampling = sample_every > 0 and sample_start < n_steps
    for i in range(n_trajectories):
        traj = first_trajectory + i
        if not sampling:
            ts, _, th, vd = run_trajectory(theta_init, 0.0, Vd_init, p, equilibrium, temperature,
                                           dt, n_steps, seed, stream, traj, 0, u_switch,
                                           stop_at_switch, 0, records, no_windows)
            t_switch[i] = ts
            final[i, 0] = th
            final[i, 1] = vd
            continue
        n_rec = (n_steps - sample_start) // sample_every + 1
        rec = np.empty((sample_start // sample_every + n_rec + 1, 7))
        # records every sample_every steps from 0; keep those at >= sample_start
        ts, done, th, vd = run_trajectory(theta_init, 0.0, Vd_init, p, equilibrium,
                                          temperature, dt, n_steps, seed, stream, traj,
                                          sample_every, u_switch, False, 0, rec, no_windows)
        t_switch[i] = ts
        final[i, 0] = th
        final[i, 1] = vd
        acc = np.zeros(4)
        count = 0
        for r in range((sample_start + sample_every - 1) // sample_every,
                       done // sample_every + 1):
            acc[0] += rec[r, 4] ** 2
            acc[1] += rec[r, 5] ** 2
            acc[2] += rec[r, 4] ** 2 + rec[r, 5] ** 2
            acc[3] += rec[r, 3]
            count += 1
        if count > 0:
            for k in range(4):
                moments[i, k] = acc[k] / count
    return t_switch, final, moments
