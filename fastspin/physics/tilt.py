"""The tilt-angle Langevin equation of the precessing F island.

Eq. (8) of Ojajärvi, Heikkilä and Virtanen, *Nonlinear spin torque, pumping, and
cooling in superconductor/ferromagnet systems*, Phys. Rev. B 101, 115406 (2020),
with user-supplied τz(cos θ) and D(cos θ) tables (:mod:`fastspin.kernels.tilt`), e.g.
the ``torque_z`` and ``torque_noise`` outputs of the ``fis`` model.

* :class:`TiltAngleModel` and :func:`run_tilt_ensemble` - the stochastic ensemble;
  :meth:`TiltAngleModel.stationary_density` gives P(cos θ) without simulation.
* :func:`dipole_spectrum`, :func:`spectrum_linewidth` - S_xx(ω) of Eq. (23) and its
  FWHM, averaged over the stationary P(cos θ).

Units of the paper: ħ = k_B = 1, energies in Δ0, time in ħ/Δ0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fastspin.kernels import tilt as _tilt
from fastspin.model import ParameterError
from fastspin.physics._ensemble import (
    EnsembleSamples,
    _check_ensemble,
    _finite,
    _launch,
    _sample_fields,
    _trace_buffer,
)


@dataclass(frozen=True)
class TiltAngleModel:
    """Eq. (8) of Ojajärvi et al. (2020) for u = cos θ, with τz(u) and D(u) given as tables.

        -S du/dt = τz(u) - S A0 Ω (1 - u²) + η,
        ⟨η(t)η(t')⟩ = 2 [D(u) + S A0 T] (1 - u²) δ(t - t').

    Units of the paper: ħ = k_B = 1, energies (Ω, T, τz) in Δ0, D in Δ0² ħ/Δ0 = ħΔ0,
    time in ħ/Δ0; S is the total spin in units of ħ.  Torque tables from the ``fis``
    model are in ħ G_T Δ0/e², i.e. multiply them by g_T = G_T ħ/e² first
    (``conductance``).  The stochastic calculus is the isothermal (Hänggi) one that
    gives the paper's Boltzmann law in equilibrium; see :mod:`fastspin.kernels.tilt`.

    ``cos_theta`` is an increasing grid covering [-1, 1]; ``tau_z`` and ``D`` are
    resampled by cubic splines onto a uniform grid of ``n_grid`` points (D + S A0 T
    must stay >= 0).
    """

    S: float
    A0: float
    Omega: float
    T: float
    cos_theta: np.ndarray
    tau_z: np.ndarray
    D: np.ndarray
    conductance: float = 1.0
    n_grid: int = 2001

    def __post_init__(self) -> None:
        _finite("S", self.S, 0.0)
        if self.S <= 0:
            raise ParameterError(f"S = {self.S} must be > 0")
        _finite("A0", self.A0, 0.0)
        _finite("Omega", self.Omega)
        _finite("T", self.T, 0.0)
        grid = np.asarray(self.cos_theta, dtype=float)
        tau = np.asarray(self.tau_z, dtype=float)
        D = np.asarray(self.D, dtype=float)
        if grid.ndim != 1 or grid.size < 4 or tau.shape != grid.shape or D.shape != grid.shape:
            raise ParameterError("cos_theta, tau_z and D must be 1-D arrays of one length >= 4")
        if not (np.all(np.diff(grid) > 0) and grid[0] <= -1.0 and grid[-1] >= 1.0):
            raise ParameterError("cos_theta must increase and cover [-1, 1]")
        if not (np.all(np.isfinite(tau)) and np.all(np.isfinite(D))):
            raise ParameterError("tau_z and D tables must be finite")
        if self.n_grid < 11:
            raise ParameterError(f"n_grid = {self.n_grid} must be >= 11")
        object.__setattr__(self, "cos_theta", grid)
        object.__setattr__(self, "tau_z", tau)
        object.__setattr__(self, "D", D)
        if np.any(self.conductance * D + self.S * self.A0 * self.T < -1e-14):
            raise ParameterError("D + S A0 T must be >= 0 everywhere (noise strength)")

    @classmethod
    def equilibrium(
        cls, S: float, A0: float, Omega: float, T: float, Gamma: float = 0.0, n_table: int = 201
    ) -> TiltAngleModel:
        """Equilibrium torques τz = -Γ Ω (1 - u²), D = Γ T (plus the A0 damping)."""
        u = np.linspace(-1.0, 1.0, n_table)
        return cls(S, A0, Omega, T, u, -Gamma * Omega * (1.0 - u**2), np.full_like(u, Gamma * T))

    def kernel_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(a0, c, c') on the uniform grid: a0 = A0Ω(1-u²) - τz/S, c = (D + S A0 T)/S²."""
        from scipy.interpolate import CubicSpline

        u = np.linspace(-1.0, 1.0, self.n_grid)
        tau = CubicSpline(self.cos_theta, self.conductance * self.tau_z)
        D = CubicSpline(self.cos_theta, self.conductance * self.D)
        drift0 = self.A0 * self.Omega * (1.0 - u**2) - tau(u) / self.S
        c = np.maximum(D(u) + self.S * self.A0 * self.T, 0.0) / self.S**2
        dc = D(u, 1) / self.S**2
        return drift0, c, dc


    def stationary_density(self) -> tuple[np.ndarray, np.ndarray]:
        """Stationary Fokker-Planck density P(cos θ) of Eq. (8), without simulation.

        Zero-flux solution of ∂t P = -∂u[a0 P] + ∂u[B ∂u P] (the calculus of
        :mod:`fastspin.kernels.tilt`): P(u) ∝ exp(∫_0^u a0/B du'), with a0 and
        B = c (1 - u²) from :meth:`kernel_tables`; the exponent is accumulated by the
        trapezoidal rule on the uniform grid (a0/B at the poles by linear extrapolation
        from the interior nodes), and P is normalized by the trapezoidal rule.  Error O(h²), h = 2/(n_grid - 1):
        relative 1e-5 for n_grid = 2001 on smooth tables (tests/test_tilt.py).
        Needs τz ∝ sin²θ near the poles for a finite density there.
        Returns (u grid, P on it).
        """
        drift0, c, _ = self.kernel_tables()
        u = np.linspace(-1.0, 1.0, self.n_grid)
        # a0/B = [a0/(1 - u²)]/c, regular at the poles for τz ∝ (1 - u²): evaluate it on
        # the interior nodes, extrapolate linearly to the poles, interpolate to midpoints
        ratio = np.empty_like(u)
        ratio[1:-1] = drift0[1:-1] / (1.0 - u[1:-1] ** 2) / c[1:-1]
        ratio[0] = 2.0 * ratio[1] - ratio[2]
        ratio[-1] = 2.0 * ratio[-2] - ratio[-3]
        exponent = np.zeros_like(u)
        exponent[1:] = np.cumsum(0.5 * (ratio[1:] + ratio[:-1]) * np.diff(u))
        density = np.exp(exponent - exponent.max())
        density /= np.trapezoid(density, u)
        return u, density


@dataclass
class TiltEnsembleResult(EnsembleSamples):
    """Per-trajectory results of :func:`run_tilt_ensemble` (row i = trajectory first + i).

    ``final_u`` = cos θ at the end, ``mean_u`` its time average over the samples,
    ``histogram`` integer counts of cos θ over the samples (edges ``bin_edges``),
    ``traces`` (N, n_trace) or None.
    """

    final_u: np.ndarray
    mean_u: np.ndarray


def run_tilt_ensemble(
    model: TiltAngleModel,
    n_trajectories: int,
    seed: int,
    *,
    dt: float,
    n_steps: int,
    u0: float = 1.0,
    first_trajectory: int = 0,
    stream: int = 0,
    sample_start: int | None = None,
    sample_every: int = 1,
    n_bins: int = 50,
    trace_every: int = 0,
    parallel: bool = False,
    n_tasks: int | None = None,
) -> TiltEnsembleResult:
    """Integrate Eq. (8) of Ojajärvi et al. (2020) for trajectories first … first + n - 1.

    Stratonovich Heun in u = cos θ (weak order 1; see :mod:`fastspin.kernels.tilt`),
    ``n_steps`` steps of ``dt`` (ħ/Δ0) from u0.  Samples for ``mean_u`` and the
    histogram: states after steps sample_start, sample_start + sample_every, …
    (default: the final state).  Same reproducibility contract as
    :func:`run_ensemble`.
    """
    n_trajectories, dt, n_steps, sample_start = _check_ensemble(
        n_trajectories, seed, stream, first_trajectory, dt, n_steps, sample_start, sample_every,
        n_bins, trace_every,
    )  # fmt: skip
    u0 = _finite("u0", u0, -1.0, 1.0)
    drift0, c, dc = model.kernel_tables()
    final_u = np.empty(n_trajectories)
    mean_u = np.empty(n_trajectories)
    histogram = np.zeros(n_bins, dtype=np.int64)
    traces, trace_times = _trace_buffer(n_trajectories, n_steps, trace_every, dt, ())
    args = (
        drift0, c, dc, float(u0), np.uint64(seed), np.int64(stream),
        np.int64(first_trajectory), float(dt), np.int64(n_steps), np.int64(sample_start),
        np.int64(sample_every), final_u, mean_u, histogram, traces, np.int64(trace_every),
    )  # fmt: skip
    _launch(_tilt.tilt_ensemble, _tilt.tilt_ensemble_parallel, args, parallel, n_tasks)
    return TiltEnsembleResult(
        final_u=final_u,
        mean_u=mean_u,
        **_sample_fields(histogram, traces, trace_times, trace_every, seed, stream, first_trajectory),
    )


def dipole_spectrum(model: TiltAngleModel, omega: np.ndarray | float) -> np.ndarray:
    """Magnetic-dipole spectrum S_xx(ω) of the steady state, Eq. (23) of Ojajärvi et al. (2020).

        S_xx(ω) ≈ ½ Σ_± ⟨ D_tot / [(ω ± Ω)² + γ(θ)²] ⟩_θ,   γ(θ) = D_tot csc²θ / S²,

    a mixture of Lorentzians (phase diffusion of the precession at angle θ) averaged
    over the stationary P(cos θ) of :meth:`TiltAngleModel.stationary_density`.
    D_tot = g_T D(θ) + S A0 T is the total torque noise of Eq. (8) (the paper, with
    S A0 = 0, has D alone).  Units: ω, Ω in Δ0/ħ; S_xx in ħ/Δ0 (times S² ħ² from
    Eq. (22) absorbed as in Eq. (23)).  The θ average is a trapezoidal sum on the
    model's uniform cos θ grid (the integrand D/γ² ∝ sin⁴θ vanishes at the poles);
    error O(h²) relative to the average, h = 2/(n_grid - 1).
    """
    from scipy.interpolate import CubicSpline

    u, density = model.stationary_density()
    noise = CubicSpline(model.cos_theta, model.conductance * model.D)(u)
    noise = np.maximum(noise + model.S * model.A0 * model.T, 0.0)
    sin2 = np.maximum(1.0 - u * u, 0.0)
    omega = np.asarray(omega, dtype=float)
    result = np.zeros(omega.shape)
    interior = slice(1, -1)  # sin θ = 0 at the ends: the integrand is 0 there
    gamma = noise[interior] / (model.S**2 * sin2[interior])
    weight = density[interior] * noise[interior]
    du = u[1] - u[0]
    for index in np.ndindex(omega.shape):
        w = omega[index]
        total = 0.0
        for sign in (1.0, -1.0):
            total += np.sum(weight / ((w + sign * model.Omega) ** 2 + gamma**2)) * du
        result[index] = 0.5 * total
    return result


def spectrum_linewidth(model: TiltAngleModel) -> float:
    """Full width at half maximum of the S_xx(ω) peak at ω = |Ω| (Eq. (23), Ojajärvi et al. (2020)).

    The maximum is located by a bounded scalar search around |Ω| and the two
    half-maximum frequencies by Brent's method (relative tolerance 1e-10), so the FWHM
    carries the O(h²) accuracy of :func:`dipole_spectrum`.  For a distribution sharply
    peaked at θ*, FWHM → 2 D_tot(θ*)/(S² sin²θ*).
    """
    from scipy.interpolate import CubicSpline
    from scipy.optimize import brentq, minimize_scalar

    u, density = model.stationary_density()
    noise = CubicSpline(model.cos_theta, model.conductance * model.D)(u)
    noise = np.maximum(noise + model.S * model.A0 * model.T, 0.0)
    # the scale of the searches: 2γ at the most probable interior angle
    inner = slice(1, -1)
    gammas = noise[inner] / (model.S**2 * np.maximum(1.0 - u[inner] ** 2, 1e-300))
    typical = 2.0 * float(gammas[np.argmax(density[inner])])
    centre = abs(model.Omega)

    def spectrum(w: float) -> float:
        return float(dipole_spectrum(model, w))

    search = minimize_scalar(
        lambda w: -spectrum(w), bounds=(centre - typical, centre + typical), method="bounded",
        options={"xatol": 1e-12 * max(centre, typical)},
    )  # fmt: skip
    peak_w, half = search.x, 0.5 * spectrum(search.x)
    step = typical
    right = peak_w + step
    while spectrum(right) > half:
        step *= 2.0
        right = peak_w + step
    step = typical
    left = peak_w - step
    while spectrum(left) > half:
        step *= 2.0
        left = peak_w - step
    tol = 1e-10 * max(centre, typical)
    upper = brentq(lambda w: spectrum(w) - half, peak_w, right, xtol=tol)
    lower = brentq(lambda w: spectrum(w) - half, left, peak_w, xtol=tol)
    return upper - lower


__all__ = [
    "TiltAngleModel",
    "TiltEnsembleResult",
    "dipole_spectrum",
    "run_tilt_ensemble",
    "spectrum_linewidth",
]
