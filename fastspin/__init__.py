"""fastspin: spin-dependent tunnelling transport, thermoelectrics and stochastic
magnetization dynamics in superconductor/ferromagnet heterostructures.

Public API::

    fastspin.evaluate(model, **params)   # labelled xarray.Dataset
    fastspin.sweep(spec, store)          # distributed, resumable Zarr sweep
    fastspin.open(store)                 # the stored sweep as xarray.Dataset
    fastspin.registered_models()         # the model classes by name
    fastspin.units                       # Tc, CODATA constants, SI conversion
    fastspin.physics                     # the Python API of each physical system
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# first: Numba's cache location must be set before any kernel module is imported
from fastspin import _numba_cache

_numba_cache.configure()

from fastspin import units  # noqa: E402
from fastspin.evaluation import evaluate  # noqa: E402
from fastspin.model import Model, Output, Parameter, ParameterError  # noqa: E402
from fastspin.registry import get_model, registered_models  # noqa: E402
from fastspin.version import __version__  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from typing import TextIO

    from fastspin.workflows.spec import SweepSpec
    from fastspin.workflows.sweep import SweepResult

__all__ = [
    "Model",
    "Output",
    "Parameter",
    "ParameterError",
    "evaluate",
    "get_model",
    "registered_models",
    "units",
    "sweep",
    "__version__",
]
# ``open`` is public but not in ``__all__``: ``from fastspin import *`` must not
# shadow the builtin ``open``.


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

    ``spec``: TOML path, dict or :class:`fastspin.workflows.spec.SweepSpec`.
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
    :data:`fastspin.workflows.sweep.IN_PROCESS_SECONDS`, since starting workers
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
    from fastspin.workflows.sweep import sweep as _sweep  # Dask and Zarr only when used

    return _sweep(
        spec, store, overwrite=overwrite, repair=repair, break_lock=break_lock,
        scheduler=scheduler, cluster=cluster,
        cluster_config=cluster_config, workers=workers, numba_cache_dir=numba_cache_dir,
        client=client, progress=progress, progress_stream=progress_stream,
        command_line=command_line, in_process=in_process,
    )


def open(store):  # noqa: A001  (mirrors xarray.open_dataset; left out of __all__)
    """Open a sweep store as an ``xarray.Dataset``."""
    from fastspin.workflows.store import open_store

    return open_store(store)
