"""Macrospin dynamics driven by tabulated transport torques and torque noise.

A transport model gives, as functions of u = cos θ (θ the angle of the magnetization m
to the precession axis ẑ), the precession frequency ω(u), the polar torque per sin²θ
p(u), a lab-frame torque vector b(u) = (b_x, b_y, 0) (a torque b_z ẑ is the polar
b_z (ẑ − u m): add it to p) and the noise strength c(u); the stochastic LLG

    dm/dt = ω ẑ × m + p (ẑ − u m) + b − (b·m) m + sqrt(2c) m × ∘ξ

(with the Stratonovich drift correction ½∇c derived in :mod:`fastspin.kernels.llg_table`)
is integrated for an ensemble of trajectories that all share one table.

* :class:`TorqueTable` - the validated cubic-spline table (built once per parameter
  point, shared by every trajectory of a block);
* :func:`run_table_ensemble` - the ensemble (results depend on seed, stream and the
  global trajectory index only);
* :meth:`TorqueTable.stationary_density` - the stationary P(u) of the Fokker-Planck
  equation, without simulation (for b_x = b_y = 0).

Units: whatever the caller uses, consistently: ω, p, b and c are rates (1/time; c is
the diffusion constant of m, i.e. D/S² for a torque noise D on a spin S).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from fastspin.kernels import llg_table as _kernel
from fastspin.model import ParameterError
from fastspin.physics._ensemble import (
    EnsembleSamples,
    _check_ensemble,
    _finite,
    _launch,
    _sample_fields,
    _trace_buffer,
    _vector,
)

#: names of the table fields, in the kernel's order
FIELDS = ("precession", "polar", "diffusion", "lab_x", "lab_y")


@dataclass(frozen=True)
class TorqueTable:
    """Cubic-spline tables of the five fields of :data:`FIELDS` on a uniform grid in u.

    ``coef`` has shape (n_intervals, 20): ``coef[i, 4f : 4f + 4]`` is the cubic of field f
    on [u_i, u_{i+1}], u_i = −1 + 2i/n_intervals, in powers of t = u − u_i.  Build it with
    :meth:`from_values` or :meth:`from_function`.  Interpolation error of the
    not-a-knot cubic spline, h = 2/n_intervals: <= (5/384) h⁴ max|f''''| away from the
    ends, up to 2.5 times that in the two end intervals (tested).
    """

    coef: np.ndarray

    @property
    def n_intervals(self) -> int:
        """Number of spline intervals of the table on u ∈ [−1, 1]."""
        return int(self.coef.shape[0])

    @classmethod
    def from_values(
        cls, cos_theta: np.ndarray, n_intervals: int | None = None, **fields: np.ndarray
    ) -> TorqueTable:
        """Table from values on an increasing grid ``cos_theta`` covering [−1, 1].

        ``fields``: any of :data:`FIELDS` as arrays on the grid (missing ones are 0).
        On a uniform grid of [−1, 1] the spline through the values is used as is; any
        other grid is first splined and resampled on ``n_intervals`` (default: the
        number of grid intervals) uniform intervals.  Refused with one line:
        a grid that is not increasing or does not cover [−1, 1], non-finite values,
        a negative diffusion (noise) value.
        """
        from scipy.interpolate import CubicSpline

        grid = np.asarray(cos_theta, dtype=float)
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise ParameterError(f"unknown table field(s) {sorted(unknown)}; allowed: {FIELDS}")
        if grid.ndim != 1 or grid.size < 4:
            raise ParameterError("cos_theta: the grid must be a 1-D array of >= 4 points")
        if not np.all(np.isfinite(grid)) or np.any(np.diff(grid) <= 0):
            raise ParameterError("cos_theta: the grid must be finite and strictly increasing")
        if grid[0] > -1.0 or grid[-1] < 1.0:
            raise ParameterError(
                f"cos_theta: the grid must cover [-1, 1], got [{grid[0]:g}, {grid[-1]:g}]"
            )
        values = {}
        for name in FIELDS:
            array = np.asarray(fields.get(name, np.zeros_like(grid)), dtype=float)
            if array.shape != grid.shape:
                raise ParameterError(f"{name}: table must have the grid's shape {grid.shape}")
            if not np.all(np.isfinite(array)):
                raise ParameterError(f"{name}: table must be finite (found NaN or inf)")
            values[name] = array
        if np.any(values["diffusion"] < 0):
            raise ParameterError(
                f"diffusion: noise strength must be >= 0, min is {values['diffusion'].min():g}"
            )
        n = grid.size - 1 if n_intervals is None else int(n_intervals)
        if n < 3:
            raise ParameterError(f"n_intervals = {n} must be >= 3")
        uniform = np.linspace(-1.0, 1.0, n + 1)
        same = grid.size == n + 1 and np.allclose(grid, uniform, rtol=0, atol=1e-14)
        coef = np.empty((n, 4 * len(FIELDS)))
        for f, name in enumerate(FIELDS):
            nodes = values[name] if same else CubicSpline(grid, values[name])(uniform)
            spline = CubicSpline(uniform, nodes)
            coef[:, 4 * f : 4 * f + 4] = spline.c[::-1].T
        return cls(np.ascontiguousarray(coef))

    @classmethod
    def from_function(
        cls, evaluate: Callable[[np.ndarray], dict[str, np.ndarray]], n_intervals: int = 128
    ) -> TorqueTable:
        """Table from a vectorized ``evaluate(u) -> {field: values}`` on a uniform grid."""
        if int(n_intervals) < 3:
            raise ParameterError(f"n_intervals = {n_intervals} must be >= 3")
        u = np.linspace(-1.0, 1.0, int(n_intervals) + 1)
        return cls.from_values(u, **evaluate(u))

    def evaluate(self, u: float | np.ndarray) -> dict[str, np.ndarray]:
        """The interpolated fields at u (array), as a dict over :data:`FIELDS`."""
        u = np.atleast_1d(np.asarray(u, dtype=float))
        values, _ = _kernel.evaluate_table(self.coef, np.clip(u, -1.0, 1.0))
        return {name: values[f] for f, name in enumerate(FIELDS)}

    def stationary_density(self, n_grid: int = 4001) -> tuple[np.ndarray, np.ndarray]:
        """Stationary P(u) of the Fokker-Planck equation (2) of :mod:`fastspin.kernels.llg_table`.

        Only for b_x = b_y = 0 (to 1e-12 of the other fields; axially symmetric drift): zero polar flux gives
        P(u) ∝ exp(∫_0^u p/c du'), the exponent by the trapezoidal rule on
        ``n_grid`` points (error O(h²), relative 1e-6 at the default for smooth tables).
        Returns (u grid, P normalized on [−1, 1]).
        """
        u = np.linspace(-1.0, 1.0, n_grid)
        f = self.evaluate(u)
        scale = np.max(np.abs(f["polar"])) + np.max(f["diffusion"])
        if np.max(np.abs(f["lab_x"]) + np.abs(f["lab_y"])) > 1e-12 * scale:
            raise ParameterError("stationary_density: needs lab_x = lab_y = 0 (axial symmetry)")
        if np.any(f["diffusion"] <= 0):
            raise ParameterError("stationary_density: needs diffusion > 0 everywhere")
        ratio = f["polar"] / f["diffusion"]
        exponent = np.concatenate(([0.0], np.cumsum(0.5 * (ratio[1:] + ratio[:-1]) * np.diff(u))))
        density = np.exp(exponent - exponent.max())
        return u, density / np.trapezoid(density, u)


@dataclass
class TableEnsembleResult(EnsembleSamples):
    """Per-trajectory results of :func:`run_table_ensemble` (row i = trajectory first + i).

    ``switch_time``: first time u·sign(u0) < switch_level (NaN if never);
    ``final_m`` (N, 3); ``mean_u`` the time average of u over the samples;
    ``histogram`` integer counts of u over the samples (edges ``bin_edges``);
    ``traces`` (N, n_trace, 3) or None.
    """

    switch_time: np.ndarray
    final_m: np.ndarray
    mean_u: np.ndarray


def run_table_ensemble(
    table: TorqueTable,
    n_trajectories: int,
    seed: int,
    *,
    dt: float,
    n_steps: int,
    m0: Sequence[float] = (0.0, 0.0, 1.0),
    first_trajectory: int = 0,
    stream: int = 0,
    switch_level: float = 0.0,
    sample_start: int | None = None,
    sample_every: int = 1,
    n_bins: int = 50,
    trace_every: int = 0,
    parallel: bool = False,
    n_tasks: int | None = None,
    drift_correction: bool = True,
) -> TableEnsembleResult:
    """Integrate the table-driven stochastic LLG for trajectories first … first + n − 1.

    Stochastic Heun (Stratonovich, weak order 1) with ``n_steps`` steps of ``dt`` from
    ``m0`` (normalized).  Samples for ``mean_u`` and the histogram: the states after
    steps sample_start, sample_start + sample_every, … (default: the final state).
    Results depend only on (table, dt, n_steps, m0, seed, stream, global trajectory
    index), never on the split into blocks or on ``parallel``/``n_tasks``.
    ``drift_correction=False`` drops the ½∇c term: wrong physics, only to demonstrate
    the correction in tests.
    """
    n_trajectories, dt, n_steps, sample_start = _check_ensemble(
        n_trajectories, seed, stream, first_trajectory, dt, n_steps, sample_start, sample_every,
        n_bins, trace_every,
    )  # fmt: skip
    m0_vec = np.array(_vector("m0", m0, unit=True))
    switch_level = _finite("switch_level", switch_level, -1.0, 1.0)
    switch_time = np.empty(n_trajectories)
    final_m = np.empty((n_trajectories, 3))
    mean_u = np.empty(n_trajectories)
    histogram = np.zeros(n_bins, dtype=np.int64)
    traces, trace_times = _trace_buffer(n_trajectories, n_steps, trace_every, dt, (3,))
    args = (
        table.coef, m0_vec, np.uint64(seed), np.int64(stream), np.int64(first_trajectory),
        float(dt), np.int64(n_steps), float(switch_level), np.int64(sample_start),
        np.int64(sample_every), 1.0 if drift_correction else 0.0, switch_time, final_m,
        mean_u, histogram, traces, np.int64(trace_every),
    )  # fmt: skip
    _launch(_kernel.table_ensemble, _kernel.table_ensemble_parallel, args, parallel, n_tasks)
    return TableEnsembleResult(
        switch_time=switch_time,
        final_m=final_m,
        mean_u=mean_u,
        **_sample_fields(histogram, traces, trace_times, trace_every, seed, stream, first_trajectory),
    )


def equilibrium_table(
    S: float, Omega: float, T: float, Gamma: float | Callable[[np.ndarray], np.ndarray],
    anisotropy: float = 0.0, n_intervals: int = 128
) -> TorqueTable:
    """A magnet in equilibrium with a bath whose damping Γ(u) depends on the angle.

    Energy E(u) = −S (Ω u + K u²/2) (Zeeman + uniaxial K = ``anisotropy``), precession
    ω(u) = Ω + K u; the bath exerts τ_z = −Γ(u) ω(u) sin²θ with noise D(u) = Γ(u) T,
    the fluctuation-dissipation pair, so p = Γ ω/S and c = Γ T/S².  Its exact stationary
    law is Boltzmann, P ∝ exp(−E/T), for any Γ(u) > 0: the noise is multiplicative and
    the test of the Stratonovich correction.  ``Gamma``: a number or a vectorized function
    of u (units of S).
    """
    gamma = Gamma if callable(Gamma) else (lambda u: np.full_like(u, float(Gamma)))

    def evaluate(u: np.ndarray) -> dict[str, np.ndarray]:
        omega = Omega + anisotropy * u
        g = gamma(u)
        return {"precession": omega, "polar": g * omega / S, "diffusion": g * T / S**2}

    return TorqueTable.from_function(evaluate, n_intervals)


def warmup() -> None:
    """Compile (or load from the cache) the table kernel: one tiny ensemble."""
    run_table_ensemble(equilibrium_table(10.0, 1.0, 1.0, 1.0, n_intervals=8), 1, 0, dt=0.01, n_steps=4)


__all__ = [
    "FIELDS",
    "TableEnsembleResult",
    "TorqueTable",
    "equilibrium_table",
    "run_table_ensemble",
    "warmup",
]
