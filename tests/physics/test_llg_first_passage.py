"""Mean first-passage times of the stochastic LLG kernel with the crossing correction,
at the practical step Δτ = 0.01, against the exact double integral of Brown's
Fokker-Planck equation (``brown_mean_first_passage`` in test_llg.py).

Passage from m_z = 1 to the equator (the barrier top: discrete monitoring misses most
there) for the axial problem, with and without a reversed field h = -0.15 (barrier
σ(1 + h)²).  Every point must agree within 1 % + 3 standard errors; the mean relative
deviation over the points, whose standard error is smaller, within 1 % + 3 of its
standard errors.  Common random numbers make the plain scheme's bias measurable with
little noise: on every path the corrected time is <= the plain one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_llg import PRECISIONS, brown_mean_first_passage

from fastspin.physics.macrospin import Macrospin, SwitchCriterion, run_ensemble

DT = 0.01
LEVEL = 0.0


def _relative_mean_fpt(sigma, alpha, h, n_traj, seed, correction=True, precision="double"):
    """(mean FPT / exact - 1, its standard error, the times)."""
    exact = brown_mean_first_passage(sigma, h, alpha, LEVEL)
    spin = Macrospin(alpha=alpha, temperature=1.0 / (2.0 * sigma), field=(0.0, 0.0, h))
    times = run_ensemble(
        spin, n_traj, seed=seed, dt=DT, n_steps=int(40 * exact / DT),
        criterion=SwitchCriterion("crossing", LEVEL), stop_at_switch=True,
        crossing_correction=correction, parallel=True, precision=precision,
    ).switch_time  # fmt: skip
    assert np.all(np.isfinite(times))  # P(T > 40 mean times) ~ e^-40
    return times.mean() / exact - 1.0, times.std() / math.sqrt(n_traj) / exact, times


def _check_box(points, seed, precision):
    deviations, errors = [], []
    for i, (sigma, alpha, h, n_traj) in enumerate(points):
        deviation, error, _ = _relative_mean_fpt(sigma, alpha, h, n_traj, seed + i, precision=precision)
        assert abs(deviation) < 0.01 + 3.0 * error, (sigma, alpha, h, deviation, error)
        deviations.append(deviation)
        errors.append(error)
    pooled = float(np.mean(deviations))
    pooled_error = math.sqrt(float(np.sum(np.square(errors)))) / len(errors)
    assert abs(pooled) < 0.01 + 3.0 * pooled_error, (deviations, errors)


@pytest.mark.parametrize("precision", PRECISIONS)
def test_first_passage_corrected_small_box(precision):
    """σ = 3, α = 0.5 and 1, h = 0 and -0.15 (N = 6000 each)."""
    points = [(3.0, alpha, h, 6000) for alpha in (0.5, 1.0) for h in (0.0, -0.15)]
    _check_box(points, seed=40, precision=precision)


def test_plain_scheme_is_biased_and_correction_only_advances_switches():
    """Same noise, both schemes: the corrected time never exceeds the plain one, and the
    plain scheme's discrete-monitoring bias (of order (αtΔτ)^1/2 relative to the barrier
    width) is resolved as positive."""
    _, _, corrected = _relative_mean_fpt(4.0, 0.5, -0.15, 4000, seed=50)
    _, _, plain = _relative_mean_fpt(4.0, 0.5, -0.15, 4000, seed=50, correction=False)
    assert np.all(corrected <= plain)
    shift = plain - corrected
    assert shift.mean() > 5.0 * shift.std() / math.sqrt(shift.size)


def _budget_points(sigmas, alphas, fields, n_max, step_budget):
    """The box with N per point capped so that N·(exact/Δτ) <= step_budget."""
    points = []
    for sigma in sigmas:
        for alpha in alphas:
            for h in fields:
                steps = brown_mean_first_passage(sigma, h, alpha, LEVEL) / DT
                points.append((sigma, alpha, h, int(min(n_max, step_budget / steps))))
    return points


@pytest.mark.slow
@pytest.mark.parametrize("precision", PRECISIONS)
def test_first_passage_corrected_full_box(precision):
    """σ = 3, 5, 10 × α = 0.1, 0.3, 1 × h = 0, -0.15 at Δτ = 0.01; N = 4000 per point,
    fewer where the mean time is long (at most 2e9 steps per point)."""
    points = _budget_points((3.0, 5.0, 10.0), (0.1, 0.3, 1.0), (0.0, -0.15), 4000, 2e9)
    _check_box(points, seed=60, precision=precision)
