"""Spin-resolved densities of states (DOS), normalised to the normal-state DOS per spin.

* :func:`bcs_dos` — the Dynes-broadened BCS DOS
  N0(E) = |Re[(E + iΓ)/√((E + iΓ)² − Δ²)]|  (Eq. (1) of Germanese et al. (2021) with h = 0).
  The square root is evaluated as √(z − Δ)·√(z + Δ) with z = E + iΓ: for Γ > 0 both
  factors lie in the upper half plane, so the product is the retarded branch and the
  formula keeps full relative precision next to the gap edges even for Γ = 1e-7 Δ.
  Δ = 0 gives the normal metal, N0 = 1.
* :func:`spin_split_dos` — N_σ(E) = N0(E + σh), Eq. (1) of Germanese et al. (2021) (σ = ±1).
* :func:`spin_split_dos_tilted` — N_S,σ(ε) = Σ_± (1 ± σ ĥ·ẑ)/2 · N0(ε ∓ h), the form
  below Eq. (5) of Ojajärvi et al. (2020) for a field direction ĥ at polar angle θ_h to the spin
  quantisation axis ẑ (ĥ·ẑ = cos θ_h).
* :func:`ferromagnet_dos` — N_F,σ = 1 + σP (Ojajärvi et al. 2020), energy independent.

Energies, Δ, h and Γ share one unit (Δ0 in fastspin).  The kernels are exact
closed forms; their accuracy is that of complex double arithmetic (≈1e-15 relative).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True, error_model="numpy")
def _dynes_root(energy: float, delta: float, dynes: float) -> tuple[float, float, float, float]:
    """w = (E + iΓ)² − Δ² and s = √w on the retarded branch (Re(z/s) ≥ 0), real arithmetic.

    The real part of w is factored as (E − Δ)(E + Δ) − Γ², which keeps full
    precision at the gap edge; the square root avoids cancellation on both half-planes.
    """
    w_re = (energy - delta) * (energy + delta) - dynes * dynes
    w_im = 2.0 * energy * dynes
    modulus = math.sqrt(w_re * w_re + w_im * w_im)  # |w| <~ 1e6 here: no overflow, 3x faster than hypot
    # one square root, no cancellation: t = √((|w| + |Re w|)/2) is the larger component of √w,
    # the other is |Im w|/(2t).  Written with selects (no branches) so loops over nodes vectorize.
    t = math.sqrt(0.5 * (modulus + abs(w_re)))
    other = 0.5 * abs(w_im) / t
    upper = w_re >= 0.0
    s_re = t if upper else other
    s_im = math.copysign(other if upper else t, w_im)
    # retarded branch: Re(z/s) = (E s_re + Γ s_im)/|w| >= 0
    if energy * s_re + dynes * s_im < 0.0:
        s_re = -s_re
        s_im = -s_im
    return w_re, w_im, s_re, s_im


@njit("float64(float64, float64, float64)", cache=True, nogil=True, error_model="numpy")
def bcs_dos(energy: float, delta: float, dynes: float) -> float:
    """Dynes BCS DOS N0(E; Δ, Γ) = |Re[(E + iΓ)/√((E + iΓ)² − Δ²)]|; N0 = 1 for Δ = 0.

    Real arithmetic only (≈4× faster than complex sqrt): with z = E + iΓ,
    w = z² − Δ² and s = √w from :func:`_dynes_root`, Re(z/s) = Re(z·s̄)/|w|; two
    square roots and one division.
    """
    if delta == 0.0:
        return 1.0
    # _dynes_root without the branch flip (|Re| makes the branch irrelevant here), and
    # with one division: t² = (|w| + |Re w|)/2 is known before its square root, and
    # t·(smaller component of s) = |Im w|/2, so Re(z s̄)/|w| = Re(z·t s̄)/(t |w|) in both
    # half-planes.  Straight-line code: a loop of calls over nodes vectorises.
    w_re = (energy - delta) * (energy + delta) - dynes * dynes
    w_im = 2.0 * energy * dynes
    modulus = math.sqrt(w_re * w_re + w_im * w_im)
    t_squared = 0.5 * (modulus + abs(w_re))
    cross = 0.5 * abs(w_im)
    upper = w_re >= 0.0
    s_re_t = t_squared if upper else cross
    s_im_t = math.copysign(cross if upper else t_squared, w_im)
    return abs(energy * s_re_t + dynes * s_im_t) / (math.sqrt(t_squared) * modulus)


@njit("float64(float64, float64, float64)", cache=True, nogil=True, error_model="numpy")
def bcs_dos_derivative(energy: float, delta: float, dynes: float) -> float:
    """dN0/dE = Re[−Δ² / ((E + iΓ)² − Δ²)^{3/2}] on the retarded branch; 0 for Δ = 0.

    Used by closed-form zero-bias conductances (Eq. (3) of Germanese et al. (2021)).  Same real
    arithmetic as :func:`bcs_dos`, with w^{3/2} = w·s on the retarded branch.
    """
    if delta == 0.0:
        return 0.0
    w_re, w_im, s_re, s_im = _dynes_root(energy, delta, dynes)
    # w^{3/2} = w * s
    p_re = w_re * s_re - w_im * s_im
    p_im = w_re * s_im + w_im * s_re
    return -delta * delta * p_re / (p_re * p_re + p_im * p_im)


@njit("float64(float64, float64, float64, float64, float64)", cache=True, nogil=True, error_model="numpy")
def spin_split_dos(energy: float, delta: float, exchange: float, spin: float, dynes: float) -> float:
    """N_σ(E) = N0(E + σh; Δ, Γ), Eq. (1) of Germanese et al. (2021) (``spin`` σ = +1 for ↑, −1 for ↓)."""
    return bcs_dos(energy + spin * exchange, delta, dynes)


@njit(
    "float64(float64, float64, float64, float64, float64, float64)", cache=True, nogil=True, error_model="numpy"
)
def spin_split_dos_tilted(
    energy: float, delta: float, exchange: float, cos_field_angle: float, spin: float, dynes: float
) -> float:
    """N_S,σ(ε) = Σ_± (1 ± σ cos θ_h)/2 · N0(ε ∓ h), below Eq. (5) of Ojajärvi et al. (2020).

    ``cos_field_angle`` = ĥ·ẑ; ``spin`` σ = ±1 along ẑ.  For ĥ = ẑ this is N0(ε − σh).
    """
    weight_plus = 0.5 * (1.0 + spin * cos_field_angle)
    weight_minus = 0.5 * (1.0 - spin * cos_field_angle)
    total = 0.0
    if weight_plus != 0.0:
        total += weight_plus * bcs_dos(energy - exchange, delta, dynes)
    if weight_minus != 0.0:
        total += weight_minus * bcs_dos(energy + exchange, delta, dynes)
    return total


@njit("float64(float64, float64)", cache=True, nogil=True, error_model="numpy")
def ferromagnet_dos(polarization: float, spin: float) -> float:
    """N_F,σ = 1 + σP (Ojajärvi et al. 2020): spin polarisation P of the Fermi-level DOS."""
    return 1.0 + spin * polarization


@njit(cache=True, nogil=True, error_model="numpy")
def bcs_dos_array(energy: np.ndarray, delta: float, dynes: float) -> np.ndarray:
    """Vectorised :func:`bcs_dos` over an array of energies."""
    flat_in = energy.ravel()
    flat_out = np.empty(flat_in.size)
    for i in range(flat_in.size):
        flat_out[i] = bcs_dos(flat_in[i], delta, dynes)
    return flat_out.reshape(energy.shape)


@njit(cache=True, nogil=True, error_model="numpy")
def spin_split_dos_array(
    energy: np.ndarray, delta: float, exchange: float, spin: float, dynes: float
) -> np.ndarray:
    """Vectorised :func:`spin_split_dos` over an array of energies."""
    return bcs_dos_array(energy + spin * exchange, delta, dynes)
