"""The switching3d figure set: registered, and its data helpers give the physics they plot."""

from __future__ import annotations

import numpy as np

from fastspin.figures import FIGURE_SETS
from fastspin.figures import switching3d as figs


def test_registered():
    assert FIGURE_SETS["switching3d"] == ("fastspin.figures.switching3d", "figures_switching3d")


def test_map_helpers_switch_where_the_physics_says():
    """fis: V drives switching only for h·ẑ > 0; magnon: below μ'_c nothing, at 4 μ'_c all."""
    ds = figs.fis_map(np.array([0.0, 0.9]), np.array([-0.3, 0.3]), n_trajectories=16)
    np.testing.assert_array_equal(ds.switching_probability.values, [[0.0, 0.0], [0.0, 1.0]])
    ds = figs.magnon_map(np.array([0.02, 0.2]), np.array([0.0]), n_trajectories=16)
    np.testing.assert_array_equal(ds.switching_probability.values[:, 0], [0.0, 1.0])
    assert 0.02 < ds.threshold_mu_s.values[0, 0] < 0.05


def test_axial_engine_histogram_follows_the_tilt_density():
    """The plotted 3-D histogram (in-plane torques off) has the tilt model's mean cos θ
    within 4 standard errors of the bin-centre estimate (2000 trajectories)."""
    u, density = figs.tilt_density()
    centres, hist = figs.engine_histogram(False, n_trajectories=2000, n_steps=1500, n_bins=40)
    width = centres[1] - centres[0]
    mean = float(np.sum(centres * hist) * width)
    spread = float(np.sqrt(np.sum((centres - mean) ** 2 * hist) * width))
    reference = float(np.trapezoid(u * density, u))
    # binning adds at most width²/12 to the variance and shifts the mean by O(width²)
    assert abs(mean - reference) < 4 * spread / np.sqrt(2000) + width**2
