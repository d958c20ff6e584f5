"""The ``dot_switching`` sweep model: Monte Carlo switching of the quantum dot with the
Keldysh noise of Eq. (37) (Ludwig, Burmistrov, Gefen, Shnirman)."""

from __future__ import annotations

import numpy as np

import fastspin
from fastspin.models.dot_switching import DotSwitching
from fastspin.physics import dot as d
from fastspin.workflows.store import open_store

OUTPUTS = [o.name for o in DotSwitching.outputs]
FAST = dict(Gamma_l_up=0.2, Gamma_l_down=1.0, Gamma_r=1.0, S=200.0, C=50.0, rho_d_up=20.0,
            rho_d_down=30.0, T=0.05, t_max=60.0, n_trajectories=12)


def _spec(block: dict[str, int]) -> dict:
    return {"model": "dot_switching", "axes": {"V": [3.0, 19.0], "B": [2.0, 4.0]},
            "params": FAST, "run": {"block": block, "seed": 5}}


def test_block_shapes_seed_and_physics(tmp_path):
    """Stores with blocks 1x2 and 2x1 and fastspin.evaluate (options seed) are identical;
    below V_sw (Eq. 51) nothing switches, far above it everything does, and the mean
    switching time agrees with the linearized prediction within 4 standard errors + 5 %."""
    first = fastspin.sweep(_spec({"V": 1, "B": 2}), tmp_path / "a.zarr", scheduler="serial")
    second = fastspin.sweep(_spec({"V": 2, "B": 1}), tmp_path / "b.zarr", scheduler="serial")
    a, b = open_store(first.path), open_store(second.path)
    direct = fastspin.evaluate(DotSwitching(options={"seed": 5}), V=[3.0, 19.0], B=[2.0, 4.0],
                               **FAST)
    for name in OUTPUTS:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
        np.testing.assert_array_equal(a[name].values, direct[name].values, err_msg=name)
    v_sw = d.switching_voltage(0.2, 1.0, 1.0, np.array([2.0, 4.0]))  # 6, 12
    p = a.switching_probability.values
    V = np.array([3.0, 19.0])[:, None]
    stable = V < v_sw[None, :]
    assert np.all(p[stable] == 0.0) and np.all(a.switching_probability_high.values[stable] < 0.3)
    unstable = V > 1.5 * v_sw[None, :]
    assert np.all(p[unstable] == 1.0)
    tau, err = a.mean_switch_time.values[unstable], a.mean_switch_time_error.values[unstable]
    pred = a.mean_switch_time_pred.values[unstable]
    assert np.all(np.abs(tau - pred) < 4 * err + 0.05 * pred)
    assert np.all(np.isnan(a.mean_switch_time_pred.values[stable]))
