"""How sweep workers and threads combine: local workers share the cores out as Numba
threads, and a macrospin block runs the thread-parallel kernel when its process has
more than one, with results identical to the serial kernel."""

from __future__ import annotations

import numpy as np

import fastspin
from fastspin.models import macrospin
from fastspin.physics import macrospin as physics_macrospin
from fastspin.workflows import runner


def test_local_workers_share_the_cores_as_numba_threads(monkeypatch):
    monkeypatch.setattr(runner, "available_cores", lambda: 8)
    assert [runner.numba_threads_per_worker(w) for w in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    env = runner.worker_environment(None, 4)
    assert env["NUMBA_NUM_THREADS"] == "4" and env["OMP_NUM_THREADS"] == "1"
    assert runner.worker_environment(None)["NUMBA_NUM_THREADS"] == "1"


def test_macrospin_block_uses_every_numba_thread(monkeypatch):
    launched = []
    launch = physics_macrospin._launch

    def spy(serial_kernel, parallel_kernel, args, parallel, n_tasks):
        launched.append(parallel)
        return launch(serial_kernel, parallel_kernel, args, parallel, n_tasks)

    monkeypatch.setattr(physics_macrospin, "_launch", spy)
    params = dict(a_j=[0.04, 0.08], sigma=5.0, alpha=0.05, pulse_width=40.0, relax_time=5.0,
                  dt=0.05, n_trajectories=40, criterion="crossing")
    results = {}
    for threads in (1, 2):
        monkeypatch.setattr(macrospin.numba, "get_num_threads", lambda threads=threads: threads)
        launched.clear()
        results[threads] = fastspin.evaluate("macrospin", **params)
        assert launched == [threads > 1] * 2
    for name in ("n_switched", "mean_switch_time", "mean_final_m_z"):
        np.testing.assert_array_equal(results[1][name].values, results[2][name].values)
    p = results[1]["switching_probability"].values
    assert np.any((p > 0) & (p < 1))  # random outcomes, so the comparison sees the noise
