"""The cost of a sweep, measured on a few points of its own grid before it runs.

A model's declared ``cost_per_point`` cannot know the spec: the size of a Monte
Carlo ensemble, the pulse length or a self-consistent gap change the cost of a
point by orders of magnitude, and a cheap model's cost is dominated by the fixed
cost of one ``evaluate_block`` call.  So :func:`calibrate` times the model itself
(kernels already compiled or loaded: :meth:`Model.warmup` first):

0. one point of the grid, untimed (first-call costs), then timed: ``t1``;
1. a pilot of at most 2 values per axis (1 along an axis of block size 1), at
   the midpoints of equal strata of the axis' indices: ``t_pilot``;
2. if ``t_pilot < 2 t1`` the fixed cost of a call dominates (as for ``sis``, whose
   blocks share one set of tables): the middle block of the sweep itself is timed
   (once untimed, then the median of up to :data:`REPEATS` timings),
   ``seconds = t_block * n_points / block_points``;
3. otherwise the points themselves cost (self-consistent gaps, Monte Carlo
   ensembles), and their cost varies over the grid, which one block would not see:
   an outer grid of 8, 6, 4 or (for expensive points) 3 stratum midpoints per
   axis, the most that fit in :data:`MINI_BUDGET_SECONDS`,
   ``seconds = n_points * t / n``.

Stratum midpoints follow the axis' own spacing (a log-spaced axis is sampled
log-uniformly), so a cost that grows along an axis is averaged as the sweep
averages it.  Times are CPU seconds (``time.process_time``), so other jobs on a
shared machine do not inflate them; the examples' estimates land within a factor 2
of the CPU time of all their blocks (``tests/workflows/test_calibrate.py``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from fastspin.evaluation import broadcast_params
from fastspin.workflows.spec import SweepSpec

#: a whole block (fixed cost per call) is timed when predicted under this (CPU seconds)
BLOCK_BUDGET_SECONDS = 2.0
#: a cheap block is timed up to REPEATS times while their sum is under this
REPEAT_BUDGET_SECONDS = 0.25
#: expensive points: as many per axis (8, 6, 4, at least 3) as fit under this
MINI_BUDGET_SECONDS = 1.0
#: at most this many timings of a cheap block (their median is used)
REPEATS = 5


@dataclass(frozen=True)
class Calibration:
    """A measured single-core cost estimate of a sweep."""

    seconds: float  #: estimated compute time of the whole sweep on one free core (CPU seconds)
    points_timed: int  #: grid points evaluated to measure it
    calibration_seconds: float  #: wall time the calibration took (warm-up included)


def _timed(spec: SweepSpec, grid: dict) -> float:
    """CPU seconds of one ``evaluate_block`` call (all threads): what it costs one free
    core, unmoved by other jobs that share the machine."""
    start = time.process_time()
    spec.model.evaluate_block(grid)
    return time.process_time() - start


def _least(spec: SweepSpec, grid: dict) -> float:
    """The least of a few timings of a cheap call (one of an expensive one): a call of a
    few milliseconds is easily doubled by a page fault or a collection, and the choice
    between the two estimates below must not hang on that."""
    times = [_timed(spec, grid)]
    while len(times) < REPEATS and sum(times) < REPEAT_BUDGET_SECONDS / 5:
        times.append(_timed(spec, grid))
    return min(times)


def _mini_grid(spec: SweepSpec, per_axis: int) -> tuple[dict, int]:
    """An outer grid of up to ``per_axis`` stratum midpoints along each axis the block splits."""
    values = dict(spec.params)
    indices = []
    for (name, coord), block in zip(spec.axes.items(), spec.block, strict=True):
        m = 1 if block == 1 else min(per_axis, len(coord))
        index = ((np.arange(m) + 0.5) * len(coord) / m).astype(int)
        values[name] = coord[index]
        indices.append(index)
    grid = broadcast_params(spec.model, values, list(spec.dims))
    n = math.prod(len(i) for i in indices)
    if spec.model.stochastic:
        mesh = np.meshgrid(*indices, indexing="ij")
        grid["seed"] = spec.block_seed(0)
        grid["spec_seed"] = spec.seed
        grid["point_index"] = np.ravel_multi_index(mesh, spec.shape).astype(np.int64)
    return grid, n


def calibrate(spec: SweepSpec) -> Calibration:
    """Estimate the single-core compute time of ``spec`` by timing a few of its points.

    The estimate is of the steady cost: one-time costs (loading compiled kernels from
    the cache, a first call with new argument types) are paid before timing, by
    :meth:`Model.warmup` and by one untimed point of the sweep's own grid.
    """
    start = time.perf_counter()
    type(spec.model).warmup()
    one, _ = _mini_grid(spec, 1)
    _timed(spec, one)
    t_one = _least(spec, one)
    grid, n_pilot = _mini_grid(spec, 2)
    pilot = _least(spec, grid)
    timed = 1 + n_pilot
    block_points = math.prod(spec.block)
    # the fixed cost of a call dominates when more points barely cost more
    fixed_cost = n_pilot > 1 and pilot < 2.0 * t_one
    per_point = max(pilot - t_one, 0.0) / max(n_pilot - 1, 1)
    if fixed_cost and t_one + per_point * block_points < BLOCK_BUDGET_SECONDS:
        block = spec.block_at(spec.n_blocks // 2)
        points = math.prod(block.shape)
        params = spec.block_params(block)
        _timed(spec, params)  # untimed: a first call on a block's shape may set up tables
        times = [_timed(spec, params)]
        while len(times) < REPEATS and sum(times) < REPEAT_BUDGET_SECONDS:
            times.append(_timed(spec, params))  # a cheap block: the median of a few
        seconds = float(np.median(times)) * spec.n_points / points
        timed += points
    else:
        cost = pilot / n_pilot
        m = next((m for m in (8, 6, 4) if cost * m ** len(spec.axes) < MINI_BUDGET_SECONDS), 3)
        grid, n = _mini_grid(spec, m)
        seconds = _timed(spec, grid) * spec.n_points / n
        timed += n
    return Calibration(seconds, timed, time.perf_counter() - start)


__all__ = ["BLOCK_BUDGET_SECONDS", "MINI_BUDGET_SECONDS", "REPEATS", "REPEAT_BUDGET_SECONDS", "Calibration", "calibrate"]
