"""The cost of a sweep, measured on a few points of its own grid before it runs.

A model's declared ``cost_per_point`` cannot know the spec: the size of a Monte
Carlo ensemble, the pulse length or a self-consistent gap change the cost of a
point by orders of magnitude, and a cheap model's cost is dominated by the fixed
cost of one ``evaluate_block`` call.  So :func:`calibrate` times the model itself
(kernels already compiled or loaded: :meth:`Model.warmup` first):

1. a pilot of at most 2 values per axis (1 along an axis of block size 1), at
   the midpoints of equal strata of the axis' indices;
2. if a whole block is then expected to take under :data:`BLOCK_BUDGET_SECONDS`,
   the middle block of the sweep itself, so the fixed cost per call and the
   per-point cost are both in the estimate: ``seconds = t_block * n_points / block_points``;
3. otherwise the points are expensive and the fixed cost negligible: an outer
   grid of up to 3 stratum midpoints per axis, ``seconds = n_points * t / n``.

Stratum midpoints follow the axis' own spacing (a log-spaced axis is sampled
log-uniformly), so a cost that grows along an axis is averaged as the sweep
averages it.  The examples' estimates land within a factor 2 of the summed block
times of the real run (``tests/workflows/test_calibrate.py``); load on a shared
machine changes both alike.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from fastspin.evaluation import broadcast_params
from fastspin.workflows.spec import SweepSpec

#: a whole block is timed when it is expected to take less than this (seconds)
BLOCK_BUDGET_SECONDS = 0.25


@dataclass(frozen=True)
class Calibration:
    """A measured single-core cost estimate of a sweep."""

    seconds: float  #: estimated compute time of the whole sweep on one core
    points_timed: int  #: grid points evaluated to measure it
    calibration_seconds: float  #: wall time the calibration took (warm-up included)


def _timed(spec: SweepSpec, grid: dict) -> float:
    start = time.perf_counter()
    spec.model.evaluate_block(grid)
    return time.perf_counter() - start


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
    """Estimate the single-core compute time of ``spec`` by timing a few of its points."""
    start = time.perf_counter()
    type(spec.model).warmup()
    grid, n_pilot = _mini_grid(spec, 2)
    pilot = _timed(spec, grid)
    block_points = math.prod(spec.block)
    if pilot / n_pilot * block_points < BLOCK_BUDGET_SECONDS:
        block = spec.block_at(spec.n_blocks // 2)
        points = math.prod(block.shape)
        seconds = _timed(spec, spec.block_params(block)) * spec.n_points / points
        timed = n_pilot + points
    else:
        grid, n = _mini_grid(spec, 3)
        seconds = _timed(spec, grid) * spec.n_points / n
        timed = n_pilot + n
    return Calibration(seconds, timed, time.perf_counter() - start)


__all__ = ["BLOCK_BUDGET_SECONDS", "Calibration", "calibrate"]
