"""Sweeps never lose or mix data: --overwrite replaces only a fastspin store, one
driver per store (a lock naming its holder), and workers of a displaced driver write
nothing.  Real `fastspin` processes; every store is compared bit for bit with a plain
serial evaluation of the model (whose physics, f(E) + f(-E) = 1, test_store.py checks).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from test_sweep_cluster import BIN, assert_same_contents, child_env, serial_reference, stop

import fastspin
from fastspin.cli import main
from fastspin.workflows.lock import (
    LOCK_NAME,
    HeldStore,
    LockError,
    LockInfo,
    new_lock_info,
    process_start_ticks,
)
from fastspin.workflows.spec import load_spec
from fastspin.workflows.store import (
    StoreError,
    _held_arrays,
    _write_together,
    append_run_record,
    consolidate,
    done_flags,
    prepare_store,
)

SPEC = """\
model = "toy_fermi"
[axes]
E = {{start = -3.0, stop = 3.0, num = {num}}}
T = ["0.2 Tc", "0.9 Tc", "2 Tc"]
[params]
delay = {delay}
[run]
block = {{E = 3}}
scheduler = "serial"
"""


def write_spec(folder: Path, name: str = "spec.toml", num: int = 60, delay: float = 0.0) -> Path:
    path = folder / name
    path.write_text(SPEC.format(num=num, delay=delay))
    return path


def fastspin_cli(*args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "fastspin"), *map(str, args)], capture_output=True, text=True,
        env=child_env(), cwd=cwd, timeout=timeout,
    )


def one_error_line(process: subprocess.CompletedProcess) -> str:
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    assert lines[0].startswith("fastspin: error: "), lines[0]
    return lines[0]


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


# --- --overwrite replaces only a fastspin store ----------------------------------------
def test_overwrite_refuses_a_plain_directory_and_keeps_its_files(tmp_path):
    spec = write_spec(tmp_path)
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("x\n")
    process = fastspin_cli("run", spec, "--out", precious, "--overwrite", cwd=tmp_path)
    assert process.returncode == 2
    assert "not a readable fastspin store" in one_error_line(process)
    assert (precious / "thesis.tex").read_text() == "x\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious", "spec.toml"]


def test_overwrite_refuses_the_working_directory(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    spec = write_spec(work)
    before = tree(work)
    process = fastspin_cli("run", spec, "--out", ".", "--overwrite", cwd=work)
    assert process.returncode == 2 and "--overwrite" in one_error_line(process)
    assert tree(work) == before and sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_overwrite_refuses_a_file_and_leaves_no_old_copy(tmp_path):
    spec = write_spec(tmp_path)
    target = tmp_path / "out.zarr"
    target.write_text("not a store")
    process = fastspin_cli("run", spec, "--out", target, "--overwrite", cwd=tmp_path)
    assert process.returncode == 2 and "not a directory" in one_error_line(process)
    assert target.read_text() == "not a store"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.zarr", "spec.toml"]


def test_overwrite_refuses_a_store_holding_foreign_files(tmp_path):
    spec = write_spec(tmp_path, num=6)
    store = tmp_path / "s.zarr"
    fastspin.sweep(spec, store)
    (store / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="holds 'notes.txt', which fastspin did not write"):
        fastspin.sweep(spec, store, overwrite=True)
    assert (store / "notes.txt").read_text() == "mine"


def test_overwrite_replaces_a_fastspin_store_without_leftovers(tmp_path):
    store = tmp_path / "s.zarr"
    fastspin.sweep(write_spec(tmp_path, "a.toml", num=6), store)
    other = write_spec(tmp_path, "b.toml", num=9)
    process = fastspin_cli("run", other, "--out", store, "--overwrite", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert_same_contents(store, serial_reference(load_spec(other)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml", "b.toml", "s.zarr"]
    assert not (store / LOCK_NAME).exists()  # released at the end of the run


# --- one driver per store ----------------------------------------------------------------
def start_driver(spec: Path, store: Path, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "fastspin"), "run", str(spec), "--out", str(store), "--no-progress", *extra],
        env=child_env(), cwd=spec.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_blocks(driver: subprocess.Popen, store: Path, n: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (store / "sweep" / "done" / "zarr.json").exists() and done_flags(store).sum() >= n:
            return
        assert driver.poll() is None, driver.stderr.read()
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} blocks done in {timeout} s")


def test_second_driver_is_refused_and_the_first_finishes_correctly(tmp_path, monkeypatch):
    """Driver A is a real `fastspin run` process; the second driver is this test process
    (the API and the CLI in-process, so that each refusal takes milliseconds, not a
    process start-up that could outlast A under load)."""
    spec = write_spec(tmp_path, delay=0.4)
    store = tmp_path / "s.zarr"
    first = start_driver(spec, store)
    monkeypatch.chdir(tmp_path)
    try:
        wait_for_blocks(first, store, 2)
        lock = json.loads((store / LOCK_NAME).read_text())
        assert lock["pid"] == first.pid and lock["host"] == platform.node()
        before = done_flags(store).sum()
        holder = f"in use by run {lock['run_id'][:12]} of PID {first.pid} on host"
        # the same spec (would do the work twice) and another spec with --overwrite
        # (would swap the store under the first driver): both refused, naming the holder
        other = write_spec(tmp_path, "other.toml", num=30)
        with pytest.raises(LockError, match=holder):
            fastspin.sweep(spec, store)
        with pytest.raises(LockError, match=holder):
            fastspin.sweep(other, store, overwrite=True)
        for args in ((spec,), (other, "--overwrite")):
            result = CliRunner().invoke(main, ["run", *map(str, args), "--out", str(store)])
            assert result.exit_code == 2
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and holder in lines[0] and "--break-lock" in lines[0]
        assert first.poll() is None  # still running: the refusals were not a late start
        assert first.wait(120) == 0, first.stderr.read()
    finally:
        stop(first)
    assert before < 20
    assert_same_contents(store, serial_reference(load_spec(spec)))
    runs = fastspin.open(store).attrs["fastspin_runs"]
    assert len(json.loads(runs)) == 1  # the refused drivers wrote nothing, not even a run record


@pytest.mark.parametrize("scheduler", ["serial", "local"])
def test_displaced_driver_writes_nothing_into_the_new_store(tmp_path, scheduler):
    """The mixed-spec scenario: B takes the store from a live A with --break-lock and
    --overwrite.  A's next block (in A's own process, or in a worker process of A's
    embedded cluster that has the store's arrays open) finds another run id and is not
    written; A fails with one line, and B's store holds only B's values."""
    spec_a = write_spec(tmp_path, "a.toml", num=150, delay=0.5)  # 50 blocks: A outlives B
    spec_b = write_spec(tmp_path, "b.toml", num=30)  # same block shape, other values
    store = tmp_path / "s.zarr"
    first = start_driver(spec_a, store, "--scheduler", scheduler, "--workers", "2")
    try:
        wait_for_blocks(first, store, 1)
        second = fastspin_cli(
            "run", spec_b, "--out", store, "--overwrite", "--break-lock", cwd=tmp_path
        )
        assert second.returncode == 0, second.stderr
        assert first.wait(120) == 1
        stderr = first.stderr.read().strip().splitlines()
        assert len(stderr) == 1 and "is no longer held by run" in stderr[0], stderr
        assert "was not written" in stderr[0]
    finally:
        stop(first)
    assert_same_contents(store, serial_reference(load_spec(spec_b)))
    assert fastspin.open(store).attrs["fastspin_spec_sha256"] == load_spec(spec_b).fingerprint


def rivals(tmp_path: Path):
    """Run A's spec, run B's spec (same block shape, another spec) and their store path."""
    return (
        load_spec(write_spec(tmp_path, "a.toml", num=30)),
        load_spec(write_spec(tmp_path, "b.toml", num=30, delay=0.001)),
        tmp_path / "s.zarr",
    )


def test_writes_racing_an_overwrite_land_in_the_replaced_directory(tmp_path):
    """The race behind the mixed-spec scenario, made deterministic: run A checks its lock,
    then B swaps a new store in with --overwrite --break-lock, then A writes (a block's
    chunks, a run record, the consolidated metadata).  A writes into the directory it
    locked, which B has deleted, so B's store stays byte for byte what B made.  The same
    writes through the path (the control) do change B's store: the test can fail."""
    spec_a, spec_b, store = rivals(tmp_path)
    lock_a = new_lock_info("a", "now")
    prepare_store(spec_a, store, lock=lock_a)
    with _held_arrays.use(str(store), spec_a.fingerprint, lock_a.run_id) as (held, arrays):
        held.check()  # A's check passes: the store is A's ...
        lock_b = new_lock_info("b", "later")
        prepare_store(spec_b, store, lock=lock_b, overwrite=True, break_lock=True)  # ... B swaps
        made_by_b = tree(store)
        block = spec_a.block_at(0)
        for write in (
            lambda: _write_together([(arrays["occupation"], block.slices, np.full(block.shape, 7.0))]),
            lambda: append_run_record(held.root, {"command_line": "a"}),
            lambda: consolidate(held.root),
        ):
            try:
                write()
            except (OSError, ValueError):
                pass  # the replaced directory is gone: failing is fine, changing B's store is not
            assert tree(store) == made_by_b
        with pytest.raises(LockError, match=r"is no longer held by run \w+ \(another store replaced it"):
            held.check()
    _held_arrays.forget(lock_a.run_id)
    assert fastspin.open(store).attrs["fastspin_spec_sha256"] == spec_b.fingerprint

    with HeldStore(store, lock_b.run_id):
        pass  # B's own run holds its store
    append_run_record(store, {"command_line": "a"})  # the control: a write through the name
    assert tree(store) != made_by_b


def test_the_driver_writes_nothing_into_a_store_swapped_in_after_its_check(tmp_path, monkeypatch):
    """The driver's half of the race: A's sweep (in process) checks its lock before its
    run record, and B swaps a new store in right after that check.  A's record goes into
    the directory A locked; B's store stays byte for byte what B made."""
    import fastspin.workflows.sweep as sweep_module

    spec_a, spec_b, store = rivals(tmp_path)
    made_by_b: dict[str, bytes] = {}

    class RacedHeldStore(HeldStore):
        checks = 0

        def check(self, consequence: str = "this block was not written") -> None:
            super().check(consequence)
            RacedHeldStore.checks += 1
            if RacedHeldStore.checks == 2:  # A's first own write (its run record) comes next
                prepare_store(spec_b, store, lock=new_lock_info("b", "later"), overwrite=True,
                              break_lock=True)  # fmt: skip
                made_by_b.update(tree(store))

    monkeypatch.setattr(sweep_module, "HeldStore", RacedHeldStore)
    with pytest.raises((StoreError, LockError, OSError)):
        fastspin.sweep(spec_a, store, scheduler="serial", progress=False)
    assert made_by_b and tree(store) == made_by_b
    assert fastspin.open(store).attrs["fastspin_spec_sha256"] == spec_b.fingerprint


def test_an_entry_in_use_keeps_its_directory_when_others_push_it_out(tmp_path):
    """A worker that runs more stores at once than the cache keeps must not lose the
    directory of a block it is writing: the descriptor of an entry in use stays open
    (closed, its number would name the next store opened)."""
    stores = []
    for i in range(_held_arrays.size + 3):
        spec = load_spec(write_spec(tmp_path, f"{i}.toml", num=30))
        lock = new_lock_info(str(i), "now")
        path = tmp_path / f"s{i}.zarr"
        prepare_store(spec, path, lock=lock)
        stores.append((str(path), spec.fingerprint, lock.run_id))
    with _held_arrays.use(*stores[0]) as (first, _):
        for other in stores[1:]:
            with _held_arrays.use(*other):
                pass
        assert os.path.samefile(first.root, stores[0][0])
        first.check()
    for _, _, run_id in stores:
        _held_arrays.forget(run_id)


def test_a_write_into_the_replaced_store_does_not_fail_the_overwrite(tmp_path, monkeypatch):
    """A displaced run still writing into the store being replaced recreates directories
    while they are deleted; the overwrite that already swapped the new store in must
    still succeed and keep its lock."""
    import fastspin.workflows.store as store_module

    spec_a, spec_b, store = rivals(tmp_path)
    prepare_store(spec_a, store, lock=new_lock_info("a", "now"))
    real_rmtree = store_module.shutil.rmtree
    calls = []

    def rmtree_racing_a_writer(path, ignore_errors=False):
        calls.append(path)
        real_rmtree(path, ignore_errors=True)
        if len(calls) == 1:  # the displaced run's next chunk recreates a directory
            (Path(path) / "occupation" / "c" / "3").mkdir(parents=True)
            if not ignore_errors:
                raise OSError(39, "Directory not empty", str(path))

    monkeypatch.setattr(store_module.shutil, "rmtree", rmtree_racing_a_writer)
    lock_b = new_lock_info("b", "later")
    prepare_store(spec_b, store, lock=lock_b, overwrite=True, break_lock=True)
    assert len(calls) == 2 and not Path(calls[0]).exists()
    with HeldStore(store, lock_b.run_id):
        pass  # B still holds its store
    assert fastspin.open(store).attrs["fastspin_spec_sha256"] == spec_b.fingerprint


def test_without_process_start_times_a_live_holder_is_not_gone(monkeypatch):
    """Where /proc is missing (macOS), a lock held by a live process on this host is not
    taken over; one whose process is gone is."""
    import fastspin.workflows.lock as lock_module

    monkeypatch.setattr(lock_module, "_HAVE_PROC", False)
    live = subprocess.Popen(["sleep", "30"])
    try:
        info = LockInfo(host=platform.node(), pid=live.pid, pid_start=-1, started="x", run_id="r" * 32)
        assert not lock_module.holder_is_gone(info)
    finally:
        live.kill()
        live.wait()
    gone = LockInfo(host=platform.node(), pid=dead_pid(), pid_start=-1, started="x", run_id="r" * 32)
    assert lock_module.holder_is_gone(gone)


def test_a_run_whose_store_is_gone_is_told_so(tmp_path):
    """A worker that opens the store after another driver deleted it gets the lock's
    one-line message, not a file-system error."""
    with pytest.raises(LockError, match="is no longer held by run 0123456789ab .it is unlocked"):
        HeldStore(tmp_path / "gone.zarr", "0123456789ab" * 2)


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def plant_lock(store: Path, **fields) -> None:
    info = {"host": platform.node(), "pid": dead_pid(), "pid_start": 1, "started": "x",
            "run_id": "f" * 32, "command_line": "fastspin run old.toml"}
    info.update(fields)
    (store / LOCK_NAME).write_text(json.dumps(info))


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    spec = write_spec(tmp_path, num=9)
    store = tmp_path / "s.zarr"
    fastspin.sweep(spec, store)
    plant_lock(store)
    result = fastspin.sweep(spec, store)
    assert result.resumed and not (store / LOCK_NAME).exists()
    # a live PID with another start time is a reused PID: the holder is gone as well
    plant_lock(store, pid=os.getppid(), pid_start=(process_start_ticks(os.getppid()) or 0) + 1)
    assert fastspin.sweep(spec, store).resumed


@pytest.mark.parametrize("holder", ["other_host", "live_process"])
def test_lock_of_a_live_or_remote_holder_needs_break_lock(tmp_path, holder):
    spec = write_spec(tmp_path, num=9)
    store = tmp_path / "s.zarr"
    fastspin.sweep(spec, store)
    if holder == "other_host":
        plant_lock(store, host="elsewhere.example")
    else:
        parent = os.getppid()
        plant_lock(store, pid=parent, pid_start=process_start_ticks(parent))
    before = tree(store)
    with pytest.raises(LockError, match=r"in use by run ffffffffffff of PID \d+ on host"):
        fastspin.sweep(spec, store)
    assert tree(store) == before
    process = fastspin_cli("run", spec, "--out", store, "--overwrite", cwd=tmp_path)
    assert process.returncode == 2 and "--break-lock" in one_error_line(process)
    assert tree(store) == before
    assert fastspin.sweep(spec, store, break_lock=True).resumed
    assert not (store / LOCK_NAME).exists()


def test_lock_info_describes_its_holder():
    info = LockInfo("node1", 42, 7, "2026-01-01T00:00:00+00:00", "a" * 32)
    assert info.describe() == "run aaaaaaaaaaaa of PID 42 on host node1, started 2026-01-01T00:00:00+00:00"
    np.testing.assert_equal(process_start_ticks(os.getpid()) > 0, True)


def _race_for_the_lock(store: str, barrier, results) -> None:
    from fastspin.workflows.lock import acquire, new_lock_info

    info = new_lock_info("race", "now")
    barrier.wait()
    try:
        acquire(Path(store), info)
        results.put(("won", info.run_id))
        time.sleep(0.5)  # stay alive (and holding) while the others decide
    except LockError:
        results.put(("refused", info.run_id))


def test_of_drivers_racing_for_a_stale_lock_exactly_one_wins(tmp_path):
    """Real processes released together at a barrier, 6 rounds: one winner each time,
    and the lock left on disk is the winner's."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    store = tmp_path / "s.zarr"
    store.mkdir()
    for _ in range(6):
        plant_lock(store)  # a stale lock of a dead process
        barrier, results = context.Barrier(4), context.Queue()
        racers = [context.Process(target=_race_for_the_lock, args=(str(store), barrier, results))
                  for _ in range(4)]
        for racer in racers:
            racer.start()
        outcomes = [results.get(timeout=60) for _ in racers]
        winners = [run_id for outcome, run_id in outcomes if outcome == "won"]
        assert len(winners) == 1, outcomes
        assert json.loads((store / LOCK_NAME).read_text())["run_id"] == winners[0]
        for racer in racers:
            racer.join(30)
        (store / LOCK_NAME).unlink()
        assert sorted(p.name for p in store.iterdir()) == []  # no .stale-/.new- files left
