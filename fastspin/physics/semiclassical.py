r"""Semiclassical stationary law P(cos θ) of the precessing F island from the Keldysh action.

Sec. V B of Ojajärvi, Heikkilä and Virtanen, *Nonlinear spin torque, pumping, and cooling
in superconductor/ferromagnet systems*, Phys. Rev. B 101, 115406 (2020).  The action
S = S0 + S_T of Eqs. (19)–(20) (plus the Gilbert term s_G of Eq. (21)) generates the
statistics of u = cos θ; for S ≫ 1 the stationary distribution is dominated by the
zero-"energy" paths of the reduced generating function s̃_T = s_T|_{θq = χ = ξ = 0}:

.. math::

    P(u) \propto \exp\Big(2S \int_0^u p^*(u')\,du'\Big),\qquad
    s̃_T(\phi_q = -i p^*, u) + s_G = 0,\ p^* \ne 0,

where φ_q* = −i p* is the nonzero root (the saddle-point exponent of the weight
e^{i 2S ∫ φ_q ∂_t u dt + ∫ s̃_T dt}).  In equilibrium (T_S = T_F, V = 0) the fluctuation
symmetry gives p* = Ω/2T exactly and P is the Boltzmann law e^{S u Ω/T}, as the paper
states.  Expanding s̃_T to second order in φ_q instead gives back Eq. (8) with its torque
τ_z and noise D: p_G = −τ_z/(2 D sin²θ), whose P is the Fokker-Planck density of
:meth:`fastspin.physics.tilt.TiltAngleModel.stationary_density` (the "Gaussian" law).

With θ_q = χ = ξ = 0 only η_σσ' = −φ_q k_c, k_c = σ − σ' cos θ, depends on the source
(see :func:`fastspin.physics.fis.cumulant_generating_function`), and the energy integrals
do not depend on φ_q.  With r_c^± the overlap-free rates of :func:`fastspin.physics.fis.
channel_rates` (F → S and S → F of channel c = (σ, σ')), ⟨σ|σ'⟩² = (1 + σσ'u)/2 and
|k_c| = 1 − σσ'u, so that ⟨σ|σ'⟩²|k_c| = sin²θ/2:

.. math::

    \frac{s̃_T(-ip)}{p\,\sin^2\theta} = \tfrac12 \sum_c \sum_\pm (\mp\sigma)\, r_c^\pm\,
        \mathrm{exprel}(\mp\sigma |k_c| p),\qquad \mathrm{exprel}(x) = (e^x - 1)/x,

the *reduced function* h(p, u), regular at the poles and at p = 0.  Every term increases
with p (exprel is increasing and positive), so h has exactly one root: p* (zero where
τ_z = 0).  h(0) = 2τ_z/sin²θ and h'(0) = 4D reproduce Eq. (8).  The Gilbert term of
Eq. (21) adds −2 S A0 (Ω − 2 T p) (T the temperature of the damping bath, T_F in the paper),
and the rates are multiplied by g_T = G_T ħ/e².

* :func:`junction_rates` - the r_c^± on a cos θ grid;
* :class:`SemiclassicalTiltModel` - a :class:`fastspin.physics.tilt.TiltAngleModel` whose
  :meth:`~SemiclassicalTiltModel.stationary_density` is the semiclassical law (so
  :func:`fastspin.physics.tilt.dipole_spectrum` and
  :func:`fastspin.physics.tilt.spectrum_linewidth` average Eq. (23) over it), with
  :meth:`~SemiclassicalTiltModel.root`, :meth:`~SemiclassicalTiltModel.gaussian_root`,
  :meth:`~SemiclassicalTiltModel.gaussian_density`.

Accuracy: the rates to the engine's rtol 1e-10 (atol 1e-14 G_T Δ0), the root by Brent's
method to 1e-14 relative (in equilibrium p* = Ω/2T is tested to 1e-10 relative; the
observed error is ~4e-15, the engine's two directions keeping detailed balance); h(0), h'(0) equal the τ_z, D of
:func:`fastspin.physics.fis.dynamics_tables` to 1e-6.  p*(u) and p_G(u) are interpolated
from the table nodes by a cubic spline in u and integrated exactly, so the exponent
2S ∫ p du carries the spline error, O(h⁴) in the table spacing: 3e-7 of its range on 61
angles at the Fig. 5(c) point (tests/physics/test_semiclassical.py).
Units of the paper: ħ = k_B = 1, energies in Δ0; p dimensionless.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq
from scipy.special import exprel

from fastspin.model import ParameterError
from fastspin.physics import fis
from fastspin.physics.tilt import TiltAngleModel

#: engine tolerances of the rate integrals (the root inherits their relative accuracy)
RATE_RTOL: float = 1e-10
RATE_ATOL: float = 1e-14
_SIGMA = np.array([spin_s for spin_s, _ in fis.CHANNELS])
_SIGMA_SIGMA = np.array([spin_s * spin_f for spin_s, spin_f in fis.CHANNELS])


def junction_rates(
    cos_theta: np.ndarray, V: float, T_S: float, T_F: float, Omega: float, h: float,
    h_angle: float, P: float, dynes: float, delta: float = math.nan,
) -> np.ndarray:
    """Overlap-free rates r_c^± = ∫ dε ½ N_S,σ N_F,σ' f_F(1 − f_S) (+) or f_S(1 − f_F) (−).

    Eq. (20) of Ojajärvi et al. (2020), f_F = f0(ε − V − Ω_σσ', T_F), channels c = (σ, σ')
    in the order of :data:`fastspin.physics.fis.CHANNELS`; G_T = 1.  Returns an array
    (len(cos_theta), 4, 2) in G_T Δ0/e² × Δ0 (a rate, Δ0/ħ for G_T = e²/ħ), to the
    engine's rtol RATE_RTOL = 1e-10 (atol RATE_ATOL = 1e-14).
    """
    cos_theta = np.asarray(cos_theta, dtype=float)
    if cos_theta.ndim != 1 or np.any(np.abs(cos_theta) > 1.0):
        raise ParameterError("cos_theta: a 1-D array with values in [-1, 1]")
    delta = float(fis.resolve_gap(T_S, h, delta))
    out = np.empty((cos_theta.size, 4, 2))
    for i, u in enumerate(cos_theta):
        rates = fis.channel_rates(
            V, h, h_angle, P, math.acos(u), Omega, T_S, T_F, dynes, delta, with_overlap=False,
            rtol=RATE_RTOL, atol=RATE_ATOL,
        )  # fmt: skip
        out[i] = rates[:, :, 0]
    return out


def _terms(rates: np.ndarray, u: float) -> tuple[np.ndarray, np.ndarray]:
    """(weights w, slopes a) with h(p) = Σ w exprel(a p) for one node (G_T = 1, no damping)."""
    abs_k = 1.0 - _SIGMA_SIGMA * u
    signs = np.stack((-_SIGMA, _SIGMA), axis=1)  # e^{−pk} for F → S, e^{+pk} for S → F
    weights = 0.5 * signs * rates
    slopes = signs * abs_k[:, None]
    return weights.ravel(), slopes.ravel()


def reduced_function(
    p: float, rates: np.ndarray, u: float, *, conductance: float = 1.0, S: float = 1.0,
    A0: float = 0.0, Omega: float = 0.0, T: float = 1.0,
) -> float:
    """h(p, u) = [s̃_T(φ_q = −ip) + s_G]/(p sin²θ) of one node (see the module docstring).

    ``rates`` = one row (4, 2) of :func:`junction_rates`; g_T = ``conductance``; the Gilbert
    part −2 S A0 (Ω − 2 T p) of Eq. (21) of Ojajärvi et al. (2020).  Units: Δ0 (a rate).
    """
    weights, slopes = _terms(rates, u)
    return float(conductance * np.sum(weights * exprel(slopes * p)) - 2.0 * S * A0 * (Omega - 2.0 * T * p))


def _root(weights: np.ndarray, slopes: np.ndarray, damping: float, noise: float) -> float:
    """The unique root of h(p) = Σ w exprel(a p) − damping + noise p (h increasing)."""

    def h(p: float) -> float:
        return float(np.sum(weights * exprel(slopes * p)) - damping + noise * p)

    h0 = h(0.0)
    if h0 == 0.0:
        return 0.0
    slope0 = float(np.sum(weights * slopes)) / 2.0 + noise  # h'(0), exprel'(0) = 1/2
    direction = -math.copysign(1.0, h0)
    step = abs(h0 / slope0) if slope0 > 0 else 1.0
    far = direction * step
    while h(far) * h0 > 0:
        far *= 2.0
        if abs(far) > 1e4:
            raise ParameterError("no root of s_T within |p| < 1e4 (rates or damping out of range)")
    lo, hi = sorted((0.0, far))
    return float(brentq(h, lo, hi, xtol=1e-300, rtol=1e-14, maxiter=500))


@dataclass(frozen=True)
class SemiclassicalTiltModel(TiltAngleModel):
    """Eq. (8) of Ojajärvi et al. (2020) with the semiclassical stationary law of Sec. V B.

    A :class:`fastspin.physics.tilt.TiltAngleModel` (same fields, same Langevin dynamics
    and Fokker-Planck density :meth:`gaussian_density`) whose τ_z and D tables come from
    the rates ``rates`` (array (n, 4, 2) of :func:`junction_rates` on ``cos_theta``:
    τ_z = sin²θ h(0)/2, D = h'(0)/4), and whose :meth:`stationary_density` is
    P(u) ∝ exp(2S ∫_0^u p* du') from the nonzero root p* of s̃_T + s_G.  ``T`` is the
    temperature of the Gilbert-damping bath (T_F).  Build it with :meth:`from_junction`.
    """

    rates: np.ndarray | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        rates = np.asarray(self.rates, dtype=float)
        if rates.shape != (self.cos_theta.size, 4, 2) or not np.all(np.isfinite(rates)):
            raise ParameterError("rates: a finite array (len(cos_theta), 4, 2) from junction_rates")
        if np.any(rates < 0):
            raise ParameterError("rates: tunnelling rates must be >= 0")
        object.__setattr__(self, "rates", rates)

    @classmethod
    def from_junction(
        cls, cos_theta: np.ndarray, *, V: float, T_S: float, T_F: float, Omega: float, h: float,
        h_angle: float, P: float, dynes: float, S: float, A0: float = 0.0,
        conductance: float = 1.0, n_grid: int = 2001, delta: float = math.nan,
    ) -> SemiclassicalTiltModel:
        """The F/I/S junction of Ojajärvi et al. (2020) on ``cos_theta`` (increasing, covering [−1, 1])."""
        cos_theta = np.asarray(cos_theta, dtype=float)
        rates = junction_rates(cos_theta, V, T_S, T_F, Omega, h, h_angle, P, dynes, delta)
        tau_per_sin2, noise = _expansion(rates, cos_theta)
        return cls(S, A0, Omega, T_F, cos_theta, tau_per_sin2 * (1.0 - cos_theta**2), noise,
                   conductance=conductance, n_grid=n_grid, rates=rates)

    def _node_terms(self, i: int) -> tuple[np.ndarray, np.ndarray, float, float]:
        weights, slopes = _terms(self.rates[i], float(self.cos_theta[i]))
        damping = 2.0 * self.S * self.A0 * self.Omega
        noise = 4.0 * self.S * self.A0 * self.T
        return self.conductance * weights, slopes, damping, noise

    @cached_property
    def _roots(self) -> np.ndarray:
        # the model is immutable: solve once (the spectrum searches ask for the density often)
        return np.array([_root(*self._node_terms(i)) for i in range(self.cos_theta.size)])

    def root(self) -> np.ndarray:
        """p*(u) = i φ_q* at the table nodes: the nonzero root of s̃_T + s_G (dimensionless)."""
        return self._roots.copy()

    def gaussian_root(self) -> np.ndarray:
        """p_G = −h(0)/h'(0) = −τ_tot/(2 D_tot sin²θ): the root of the quadratic expansion (Eq. (8))."""
        out = np.empty(self.cos_theta.size)
        for i in range(self.cos_theta.size):
            weights, slopes, damping, noise = self._node_terms(i)
            out[i] = -(np.sum(weights) - damping) / (np.sum(weights * slopes) / 2.0 + noise)
        return out

    def log_density(self, p_nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(u, 2S ∫_0^u p du') on the uniform n_grid grid, p splined from the table nodes."""
        spline = CubicSpline(self.cos_theta, p_nodes).antiderivative()
        u = np.linspace(-1.0, 1.0, self.n_grid)
        return u, 2.0 * self.S * (spline(u) - spline(0.0))

    def stationary_density(self) -> tuple[np.ndarray, np.ndarray]:
        """Semiclassical P(cos θ) ∝ exp(2S ∫ p* du), normalized by the trapezoidal rule.

        Leading order in 1/S (no prefactor), as in Sec. V B of Ojajärvi et al. (2020).
        Returns (uniform u grid of n_grid points, P on it).
        """
        return _normalized(*self.log_density(self.root()))

    def gaussian_density(self) -> tuple[np.ndarray, np.ndarray]:
        """The Fokker-Planck density of Eq. (8) (:meth:`TiltAngleModel.stationary_density`)."""
        return super().stationary_density()


def _expansion(rates: np.ndarray, cos_theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(τ_z/sin²θ, D) per node from h(0) = 2τ_z/sin²θ and h'(0) = 4D (G_T = 1)."""
    tau = np.empty(cos_theta.size)
    noise = np.empty(cos_theta.size)
    for i, u in enumerate(cos_theta):
        weights, slopes = _terms(rates[i], float(u))
        tau[i] = 0.5 * np.sum(weights)
        noise[i] = np.sum(weights * slopes) / 8.0
    return tau, noise


def _normalized(u: np.ndarray, exponent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    density = np.exp(exponent - exponent.max())
    return u, density / np.trapezoid(density, u)


__all__ = [
    "RATE_RTOL",
    "SemiclassicalTiltModel",
    "junction_rates",
    "reduced_function",
]
