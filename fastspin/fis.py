r"""F/I/S junction with a precessing magnetization: currents, torques, noise, linear response.

Seed 000 (Ojajärvi, Heikkilä, Virtanen, PRB 101, 115406 (2020)).  A metallic nanomagnet F
whose magnetization m precesses at Ω on a cone of angle θ about ẑ, tunnel-coupled to a
superconductor S with a spin-splitting field h pointing along ĥ (polar angle θ_h to ẑ).

Time-averaged currents, Eqs. (3)–(5) of seed 000 (ħ = e = k_B = 1, G_T = 1):

.. math::

    I_c   &= \tfrac{1}{2}\int d\varepsilon \sum_{\sigma\sigma'} \langle\sigma|\sigma'\rangle^2
             N_{S\sigma} N_{F\sigma'} [f_F - f_S],\\
    \dot E_S &= \tfrac{1}{2}\int d\varepsilon\, \varepsilon \sum_{\sigma\sigma'}
             \langle\sigma|\sigma'\rangle^2 N_{S\sigma} N_{F\sigma'} [f_F - f_S],\\
    \tau_z &= -\tfrac{\sin^2\theta}{8}\int d\varepsilon \sum_{\sigma\sigma'}
             \sigma N_{S\sigma} N_{F\sigma'} [f_F - f_S],

with f_F = f0(ε − V − Ω_σσ', T_F), f_S = f0(ε, T_S), Ω_σσ' = (σ − σ' cos θ) Ω/2,
⟨σ|σ'⟩² = (1 + σσ' cos θ)/2, N_F,σ' = 1 + σ'P and
N_S,σ = Σ_± (1 ± σ cos θ_h)/2 · N0(ε ∓ h) (below Eq. (5); N0 the Dynes BCS DOS).
Ė_F = I_c V − Ω τ_z − Ė_S (energy conservation, Sec. III A).

Transverse torques, Eq. (A5) of seed 000:

.. math::

    \tau_{x/y} = -\tfrac{1}{8}\int d\varepsilon \sum_{\sigma\sigma'}
        \frac{(1 + \sigma\sigma'\cos\theta)^2}{2} N_{S,x/y} [f_F - f_S],
    \qquad N_{S,k} = \hat h_k\, [N_0(\varepsilon - h) - N_0(\varepsilon + h)]/2,

N_S,k = ½ tr[(1+τ3)/2 σ_k/2 (ĝ^R − ĝ^A)] evaluated for the spectral matrix
Σ± (1 ± ĥ·σ)/2 N0(ε ∓ h) (which gives N_S,z = (N_S,+ − N_S,−)/2).  The squared overlap
factor is read from the printed equation (the source text is typographically ambiguous);
it is the reading consistent with τ_x = −I_s,x at θ = 0, where the lab-frame spin
current into S is I_s,x = ¼ Σσ (1 + σP) N_S,x [f_F − f_S] (P drops out).  As in (A5), no
N_F,σ' appears.  τ_⊥ vanishes for ĥ ∥ ẑ and in the normal state; the reactive and
equilibrium torques (A6)–(A8) are not included.

Torque noise (Eq. (20) of seed 000).  D = −(1/8) ∂²_{φq} s_T|₀ csc²θ.  At θ_q = χ = ξ = 0
only the exponents e^{±iη} depend on φ_q, through η_σσ' = −2φ_q Ω_σσ'/Ω = −φ_q σ(1 − σσ' cos θ),
so ∂²_{φq} e^{±iη}|₀ = −(1 − σσ' cos θ)².  With (1 + σσ'cos θ)(1 − σσ'cos θ)² = sin²θ (1 − σσ'cos θ):

.. math::

    D = \tfrac{1}{16}\int d\varepsilon \sum_{\sigma\sigma'} \frac{1 - \sigma\sigma'\cos\theta}{2}
        N_{S\sigma} N_{F\sigma'} \,[f_F(1 - f_S) + f_S(1 - f_F)],

i.e. the spin-flip overlap |⟨σ|−σ'⟩|² weights the symmetrised (MODE_NOISE) occupation.  In
equilibrium at Ω → 0 it reduces to D = T G/4 (fluctuation–dissipation with the damping −G/4 of
Eq. (6)); ``tests/test_fis.py`` checks this.

Everything is evaluated with the shared engine :mod:`fastspin.kernels.convolution`: one term
table of 24 rows per point (σ, σ', ± of N_S) whose moments 0 and 1 give I_c and Ė_S, plus
torque and noise rows (the engine reuses the DOS/occupation of the previous row, so the extra
rows are nearly free).

Units: V in Δ0/e; h, Ω (ħΩ), Γ in Δ0; T in Δ0/k_B; I_c in G_T Δ0/e; Ė in G_T Δ0²/e²;
τ in ħ G_T Δ0/e²; D in ħ² G_T Δ0/e² (natural units: D and τ are both G_T Δ0).

Accuracy: that of the engine, 1e-6 relative or 1e-9 absolute (in the output's unit),
whichever is looser, against an independent scipy.integrate.quad reference with breakpoints
at every DOS singularity and Fermi step (``tests/test_fis.py``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fastspin.kernels import convolution as cv

# Output slots of the nonlinear term table.
I_CHARGE, HEAT_S, TORQUE_Z, TORQUE_NOISE, TORQUE_PERP = 0, 1, 2, 3, 4
N_OUT = 5
_SPINS = (1.0, -1.0)
#: rows per point: (σ, σ', ±) × (current, torque z, transverse torque, noise)
N_TERMS = 32


def resolve_gap(T_S: Any, h: Any, delta: Any) -> np.ndarray:
    """Δ of S: the given value, or the self-consistent stable Δ(T_S, |h|) where NaN."""
    from fastspin.superconductor import gap

    T_S, h, delta = np.broadcast_arrays(*(np.asarray(x, float) for x in (T_S, h, delta)))
    resolved = np.array(delta, dtype=float, copy=True)
    need = np.isnan(resolved)
    if need.any():
        resolved[need] = gap(T_S[need], h[need])
    return resolved


def fis_terms(V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta) -> np.ndarray:
    """Term tables (n_points, 24, N_COLUMNS) of Eqs. (3)–(5) and the noise D of Eq. (20).

    Integration variable ε (S frame).  DOS a = N0(ε ∓ h; Δ, Γ), DOS b = 1 (F is a normal
    metal; 1 + σ'P goes into the coefficient).  Occupation f(ε − V − Ω_σσ', T_F) − f(ε, T_S)
    (MODE_DIFFERENCE) for currents and torque, f_F(1 − f_S) + f_S(1 − f_F) (MODE_NOISE) for D.
    Arguments broadcast against each other; ``delta`` must already be resolved.
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(x, float) for x in (V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta))
    )
    V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta = (a.ravel() for a in arrays)
    cos_theta = np.cos(theta)
    sin2_theta = np.sin(theta) ** 2
    cos_h = np.cos(h_angle)
    sin_h = np.sin(h_angle)
    terms = np.empty((V.size, N_TERMS, cv.N_COLUMNS))
    terms[:] = cv.make_terms(N_TERMS)[None]
    k = 0
    for spin_s in _SPINS:  # σ: spin of S along ẑ
        for spin_f in _SPINS:  # σ': spin of F along m
            overlap = 0.5 * (1.0 + spin_s * spin_f * cos_theta)  # ⟨σ|σ'⟩²
            flip_overlap = 0.5 * (1.0 - spin_s * spin_f * cos_theta)  # ⟨σ|−σ'⟩²
            dos_f = 1.0 + spin_f * P
            mu_f = V + 0.5 * (spin_s - spin_f * cos_theta) * Omega  # V + Ω_σσ'
            # Row order: the engine reuses the DOS / occupation of the previous row, so each
            # row changes only one of them: (+, diff) (+, diff) (−, diff) (−, diff) (−, noise)
            # (+, noise).  ± is the branch of N_S,σ = Σ± (1 ± σ cos θ_h)/2 N0(ε ∓ h).
            rows = []
            for branch in _SPINS:
                weight_s = 0.5 * (1.0 + branch * spin_s * cos_h)
                rows.append((branch, 0.5 * overlap * dos_f * weight_s, cv.MODE_DIFFERENCE,
                             I_CHARGE, HEAT_S))
                rows.append((branch, -0.125 * sin2_theta * spin_s * dos_f * weight_s,
                             cv.MODE_DIFFERENCE, TORQUE_Z, -1))
                # Eq. (A5): −(1/8)(1 + σσ' cos θ)²/2 · N_S,⊥ with
                # N_S,⊥ = sin θ_h [N0(ε − h) − N0(ε + h)]/2 (no N_F,σ' in (A5))
                rows.append((branch, -0.0625 * (2.0 * overlap) ** 2 * 0.5 * branch * sin_h,
                             cv.MODE_DIFFERENCE, TORQUE_PERP, -1))
            for branch in _SPINS[::-1]:
                weight_s = 0.5 * (1.0 + branch * spin_s * cos_h)
                rows.append((branch, 0.0625 * flip_overlap * dos_f * weight_s, cv.MODE_NOISE,
                             TORQUE_NOISE, -1))
            for branch, coeff, mode, out0, out1 in rows:
                t = terms[:, k]
                t[:, cv.COL_COEFF] = coeff
                t[:, cv.COL_DELTA_A] = delta
                t[:, cv.COL_SHIFT_A] = branch * h
                t[:, cv.COL_DYNES_A] = dynes
                t[:, cv.COL_MU_L] = mu_f
                t[:, cv.COL_T_L] = T_F
                t[:, cv.COL_MU_R] = 0.0
                t[:, cv.COL_T_R] = T_S
                t[:, cv.COL_MODE] = mode
                t[:, cv.COL_OUT0] = out0
                t[:, cv.COL_OUT1] = out1
                k += 1
    # Rows with zero coefficient (θ = 0, P = ±1, h ∥ ẑ) are skipped by the engine but break
    # its reuse of the previous row: move them to the end, keeping the order of the others.
    order = np.argsort(terms[:, :, cv.COL_COEFF] == 0.0, axis=1, kind="stable")
    return np.take_along_axis(terms, order[:, :, None], axis=1)


def fis_currents(
    V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta=np.nan, parallel: bool = False,
    h_azimuth=0.0,
) -> dict[str, np.ndarray]:
    """All nonlinear fis outputs (Eqs. (3)–(5), (A5), Ė_F, D of Eq. (20)) for broadcastable arrays.

    ``delta`` NaN (default) means the self-consistent Δ(T_S, h); ``h_azimuth`` is the
    azimuth φ_h of ĥ about ẑ (lab frame), which only splits the transverse torque of
    Eq. (A5) into τ_x = cos φ_h τ_⊥ and τ_y = sin φ_h τ_⊥.  Returns a dict of arrays of the
    broadcast shape: I_charge, heat_S, heat_F, torque_z, torque_x, torque_y, torque_noise,
    delta.  Accuracy: see the module docstring.
    """
    args = np.broadcast_arrays(
        *(np.asarray(x, float)
          for x in (V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta, h_azimuth))
    )
    V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta, h_azimuth = args
    shape = V.shape
    delta = resolve_gap(T_S, h, delta)
    terms = fis_terms(V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta)
    kernel = cv.integrate_term_batch_parallel if parallel else cv.integrate_term_batch
    values, _errors = kernel(terms, N_OUT, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL)
    I_charge = values[:, I_CHARGE].reshape(shape)
    heat_S = values[:, HEAT_S].reshape(shape)
    torque_z = values[:, TORQUE_Z].reshape(shape)
    return {
        "I_charge": I_charge,
        "heat_S": heat_S,
        "heat_F": I_charge * V - Omega * torque_z - heat_S,
        "torque_z": torque_z,
        "torque_x": np.cos(h_azimuth) * values[:, TORQUE_PERP].reshape(shape),
        "torque_y": np.sin(h_azimuth) * values[:, TORQUE_PERP].reshape(shape),
        "torque_noise": values[:, TORQUE_NOISE].reshape(shape),
        "delta": delta.reshape(shape),
    }


# -- linear response, Eq. (6) -------------------------------------------------------------

_G, _ALPHA, _G_TH_T, _ALPHA_MINUS_20 = 0, 1, 2, 3


def linear_response_coefficients(T: float, h: float, h_angle: float, dynes: float, delta: float) -> dict[str, float]:
    r"""Closed-form coefficients of Eq. (6) of seed 000 at equilibrium temperature T (G_T = 1).

    * G = ½ ∫ dε Σ_σ N_S,σ (−f0'),
    * α = ½ ∫ dε ε [N_S,+ − N_S,−] (−f0')  (= −(G_T/2)∫ ε [N_S+ − N_S−] f0' of the text),
    * G_th = (1/2T) ∫ dε ε² Σ_σ N_S,σ (−f0'),
    * α⁻_{2,0} = −½ ∫ dε [N_S,+ − N_S,−] f0'' = −½ ∫ dε [N'_S,+ − N'_S,−] (−f0')
      (by parts; the Ω² charge-pumping coefficient of Eq. (A3)),

    with Σ_σ N_S,σ = N0(ε − h) + N0(ε + h) and N_S,+ − N_S,− = cos θ_h [N0(ε − h) − N0(ε + h)].
    All from MODE_DERIVATIVE terms of the engine (N' from COL_DERIV_B), same accuracy as the
    engine.  Units: G in G_T, α in G_T Δ0/e, G_th in G_T Δ0/e² (k_B = 1), α⁻_{2,0} in G_T/Δ0.
    ``delta`` must be given (resolve it with :func:`resolve_gap`).
    """
    cos_h = math.cos(h_angle)
    terms = cv.make_terms(6)
    k = 0
    for branch in _SPINS:  # N0(ε ∓ h)
        for coeff, out0, out1, out2, derivative in (
            (0.5, _G, -1, _G_TH_T, 0.0),
            (0.5 * branch * cos_h, -1, _ALPHA, -1, 0.0),
            (-0.5 * branch * cos_h, _ALPHA_MINUS_20, -1, -1, 1.0),
        ):
            t = terms[k]
            t[cv.COL_COEFF] = coeff
            # the DOS goes into slot b so that COL_DERIV_B can differentiate it
            t[cv.COL_DELTA_B] = delta
            t[cv.COL_SHIFT_B] = branch * h
            t[cv.COL_DYNES_B] = dynes
            t[cv.COL_DERIV_B] = derivative
            t[cv.COL_MODE] = cv.MODE_DERIVATIVE
            t[cv.COL_MU_L] = 0.0
            t[cv.COL_T_L] = T
            t[cv.COL_OUT0] = out0
            t[cv.COL_OUT1] = out1
            t[cv.COL_OUT2] = out2
            k += 1
    values, _ = cv.integrate(terms, 4)
    return {
        "G": float(values[_G]),
        "alpha": float(values[_ALPHA]),
        "G_th": float(values[_G_TH_T]) / T,
        "alpha_minus_20": float(values[_ALPHA_MINUS_20]),
    }


def linear_response_matrix(
    T: float, h: float, h_angle: float, P: float, theta: float, dynes: float, delta: float
) -> np.ndarray:
    """The 3×3 matrix L of Eq. (6): (I_c, Ė_S, τ_z) = L (V, −δT/T, Ω), closed form.

    L = [[G, Pα cos θ, 0], [Pα cos θ, G_th T, α sin²θ/2], [0, −α sin²θ/2, −G sin²θ/4]].
    """
    c = linear_response_coefficients(T, h, h_angle, dynes, delta)
    cos_t, sin2 = math.cos(theta), math.sin(theta) ** 2
    G, alpha = c["G"], c["alpha"]
    return np.array(
        [
            [G, P * alpha * cos_t, 0.0],
            [P * alpha * cos_t, c["G_th"] * T, 0.5 * alpha * sin2],
            [0.0, -0.5 * alpha * sin2, -0.25 * G * sin2],
        ]
    )


def linear_response_matrix_numerical(
    T: float,
    h: float,
    h_angle: float,
    P: float,
    theta: float,
    dynes: float,
    delta: float,
    step: float | None = None,
) -> np.ndarray:
    """L of Eq. (6) by numerical differentiation of the nonlinear currents at equilibrium.

    Column j is ∂(I_c, Ė_S, τ_z)/∂x_j at x = 0 for x = (V, −δT/T, Ω), with δT = T_S − T_F,
    T_S = T(1 − x₂/2), T_F = T(1 + x₂/2), Δ held fixed.  Central differences with step
    ``step`` (default 0.02) in units of T, Richardson-extrapolated (error O(step⁴) plus the
    engine's 1e-8 relative error divided by the step).
    """
    if step is None:
        step = 0.02
    outputs = ("I_charge", "heat_S", "torque_z")

    def currents(x: np.ndarray) -> np.ndarray:
        # x: (n, 3) array of (V, -dT/T, Omega)
        out = fis_currents(
            x[:, 0], h, h_angle, P, theta, x[:, 2],
            T * (1.0 - 0.5 * x[:, 1]), T * (1.0 + 0.5 * x[:, 1]), dynes, delta,
        )
        return np.stack([out[o] for o in outputs], axis=1)

    steps = []
    for j in range(3):
        scale = T if j != 1 else 1.0  # x₂ = −δT/T is dimensionless
        for d in (step, 0.5 * step):
            for sign in (1.0, -1.0):
                x = np.zeros(3)
                x[j] = sign * d * scale
                steps.append(x)
    values = currents(np.array(steps)).reshape(3, 2, 2, 3)  # (column, step, sign, output)
    matrix = np.empty((3, 3))
    for j in range(3):
        scale = T if j != 1 else 1.0
        full = (values[j, 0, 0] - values[j, 0, 1]) / (2 * step * scale)
        half = (values[j, 1, 0] - values[j, 1, 1]) / (step * scale)
        matrix[:, j] = (4.0 * half - full) / 3.0
    return matrix


# -- FMR heat balance, Eqs. (14)–(15) --------------------------------------------------------


def fmr_coefficients(
    Omega: float, T: float, h: float, h_angle: float, dynes: float, delta: float
) -> dict[str, float]:
    r"""α̃ and G̃ of Eqs. (14)–(15) of seed 000 (G_T = 1):

    α̃ = ½ ∫ dε Σ_σ (ε − σΩ/2) N_S,σ [f0(ε − σΩ) − f0(ε)]/Ω,
    G̃ = ½ ∫ dε Σ_σ σ N_S,σ [f0(ε − σΩ) − f0(ε)]/Ω.

    Limits: Ω → 0 gives G̃ → G, α̃ → α; normal state gives G̃ = 1, α̃ = 0.  At Ω = 0 the
    closed-form G, α are returned.  Accuracy: the engine's, divided by |Ω|.
    """
    if Omega == 0.0:
        c = linear_response_coefficients(T, h, h_angle, dynes, delta)
        return {"alpha_tilde": c["alpha"], "G_tilde": c["G"]}
    cos_h = math.cos(h_angle)
    terms = cv.make_terms(8)
    k = 0
    for spin in _SPINS:
        for branch in _SPINS:
            weight = 0.5 * (1.0 + branch * spin * cos_h) / Omega
            for coeff, out0, out1 in ((0.5 * weight, -1, 0), (0.5 * spin * weight, 1, -1)):
                t = terms[k]
                t[cv.COL_COEFF] = coeff
                t[cv.COL_DELTA_A] = delta
                t[cv.COL_SHIFT_A] = branch * h
                t[cv.COL_DYNES_A] = dynes
                t[cv.COL_MODE] = cv.MODE_DIFFERENCE
                t[cv.COL_MU_L] = spin * Omega
                t[cv.COL_T_L] = T
                t[cv.COL_MU_R] = 0.0
                t[cv.COL_T_R] = T
                t[cv.COL_WEIGHT_SHIFT] = 0.5 * spin * Omega
                t[cv.COL_OUT0] = out0
                t[cv.COL_OUT1] = out1
                k += 1
    values, _ = cv.integrate(terms, 2)
    return {"alpha_tilde": float(values[0]), "G_tilde": float(values[1])}


# -- dynamics tables --------------------------------------------------------------------------


def dynamics_tables(
    cos_theta: np.ndarray,
    V: float,
    T_S: float,
    T_F: float,
    Omega: float,
    h: float,
    h_angle: float,
    P: float,
    dynes: float,
    delta: float = math.nan,
) -> dict[str, np.ndarray]:
    """τ_z(cos θ) and D(cos θ) on a grid, for the Langevin equation (8) of seed 000.

    Returns arrays ``cos_theta``, ``torque_z`` (Eq. (5)) and ``torque_noise`` (D of Eq. (20)),
    with ⟨η(t)η(t')⟩ = 2[D + S A0 T] sin²θ δ(t − t').  Same accuracy as :func:`fis_currents`.
    """
    cos_theta = np.asarray(cos_theta, float)
    if np.any(np.abs(cos_theta) > 1.0):
        from fastspin.model import ParameterError

        raise ParameterError("cos_theta: values must lie in [-1, 1]")
    out = fis_currents(V, h, h_angle, P, np.arccos(cos_theta), Omega, T_S, T_F, dynes, delta)
    return {"cos_theta": cos_theta, "torque_z": out["torque_z"], "torque_noise": out["torque_noise"]}
