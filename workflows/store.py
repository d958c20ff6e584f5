"""The Zarr v3 sweep store: layout, atomic creation, resume checks, block writes.

Layout of a store (one directory, zarr-python >= 3, ``zarr_format=3``)::

    STORE/                     root group; attrs: spec JSON + sha256, versions, history
      <axis>                   1-D float64 coordinate per axis (units, long_name)
      <output>                 float64 on the grid, one chunk per block, fill NaN,
                               dimension_names = the axes (units, long_name)
      sweep/                   status group (not part of the xarray Dataset)
        done                   uint8, one flag per block (chunk of one), fill 0;
                               set to 1 only after all the block's data is written
        seconds                float64 per block: compute time of the block, fill NaN
        run                    int32 per block: which run (0, 1, ...) computed it, fill -1
        seed                   int64 per block: the block seed (see SweepSpec.block_seed)

The done flags never rely on a chunk existing or on fill values (Zarr's
``write_empty_chunks=False`` never stores a chunk equal to the fill value).  Each
block writes only its own chunks, so concurrent tasks never share a chunk.  A new
store is first built completely in a hidden temporary directory beside the target
and then renamed into place, so a bad path or an interruption never leaves a half
made store; ``overwrite`` swaps the old store out only after the new one exists.
Only local filesystem paths are supported.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import functools
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import zarr
import zarr.codecs
from zarr.core.sync import sync as zarr_sync

from fastspin.version import __version__
from fastspin.workflows.spec import STORE_FORMAT, Block, SweepSpec

STATUS_GROUP = "sweep"
CONVENTIONS = "CF-1.10"
DEPENDENCIES = ("numpy", "scipy", "numba", "dask", "distributed", "zarr", "xarray")


class StoreError(ValueError):
    """A store that cannot be created, written or resumed; the message says why."""


def utc_now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _compressor() -> zarr.codecs.BloscCodec:
    return zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")


@functools.cache
def git_commit() -> str:
    """``git describe --always --dirty`` of the fastspin source tree, or ``"unknown"``."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "describe", "--always", "--dirty", "--abbrev=40"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def dependency_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in DEPENDENCIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def provenance(spec: SweepSpec, command_line: str | None) -> dict[str, Any]:
    """Root attrs of a new store: plain JSON only (no numpy scalars, no NaN)."""
    attrs: dict[str, Any] = {
        "Conventions": CONVENTIONS,
        "title": f"fastspin sweep of model {spec.model.name!r}",
        "source": f"fastspin {__version__}, model {spec.model.name}",
        "model": spec.model.name,
        "fastspin_format": STORE_FORMAT,
        "fastspin_spec": json.dumps(spec.source, sort_keys=True),
        "fastspin_spec_canonical": json.dumps(spec.canonical(), sort_keys=True),
        "fastspin_spec_sha256": spec.fingerprint,
        "fastspin_version": __version__,
        "git_commit": git_commit(),
        "dependency_versions": json.dumps(dependency_versions(), sort_keys=True),
        "command_line": command_line if command_line is not None else shlex.join(sys.argv),
        "created": utc_now(),
        "host": platform.node(),
        "block_shape": list(spec.block),
        "n_blocks": spec.n_blocks,
        "sweep_seed": spec.seed,
        "history": "",
        "fastspin_runs": "[]",
    }
    if spec.model.reference is not None:
        attrs.update(spec.model.reference.as_attrs())
    for name, value in spec.params.items():
        attrs[name] = "null" if value is None else (value if isinstance(value, str) else float(value))
    return attrs


# ----------------------------------------------------------------------------------
# creation and resume
# ----------------------------------------------------------------------------------
def _write_layout(spec: SweepSpec, path: Path, command_line: str | None) -> None:
    root = zarr.create_group(store=str(path), zarr_format=3, attributes=provenance(spec, command_line))
    dims = spec.dims
    for name, values in spec.axes.items():
        parameter = spec.model.parameter(name)
        coord = root.create_array(
            name,
            shape=values.shape,
            chunks=values.shape,
            dtype="float64",
            fill_value=np.nan,
            dimension_names=(name,),
            attributes={"units": parameter.unit, "long_name": parameter.doc},
        )
        coord[:] = values
    for output in spec.model.outputs:
        root.create_array(
            output.name,
            shape=spec.shape,
            chunks=spec.block,
            dtype="float64",
            fill_value=np.nan,
            dimension_names=dims,
            compressors=_compressor(),
            attributes={"units": output.unit, "long_name": output.long_name},
        )
    status = root.create_group(STATUS_GROUP, attributes={"description": "one entry per block"})
    grid = spec.block_grid
    ones = (1,) * len(grid)
    block_dims = tuple(f"block_{d}" for d in dims)
    for name, dtype, fill, doc in (
        ("done", "uint8", 0, "1 once every output of the block is written"),
        ("seconds", "float64", np.nan, "compute time of the block in seconds"),
        ("run", "int32", -1, "index of the run (see attr fastspin_runs) that computed it"),
    ):
        status.create_array(
            name, shape=grid, chunks=ones, dtype=dtype, fill_value=fill,
            dimension_names=block_dims, attributes={"long_name": doc},
        )
    seeds = status.create_array(
        "seed", shape=grid, chunks=grid, dtype="int64", fill_value=-1,
        dimension_names=block_dims,
        attributes={"long_name": "block seed: SeedSequence(run.seed, spawn_key=(block,))"},
    )
    seeds[...] = np.array([spec.block_seed(i) for i in range(spec.n_blocks)], dtype=np.int64).reshape(grid)
    consolidate(path)


def consolidate(path: str | Path) -> None:
    """Write the store's consolidated metadata (the metadata of every array, in the root).

    Without it, plain ``xarray.open_zarr(path)`` warns that it falls back to reading
    each array's metadata.  Call it after anything that adds, removes or reshapes an
    array or changes a non-root attribute: store creation, the end of every run, a
    repair.  Writing data or the root group's attributes leaves it valid.
    """
    import warnings

    with warnings.catch_warnings():
        # zarr-python writes it into the v3 root zarr.json, as xarray reads it, and
        # warns that the v3 specification has no such field yet
        warnings.filterwarnings("ignore", message="Consolidated metadata", category=UserWarning)
        zarr.consolidate_metadata(str(path), zarr_format=3)


def _first_difference(old: Any, new: Any, where: str = "") -> str:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{where}.{key}" if where else key)
    return where or "spec"


def read_root_attrs(path: str | Path) -> dict[str, Any]:
    try:
        root = zarr.open_group(str(path), mode="r", zarr_format=3)
    except Exception as err:  # noqa: BLE001  (any unreadable store)
        raise StoreError(f"store {str(path)!r} is not a readable fastspin store ({err})") from None
    attrs = dict(root.attrs)
    if "fastspin_spec_sha256" not in attrs:
        raise StoreError(f"store {str(path)!r} is not a fastspin sweep store")
    return attrs


def prepare_store(
    spec: SweepSpec, path: str | Path, *, overwrite: bool = False, command_line: str | None = None
) -> tuple[Path, bool]:
    """Create the store for ``spec`` at ``path``, or check that it can be resumed.

    Returns ``(path, resumed)``.  A store holding a different spec is refused
    (:class:`StoreError` naming the first differing field) unless ``overwrite``.
    """
    path = Path(path).expanduser().absolute()
    if path.exists() and not overwrite:
        if not path.is_dir():
            raise StoreError(f"store: {str(path)!r} exists and is not a directory")
        attrs = read_root_attrs(path)
        if attrs["fastspin_spec_sha256"] != spec.fingerprint:
            old = json.loads(attrs.get("fastspin_spec_canonical", "{}"))
            field = (
                "model" if old.get("model") != spec.model.name  # the axes differ too, but say why
                else _first_difference(old, spec.canonical())
            )
            raise StoreError(
                f"store {str(path)!r} holds a different spec ({field} differs; sha256 "
                f"{attrs['fastspin_spec_sha256'][:12]} != {spec.fingerprint[:12]}); "
                "use --overwrite (overwrite=True) to start again, or another --out"
            )
        return path, True
    parent = path.parent
    if not parent.is_dir():
        raise StoreError(f"store: cannot create {str(path)!r}: {str(parent)!r} is not a directory")
    temporary = parent / f".{path.name}.tmp-{uuid.uuid4().hex[:12]}"
    try:
        try:
            _write_layout(spec, temporary, command_line)
        except OSError as err:
            raise StoreError(f"store: cannot write {str(path)!r}: {err.strerror or err}") from None
        if path.exists():  # overwrite: swap the old store out only now
            old = parent / f".{path.name}.old-{uuid.uuid4().hex[:12]}"
            os.rename(path, old)
            os.rename(temporary, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(temporary, path)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    return path, False


# ----------------------------------------------------------------------------------
# block status and writes
# ----------------------------------------------------------------------------------
def done_flags(path: str | Path) -> np.ndarray:
    """The per-block done flags as a flat bool array in block order."""
    status = zarr.open_group(str(path), mode="r", zarr_format=3)[STATUS_GROUP]
    return np.asarray(status["done"][...]).ravel() == 1


@functools.lru_cache(maxsize=8)
def _open_for_writing(path: str, fingerprint: str) -> dict[str, zarr.Array]:
    """The store's arrays by name (status arrays as ``status/<name>``), opened once.

    Cached per process and keyed on the fingerprint, so a changed spec reopens: opening
    an array reads its metadata from disk, ~1 ms each, which adds up over many blocks.
    """
    root = zarr.open_group(path, mode="r+", zarr_format=3)
    if root.attrs.get("fastspin_spec_sha256") != fingerprint:
        raise StoreError(f"store {path!r} no longer holds spec {fingerprint[:12]}")
    arrays = {name: array for name, array in root.arrays()}
    arrays.update({f"{STATUS_GROUP}/{name}": array for name, array in root[STATUS_GROUP].arrays()})
    return arrays


def write_block(
    path: str, fingerprint: str, block: Block, results: Mapping[str, np.ndarray],
    outputs: tuple[str, ...], seconds: float, run: int,
) -> None:
    """Write one block's outputs, then its bookkeeping, then (last) its done flag."""
    arrays = _open_for_writing(path, fingerprint)
    data = []
    for name in outputs:
        values = np.asarray(results[name], dtype=np.float64)
        if values.shape != block.shape:
            raise ValueError(
                f"model output {name!r} has shape {values.shape}, expected {block.shape}"
            )
        data.append((arrays[name], block.slices, values))
    where = block.position
    # each write is awaited on zarr's event loop; issuing the chunks of one stage together
    # costs one round trip instead of one per array.  Stages stay ordered:
    # data, then bookkeeping, then the done flag, so a killed task never leaves a block
    # flagged done without its data.
    _write_together(data)
    _write_together([
        (arrays[f"{STATUS_GROUP}/seconds"], where, seconds),
        (arrays[f"{STATUS_GROUP}/run"], where, run),
    ])
    _write_together([(arrays[f"{STATUS_GROUP}/done"], where, 1)])


def _write_together(writes: list[tuple[zarr.Array, Any, Any]]) -> None:
    """``array[selection] = value`` for every triple, concurrently, returning when all are done."""

    async def write_all() -> None:
        await asyncio.gather(*(array.async_array.setitem(selection, value) for array, selection, value in writes))

    zarr_sync(write_all())


def append_run_record(path: str | Path, record: Mapping[str, Any]) -> int:
    """Append a run record (and a CF ``history`` line); returns the run's index."""
    root = zarr.open_group(str(path), mode="r+", zarr_format=3)
    runs = json.loads(root.attrs.get("fastspin_runs", "[]"))
    runs.append(dict(record))
    line = f"{record.get('started', utc_now())}: {record.get('command_line', '')}"
    history = root.attrs.get("history", "")
    root.attrs.update(
        {"fastspin_runs": json.dumps(runs), "history": (history + "\n" + line).strip()}
    )
    return len(runs) - 1


def update_run_record(path: str | Path, index: int, **fields: Any) -> None:
    root = zarr.open_group(str(path), mode="r+", zarr_format=3)
    runs = json.loads(root.attrs.get("fastspin_runs", "[]"))
    runs[index].update(fields)
    root.attrs.update({"fastspin_runs": json.dumps(runs), "updated": utc_now()})


# ----------------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------------
def open_store(path: str | Path):
    """Open a sweep store as an ``xarray.Dataset`` (lazy, Dask-backed).

    Blocks that are not done yet read as NaN (the explicit fill value); use
    :func:`store_status` to see which.
    """
    import xarray as xr

    path = Path(path)
    attrs = read_root_attrs(path)
    dataset = xr.open_zarr(str(path), consolidated=False, zarr_format=3)
    return dataset[_declared_order(attrs.get("model"), list(dataset.data_vars))]


def _declared_order(model: str | None, names: list[str]) -> list[str]:
    """``names`` in the order the model declares its outputs (Zarr lists them sorted)."""
    from fastspin.model import ParameterError
    from fastspin.registry import get_model_class

    try:
        declared = [o.name for o in get_model_class(str(model)).outputs]
    except ParameterError:  # a plugin model that is not installed here: keep the store's order
        return names
    return [n for n in declared if n in names] + [n for n in names if n not in declared]


@dataclass(frozen=True)
class StoreStatus:
    """What ``fastspin status`` prints."""

    path: str
    model: str
    fingerprint: str
    n_blocks: int
    n_done: int
    n_points: int
    compute_seconds: float
    runs: list[dict[str, Any]]
    created: str
    blocks_by_run: dict[int, int]

    @property
    def complete(self) -> bool:
        return self.n_done == self.n_blocks


def store_status(path: str | Path) -> StoreStatus:
    attrs = read_root_attrs(path)
    root = zarr.open_group(str(path), mode="r", zarr_format=3)
    status = root[STATUS_GROUP]
    done = np.asarray(status["done"][...]).ravel() == 1
    seconds = np.asarray(status["seconds"][...]).ravel()
    run = np.asarray(status["run"][...]).ravel()
    canonical = json.loads(attrs["fastspin_spec_canonical"])
    n_points = int(np.prod([len(v) for v in canonical["axes"].values()]))
    by_run = {int(r): int(np.sum(run[done] == r)) for r in np.unique(run[done])}
    return StoreStatus(
        path=str(path),
        model=attrs.get("model", "?"),
        fingerprint=attrs["fastspin_spec_sha256"],
        n_blocks=int(done.size),
        n_done=int(done.sum()),
        n_points=n_points,
        compute_seconds=float(np.nansum(seconds[done])),
        runs=json.loads(attrs.get("fastspin_runs", "[]")),
        created=attrs.get("created", "?"),
        blocks_by_run=by_run,
    )
