"""A sweep on a real Slurm cluster through dask-jobqueue, with one worker job cancelled
by `scancel` in the middle: the store is bit-identical to a run on the embedded local
cluster.  Needs a running Slurm (see tests/slurm/setup-slurm.sh); run with -m slurm.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import numpy as np
import pytest
from test_store_safety import write_spec
from test_sweep_cluster import BIN, assert_same_contents, child_env, serial_reference, stop
from test_verify_repair import chunk_digests

import fastspin
from fastspin.workflows.spec import load_spec
from fastspin.workflows.store import done_flags


def slurm_is_up() -> bool:
    if shutil.which("sbatch") is None or shutil.which("squeue") is None:
        return False
    try:
        state = subprocess.run(["sinfo", "-h", "-o", "%a %T"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return state.returncode == 0 and any(
        line.startswith("up") and ("idle" in line or "mix" in line) for line in state.stdout.splitlines()
    )


pytestmark = [
    pytest.mark.slurm,
    pytest.mark.skipif(not slurm_is_up(), reason="no running Slurm (tests/slurm/setup-slurm.sh)"),
]


def running_jobs(names: str = "fastspin-test") -> dict[str, str]:
    """job id -> state of this test's worker jobs."""
    out = subprocess.run(
        ["squeue", "-h", "-n", names, "-o", "%i %T"], capture_output=True, text=True, timeout=10
    ).stdout
    return dict(line.split() for line in out.splitlines() if line.strip())


def test_sweep_on_slurm_survives_a_cancelled_worker_job(tmp_path):
    spec = write_spec(tmp_path, delay=0.5)  # 20 blocks of 0.5 s
    spec.write_text(spec.read_text().replace('scheduler = "serial"\n', ""))
    config = tmp_path / "slurm.toml"
    config.write_text(
        "[slurm]\ncores = 1\nprocesses = 1\nmemory = \"1GB\"\nwalltime = \"00:10:00\"\njobs = 2\n"
        f"log_directory = \"{tmp_path / 'logs'}\"\n"
        "job_extra_directives = [\"--job-name=fastspin-test\"]\n"
    )
    local = fastspin.sweep(spec, tmp_path / "local.zarr", workers=2)
    assert_same_contents(local.path, serial_reference(load_spec(spec)))

    store = tmp_path / "slurm.zarr"
    driver = subprocess.Popen(
        [str(BIN / "fastspin"), "run", str(spec), "--out", str(store), "--cluster", "slurm",
         "--cluster-config", str(config), "--no-progress"],
        env=child_env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    seen: set[str] = set()
    try:
        deadline = time.monotonic() + 90
        cancelled = None
        while time.monotonic() < deadline:
            assert driver.poll() is None, driver.stderr.read()
            jobs = running_jobs()
            seen |= set(jobs)
            running = sorted(j for j, state in jobs.items() if state == "RUNNING")
            if (store / "sweep" / "done" / "zarr.json").exists():
                n_done = int(done_flags(store).sum())
                if len(running) == 2 and n_done >= 3:
                    cancelled = running[0]
                    subprocess.run(["scancel", cancelled], check=True, timeout=10)
                    break
            time.sleep(0.2)
        assert cancelled is not None, "two worker jobs never ran together"
        assert n_done < 20  # cancelled in the middle of the sweep
        for _ in range(50):  # the job is gone from the queue
            if cancelled not in running_jobs():
                break
            time.sleep(0.2)
        assert cancelled not in running_jobs()
        assert driver.wait(100) == 0, driver.stderr.read()
    finally:
        stop(driver)
        leftover = [j for j in running_jobs() if j in seen]
        if leftover:
            subprocess.run(["scancel", *leftover], timeout=10)
    assert "computed 20 of 20 blocks" in driver.stdout.read()
    assert np.all(done_flags(store))
    assert chunk_digests(store) == chunk_digests(local.path)


def test_a_job_slurm_refuses_is_found_before_the_store_exists(tmp_path):
    spec = write_spec(tmp_path, num=6)
    config = tmp_path / "slurm.toml"
    config.write_text("[slurm]\ncores = 1\nmemory = \"1GB\"\nqueue = \"no-such-partition\"\n")
    process = subprocess.run(
        [str(BIN / "fastspin"), "run", str(spec), "--out", str(tmp_path / "s.zarr"), "--cluster",
         "slurm", "--cluster-config", str(config)],
        capture_output=True, text=True, env=child_env(), cwd=tmp_path, timeout=120,
    )
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and "Slurm refuses the worker job" in lines[0], process.stderr
    assert "invalid partition" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slurm.toml", "spec.toml"]
