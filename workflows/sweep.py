"""Run a sweep: spec -> blocks -> Dask tasks -> resumable Zarr store.

>>> import fastspin
>>> result = fastspin.sweep("examples/sis_phase_diagram.toml", "phase.zarr")
>>> ds = result.dataset            # == fastspin.open("phase.zarr")

Each block that is not yet done becomes one task.  The task evaluates the model on
the whole block (``model.evaluate_block``), writes every output into the block's
own chunk and only then sets the block's done flag, so a killed driver or worker
never leaves a block marked done without its data, and a rerun computes exactly the
blocks whose flag is still 0.  Dask reschedules the tasks of a worker that dies.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from fastspin._numba_cache import set_cache_dir
from fastspin.model import ParameterError
from fastspin.workflows.calibrate import calibrate
from fastspin.workflows.lock import HeldStore, LockError, new_lock_info, release
from fastspin.workflows.spec import SweepSpec, check_workers, load_spec
from fastspin.workflows.store import (
    StoreError,
    _short,
    append_run_record,
    check_target,
    consolidate,
    done_blocks_without_chunks,
    done_flags,
    open_store,
    prepare_store,
    release_held_arrays,
    update_run_record,
    utc_now,
    write_block,
)
from fastspin.workflows.verify import clear_blocks, rewrite_axes, verify_store

#: a sweep that asks for no runner runs in this process when its calibrated cost is lower
IN_PROCESS_SECONDS = 5.0


@dataclass
class SweepResult:
    """What one call of :func:`sweep` did."""

    path: Path
    fingerprint: str
    n_blocks: int
    computed: list[int] = field(default_factory=list)
    skipped: int = 0
    resumed: bool = False
    repaired: list[int] = field(default_factory=list)
    wall_seconds: float = 0.0
    run_index: int = 0

    @property
    def dataset(self):
        """The store as an ``xarray.Dataset`` (:func:`fastspin.open`)."""
        return open_store(self.path)

    def __repr__(self) -> str:
        """Counts, not the list of block indices."""
        return (f"SweepResult({str(self.path)!r}, {'resumed' if self.resumed else 'created'}, "
                f"computed {len(self.computed)} of {self.n_blocks} blocks, {self.skipped} already "
                f"done, {self.wall_seconds:.1f} s wall)")

    def _repr_html_(self) -> str:
        from html import escape

        return f"<code>{escape(repr(self))}</code>"


def run_block(spec: SweepSpec, path: str, index: int, run: int, run_id: str) -> tuple[int, float]:
    """One task: evaluate block ``index`` and write it (data first, done flag last),
    only while the store is still locked by run ``run_id``."""
    block = spec.block_at(index)
    start = time.perf_counter()
    params = spec.block_params(block)
    results = spec.model.evaluate_block(params)
    seconds = time.perf_counter() - start
    outputs = tuple(o.name for o in spec.model.outputs)
    missing = [name for name in outputs if name not in results]
    if missing:
        raise ValueError(f"model {spec.model.name!r} returned no output {missing[0]!r}")
    write_block(
        path, spec.fingerprint, block, results, outputs, seconds, run,
        run_id=run_id, seed=spec.block_seed(index),
    )
    return index, seconds


@dataclass(frozen=True)
class StoreWriteFailure:
    """A block that could not be written (full disk, lost lock): returned, not raised,
    so that the worker logs no traceback and the driver prints one line."""

    index: int
    error: str
    resumable: bool = True


def run_block_task(
    spec: SweepSpec, path: str, index: int, run: int, run_id: str
) -> tuple[int, float] | StoreWriteFailure:
    """:func:`run_block` as a Dask task; a failure of the store itself comes back as a value."""
    try:
        return run_block(spec, path, index, run, run_id)
    except LockError as err:
        return StoreWriteFailure(index, " ".join(str(err).split()), resumable=False)
    except (OSError, StoreError) as err:
        return StoreWriteFailure(index, f"{type(err).__name__}: {_short(err)}")


class Progress:
    """Blocks done, rate and time left: a ``tqdm.auto`` bar (a widget in a notebook,
    a text bar on a terminal), plus one-line notes such as "starting 2 workers..."."""

    def __init__(self, total: int, stream: TextIO | None, enabled: bool):
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.done = 0
        self._bar: Any = None

    def note(self, text: str) -> None:
        if self.enabled:
            print(text, file=self.stream, flush=True)

    def begin(self) -> None:
        """Start the bar (its rate and ETA count from here, not from cluster start-up)."""
        if self.enabled and self._bar is None and self.total:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, unit="block", desc="fastspin", file=self.stream,
                             dynamic_ncols=True, mininterval=0.2)

    def update(self, n: int = 1) -> None:
        self.done += n
        self.begin()
        if self._bar is not None:
            self._bar.update(n)
            if self.done >= self.total:
                self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@contextlib.contextmanager
def _client_for(
    spec: SweepSpec, scheduler: str, cluster: Any, cluster_config: Any, workers: int | None,
    numba_cache_dir: str | None,
) -> Iterator[Any]:
    from fastspin.workflows import runner  # imports distributed: only when Dask is used
    if cluster is not None or cluster_config is not None:
        profile = runner.load_cluster_profile(cluster, cluster_config)
        with runner.jobqueue_client(profile, numba_cache_dir) as client:
            yield client
    elif "://" in scheduler:
        with runner.remote_client(scheduler) as client:
            yield client
    else:
        with runner.local_client(workers, numba_cache_dir) as client:
            yield client


def sweep(
    spec: str | Path | Mapping[str, Any] | SweepSpec,
    store: str | Path | None = None,
    *,
    overwrite: bool = False,
    repair: bool = False,
    break_lock: bool = False,
    scheduler: str | None = None,
    cluster: str | Mapping[str, Any] | None = None,
    cluster_config: str | Path | None = None,
    workers: int | None = None,
    numba_cache_dir: str | None = None,
    client: Any = None,
    progress: bool | None = None,
    progress_stream: TextIO | None = None,
    command_line: str | None = None,
    in_process: bool | None = None,
) -> SweepResult:
    """Run (or resume) a sweep into a Zarr store and return what was done.

    ``spec``: TOML path, dict or :class:`~fastspin.workflows.spec.SweepSpec`.
    ``store``: directory of the Zarr store (default ``<model>-<fingerprint[:8]>.zarr``
    in the working dir).
    Keyword arguments override the spec's ``[run]`` table: ``scheduler`` ("local",
    "serial" or an address), ``cluster`` ("slurm"/"pbs" or a profile dict),
    ``cluster_config`` (TOML file), ``workers``, ``numba_cache_dir``.  ``client``:
    an existing ``distributed.Client`` to use as is.  ``progress``: notes and a
    ``tqdm.auto`` progress bar (default: when stderr is a terminal or in a notebook).
    ``in_process``: run the blocks in this process (True) or on Dask (False); by
    default a sweep that asks for no scheduler, cluster, workers or client runs in
    this process when its calibrated cost
    (:func:`fastspin.workflows.calibrate.calibrate`) is below
    :data:`IN_PROCESS_SECONDS`, since starting workers
    would take longer.

    The spec is validated completely, and the store path, its lock, the cluster's
    submit command and the scheduler connection are checked, before anything is
    written; an existing store is resumed when it holds the same spec (same sha256
    fingerprint) and refused otherwise unless ``overwrite``, which replaces only a
    fastspin store, never another directory.  One driver holds a store at a time
    (:mod:`fastspin.workflows.lock`); ``break_lock`` takes the lock of a driver that
    looks alive.  ``repair`` first recomputes the done blocks that
    :func:`fastspin.workflows.verify.verify_store` finds damaged.
    """
    check_workers(workers)
    spec = load_spec(spec)
    run_options = spec.run
    if in_process and (client is not None or cluster is not None or cluster_config is not None):
        raise ParameterError("in_process: give no client, cluster or cluster_config with it")
    nothing_requested = (  # a number of workers asks for the embedded cluster too
        client is None and scheduler is None and cluster is None and cluster_config is None
        and workers is None
        and not any(key in run_options for key in ("scheduler", "cluster", "workers"))
    )
    if cluster is None and scheduler is None:
        cluster = run_options.get("cluster")  # an explicit scheduler overrides the spec's cluster
    scheduler = scheduler or run_options.get("scheduler", "local")
    workers = workers or run_options.get("workers")
    numba_cache_dir = numba_cache_dir or os.environ.get("FASTSPIN_NUMBA_CACHE_DIR")
    if cluster_config is not None or cluster is not None:
        from fastspin.workflows import runner  # imports distributed: only when Dask is used

        profile = runner.load_cluster_profile(cluster, cluster_config)  # validate before writing
        runner.check_submit_command(profile)
    if overwrite and repair:
        raise ParameterError("--overwrite and --repair: give one (overwrite starts again)")
    if store is None:
        store = f"{spec.model.name}-{spec.fingerprint[:8]}.zarr"
    command_line = command_line if command_line is not None else shlex.join(sys.argv)
    target = Path(store).expanduser().absolute()
    n_todo = check_target(spec, target, overwrite=overwrite, break_lock=break_lock, repair=repair)
    complete = n_todo == 0 and not repair  # a repair may find blocks to compute
    if progress is None:
        stream = progress_stream or sys.stderr
        progress = bool(getattr(stream, "isatty", lambda: False)()) or "ipykernel" in sys.modules
    notes = Progress(0, progress_stream, progress)
    if not complete and in_process is None and nothing_requested:
        if numba_cache_dir:
            set_cache_dir(numba_cache_dir)
        notes.note(f"fastspin: {n_todo} blocks to compute; timing the model on a few points...")
        estimate = calibrate(spec).seconds * n_todo / spec.n_blocks
        in_process = estimate < IN_PROCESS_SECONDS
        notes.note(f"fastspin: ~{_format_seconds(estimate)} of compute on one core"
                   + (": running in this process" if in_process else ""))
    if in_process:
        scheduler = "serial"
    elif in_process is False and scheduler == "serial":
        scheduler = "local"
    runner_name = (
        "client" if client is not None
        else "jobqueue" if (cluster is not None or cluster_config is not None)
        else scheduler
    )
    if numba_cache_dir and runner_name == "serial":
        set_cache_dir(numba_cache_dir)
    with contextlib.ExitStack() as stack:
        if client is None and runner_name != "serial" and not complete:
            from fastspin.workflows.runner import available_cores

            where = "a scheduler at " + scheduler if "://" in scheduler else (
                "a batch cluster" if runner_name == "jobqueue"
                else f"{workers or available_cores()} workers")
            notes.note(f"fastspin: starting {where}...")
            # connect (or start the cluster) before the store exists: a failed
            # connection leaves nothing behind
            client = stack.enter_context(
                _client_for(spec, scheduler, cluster, cluster_config, workers, numba_cache_dir)
            )
        lock = new_lock_info(command_line, utc_now())
        path, resumed = prepare_store(
            spec, target, lock=lock, overwrite=overwrite, break_lock=break_lock,
            command_line=command_line,
        )
        try:
            held = HeldStore(path, lock.run_id)
        except BaseException:
            release(path, lock)
            raise
        stack.callback(held.close)
        stack.callback(release, held.root, lock)  # before the close (last in, first out)
        stack.callback(release_held_arrays, lock.run_id)  # this process's block writes
        try:
            return _sweep_locked(
                spec, path, held, resumed, lock, repair, runner_name, client, progress,
                progress_stream, command_line, numba_cache_dir,
            )
        except OSError as err:
            raise StoreError(f"store {str(path)!r}: {err.strerror or _short(err)}; blocks already "
                             "done are kept, rerun to resume") from None


def _sweep_locked(
    spec: SweepSpec, path: Path, held: HeldStore, resumed: bool, lock: Any, repair: bool,
    runner_name: str, client: Any, progress: bool | None, progress_stream: TextIO | None,
    command_line: str, numba_cache_dir: str | None,
) -> SweepResult:
    """The part of :func:`sweep` that runs while this driver holds the store's lock.

    The driver's own writes (run records, metadata, a repair) go into ``held``, the
    directory it locked, each after checking that the lock is still this run's.
    """

    def into_store(write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        held.check(consequence="this run wrote nothing more into it")
        return write(held.root, *args, **kwargs)

    repaired: list[int] = []
    if repair and resumed:
        report = verify_store(path)
        if report.bad_axes:
            into_store(rewrite_axes, spec.axes)
        into_store(clear_blocks, report.bad)
        repaired = [b.index for b in report.bad]
    done = done_flags(path)
    lost = done_blocks_without_chunks(path, done) if resumed else []
    if lost:
        raise StoreError(
            f"store {str(path)!r}: {len(lost)} blocks flagged done have missing chunks (first: "
            f"block {lost[0]}); recompute them with --repair (repair=True)"
        )
    todo = [int(i) for i in np.flatnonzero(~done)]
    result = SweepResult(
        path=path, fingerprint=spec.fingerprint, n_blocks=spec.n_blocks,
        skipped=int(done.sum()), resumed=resumed, repaired=repaired,
    )
    bar = Progress(len(todo), progress_stream, bool(progress))
    start = time.monotonic()
    result.run_index = into_store(
        append_run_record,
        {
            "started": utc_now(),
            "command_line": command_line,
            "runner": runner_name,
            "host": platform.node(),
            "pid": os.getpid(),
            "run_id": lock.run_id,
            "blocks_todo": len(todo),
            **({"blocks_repaired": repaired} if repair else {}),
        },
    )
    try:
        if todo and runner_name == "serial":
            for index in todo:
                try:
                    run_block(spec, str(path), index, result.run_index, lock.run_id)
                except LockError as err:
                    raise RuntimeError(f"sweep: stopped at block {index}: {err}") from None
                except Exception as err:
                    raise _block_failed(index, err) from err
                result.computed.append(index)
                bar.update()
        elif todo:
            _run_on_client(client, spec, path, todo, result, bar, numba_cache_dir, lock.run_id)
    except Exception as err:
        # a full disk must not hide the real error; a lost lock means the store is not ours
        with contextlib.suppress(Exception):
            into_store(
                update_run_record, lock.run_id, failed=utc_now(),
                blocks_computed=len(result.computed), error=f"{type(err).__name__}: {err}"[:500],
            )
            into_store(consolidate)
        raise
    finally:
        bar.close()
    result.wall_seconds = time.monotonic() - start
    into_store(
        update_run_record, lock.run_id, finished=utc_now(),
        blocks_computed=len(result.computed), wall_seconds=round(result.wall_seconds, 3),
    )
    # last: rewriting the root's attributes above drops its consolidated metadata
    into_store(consolidate)
    return result


def _block_failed(index: int, err: Exception) -> RuntimeError:
    return RuntimeError(
        f"sweep: block {index} failed: {type(err).__name__}: {err}; "
        "blocks already done are kept, rerun to resume"
    )


def _run_on_client(
    client: Any, spec: SweepSpec, path: Path, todo: list[int], result: SweepResult,
    bar: Progress, numba_cache_dir: str | None, run_id: str,
) -> None:
    from distributed import as_completed

    from fastspin.workflows import runner  # imports distributed: only when Dask is used

    client.register_plugin(
        runner.WarmupPlugin(spec.model.name, numba_cache_dir), name="fastspin-warmup"
    )
    link = getattr(client, "dashboard_link", None)
    if link:
        bar.note(f"fastspin: dashboard at {link}")
    bar.begin()  # the rate and ETA count from the first task, not cluster start-up
    retries = int(spec.run.get("retries", 0))
    prefix = f"fastspin-{spec.fingerprint[:12]}-r{result.run_index}"
    futures = [
        client.submit(
            run_block_task, spec, str(path), index, result.run_index, run_id,
            key=f"{prefix}-block-{index}", pure=False, retries=retries,
        )
        for index in todo
    ]
    try:
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as err:
                raise _block_failed(todo[futures.index(future)], err) from err
            if isinstance(outcome, StoreWriteFailure) and outcome.resumable:
                raise RuntimeError(
                    f"sweep: block {outcome.index} failed: {outcome.error}; "
                    "blocks already done are kept, rerun to resume"
                )
            if isinstance(outcome, StoreWriteFailure):
                raise RuntimeError(f"sweep: stopped at block {outcome.index}: {outcome.error}")
            index, _ = outcome
            result.computed.append(index)
            bar.update()
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)


def _format_value(value: Any) -> str:
    """A fixed parameter as written: integers without ".0", None as self-consistent."""
    if value is None:
        return "self-consistent"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def plan_text(spec: SweepSpec, workers: int | None = None) -> str:
    """The ``fastspin plan`` report: grid, blocks, points and a cost estimate.

    The estimate is measured: :func:`fastspin.workflows.calibrate.calibrate` times the
    model on a few points of this grid (well under a second for every example).
    """
    from fastspin.workflows.runner import available_cores

    check_workers(workers)
    workers = workers or spec.run.get("workers") or available_cores()
    lines = [f"model     {spec.model.name}"]
    if spec.model.reference is not None:
        lines.append(f"reference {spec.model.reference.citation()}")
    lines.append("axes")
    for name, values in spec.axes.items():
        unit = spec.model.parameter(name).unit
        lines.append(
            f"  {name:<10} {len(values):>6} values  {values.min():.6g} .. {values.max():.6g} [{unit}]"
        )
    for name, value in spec.params.items():
        lines.append(f"  {name:<10} fixed = {_format_value(value)}")
    n_outputs = len(spec.model.outputs)
    size = spec.n_points * n_outputs * 8
    block_points = math.prod(spec.block)
    measured = calibrate(spec)
    cost = measured.seconds
    requested = spec.run.get("cluster") or spec.run.get("scheduler") or (
        f"{spec.run['workers']} workers" if "workers" in spec.run else None)
    runs_here = cost < IN_PROCESS_SECONDS and not requested
    lines += [
        f"points    {spec.n_points}",
        f"blocks    {spec.n_blocks} of shape {dict(zip(spec.dims, spec.block, strict=True))} "
        f"({block_points} points, ~{block_points * n_outputs * 8 / 2**20:.1f} MiB each)",
        f"outputs   {', '.join(o.name for o in spec.model.outputs)}  (~{size / 2**20:.1f} MiB uncompressed)",
        f"cost      ~{_format_seconds(cost)} on one core, ~{_format_seconds(cost / workers)} on "
        f"{workers} workers (timed on {measured.points_timed} points of the grid)",
        f"runner    {requested!r} (the spec's [run])" if requested else
        "runner    in this process (under "
        f"{IN_PROCESS_SECONDS:g} s; --cluster-local to start workers)" if runs_here else
        f"runner    {workers} local workers (--in-process to run here)",
        f"RNG seed  {spec.seed}" if spec.model.stochastic else "",
        f"sha256    {spec.fingerprint}",
    ]
    return "\n".join(line for line in lines if line)


__all__ = ["IN_PROCESS_SECONDS", "SweepResult", "plan_text", "run_block", "sweep", "ParameterError"]
