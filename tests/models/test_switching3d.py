"""The transport-driven switching models ``fis3d_switching`` and ``magnon_switching``."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

import fastspin
from fastspin.model import ParameterError
from fastspin.models.switching3d import FIS3DSwitching, MagnonSwitching
from fastspin.physics.switching import Z_95, switching_summary, wilson_interval
from fastspin.physics.torque_table import run_table_ensemble
from fastspin.workflows.store import open_store

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_wilson_interval_limits():
    """k = 0: [0, z²/(n + z²)]; k ↔ n − k mirrors the interval; it contains p and shrinks as 1/√n."""
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(Z_95**2 / (10 + Z_95**2), rel=1e-14)
    a = wilson_interval(3, 20)
    b = wilson_interval(17, 20)
    assert a[0] == pytest.approx(1 - b[1], rel=1e-14) and a[1] == pytest.approx(1 - b[0], rel=1e-14)
    wide, narrow = wilson_interval(30, 100), wilson_interval(3000, 10000)
    assert wide[0] < 0.3 < wide[1] and narrow[0] < 0.3 < narrow[1]
    assert (wide[1] - wide[0]) / (narrow[1] - narrow[0]) == pytest.approx(10, rel=0.02)


def test_switching_summary_quantiles():
    times = np.array([np.nan, 1.0, 2.0, 3.0, np.nan])
    out = switching_summary(times)
    assert out["switching_probability"] == 0.6 and out["mean_switch_time"] == 2.0
    assert out["switch_time_q50"] == 2.0 and out["switch_time_q10"] == pytest.approx(1.2)


def _magnon_spec(block: dict[str, int]) -> dict:
    return {
        "model": "magnon_switching",
        "axes": {"mu_s": [0.02, 0.2], "dT": [-0.3, 0.3]},
        "params": {"n_trajectories": 24, "duration": 6e4, "dt": 4.0},
        "run": {"block": block, "seed": 5},
    }


def test_magnon_blocks_replay_and_threshold(tmp_path):
    """Stores with different block shapes and fastspin.evaluate agree exactly; any trajectory
    replays alone; nothing switches at μ' well below the closed-form threshold, everything
    switches well above it."""
    first = fastspin.sweep(_magnon_spec({"mu_s": 1, "dT": 2}), tmp_path / "a.zarr", scheduler="serial")
    second = fastspin.sweep(_magnon_spec({"mu_s": 2, "dT": 1}), tmp_path / "b.zarr", scheduler="serial")
    a, b = open_store(first.path), open_store(second.path)
    direct = fastspin.evaluate(MagnonSwitching(options={"seed": 5}), mu_s=[0.02, 0.2],
                               dT=[-0.3, 0.3], n_trajectories=24, duration=6e4, dt=4.0)
    for output in MagnonSwitching.outputs:
        np.testing.assert_array_equal(a[output.name].values, b[output.name].values, output.name)
        np.testing.assert_array_equal(a[output.name].values, direct[output.name].values, output.name)
    threshold = a.threshold_mu_s.values
    assert np.all((0.02 < 0.5 * threshold) & (0.2 > 2 * threshold))
    assert np.all(a.switching_probability.values[0] == 0.0)
    assert np.all(a.switching_probability.values[1] == 1.0)
    # replay trajectory 7 of grid point (1, 0) (C-order index 2)
    point = {p.name: p.default for p in MagnonSwitching.parameters}
    point.update(mu_s=0.2, dT=-0.3, duration=6e4, dt=4.0)
    table = MagnonSwitching.table_at(point)
    replay = run_table_ensemble(table, 1, 5, dt=4.0, n_steps=15000, m0=(0.0, 0.0, -1.0),
                                stream=2, first_trajectory=7)  # fmt: skip
    full = run_table_ensemble(table, 24, 5, dt=4.0, n_steps=15000, m0=(0.0, 0.0, -1.0), stream=2)
    assert replay.switch_time[0] == full.switch_time[7]
    times = full.switch_time
    assert np.mean(times) == pytest.approx(float(a.mean_switch_time.values[1, 0]), rel=1e-12)


def test_fis3d_voltage_switching():
    """V = 0 (equilibrium, barrier ≈ 15 k_BT): no switching; V = 0.8 Δ0/e (h·ẑ > 0: the
    polar torque at +ẑ is antidamping, p(+1) < 0) drives every trajectory from +ẑ over the
    equator to the −ẑ state; at P_sw = 0 the Wilson upper bound is z²/(N + z²)."""
    ds = fastspin.evaluate(FIS3DSwitching(options={"seed": 1}), V=[0.0, 0.8], n_trajectories=32,
                           duration=600.0)  # fmt: skip
    assert ds.switching_probability.values[0] == 0.0
    assert ds.switching_probability.values[1] == 1.0
    assert ds.mean_final_cos_theta.values[1] < -0.8
    assert ds.switching_probability_high.values[0] == pytest.approx(Z_95**2 / (32 + Z_95**2))


@pytest.mark.parametrize(
    ("model", "params", "word"),
    [("fis3d_switching", {"dT": -5.0}, "dT"),
     ("magnon_switching", {"dT": -30.0}, "dT"),
     ("magnon_switching", {"duration": 1e12, "dt": 1e-3}, "duration"),
     ("fis3d_switching", {"S": 0.0}, "S")],
)
def test_bad_input_is_refused(model, params, word):
    with pytest.raises(ParameterError, match=word):
        fastspin.evaluate(model, **params)


@pytest.mark.parametrize("name", ["fis3d_switching_map.toml", "magnon_switching_map.toml"])
def test_example_specs_parse(name):
    """The example specs name their model's parameters and pass its checks."""
    spec = tomllib.loads((EXAMPLES / name).read_text())
    model = fastspin.get_model(spec["model"])
    names = {p.name for p in model.parameters}
    assert set(spec["axes"]) <= names and set(spec["params"]) <= names
    model.validate(spec["params"])
    assert math.prod(ax["num"] for ax in spec["axes"].values()) >= 99
