"""Sweeps on real processes: a `dask scheduler` + two `dask worker`s on loopback, the
embedded LocalCluster, a SIGKILLed driver and a SIGKILLed worker.

Every store is compared bit for bit with a plain serial evaluation of the model,
whose physics (Fermi occupation, f(E) + f(-E) = 1) is checked in test_store.py.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import fastspin_toy  # noqa: F401  (the plugin package of the test session)
import numpy as np
import psutil
import pytest
import zarr

import fastspin
from fastspin.evaluation import broadcast_params
from fastspin.workflows.spec import load_spec
from fastspin.workflows.store import done_flags

TESTS = Path(__file__).parent
#: the environment's scripts (the installed ``fastspin`` command)
BIN = Path(sys.executable).parent


def toy_spec(delay: float = 0.0, num: int = 60, block: int = 5, **run):
    return {
        "model": "toy_fermi",
        "axes": {"E": {"start": -3.0, "stop": 3.0, "num": num}, "T": ["0.2 Tc", "0.9 Tc", "2 Tc"]},
        "params": {"delay": delay},
        "run": {"block": {"E": block}, **run},
    }


def serial_reference(spec) -> dict[str, np.ndarray]:
    """Plain evaluation of the whole grid in this process, no store, no Dask."""
    spec = load_spec(spec)
    grid = broadcast_params(spec.model, {**spec.params, **spec.axes}, list(spec.dims))
    return spec.model.evaluate_block(grid)


def store_arrays(path: Path) -> dict[str, np.ndarray]:
    root = zarr.open_group(str(path), mode="r", zarr_format=3)
    return {name: np.asarray(root[name][...]) for name in ("occupation", "hole_occupation", "E", "T")}


def assert_same_contents(path: Path, reference: dict[str, np.ndarray]) -> None:
    arrays = store_arrays(path)
    for name in ("occupation", "hole_occupation"):
        np.testing.assert_array_equal(arrays[name], reference[name], err_msg=name)
    assert np.all(done_flags(path))


def chunk_digests(path: Path) -> dict[str, str]:
    """sha256 of every chunk file, except per-block timings and run indices."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file() and p.name != "zarr.json"
        and not str(p.relative_to(path)).startswith(("sweep/seconds", "sweep/run"))
    }


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["NUMBA_NUM_THREADS"] = "1"
    return env


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real `dask scheduler` and two single-threaded `dask worker` processes."""
    folder = tmp_path_factory.mktemp("cluster")
    scheduler_file = folder / "scheduler.json"
    common = {"env": child_env(), "cwd": folder, "stdout": subprocess.DEVNULL,
              "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)], **common)
    workers = []
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.2)
        for _ in range(2):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "worker", "--scheduler-file", str(scheduler_file),
                 "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                 "--host", "127.0.0.1"], **common))
        from distributed import Client

        with Client(scheduler_file=str(scheduler_file), timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
        yield address, scheduler_file
    finally:
        for process in (*workers, scheduler):  # signal all first, then wait for each
            if process.poll() is None:
                process.terminate()
        for process in (*workers, scheduler):
            stop(process)


def test_real_cluster_equals_embedded_cluster_equals_serial(dask_cluster, tmp_path):
    address, scheduler_file = dask_cluster
    spec = toy_spec()
    reference = serial_reference(spec)
    on_cluster = fastspin.sweep(spec, tmp_path / "cluster.zarr", scheduler=address)
    embedded = fastspin.sweep(spec, tmp_path / "embedded.zarr", workers=2)
    serial = fastspin.sweep(spec, tmp_path / "serial.zarr", scheduler="serial")
    for result in (on_cluster, embedded, serial):
        assert sorted(result.computed) == list(range(12))
        assert_same_contents(result.path, reference)
    # byte-identical stores: every chunk of outputs, coordinates, done flags and seeds
    digests = [chunk_digests(r.path) for r in (on_cluster, embedded, serial)]
    assert len(digests[0]) == 2 * 12 + 2 + 12 + 12  # outputs, coords, done flags, block seeds
    assert digests[0] == digests[1] == digests[2]
    # the worker plugin warmed the model's kernels on both workers before the tasks
    from distributed import Client

    with Client(scheduler_file=str(scheduler_file)) as client:
        warmed = client.run(lambda: __import__("fastspin_toy").ToyFermi.warmed_up)
        assert len(warmed) == 2 and all(warmed.values())
        numba_threads = client.run(lambda: os.environ.get("NUMBA_NUM_THREADS"))
        assert set(numba_threads.values()) == {"1"}


def test_worker_killed_mid_task_is_retried(dask_cluster, tmp_path):
    address, scheduler_file = dask_cluster
    spec = toy_spec(delay=0.4, num=40)  # 8 blocks of 0.4 s each
    reference = serial_reference(spec)
    from distributed import Client

    outcome: dict[str, object] = {}

    def drive():
        try:
            outcome["result"] = fastspin.sweep(spec, tmp_path / "killed.zarr", scheduler=address)
        except Exception as err:  # noqa: BLE001  (reported by the assertion below)
            outcome["error"] = err

    with Client(scheduler_file=str(scheduler_file)) as client:
        pids = client.run(os.getpid)
        driver = threading.Thread(target=drive)
        driver.start()
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            busy = [w for w, tasks in client.processing().items()
                    if any("fastspin-" in str(t) for t in tasks)]
            if busy:
                victim = busy[0]
            else:
                time.sleep(0.05)
        assert victim is not None, "no block ever started"
        time.sleep(0.1)  # inside evaluate_block's sleep, before the write
        os.kill(pids[victim], signal.SIGKILL)
        driver.join(120)
        assert not driver.is_alive()
        assert "error" not in outcome, outcome.get("error")
        result = outcome["result"]
        assert sorted(result.computed) == list(range(8))
        assert_same_contents(result.path, reference)
        assert not psutil.pid_exists(pids[victim]) or psutil.Process(pids[victim]).status() == "zombie"
        client.wait_for_workers(2, timeout=60)  # the nanny restarted it


def test_driver_sigkill_then_resume_computes_only_missing_blocks(tmp_path):
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(
        'model = "toy_fermi"\n'
        "[axes]\nE = {start = -3.0, stop = 3.0, num = 60}\nT = [\"0.2 Tc\", \"0.9 Tc\", \"2 Tc\"]\n"
        "[params]\ndelay = 0.3\n[run]\nblock = {E = 3}\nworkers = 2\n"
    )
    spec = load_spec(spec_path)
    assert spec.n_blocks == 20
    store = tmp_path / "run.zarr"
    driver = subprocess.Popen(
        [sys.executable, "-m", "fastspin.cli", "run", str(spec_path), "--out", str(store), "--no-progress"],
        env=child_env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        n_done = 0
        while time.monotonic() < deadline:
            if (store / "sweep" / "done").exists():
                n_done = int(done_flags(store).sum())
                if n_done >= 4:
                    break
            assert driver.poll() is None, driver.stderr.read().decode()
            time.sleep(0.05)
        assert n_done >= 4
        children = psutil.Process(driver.pid).children(recursive=True)
        driver.send_signal(signal.SIGKILL)
        driver.wait(10)
        # the LocalCluster's worker processes notice their parent died and exit
        gone, alive = psutil.wait_procs(children, timeout=20)
        for process in alive:  # pragma: no cover - only if distributed changes
            process.kill()
        assert not alive
    finally:
        stop(driver)
    done_before = done_flags(store)
    assert 4 <= done_before.sum() < spec.n_blocks
    # resume in this process (serial runner: the fingerprint ignores how a sweep runs)
    result = fastspin.sweep(spec, store, scheduler="serial")
    assert result.resumed
    assert sorted(result.computed) == list(np.flatnonzero(~done_before))
    assert result.skipped == int(done_before.sum())
    run = zarr.open_group(str(store), mode="r")["sweep/run"][...].ravel()
    np.testing.assert_array_equal(run == 0, done_before)
    assert_same_contents(store, serial_reference(spec))
