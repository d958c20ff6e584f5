"""Shared plumbing of the stochastic ensembles (macrospin, tilt angle, torque tables).

Input checks that name the parameter and its allowed range, the trace buffer, the
histogram bins and the launcher that runs an ensemble kernel serially or over Numba
threads.  Results never depend on which launcher ran them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fastspin.model import ParameterError


def _finite(name: str, value: float, low: float = -math.inf, high: float = math.inf) -> float:
    value = float(value)
    if not math.isfinite(value) or value < low or value > high:
        lo = "" if low == -math.inf else f"{low:g} <= "
        hi = "" if high == math.inf else f" <= {high:g}"
        raise ParameterError(f"{name} = {value!r} is out of range; allowed: {lo}{name}{hi}")
    return value


def _vector(name: str, value: Sequence[float], unit: bool = False) -> tuple[float, float, float]:
    array = np.asarray(value, dtype=float)
    if array.shape != (3,) or not np.all(np.isfinite(array)):
        raise ParameterError(f"{name} must be a finite 3-vector, got {value!r}")
    if unit:
        norm = float(np.linalg.norm(array))
        if norm == 0.0:
            raise ParameterError(f"{name} must be a non-zero 3-vector (it is normalized)")
        array = array / norm
    return (float(array[0]), float(array[1]), float(array[2]))


def _histogram_edges(n_bins: int) -> np.ndarray:
    return np.linspace(-1.0, 1.0, n_bins + 1)


@dataclass
class EnsembleSamples:
    """What every ensemble result holds besides its per-trajectory arrays: the streamed
    histogram of the sampled projection (integer counts, edges ``bin_edges`` on [-1, 1]),
    the optional traces, and the (seed, stream, first trajectory) that replay it."""

    histogram: np.ndarray
    bin_edges: np.ndarray
    traces: np.ndarray | None
    trace_times: np.ndarray | None
    seed: int
    stream: int
    first_trajectory: int

    def density(self) -> np.ndarray:
        """The histogram normalized to a probability density on [-1, 1]."""
        return self.histogram / (self.histogram.sum() * np.diff(self.bin_edges))


def _sample_fields(
    histogram: np.ndarray, traces: np.ndarray, trace_times: np.ndarray | None, trace_every: int,
    seed: int, stream: int, first_trajectory: int,
) -> dict[str, Any]:
    """The :class:`EnsembleSamples` fields of a finished kernel run."""
    return dict(
        histogram=histogram,
        bin_edges=_histogram_edges(histogram.shape[0]),
        traces=traces if trace_every > 0 else None,
        trace_times=trace_times,
        seed=int(seed),
        stream=int(stream),
        first_trajectory=int(first_trajectory),
    )


def _check_ensemble(
    n_trajectories, seed, stream, first_trajectory, dt, n_steps, sample_start, sample_every,
    n_bins, trace_every,
) -> tuple[int, float, int, int]:
    """Validate the arguments every Langevin ensemble shares (one message naming the bad one).

    Returns (n_trajectories, dt, n_steps, sample_start) with sample_start defaulting to
    the final step.
    """
    n_trajectories = int(n_trajectories)
    if n_trajectories < 1:
        raise ParameterError(f"n_trajectories = {n_trajectories} must be >= 1")
    if not (0 <= seed < 2**64):
        raise ParameterError(f"seed = {seed} must be an integer in [0, 2^64)")
    if not (0 <= stream < 2**32):
        raise ParameterError(f"stream = {stream} must be an integer in [0, 2^32)")
    if first_trajectory < 0 or first_trajectory + n_trajectories > 2**32:
        raise ParameterError("trajectory indices must lie in [0, 2^32)")
    dt = _finite("dt", dt, 0.0)
    if dt <= 0:
        raise ParameterError(f"dt = {dt} must be > 0")
    n_steps = int(n_steps)
    if n_steps < 1:
        raise ParameterError(f"n_steps = {n_steps} must be >= 1")
    if sample_every < 1:
        raise ParameterError(f"sample_every = {sample_every} must be >= 1")
    if n_bins < 1:
        raise ParameterError(f"n_bins = {n_bins} must be >= 1")
    if trace_every < 0:
        raise ParameterError(f"trace_every = {trace_every} must be >= 0")
    sample_start = n_steps if sample_start is None else int(sample_start)
    return n_trajectories, dt, n_steps, sample_start


def _trace_buffer(
    n_trajectories: int, n_steps: int, trace_every: int, dt: float, state_shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Trace array (trajectory, sample, *state_shape) and its times; empty when not traced."""
    if trace_every > 0:
        n_trace = n_steps // trace_every + 1
        return np.empty((n_trajectories, n_trace, *state_shape)), np.arange(n_trace) * trace_every * dt
    return np.empty((0, 0, *state_shape)), None


def _launch(serial_kernel, parallel_kernel, args: tuple, parallel: bool, n_tasks: int | None) -> None:
    """Run an ensemble kernel serially, or its ``prange`` twin over ``n_tasks`` chunks
    (default: one per Numba thread; the results do not depend on it)."""
    if parallel:
        import numba

        parallel_kernel(*args, np.int64(n_tasks or numba.get_num_threads()))
    else:
        serial_kernel(*args)
