r"""F/I/S junction with a precessing magnetization: currents, torques, noise, linear response.

Ojajärvi, Manninen, Heikkilä and Virtanen, "Nonlinear spin torque, pumping, and cooling
in superconductor/ferromagnet systems", Phys. Rev. B 101, 115406 (2020).  A metallic nanomagnet F
whose magnetization m precesses at Ω on a cone of angle θ about ẑ, tunnel-coupled to a
superconductor S with a spin-splitting field h pointing along ĥ (polar angle θ_h to ẑ).

Time-averaged currents, Eqs. (3)–(5) of Ojajärvi et al. (2020) (ħ = e = k_B = 1, G_T = 1):

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

Transverse torques, Eq. (A5) of Ojajärvi et al. (2020):

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

Torque noise (Eq. (20) of Ojajärvi et al. (2020)).  D = −(1/8) ∂²_{φq} s_T|₀ csc²θ.  At θ_q = χ = ξ = 0
only the exponents e^{±iη} depend on φ_q, through η_σσ' = −2φ_q Ω_σσ'/Ω = −φ_q σ(1 − σσ' cos θ),
so ∂²_{φq} e^{±iη}|₀ = −(1 − σσ' cos θ)².  With (1 + σσ'cos θ)(1 − σσ'cos θ)² = sin²θ (1 − σσ'cos θ):

.. math::

    D = \tfrac{1}{16}\int d\varepsilon \sum_{\sigma\sigma'} \frac{1 - \sigma\sigma'\cos\theta}{2}
        N_{S\sigma} N_{F\sigma'} \,[f_F(1 - f_S) + f_S(1 - f_F)],

i.e. the spin-flip overlap |⟨σ|−σ'⟩|² weights the symmetrised (MODE_NOISE) occupation.  In
equilibrium at Ω → 0 it reduces to D = T G/4 (fluctuation–dissipation with the damping −G/4 of
Eq. (6)); ``tests/test_fis.py`` checks this.

Everything is evaluated with the shared engine :mod:`fastspin.kernels.convolution`: one term
table of 32 rows per point (σ, σ', ± of N_S) whose moments 0 and 1 give I_c and Ė_S, plus
τ_z, τ_⊥ and noise rows (the engine reuses the DOS/occupation of the previous row, so the
extra rows are nearly free).

Public API (G_T = 1 throughout):

* :func:`fis_currents` — all nonlinear outputs of the ``fis`` model (Eqs. (3)–(5), (A5), (20));
* :func:`linear_response_coefficients`, :func:`linear_response_matrix`,
  :func:`linear_response_matrix_numerical` — Eq. (6) (G, G_th, α; A, B, α⁻_{2,0} of (A3)–(A4));
* :func:`second_order_response`, :func:`onset_voltage`, :func:`critical_thermal_bias` —
  Eqs. (A3)–(A4), V_o and δT_o of Sec. IV B;
* :func:`fmr_coefficients`, :func:`fmr_response`, :func:`max_damping_for_refrigeration` —
  Eqs. (14)–(18) and Fig. 4;
* :func:`torque_per_sin2`, :func:`precession_angles` — torque balance of Eq. (8), Fig. 5;
* :func:`dynamics_tables` — τ_z(cos θ), D(cos θ) for the Langevin engine;
* :func:`channel_rates`, :func:`cumulant_generating_function`, :func:`cumulants` — Eq. (20).

Findings while re-deriving (details in the docstrings, checked numerically in the tests):
the δT cross terms of (A3)–(A4) have the opposite sign and the Ω² torque coefficient is
(1 + cos²θ)/4 rather than (3 + cos θ)/8; V_o = 2√(S A_eff Ω/α⁻_{2,0}) (the text prints 4√);
δT_o has the damping factor 1 + 4 S A0/G (the text prints 1 + S A0/G); with N_S,σ as printed
below Eq. (5), the voltage-driven antidamping for Ω > 0 needs h·ẑ > 0 (the text says h·ẑ < 0),
while α > 0 ⇔ h·ẑ < 0 agrees with the text.

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
from numba import njit

from fastspin.kernels import convolution as cv
from fastspin.model import ParameterError, broadcast_columns

# Output slots of the nonlinear term table.
I_CHARGE, HEAT_S, TORQUE_Z, TORQUE_NOISE, TORQUE_PERP = 0, 1, 2, 3, 4
#: number of output slots of the nonlinear term table (I_CHARGE ... TORQUE_PERP)
N_OUT = 5
_SPINS = (1.0, -1.0)
#: rows per point: (σ, σ', ±) × (current, torque z, transverse torque, noise)
N_TERMS = 32


def _require_positive(**values: float) -> None:
    """ParameterError naming the first argument that is not a finite number > 0."""
    for name, value in values.items():
        array = np.asarray(value, float)
        if not np.all(np.isfinite(array)) or np.any(array <= 0):
            raise ParameterError(f"{name}: must be finite and > 0 (Delta0 units), got {value!r}")


def resolve_gap(T_S: Any, h: Any, delta: Any) -> np.ndarray:
    """Δ of S: the given value, or the self-consistent stable Δ(T_S, |h|) where NaN."""
    from fastspin.physics.superconductor import gap

    T_S, h, delta = np.broadcast_arrays(*(np.asarray(x, float) for x in (T_S, h, delta)))
    resolved = np.array(delta, dtype=float, copy=True)
    need = np.isnan(resolved)
    if need.any():
        resolved[need] = gap(T_S[need], h[need])
    return resolved


def fis_terms(
    V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta, torque_only: bool = False
) -> np.ndarray:
    """Term tables (n_points, 32, N_COLUMNS) of Eqs. (3)–(5), (A5) and the noise D of Eq. (20).

    Integration variable ε (S frame).  DOS a = N0(ε ∓ h; Δ, Γ), DOS b = 1 (F is a normal
    metal; 1 + σ'P goes into the coefficient).  Occupation f(ε − V − Ω_σσ', T_F) − f(ε, T_S)
    (MODE_DIFFERENCE) for currents and torques, f_F(1 − f_S) + f_S(1 − f_F) (MODE_NOISE) for D.
    At T_S = T_F = T the noise occupation equals (f_F − f_S)/tanh(μ/2T), μ = V + Ω_σσ'
    (detailed balance), so those noise rows reuse the current rows' occupation (MODE_DIFFERENCE
    with the coefficient divided by tanh); for |μ| ≤ 1e-6 T they stay MODE_NOISE.
    Arguments broadcast against each other; ``delta`` must already be resolved.
    ``torque_only``: keep only the τ_z rows, without their sin²θ prefactor (τ_z/sin²θ); the
    other rows stay in the table with zero coefficient.

    The trigonometric factors, μ and 1/tanh(μ/2T) are computed here with numpy (vectorised;
    numpy's SIMD cos/sin/tanh may differ from the libm ones Numba calls in the last bit); the
    rows are filled by the compiled :func:`_fill_fis_terms` (row layout there).
    """
    # one owned (10, n) buffer (Numba warns on views of np.broadcast_arrays)
    _, columns = broadcast_columns(V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta)
    V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta = columns
    cos_theta = np.cos(theta)
    # μ = V + Ω_σσ', Ω_σσ' = (σ − σ' cos θ) Ω/2, one row per (σ, σ') pair of _PAIRS
    mu_f = V + 0.5 * (_PAIRS[:, :1] - _PAIRS[:, 1:] * cos_theta) * Omega
    # noise rows: MODE_DIFFERENCE / tanh(μ/2T) at equal temperatures (see above)
    balanced = (T_S == T_F) & (np.abs(mu_f) > 1e-6 * T_S)
    with np.errstate(divide="ignore", invalid="ignore"):
        noise_factor = np.where(balanced, 1.0 / np.tanh(mu_f / (2.0 * T_S)), 1.0)
    return _fill_fis_terms(
        h, P, cos_theta, np.sin(theta) ** 2, np.cos(h_angle), np.sin(h_angle), T_S, T_F, dynes,
        delta, mu_f, balanced, noise_factor, bool(torque_only),
    )


#: (σ, σ') in row order: σ the spin of S along ẑ, σ' the spin of F along m
_PAIRS = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
# kinds of rows in one (σ, σ', ±) group of four
_ROW_CURRENT, _ROW_TORQUE_Z, _ROW_TORQUE_PERP, _ROW_NOISE = 0, 1, 2, 3


@njit(cache=True)
def _fill_fis_terms(
    h, P, cos_theta, sin2_theta, cos_h, sin_h, T_S, T_F, dynes, delta, mu_f, balanced,
    noise_factor, torque_only,
) -> np.ndarray:
    """The tables of :func:`fis_terms` from flat arrays ((4, n) for the per-pair μ, noise flags).

    Per (σ, σ') pair, 8 rows.  Row order: the engine reuses the DOS / occupation of the
    previous row, so each row changes only one of them: (+, diff) ×3, (+, noise), (−, noise),
    (−, diff) ×3, where ± is the branch of N_S,σ = Σ± (1 ± σ cos θ_h)/2 N0(ε ∓ h) and the
    diff rows are I_c/Ė_S (moments 0/1), τ_z and τ_⊥.  Rows with zero coefficient (θ = 0,
    P = ±1, h ∥ ẑ, the non-τ_z rows of ``torque_only``) are skipped by the engine but break
    its reuse of the previous row: they are moved to the end, keeping the order of the others.
    Compiled: ~0.25 µs per point.
    """
    n = h.size
    terms = np.empty((n, N_TERMS, cv.N_COLUMNS))
    rows = np.zeros((N_TERMS, cv.N_COLUMNS))  # one point before reordering
    rows[:, cv.COL_OUT0 : cv.COL_OUT2 + 1] = -1.0
    for i in range(n):
        torque_factor = 1.0 if torque_only else sin2_theta[i]
        k = 0
        for pair in range(4):
            spin_s = _PAIRS[pair, 0]
            spin_f = _PAIRS[pair, 1]
            overlap = 0.5 * (1.0 + spin_s * spin_f * cos_theta[i])  # ⟨σ|σ'⟩²
            flip_overlap = 0.5 * (1.0 - spin_s * spin_f * cos_theta[i])  # ⟨σ|−σ'⟩²
            dos_f = 1.0 + spin_f * P[i]
            noise_mode = cv.MODE_DIFFERENCE if balanced[pair, i] else cv.MODE_NOISE
            for branch in (1.0, -1.0):
                weight_s = 0.5 * (1.0 + branch * spin_s * cos_h[i])
                for slot in range(4):
                    kind = slot if branch > 0 else (slot + 3) % 4  # (−) starts with noise
                    mode = cv.MODE_DIFFERENCE
                    out1 = -1
                    if kind == _ROW_CURRENT:
                        coeff = 0.5 * overlap * dos_f * weight_s
                        out0, out1 = I_CHARGE, HEAT_S
                    elif kind == _ROW_TORQUE_Z:
                        coeff = -0.125 * torque_factor * spin_s * dos_f * weight_s
                        out0 = TORQUE_Z
                    elif kind == _ROW_TORQUE_PERP:
                        # Eq. (A5): −(1/8)(1 + σσ' cos θ)²/2 · N_S,⊥ with
                        # N_S,⊥ = sin θ_h [N0(ε − h) − N0(ε + h)]/2 (no N_F,σ' in (A5))
                        twice_overlap = 2.0 * overlap
                        coeff = -0.0625 * (twice_overlap * twice_overlap) * 0.5 * branch * sin_h[i]
                        out0 = TORQUE_PERP
                    else:
                        coeff = 0.0625 * flip_overlap * dos_f * weight_s * noise_factor[pair, i]
                        mode = noise_mode
                        out0 = TORQUE_NOISE
                    if torque_only and kind != _ROW_TORQUE_Z:
                        coeff = 0.0
                    row = rows[k]
                    row[cv.COL_COEFF] = coeff
                    row[cv.COL_DELTA_A] = delta[i]
                    row[cv.COL_SHIFT_A] = branch * h[i]
                    row[cv.COL_DYNES_A] = dynes[i]
                    row[cv.COL_MU_L] = mu_f[pair, i]
                    row[cv.COL_T_L] = T_F[i]
                    row[cv.COL_MU_R] = 0.0
                    row[cv.COL_T_R] = T_S[i]
                    row[cv.COL_MODE] = mode
                    row[cv.COL_OUT0] = out0
                    row[cv.COL_OUT1] = out1
                    k += 1
        # zero-coefficient rows to the end (stable)
        j = 0
        for zero in (False, True):
            for k in range(N_TERMS):
                if (rows[k, cv.COL_COEFF] == 0.0) == zero:
                    terms[i, j] = rows[k]
                    j += 1
    return terms


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
    values, _errors = cv.integrate_batch(terms, N_OUT, parallel=parallel)
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

_G, _ALPHA, _G_TH_T, _ALPHA_MINUS_20, _A, _B = 0, 1, 2, 3, 4, 5


def linear_response_coefficients(T: float, h: float, h_angle: float, dynes: float, delta: float) -> dict[str, float]:
    r"""Closed-form coefficients of Eq. (6) of Ojajärvi et al. (2020) at equilibrium temperature T (G_T = 1).

    * G = ½ ∫ dε Σ_σ N_S,σ (−f0'),
    * α = ½ ∫ dε ε [N_S,+ − N_S,−] (−f0')  (= −(G_T/2)∫ ε [N_S+ − N_S−] f0' of the text),
    * G_th = (1/2T) ∫ dε ε² Σ_σ N_S,σ (−f0'),
    * α⁻_{2,0} = −½ ∫ dε [N_S,+ − N_S,−] f0'' = −½ ∫ dε [N'_S,+ − N'_S,−] (−f0')
      (by parts; the Ω² charge-pumping coefficient of Eq. (A3)),
    * A = 2α⁻_{1,1} + α⁻_{2,2} = −½ ∫ dε ε² [N'_S,+ − N'_S,−] (−f0')  (by parts),
    * B = α⁺_{1,0} + α⁺_{2,1} = −½ ∫ dε ε [N'_S,+ + N'_S,−] (−f0') = −T ∂G/∂T  (by parts),

    the second-order coefficients of Eqs. (A3)–(A4), α^∓_{i,j} = −½∫ ε^j [N_S,+ ∓ N_S,−] f0^(i),

    with Σ_σ N_S,σ = N0(ε − h) + N0(ε + h) and N_S,+ − N_S,− = cos θ_h [N0(ε − h) − N0(ε + h)].
    All from MODE_DERIVATIVE terms of the engine (N' from COL_DERIV_B), same accuracy as the
    engine.  Units: G in G_T, α in G_T Δ0/e, G_th in G_T Δ0/e² (k_B = 1), α⁻_{2,0} in G_T/Δ0.
    ``delta`` must be given (resolve it with :func:`resolve_gap`).
    """
    _require_positive(T=T, dynes=dynes)
    cos_h = math.cos(h_angle)
    terms = cv.make_terms(8)
    k = 0
    for branch in _SPINS:  # N0(ε ∓ h)
        for coeff, out0, out1, out2, derivative in (
            (0.5, _G, -1, _G_TH_T, 0.0),
            (0.5 * branch * cos_h, -1, _ALPHA, -1, 0.0),
            (-0.5 * branch * cos_h, _ALPHA_MINUS_20, -1, _A, 1.0),
            (-0.5, -1, _B, -1, 1.0),
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
    values, _ = cv.integrate(terms, 6)
    return {
        "G": float(values[_G]),
        "alpha": float(values[_ALPHA]),
        "G_th": float(values[_G_TH_T]) / T,
        "alpha_minus_20": float(values[_ALPHA_MINUS_20]),
        "A": float(values[_A]),
        "B": float(values[_B]),
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
    r"""α̃ and G̃ of Eqs. (14)–(15) of Ojajärvi et al. (2020) (G_T = 1):

    α̃ = ½ ∫ dε Σ_σ (ε − σΩ/2) N_S,σ [f0(ε − σΩ) − f0(ε)]/Ω,
    G̃ = ½ ∫ dε Σ_σ σ N_S,σ [f0(ε − σΩ) − f0(ε)]/Ω.

    Limits: Ω → 0 gives G̃ → G, α̃ → α; normal state gives G̃ = 1, α̃ = 0.  At Ω = 0 the
    closed-form G, α are returned.  Accuracy: the engine's, divided by |Ω|.
    """
    _require_positive(T=T, dynes=dynes)
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
    """τ_z(cos θ) and D(cos θ) on a grid, for the Langevin equation (8) of Ojajärvi et al. (2020).

    Returns arrays ``cos_theta``, ``torque_z`` (Eq. (5)), ``torque_z_per_sin2`` (τ_z/sin²θ,
    finite at the poles) and ``torque_noise`` (D of Eq. (20)), with
    ⟨η(t)η(t')⟩ = 2[D + S A0 T] sin²θ δ(t − t').  Same accuracy as :func:`fis_currents`.
    """
    cos_theta = np.asarray(cos_theta, float)
    if np.any(np.abs(cos_theta) > 1.0):
        raise ParameterError("cos_theta: values must lie in [-1, 1]")
    _require_positive(T_S=T_S, T_F=T_F, dynes=dynes)
    out = fis_currents(V, h, h_angle, P, np.arccos(cos_theta), Omega, T_S, T_F, dynes, delta)
    return {
        "cos_theta": cos_theta,
        "torque_z": out["torque_z"],
        "torque_z_per_sin2": torque_per_sin2(cos_theta, V, T_S, T_F, Omega, h, h_angle, P, dynes,
                                             out["delta"]),
        "torque_noise": out["torque_noise"],
    }


# -- second order, Eqs. (A3)–(A4), onset of oscillations -----------------------------------


def second_order_response(
    T: float, h: float, h_angle: float, P: float, theta: float, dynes: float, delta: float
) -> dict[str, np.ndarray]:
    r"""Second-order coefficients of I_c and τ_z/sin²θ (Eqs. (A3)–(A4) of Ojajärvi et al. (2020)), derived anew.

    Returns symmetric 3×3 matrices ``I_charge`` and ``torque_z_per_sin2`` such that
    δ⁽²⁾X = ½ xᵀ H x with x = (V, Ω, δT/T), expanding about T_S = T_F = T with T_S = T held
    fixed and T_F = T − δT (δT = T_S − T_F; at second order the choice of the fixed
    temperature matters).  Expanding Eqs. (3) and (5) (with c = cos θ, α⁻ ≡ α⁻_{2,0}):

    δ⁽²⁾I_c = −α⁻/2 [sin²θ (VΩ − Pc Ω²/4) + Pc V²] − Pc (A/2)(δT/T)² + B (δT/T) V,
    δ⁽²⁾τ_z/sin²θ = α⁻/4 [V² − Pc VΩ + (1 + c²)/4 Ω²] + (A/4)(δT/T)² − (B/4)(δT/T) Ω.

    Differences from the printed (A3)–(A4), checked by numerical differentiation of the
    nonlinear currents in ``tests/test_fis.py``: the two δT·V, δT·Ω cross terms have the
    opposite sign (as if δT were T_F − T_S there), and the Ω² torque coefficient is
    (1 + cos²θ)/4, not (3 + cos θ)/8 (the two agree at θ = 0).
    """
    c = linear_response_coefficients(T, h, h_angle, dynes, delta)
    am, A, B = c["alpha_minus_20"], c["A"], c["B"]
    cos_t, sin2 = math.cos(theta), math.sin(theta) ** 2
    # Hessians: H[i, i] = 2 × coefficient of x_i², H[i, j] = coefficient of x_i x_j
    current = np.array(
        [
            [-am * P * cos_t, -0.5 * am * sin2, B],
            [-0.5 * am * sin2, 0.25 * am * sin2 * P * cos_t, 0.0],
            [B, 0.0, -P * cos_t * A],
        ]
    )
    torque = np.array(
        [
            [0.5 * am, -0.25 * am * P * cos_t, 0.0],
            [-0.25 * am * P * cos_t, 0.125 * am * (1.0 + cos_t**2), -0.25 * B],
            [0.0, -0.25 * B, 0.5 * A],
        ]
    )
    return {"I_charge": current, "torque_z_per_sin2": torque}


def onset_voltage(
    Omega: float, T: float, h: float, h_angle: float, P: float, dynes: float, delta: float,
    S_A0: float = 0.0, *, linear: dict[str, float] | None = None,
) -> float:
    r"""Voltage-driven onset V_o > 0 of oscillations about θ = 0 (Sec. IV B, after Eq. (A4)).

    At θ → 0 (c = 1) the total torque per sin²θ to second order is
    α⁻/4 [V² − P V Ω + Ω²/2] − S A_eff Ω, with S A_eff = S A0 + G/4 (Eq. (6)).  Its positive
    root in V is returned (NaN if none).  For Ω → 0 this is V_o = 2 √(S A_eff Ω / α⁻_{2,0});
    the text prints 4 √(…), which does not follow from its own Eqs. (6) and (A4).
    Antidamping (τ_z > 0 for Ω > 0) at large V needs α⁻_{2,0} > 0, i.e. h·ẑ > 0 with the
    N_S,σ of Eq. (5).  ``linear``: :func:`linear_response_coefficients` of this point,
    when the caller already has them.
    """
    c = linear or linear_response_coefficients(T, h, h_angle, dynes, delta)
    am = c["alpha_minus_20"]
    s_a_eff = S_A0 + 0.25 * c["G"]
    # am/4 V² − am/4 P Ω V + am/8 Ω² − S_A_eff Ω = 0
    qa, qb, qc = 0.25 * am, -0.25 * am * P * Omega, 0.125 * am * Omega**2 - s_a_eff * Omega
    disc = qb * qb - 4 * qa * qc
    if qa == 0.0 or disc < 0:
        return math.nan
    roots = [(-qb + sgn * math.sqrt(disc)) / (2 * qa) for sgn in (1.0, -1.0)]
    positive = [r for r in roots if r > 0]
    return min(positive) if positive else math.nan


def critical_thermal_bias(
    Omega: float, T: float, h: float, h_angle: float, dynes: float, delta: float, S_A0: float = 0.0,
    *, linear: dict[str, float] | None = None,
) -> float:
    r"""δT_o of Sec. IV B: for sgn(α) δT > δT_o the thermal torque destabilises θ = 0 (Ω > 0).

    From Eq. (6) at θ → 0: τ_z/sin²θ − S A0 Ω = (α/2) δT/T − (G/4 + S A0) Ω, so
    δT_o = 2T (G/4 + S A0)|Ω|/|α| = (1 + 4 S A0/G) |P| |Ω| / (2|s|) with the thermopower
    s = −Pα/(G T).  At S A0 = 0 (Fig. 5(b)) this is the text's P Ω/(2|s|); the text writes
    the damping factor as 1 + S A0/G.  ``linear`` as in :func:`onset_voltage`.
    """
    c = linear or linear_response_coefficients(T, h, h_angle, dynes, delta)
    return 2.0 * T * (0.25 * c["G"] + S_A0) * abs(Omega) / abs(c["alpha"])


# -- torque balance (Sec. IV B, Fig. 5) -------------------------------------------------------


def torque_per_sin2(
    cos_theta, V, T_S, T_F, Omega, h, h_angle, P, dynes, delta=math.nan
) -> np.ndarray:
    """τ_z/sin²θ of Eq. (5), finite at θ = 0, π (the sin²θ prefactor is left out of the rows).

    Broadcasts over all arguments; same accuracy as :func:`fis_currents`.
    """
    theta = np.arccos(np.clip(np.asarray(cos_theta, float), -1.0, 1.0))
    args = np.broadcast_arrays(
        *(np.asarray(x, float) for x in (V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta))
    )
    V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta = args
    delta = resolve_gap(T_S, h, delta)
    terms = fis_terms(V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta, torque_only=True)
    values, _ = cv.integrate_batch(terms, N_OUT)
    return values[:, TORQUE_Z].reshape(V.shape)


def precession_angles(
    V: float, T_S: float, T_F: float, Omega: float, h: float, h_angle: float, P: float,
    dynes: float, delta: float = math.nan, S_A0: float = 0.0, n_grid: int = 97,
) -> list[tuple[float, bool]]:
    r"""Fixed points θ* of the torque balance τ_z − S A0 Ω sin²θ = 0 (Eq. (8)) with stability.

    With u = cos θ, Eq. (8) reads S du/dt = −F(u), F = sin²θ g(u), g = τ_z/sin²θ − S A0 Ω.
    θ = 0 and π always balance; θ = 0 (u = 1) is stable iff g(1) < 0, θ = π iff g(−1) > 0.
    Interior angles are the roots of g (grid of ``n_grid`` points in u, then Brent to 1e-10
    in u); a root is stable iff g'(u*) > 0.  Returns [(θ*, stable), ...] sorted by θ*.
    """
    from scipy.optimize import brentq

    delta = float(resolve_gap(T_S, h, delta))

    def g(u):
        return torque_per_sin2(u, V, T_S, T_F, Omega, h, h_angle, P, dynes, delta) - S_A0 * Omega

    grid = np.linspace(-1.0, 1.0, n_grid)
    values = g(grid)
    result = [(0.0, bool(values[-1] < 0)), (math.pi, bool(values[0] > 0))]
    for i in np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]:
        root = brentq(lambda u: float(g(np.array([u]))[0]), grid[i], grid[i + 1], xtol=1e-10)
        result.append((math.acos(root), bool(values[i + 1] > values[i])))
    return sorted(result)


# -- FMR heat balance, Eqs. (16)–(18) ---------------------------------------------------------


def fmr_response(
    Omega: float, T: float, h: float, h_angle: float, P: float, dynes: float, delta: float,
    S_A0: float = 0.0, heating_fraction: float = 0.0, *,
    linear: dict[str, float] | None = None, fmr: dict[str, float] | None = None,
) -> dict[str, float]:
    r"""FMR-induced voltage and temperature difference per θ², Eq. (16) of Ojajärvi et al. (2020).

    (V, −δT/T)/θ² = [[G, Pα], [Pα, G_th T]]⁻¹ (−P(G − G̃)Ω/4, −(α + α̃)Ω/4 + [G̃/8 + λ S A0]Ω²),
    from the open circuit I_c = 0 and Ė_F + λ P_G = 0 with the small-θ matrix (13) (derived
    again from Eqs. (3)–(5) for this module; the sign of the α + α̃ term is the one of (13)).
    ``heating_fraction`` is λ, ``S_A0`` is S·A0 (units ħ G_T/e²).
    Also returns the small-Ω forms of Eq. (17), V ≈ Pα δT/(G T), δT ≈ αΩθ²/(2 G̃_th),
    G̃_th = G_th − (Pα)²/(G T), and the normal-state heating of Eq. (18),
    δT_normal = −(G_T + 8λ S A0) Ω² θ²/(8 G_th,N) with G_th,N = π² T/3.
    ``linear``, ``fmr``: this point's :func:`linear_response_coefficients` and
    :func:`fmr_coefficients`, when the caller already has them.
    """
    lr = linear or linear_response_coefficients(T, h, h_angle, dynes, delta)
    fmr = fmr or fmr_coefficients(Omega, T, h, h_angle, dynes, delta)
    G, alpha, G_th = lr["G"], lr["alpha"], lr["G_th"]
    G_t, alpha_t = fmr["G_tilde"], fmr["alpha_tilde"]
    matrix = np.array([[G, P * alpha], [P * alpha, G_th * T]])
    rhs = np.array(
        [
            -P * (G - G_t) * Omega / 4,
            -(alpha + alpha_t) * Omega / 4 + (G_t / 8 + heating_fraction * S_A0) * Omega**2,
        ]
    )
    V, y = np.linalg.solve(matrix, rhs)
    G_th_eff = G_th - (P * alpha) ** 2 / (G * T)
    dT_small = alpha * Omega / (2 * G_th_eff)
    return {
        "V_per_theta2": float(V),
        "dT_per_theta2": float(-y * T),
        "V_per_theta2_small_omega": P * alpha * dT_small / (G * T),
        "dT_per_theta2_small_omega": dT_small,
        "dT_per_theta2_normal": -(1.0 + 8 * heating_fraction * S_A0) * Omega**2
        / (8 * math.pi**2 * T / 3),
    }


def max_damping_for_refrigeration(
    Omega: float, T: float, h: float, h_angle: float, P: float, dynes: float, delta: float, *,
    linear: dict[str, float] | None = None, fmr: dict[str, float] | None = None,
) -> float:
    r"""Largest λ S A0 for which FMR still cools F (δT = T_S − T_F > 0), Fig. 4 of Ojajärvi et al. (2020).

    Eq. (16) is linear in λ S A0; setting δT = 0 gives
    λ S A0 = [(α + α̃)Ω/4 − G̃Ω²/8 − P²α(G − G̃)Ω/(4G)]/Ω².  Negative means no cooling.
    ``linear``, ``fmr`` as in :func:`fmr_response`.
    """
    lr = linear or linear_response_coefficients(T, h, h_angle, dynes, delta)
    fmr = fmr or fmr_coefficients(Omega, T, h, h_angle, dynes, delta)
    G, alpha = lr["G"], lr["alpha"]
    G_t, alpha_t = fmr["G_tilde"], fmr["alpha_tilde"]
    return (
        (alpha + alpha_t) * Omega / 4 - G_t * Omega**2 / 8 - P**2 * alpha * (G - G_t) * Omega / (4 * G)
    ) / Omega**2


def response_point(
    Omega: float, T: float, h: float, h_angle: float, P: float, dynes: float, delta: float,
    S_A0: float = 0.0, heating_fraction: float = 0.0,
) -> dict[str, float]:
    """Every linear-response and FMR quantity of one equilibrium point (T_S = T_F = T).

    G, G_th, α and α⁻_{2,0} of Eq. (6)/(A3), α̃ and G̃ of Eqs. (14)–(15), the onset
    voltage and critical thermal bias of Sec. IV B, the FMR-induced V and δT per θ² of
    Eq. (16) and the largest damping that still cools F (Fig. 4).  The two coefficient
    sets are computed once and shared by all of them.
    """
    linear = linear_response_coefficients(T, h, h_angle, dynes, delta)
    fmr = fmr_coefficients(Omega, T, h, h_angle, dynes, delta)
    balance = fmr_response(Omega, T, h, h_angle, P, dynes, delta, S_A0, heating_fraction,
                           linear=linear, fmr=fmr)
    return {
        "G": linear["G"], "G_th": linear["G_th"], "alpha": linear["alpha"],
        "alpha_minus_20": linear["alpha_minus_20"],
        "alpha_tilde": fmr["alpha_tilde"], "G_tilde": fmr["G_tilde"],
        "V_onset": onset_voltage(Omega, T, h, h_angle, P, dynes, delta, S_A0, linear=linear),
        "dT_onset": critical_thermal_bias(Omega, T, h, h_angle, dynes, delta, S_A0, linear=linear),
        "fmr_V_per_theta2": balance["V_per_theta2"],
        "fmr_dT_per_theta2": balance["dT_per_theta2"],
        "max_damping_refrigeration": max_damping_for_refrigeration(
            Omega, T, h, h_angle, P, dynes, delta, linear=linear, fmr=fmr),
    }


def warmup() -> None:
    """Compile (or load from the cache) the fis kernels: one tiny evaluation."""
    fis_currents(np.array([0.1]), 0.3, 0.0, 0.5, 0.4, 0.1, 0.1, 0.1, 1e-3, 1.0)


# -- counting statistics, Eq. (20) --------------------------------------------------------------

#: the channels (σ, σ') in the order used by :func:`channel_rates`
CHANNELS = ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0))


def _rate_terms(
    V: float, h: float, h_angle: float, P: float, theta: float, Omega: float, T_S: float,
    T_F: float, dynes: float, delta: float, with_overlap: bool = True,
) -> np.ndarray:
    """MODE_FORWARD rows of the rates R_c^d of Eq. (20): row 2(2c + d) + (0, 1) for the ± of N_S.

    Coefficient ½ ⟨σ|σ'⟩² N_F,σ' (1 ± σ cos θ_h)/2 (without ⟨σ|σ'⟩² if not ``with_overlap``);
    d = 0 is F → S, f_F(1 − f_S), d = 1 is S → F.  Outputs are left unset.
    """
    cos_t, cos_h = math.cos(theta), math.cos(h_angle)
    terms = cv.make_terms(16)
    k = 0
    for spin_s, spin_f in CHANNELS:
        mu_f = V + 0.5 * (spin_s - spin_f * cos_t) * Omega
        overlap = 0.5 * (1.0 + spin_s * spin_f * cos_t) if with_overlap else 1.0
        weight = 0.5 * overlap * (1.0 + spin_f * P)
        for mu_l, t_l, mu_r, t_r in ((mu_f, T_F, 0.0, T_S), (0.0, T_S, mu_f, T_F)):
            for branch in _SPINS:
                t = terms[k]
                t[cv.COL_COEFF] = weight * 0.5 * (1.0 + branch * spin_s * cos_h)
                t[cv.COL_DELTA_A] = delta
                t[cv.COL_SHIFT_A] = branch * h
                t[cv.COL_DYNES_A] = dynes
                t[cv.COL_MODE] = cv.MODE_FORWARD
                t[cv.COL_MU_L], t[cv.COL_T_L], t[cv.COL_MU_R], t[cv.COL_T_R] = mu_l, t_l, mu_r, t_r
                k += 1
    return terms


def channel_rates(
    V: float, h: float, h_angle: float, P: float, theta: float, Omega: float, T_S: float,
    T_F: float, dynes: float, delta: float = math.nan, *, with_overlap: bool = True,
    rtol: float = cv.DEFAULT_RTOL, atol: float = cv.DEFAULT_ATOL,
) -> np.ndarray:
    r"""Energy moments of the tunnelling rates of Eq. (20), per channel (σ, σ') and direction.

    rates[c, d, n] = ∫ dε εⁿ R_c^d(ε), n = 0, 1, 2, with
    R_c^+ = ½ ⟨σ|σ'⟩² N_S,σ N_F,σ' f_F (1 − f_S)  (F → S),
    R_c^− = ½ ⟨σ|σ'⟩² N_S,σ N_F,σ' f_S (1 − f_F)  (S → F),
    f_F = f0(ε − V − Ω_σσ', T_F); channels in the order of :data:`CHANNELS`.  From
    MODE_FORWARD terms of the engine (same accuracy at the default rtol, atol; tighter ones
    are passed to the engine).  ``with_overlap=False`` drops the factor ⟨σ|σ'⟩², which
    vanishes for the spin-flip channels at the poles.
    """
    delta = float(resolve_gap(T_S, h, delta))
    terms = _rate_terms(V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta, with_overlap)
    base = 3 * (np.arange(16) // 2)
    terms[:, cv.COL_OUT0], terms[:, cv.COL_OUT1], terms[:, cv.COL_OUT2] = base, base + 1, base + 2
    values, _ = cv.integrate(terms, 24, rtol, atol)
    return values.reshape(4, 2, 3)


def _source_coefficients(V: float, Omega: float, theta: float):
    """η_c = χ + ε ξ_S − (ε − μ_c) ξ_F − φ_q (σ − σ' cos θ) = a_c + b_c ε (per source)."""
    cos_t = math.cos(theta)
    out = []
    for spin_s, spin_f in CHANNELS:
        mu = V + 0.5 * (spin_s - spin_f * cos_t) * Omega
        # (constant part, ε part) of ∂η/∂(χ, ξ_S, ξ_F, φ_q)
        out.append(((1.0, 0.0), (0.0, 1.0), (mu, -1.0), (-(spin_s - spin_f * cos_t), 0.0)))
    return out


def cumulant_generating_function(
    chi: complex, xi_S: complex, xi_F: complex, phi_q: complex, theta_q: complex, V: float,
    h: float, h_angle: float, P: float, theta: float, Omega: float, T_S: float, T_F: float,
    dynes: float, delta: float = math.nan,
) -> complex:
    r"""The cumulant generating function s_T of Eq. (20) of Ojajärvi et al. (2020) for complex sources, G_T = 1.

    .. math::

        s_T = \tfrac12\int d\varepsilon \sum_{\sigma\sigma'} N_{F\sigma'} N_{S\sigma} \Big\{
          \tfrac{\cos\theta_q + \sigma\sigma'\cos\theta}{2}
          [e^{i\eta} f_F(1 - f_S) + e^{-i\eta} f_S(1 - f_F)]
          - \tfrac{1 + \sigma\sigma'(\cos\theta)^c}{2}[f_F(1 - f_S) + f_S(1 - f_F)]\Big\},

    η_σσ' = χ + ε ξ_S − (ε − V − Ω_σσ') ξ_F − 2φ_q Ω_σσ'/Ω = a_c + b ε with b = ξ_S − ξ_F,
    Ω_σσ' = (σ − σ' cos θ) Ω/2.  The second line makes s_T(0) = 0 exactly.  (cos θ)^c is
    the Keldysh classical part ½[cos(θ + θ_q) + cos(θ − θ_q)] = cos θ cos θ_q, as printed; with
    it D = −(1/8)∂²_θq s_T|₀ holds as the paper states (a θ_q-independent second line would
    give −(1/8)∂²_θq s_T = (1/32)∫Σ N_F N_S [f_F(1 − f_S) + f_S(1 − f_F)] ≠ D instead).
    The first line's cos θ is that of the classical angle (overlap ⟨σ|σ'_+⟩⟨σ'_−|σ⟩).
    e^{±ibε} is the engine's exponential weight (κ = ±ib, :mod:`fastspin.kernels.convolution`)
    on the MODE_FORWARD rows of :func:`channel_rates` (without ⟨σ|σ'⟩², applied here).

    Sources: χ (charge, 1/e), ξ_S, ξ_F (energy, 1/Δ0), φ_q, θ_q (angles); any complex values
    with −1/T_F < Im(ξ_S − ξ_F) < 1/T_S (else the integral diverges: ParameterError).
    Gallavotti–Cohen: s_T(χ, ξ_S, ξ_F, φ_q) = s_T(−χ, i/T_S − ξ_S, i/T_F − ξ_F, −φ_q) at θ_q = 0.

    Accuracy: that of the engine, 1e-6 relative or 1e-9 absolute (real and imaginary parts,
    units G_T Δ0), tested against scipy.integrate.quad for |Re(ξ_S − ξ_F)| up to 20/min(T).
    """
    b = complex(xi_S) - complex(xi_F)
    if not (-1.0 / T_F < b.imag < 1.0 / T_S):
        raise ParameterError(
            f"xi_S, xi_F: Im(xi_S - xi_F) must lie in (-1/T_F, 1/T_S) = ({-1.0 / T_F:g}, {1.0 / T_S:g})"
            f" (the counting integral diverges otherwise), got {b.imag:g}"
        )
    delta = float(resolve_gap(T_S, h, delta))
    terms = _rate_terms(V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta, with_overlap=False)
    row_rate = np.arange(16) // 2  # 2c + d
    direction = np.where(row_rate % 2 == 0, 1.0, -1.0)  # e^{+iη} for F → S, e^{−iη} for S → F
    weighted = terms.copy()
    # κ = ±ib: outputs (2(2c + d), 2(2c + d) + 1) = (Re, Im) of ∫ R e^{±ibε}
    weighted[:, cv.COL_KAPPA_RE] = -direction * b.imag
    weighted[:, cv.COL_KAPPA_IM] = direction * b.real
    weighted[:, cv.COL_OUT0] = 2 * row_rate
    weighted[:, cv.COL_OUT1] = 2 * row_rate + 1 if b != 0 else -1
    # plain rates for the normalisation, outputs 16 + (2c + d)
    terms[:, cv.COL_OUT0] = 16 + row_rate
    values, _ = cv.integrate(np.concatenate((weighted, terms)), 24)
    exponential = values[0:16:2] + 1j * values[1:16:2]
    plain = values[16:]
    cos_t = math.cos(theta)
    total = 0.0 + 0.0j
    for c, ((spin_s, spin_f), coefficients) in enumerate(zip(CHANNELS, _source_coefficients(V, Omega, theta),
                                                              strict=True)):
        # constant part a_c of η_c = a_c + b ε
        a = chi + xi_F * coefficients[2][0] + phi_q * coefficients[3][0]
        sigma_sigma = spin_s * spin_f
        q_weight = 0.5 * (np.cos(theta_q) + sigma_sigma * cos_t)
        # (cos θ)^c = ½[cos(θ + θ_q) + cos(θ − θ_q)] = cos θ cos θ_q (see the docstring)
        overlap = 0.5 * (1.0 + sigma_sigma * cos_t * np.cos(theta_q))
        total += q_weight * (np.exp(1j * a) * exponential[2 * c] + np.exp(-1j * a) * exponential[2 * c + 1])
        total -= overlap * (plain[2 * c] + plain[2 * c + 1])
    return complex(total)


def cumulants(
    V: float, h: float, h_angle: float, P: float, theta: float, Omega: float, T_S: float,
    T_F: float, dynes: float, delta: float = math.nan,
) -> dict[str, np.ndarray]:
    r"""First and second cumulants of s_T (Eq. (20)) in the sources (χ, ξ_S, ξ_F, φ_q).

    ``mean`` = −i ∂ s_T|₀ = (I_c, Ė_S, Ė_F, 2τ_z) and ``covariance`` = −∂² s_T|₀ (4×4), with
    ∂η_c = a + b ε per source, so both follow from the n = 0, 1, 2 energy moments of the
    channel rates: mean_k = Σ_c ∫ ∂_kη (R⁺ − R⁻), cov_kl = Σ_c ∫ ∂_kη ∂_lη (R⁺ + R⁻).
    The torque noise is D = cov[φ_q, φ_q]/(8 sin²θ).  Units as in the module docstring.
    """
    rates = channel_rates(V, h, h_angle, P, theta, Omega, T_S, T_F, dynes, delta)
    mean = np.zeros(4)
    covariance = np.zeros((4, 4))
    for c, coefficients in enumerate(_source_coefficients(V, Omega, theta)):
        net = rates[c, 0] - rates[c, 1]
        total = rates[c, 0] + rates[c, 1]
        for k, (ak, bk) in enumerate(coefficients):
            mean[k] += ak * net[0] + bk * net[1]
            for m, (al, bl) in enumerate(coefficients):
                covariance[k, m] += ak * al * total[0] + (ak * bl + bk * al) * total[1] + bk * bl * total[2]
    return {"mean": mean, "covariance": covariance}


__all__ = [
    "CHANNELS",
    "N_OUT",
    "N_TERMS",
    "channel_rates",
    "critical_thermal_bias",
    "cumulant_generating_function",
    "cumulants",
    "dynamics_tables",
    "fis_currents",
    "fis_terms",
    "fmr_coefficients",
    "fmr_response",
    "linear_response_coefficients",
    "linear_response_matrix",
    "linear_response_matrix_numerical",
    "max_damping_for_refrigeration",
    "onset_voltage",
    "precession_angles",
    "resolve_gap",
    "response_point",
    "second_order_response",
    "torque_per_sin2",
    "warmup",
]
