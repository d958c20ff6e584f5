"""Where a sweep runs: embedded LocalCluster, an existing scheduler, or SLURM/PBS.

* ``local`` (default): a :class:`distributed.LocalCluster` of ``workers`` worker
  *processes* (default: one per CPU this process may use), each running one block at
  a time (``processes=True, threads_per_worker=1``).  The CPUs are shared out: each
  worker gets ``NUMBA_NUM_THREADS = max(1, cores // workers)`` (Dask pins OMP/MKL
  threads but not Numba's; OMP/MKL stay at 1) and, if configured,
  ``NUMBA_CACHE_DIR``.  Models whose kernels have a thread-parallel variant (the
  macrospin ensembles) use all of their worker's Numba threads for a block; the
  others use one.  So ``--workers 1`` on 8 cores runs one block at a time on 8
  threads, ``--workers 8`` runs 8 blocks on one thread each (best when there are
  many blocks), ``--workers 2`` runs 2 blocks on 4 threads each.  Results do not
  depend on the choice.
* ``tcp://host:port``: an existing cluster (``dask scheduler`` / ``dask worker``).
  Start those workers with ``--nthreads 1`` and ``NUMBA_NUM_THREADS=k`` yourself
  (k threads per block; k = 1 for one block per core).
* ``cluster = "slurm" | "pbs"``: dask-jobqueue (``pip install fastspin[hpc]``);
  the profile (queue, account, cores, memory, walltime, lifetime, jobs, ...) comes
  from ``[run.cluster]`` in the spec or from a TOML config file.
* ``serial``: no Dask at all, blocks run one after the other in this process.

Every Dask runner registers :class:`WarmupPlugin`, so each worker, including
workers that join later under ``adapt()``, imports the model and calls its
optional ``warmup()`` classmethod (compiling or loading the cached kernels) once
when it starts, not inside the first task.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from fastspin.model import ParameterError
from fastspin.workflows.spec import CLUSTER_KEYS

#: the environment variable through which the workers learn their Numba cache directory
NUMBA_CACHE_ENV = "NUMBA_CACHE_DIR"


def available_cores() -> int:
    """CPUs this process may run on (affinity-aware)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def numba_threads_per_worker(n_workers: int) -> int:
    """Numba threads of each of ``n_workers`` local worker processes: the cores shared
    out evenly, at least one."""
    return max(1, available_cores() // max(1, int(n_workers)))


def worker_environment(numba_cache_dir: str | None, numba_threads: int = 1) -> dict[str, str]:
    """Environment of a worker process: ``numba_threads`` Numba threads (a block of a
    thread-parallel model uses them all), one OMP/MKL thread."""
    env = {"NUMBA_NUM_THREADS": str(int(numba_threads)), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if numba_cache_dir:
        env[NUMBA_CACHE_ENV] = str(Path(numba_cache_dir).expanduser().absolute())
    return env


class WarmupPlugin(WorkerPlugin):
    """On every worker start: set Numba's cache dir, import the model, warm it up.

    :meth:`fastspin.model.Model.warmup` calls the model's kernels once on tiny
    inputs, so compilation (or loading from the on-disk cache) is paid at worker
    start, not inside the first timed block.
    """

    name = "fastspin-warmup"

    def __init__(self, model: str, numba_cache_dir: str | None = None):
        self.model = model
        self.numba_cache_dir = numba_cache_dir

    def setup(self, worker: Any = None) -> None:
        if self.numba_cache_dir:
            os.environ[NUMBA_CACHE_ENV] = self.numba_cache_dir
            if "numba" in sys.modules:
                # set only the cache location: reload_config() would also re-read
                # NUMBA_NUM_THREADS and fail once a parallel kernel launched threads
                from numba.core import config

                config.CACHE_DIR = self.numba_cache_dir
        # NUMBA_NUM_THREADS is not touched here: Numba re-reads its config at every
        # compilation and aborts if the value changes after threads were launched, so
        # it must come from the worker's environment (LocalCluster/jobqueue set it).
        from fastspin.registry import get_model_class

        get_model_class(self.model).warmup()


#: the embedded cluster listens on loopback only: its scheduler has no authentication
LOCAL_HOST = "127.0.0.1"


def _dashboard_address() -> str | None:
    """Any free port on loopback: several clusters (or users) may share a login node,
    and nobody on the network may reach the dashboard or the scheduler."""
    return f"{LOCAL_HOST}:0"


#: the submit command each batch system needs on PATH
SUBMIT_COMMANDS = {"slurm": "sbatch", "pbs": "qsub"}


def check_submit_command(profile: Mapping[str, Any]) -> None:
    """Refuse (before anything is written) a cluster kind whose submit command is absent."""
    import shutil

    command = SUBMIT_COMMANDS[profile["kind"]]
    if shutil.which(command) is None:
        raise ParameterError(
            f"run.cluster = {profile['kind']!r}: {command!r} is not on PATH; run on a "
            f"{profile['kind']} login node, or use scheduler = 'local'"
        )


@contextlib.contextmanager
def local_client(workers: int | None = None, numba_cache_dir: str | None = None) -> Iterator[Any]:
    """An embedded LocalCluster: ``workers`` worker processes (default one per core),
    one block at a time each, the cores shared out as Numba threads."""
    from distributed import Client, LocalCluster

    n_workers = workers or available_cores()
    _quiet_resource_tracker()
    with LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host=LOCAL_HOST,
        dashboard_address=_dashboard_address(),
        # the driver reports every failed block itself, in one line; worker-side logs
        # (heartbeat tracebacks while a failed run shuts down) would only bury it
        silence_logs=logging.CRITICAL,
        env=worker_environment(numba_cache_dir, numba_threads_per_worker(n_workers)),
    ) as cluster, Client(cluster) as client:
        try:
            yield client
        finally:
            _retire_workers_first(cluster, client)


#: the warnings filter of :func:`_quiet_resource_tracker`
_TRACKER_FILTER = "ignore:resource_tracker:UserWarning"


def _quiet_resource_tracker() -> None:
    """Keep Python's multiprocessing resource tracker from adding a warning after a
    failed run's one-line error.

    A run that fails (a lost lock, a broken block) shuts its cluster down without
    waiting for the blocks still running; their worker processes are then killed, and
    the tracker, a separate process that inherits this environment, frees the
    semaphores they held and warns about "leaked semaphore objects" at exit.  Nothing
    is lost: the freeing is the tracker's job.
    """
    current = os.environ.get("PYTHONWARNINGS", "")
    if _TRACKER_FILTER not in current.split(","):
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, (current, _TRACKER_FILTER)))


def _retire_workers_first(cluster: Any, client: Any, timeout: float = 10.0) -> None:
    """Stop the workers before the scheduler, so that no worker heartbeat meets a
    closed scheduler and prints a stack trace at the end of a successful run."""
    import time

    with contextlib.suppress(Exception):
        cluster.scale(0)
        deadline = time.monotonic() + timeout
        while client.scheduler_info().get("workers") and time.monotonic() < deadline:
            time.sleep(0.05)


#: how long to try to reach an existing scheduler before giving up (nothing is written yet)
CONNECT_TIMEOUT = "20s"


@contextlib.contextmanager
def remote_client(address: str) -> Iterator[Any]:
    """A client of an existing Dask scheduler at ``address``; one line naming it if unreachable."""
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        text = " ".join(str(err).split())[:200] or type(err).__name__
        raise ParameterError(f"run.scheduler: cannot connect to {address!r}: {text}") from None
    with client:
        yield client


def load_cluster_profile(
    cluster: str | Mapping[str, Any] | None, config_file: str | Path | None = None
) -> dict[str, Any]:
    """Merge a cluster profile: config file (TOML) first, then the spec's [run.cluster].

    A config file holds the same keys at top level, or per kind under
    ``[slurm]`` / ``[pbs]``.
    """
    profile: dict[str, Any] = {}
    kind = cluster.get("kind") if isinstance(cluster, Mapping) else cluster
    if config_file is not None:
        path = Path(config_file)
        try:
            with path.open("rb") as f:
                loaded = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ParameterError(f"cluster config {str(path)!r}: {err}") from None
        if kind is None:
            kind = loaded.get("kind")
        section = loaded.get(kind, loaded) if kind else loaded
        profile.update({k: v for k, v in section.items() if not isinstance(v, dict)})
    if isinstance(cluster, Mapping):
        profile.update(cluster)
    if kind is not None:
        profile["kind"] = kind
    unknown = [k for k in profile if k not in CLUSTER_KEYS]
    if unknown:
        raise ParameterError(
            f"run.cluster: unknown key {unknown[0]!r}; allowed: {', '.join(CLUSTER_KEYS)}"
        )
    if profile.get("kind") not in ("slurm", "pbs"):
        raise ParameterError(
            f"run.cluster.kind = {profile.get('kind')!r}; allowed: 'slurm', 'pbs'"
        )
    return profile


def jobqueue_cluster(profile: Mapping[str, Any], numba_cache_dir: str | None = None):
    """Build (not scale) a dask-jobqueue cluster from a profile.

    One single-threaded worker process per core: ``processes = cores`` unless the
    profile says otherwise.  ``lifetime`` (e.g. ``"55m"``) becomes the workers'
    ``--lifetime`` with a stagger, so they leave gracefully before the walltime.
    """
    try:
        import dask_jobqueue
    except ImportError:
        raise ParameterError(
            "run.cluster: dask-jobqueue is not installed; install the hpc extra: "
            "pip install 'fastspin[hpc]'"
        ) from None
    kind = profile["kind"]
    cores = int(profile.get("cores", 1))
    kwargs: dict[str, Any] = {
        "cores": cores,
        "processes": int(profile.get("processes", cores)),
        "memory": profile.get("memory", f"{4 * cores}GB"),
        "walltime": profile.get("walltime", "01:00:00"),
    }
    for key in ("queue", "account", "interface", "local_directory", "log_directory", "python"):
        if key in profile:
            kwargs[key] = profile[key]
    if "job_extra_directives" in profile:
        kwargs["job_extra_directives"] = list(profile["job_extra_directives"])
    extra_args: list[str] = []
    if "lifetime" in profile:
        extra_args += ["--lifetime", str(profile["lifetime"])]
        extra_args += ["--lifetime-stagger", str(profile.get("lifetime_stagger", "2m"))]
    if extra_args:
        kwargs["worker_extra_args"] = extra_args
    prologue = [f"export {k}={v}" for k, v in worker_environment(numba_cache_dir).items()]
    kwargs["job_script_prologue"] = prologue + list(profile.get("job_script_prologue", []))
    # the scheduler must be reachable from the compute nodes; its dashboard need not be
    # (open it through an ssh tunnel): loopback, on any free port
    kwargs["scheduler_options"] = {"dashboard_address": _dashboard_address()}
    cls = {"slurm": dask_jobqueue.SLURMCluster, "pbs": dask_jobqueue.PBSCluster}[kind]
    return cls(**kwargs)


def check_job_script(script: str) -> None:
    """``sbatch --test-only``: a job Slurm would refuse (unknown partition or account,
    more memory than any node has, ...) is refused here, before the store exists,
    instead of leaving the sweep waiting for workers that never come."""
    import subprocess

    try:
        out = subprocess.run(
            ["sbatch", "--test-only"], input=script, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ParameterError(f"run.cluster: sbatch --test-only failed: {err}") from None
    if out.returncode != 0:
        reason = " ".join(out.stderr.split()) or f"exit status {out.returncode}"
        raise ParameterError(f"run.cluster: Slurm refuses the worker job: {reason}")


@contextlib.contextmanager
def jobqueue_client(profile: Mapping[str, Any], numba_cache_dir: str | None = None) -> Iterator[Any]:
    """A client of a dask-jobqueue cluster built from ``profile``, scaled (or adapted) to its jobs."""
    from distributed import Client

    with jobqueue_cluster(profile, numba_cache_dir) as cluster:
        if profile["kind"] == "slurm":
            check_job_script(cluster.job_script())
        if "minimum_jobs" in profile or "maximum_jobs" in profile:
            cluster.adapt(
                minimum_jobs=int(profile.get("minimum_jobs", 0)),
                maximum_jobs=int(profile.get("maximum_jobs", profile.get("jobs", 1))),
            )
        else:
            cluster.scale(jobs=int(profile.get("jobs", 1)))
        with Client(cluster) as client:
            yield client
