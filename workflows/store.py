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
        seed                   int64 per block: the block seed (see SweepSpec.block_seed),
                               written with the block
      .fastspin-lock           the driver's lock and run id (see fastspin.workflows.lock)

Every chunk of every array ends in a CRC-32C checksum (Zarr v3 ``crc32c`` codec),
so a flipped byte or a truncated chunk fails to read instead of giving wrong
numbers, and every output chunk of a written block is stored even when it equals
the fill value (``write_empty_chunks``), so a missing chunk of a done block is
damage that ``fastspin verify`` names.  The done flags never rely on a chunk
existing or on fill values.  Each block writes only its own chunks, so concurrent
tasks never share a chunk.

A new store is first built completely in a hidden temporary directory beside the
target and then renamed into place, so a bad path or an interruption never leaves a
half made store; ``overwrite`` replaces only a fastspin store (its marker attrs and
nothing in it that fastspin did not write), and swaps the old store out only after
the new one exists.  Creating the layout is metadata only: its cost does not grow
with the number of blocks.  Only local filesystem paths are supported.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as _dt
import functools
import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import zarr
import zarr.codecs
from zarr.core.sync import sync as zarr_sync

from fastspin.version import __version__
from fastspin.workflows.lock import (
    LOCK_NAME,
    HeldStore,
    LockError,
    LockInfo,
    acquire,
    holder_is_gone,
    read_lock,
    release,
    write_lock_file,
)
from fastspin.workflows.spec import STORE_FORMAT, Block, SweepSpec

# zarr lists every directory entry and warns about the lock file; it is ours, not damage
warnings.filterwarnings("ignore", message=r"Object at \.fastspin-lock", module=r"zarr\.")

#: the group of the per-block status arrays (done flag, seconds, run, seed)
STATUS_GROUP = "sweep"
#: the CF conventions the store's attributes follow
CONVENTIONS = "CF-1.10"
#: the packages whose versions every store records
DEPENDENCIES = ("numpy", "scipy", "numba", "dask", "distributed", "zarr", "xarray")


class StoreError(ValueError):
    """A store that cannot be created, written or resumed; the message says why."""


def utc_now() -> str:
    """The current UTC time as an ISO 8601 string (seconds)."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def _compressors(compress: bool = True) -> tuple[Any, ...]:
    """Blosc/lz4 for the data, then a CRC-32C checksum of the stored bytes (last, so
    it covers exactly what is on disk)."""
    checksum = zarr.codecs.Crc32cCodec()
    if not compress:
        return (checksum,)
    return (zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle"), checksum)


#: every written chunk is stored, even one equal to the fill value (see module docstring)
_ALWAYS_STORE = {"write_empty_chunks": True}


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
    """name -> installed version of each of :data:`DEPENDENCIES`."""
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
            compressors=_compressors(),
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
            compressors=_compressors(),
            config=_ALWAYS_STORE,
            attributes={"units": output.unit, "long_name": output.long_name},
        )
    status = root.create_group(STATUS_GROUP, attributes={"description": "one entry per block"})
    grid = spec.block_grid
    ones = (1,) * len(grid)
    block_dims = tuple(f"block_{d}" for d in dims)
    for name, dtype, fill, doc in STATUS_ARRAYS:
        status.create_array(
            name, shape=grid, chunks=ones, dtype=dtype, fill_value=fill,
            dimension_names=block_dims, compressors=_compressors(compress=False),
            config=_ALWAYS_STORE, attributes={"long_name": doc},
        )
    consolidate(path)


#: the per-block status arrays: name, dtype, fill value, long_name
STATUS_ARRAYS = (
    ("done", "uint8", 0, "1 once every output of the block is written"),
    ("seconds", "float64", np.nan, "compute time of the block in seconds"),
    ("run", "int32", -1, "index of the run (see attr fastspin_runs) that computed it"),
    ("seed", "int64", -1, "block seed: SeedSequence(run.seed, spawn_key=(block,))"),
)


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
    """The root attributes of the store at ``path``; :class:`StoreError` (one line) if it is not a readable fastspin store."""
    try:
        root = zarr.open_group(str(path), mode="r", zarr_format=3, use_consolidated=False)
        attrs = dict(root.attrs)
    except Exception as err:  # noqa: BLE001  (any unreadable store)
        raise StoreError(
            f"store {str(path)!r} is not a readable fastspin store ({_short(err)})"
        ) from None
    if "fastspin_spec_sha256" not in attrs:
        raise StoreError(f"store {str(path)!r} is not a fastspin sweep store")
    return attrs


def store_problem(path: Path) -> str | None:
    """Why ``path`` is not a fastspin store that fastspin may resume or replace, or None.

    A fastspin store is a directory whose root ``zarr.json`` is a group carrying the
    marker attrs ``fastspin_format`` and ``fastspin_spec_sha256``, and which holds
    nothing fastspin did not write (its arrays, the ``sweep`` group, the lock).
    """
    if path.is_symlink():
        return "is a symbolic link, not a fastspin store"
    if not path.is_dir():
        return "exists and is not a directory (not a fastspin store)"
    try:
        meta = json.loads((path / "zarr.json").read_text())
    except FileNotFoundError:
        return "is not a readable fastspin store (no zarr.json)"
    except (OSError, ValueError) as err:
        return f"is not a readable fastspin store (zarr.json: {err})"
    attrs = meta.get("attributes") if isinstance(meta, dict) else None
    if (
        not isinstance(attrs, dict) or meta.get("node_type") != "group"
        or "fastspin_format" not in attrs or "fastspin_spec_sha256" not in attrs
    ):
        return "is not a fastspin sweep store (no fastspin marker attrs)"
    for entry in path.iterdir():
        if entry.name in ("zarr.json", LOCK_NAME) or entry.name.startswith(f"{LOCK_NAME}."):
            continue
        if entry.is_dir() and not entry.is_symlink() and (entry / "zarr.json").is_file():
            continue
        return f"holds {entry.name!r}, which fastspin did not write"
    return None


def _holds_working_directory(path: Path) -> bool:
    cwd = Path.cwd().resolve()
    target = path.resolve()
    return cwd == target or target in cwd.parents


def _refuse_target(spec: SweepSpec, path: Path, *, overwrite: bool, break_lock: bool) -> None:
    """The refusals of :func:`prepare_store` that need no write and no done flag."""
    problem = store_problem(path)
    if problem is not None:
        hint = "refusing to --overwrite it" if overwrite else "choose another --out"
        raise StoreError(f"store: {str(path)!r} {problem}; {hint}")
    if overwrite and _holds_working_directory(path):
        raise StoreError(
            f"store: {str(path)!r} is (or contains) the working directory; refusing to --overwrite it"
        )
    holder = read_lock(path)
    if holder is not None and not (break_lock or holder_is_gone(holder)):
        raise LockError(
            f"store {str(path)!r} is in use by {holder.describe()}; wait for it, or if that "
            "run is dead use --break-lock (break_lock=True)"
        )
    if not overwrite:
        _check_same_spec(spec, path)


def check_target(
    spec: SweepSpec, path: Path, *, overwrite: bool = False, break_lock: bool = False,
    repair: bool = False,
) -> int:
    """The refusals of :func:`prepare_store` that need no write, then the number of blocks
    a run would compute: all of them for a new or overwritten store, else those whose done
    flag is not set (with ``repair``, damaged flags count as not set instead of failing)."""
    if not (path.exists() or path.is_symlink()):
        return spec.n_blocks
    _refuse_target(spec, path, overwrite=overwrite, break_lock=break_lock)
    if overwrite:
        return spec.n_blocks
    flags = read_done_flags(path)[0] if repair else done_flags(path)
    return int(flags.size - np.count_nonzero(flags))


def _check_same_spec(spec: SweepSpec, path: Path) -> None:
    attrs = read_root_attrs(path)
    if attrs["fastspin_spec_sha256"] != spec.fingerprint:
        try:
            old = json.loads(attrs.get("fastspin_spec_canonical", "{}"))
        except ValueError:
            old = {}
        field = (
            "model" if old.get("model") != spec.model.name  # the axes differ too, but say why
            else _first_difference(old, spec.canonical())
        )
        raise StoreError(
            f"store {str(path)!r} holds a different spec ({field} differs; sha256 "
            f"{str(attrs['fastspin_spec_sha256'])[:12]} != {spec.fingerprint[:12]}); "
            "use --overwrite (overwrite=True) to start again, or another --out"
        )


def prepare_store(
    spec: SweepSpec, path: str | Path, *, lock: LockInfo, overwrite: bool = False,
    break_lock: bool = False, command_line: str | None = None,
) -> tuple[Path, bool]:
    """Create the store for ``spec`` at ``path``, or check that it can be resumed, and
    take its lock for ``lock`` (release it with :func:`fastspin.workflows.lock.release`).

    Returns ``(path, resumed)``.  A store holding a different spec is refused
    (:class:`StoreError` naming the first differing field) unless ``overwrite``;
    anything at ``path`` that is not a fastspin store is refused even then.  A store
    locked by a live driver raises :class:`LockError` naming it.
    """
    path = Path(path).expanduser().absolute()
    if path.exists() or path.is_symlink():
        _refuse_target(spec, path, overwrite=overwrite, break_lock=break_lock)
        acquire(path, lock, break_lock=break_lock)
        try:
            if not overwrite:
                _check_same_spec(spec, path)  # again, now under the lock
                return path, True
            _build_and_rename(spec, path, lock, command_line, replace=True)
        except BaseException:
            release(path, lock)
            raise
        return path, False
    _build_and_rename(spec, path, lock, command_line, replace=False)
    return path, False


def _build_and_rename(
    spec: SweepSpec, path: Path, lock: LockInfo, command_line: str | None, *, replace: bool
) -> None:
    """Write the layout (and the lock) in a hidden directory beside ``path``, then move it
    into place; with ``replace`` the old store (locked by us) is swapped out only now."""
    parent = path.parent
    if not parent.is_dir():
        raise StoreError(f"store: cannot create {str(path)!r}: {str(parent)!r} is not a directory")
    temporary = parent / f".{path.name}.tmp-{uuid.uuid4().hex[:12]}"
    try:
        try:
            _write_layout(spec, temporary, command_line)
            write_lock_file(temporary, lock)
        except OSError as err:
            raise StoreError(f"store: cannot write {str(path)!r}: {err.strerror or err}") from None
        if replace:
            old = parent / f".{path.name}.old-{uuid.uuid4().hex[:12]}"
            os.rename(path, old)
            try:
                os.rename(temporary, path)
            except OSError:
                os.rename(old, path)
                raise
            _remove_replaced(old)
        else:
            try:
                os.rename(temporary, path)
            except OSError as err:
                raise StoreError(
                    f"store: {str(path)!r} appeared while the new store was being made "
                    f"({err.strerror or err}); another driver may be starting"
                ) from None
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)


def _remove_replaced(old: Path) -> None:
    """Delete the store just swapped out, never failing the swap that succeeded.

    A displaced run still writing into it recreates a chunk's directories while they
    are deleted (its writes go to the directory it locked, see
    :class:`~fastspin.workflows.lock.HeldStore`), so deleting is retried; what is left
    stays as a hidden ``.NAME.old-*`` directory beside the new store.
    """
    for attempt in range(5):
        shutil.rmtree(old, ignore_errors=True)
        if not old.exists():
            return
        time.sleep(0.1 * (attempt + 1))


# ----------------------------------------------------------------------------------
# block status and writes
# ----------------------------------------------------------------------------------
def read_done_flags(path: str | Path) -> tuple[np.ndarray, dict[int, str]]:
    """The per-block done flags (flat bool array in block order) and the damaged ones.

    Reads the flag chunks as files, without zarr: each is one byte (0 or 1) followed by
    its CRC-32C, little-endian (codecs ``bytes`` + ``crc32c``, see :func:`_write_layout`);
    a missing chunk is a block not done.  This costs one small file read per written
    block and never leaves a half-failed zarr read behind.  Returns the flags and
    ``{block index: what is wrong}`` for flag chunks that fail their checksum, have the
    wrong size or a value other than 0 and 1 (those read as not done).
    """
    folder = Path(path) / STATUS_GROUP / "done"
    try:
        meta = json.loads((folder / "zarr.json").read_text())
        grid = tuple(int(n) for n in meta["shape"])
        layout_ok = (
            meta["data_type"] == "uint8"
            and [c["name"] for c in meta["codecs"]] == ["bytes", "crc32c"]
            and tuple(meta["chunk_grid"]["configuration"]["chunk_shape"]) == (1,) * len(grid)
            and meta["chunk_key_encoding"]["name"] == "default"
            and meta["chunk_key_encoding"].get("configuration", {}).get("separator", "/") == "/"
        )
    except Exception as err:  # noqa: BLE001  (any damaged metadata)
        raise StoreError(f"store {str(path)!r}: damaged status metadata ({_short(err)})") from None
    if not layout_ok:
        raise StoreError(f"store {str(path)!r}: done flags not in the layout of this fastspin version")
    n = math.prod(grid)
    flags = np.zeros(n, dtype=bool)
    broken: dict[int, str] = {}
    chunks = folder / "c"
    for directory, _, files in os.walk(chunks):
        relative = Path(directory).relative_to(chunks).parts
        for name in files:
            try:
                position = tuple(int(p) for p in (*relative, name))
                index = int(np.ravel_multi_index(position, grid)) if grid else 0
            except ValueError:
                continue  # not a chunk of this grid (e.g. an editor's backup file)
            data = (Path(directory) / name).read_bytes()
            if len(data) != 5:
                broken[index] = f"done flag: {len(data)} bytes, expected 5"
            elif checksum_problem(data) is not None:
                broken[index] = f"done flag: {checksum_problem(data)}"
            elif data[0] not in (0, 1):
                broken[index] = f"done flag = {data[0]}, not 0 or 1"
            else:
                flags[index] = data[0] == 1
    return flags, broken


def checksum_problem(data: bytes) -> str | None:
    """What is wrong with a stored chunk whose last 4 bytes are the CRC-32C (little-endian)
    of the rest (zarr's ``crc32c`` codec), or None if it is intact."""
    import google_crc32c

    if len(data) < 4:
        return f"{len(data)} bytes, too short to hold its checksum"
    if google_crc32c.value(data[:-4]) != int.from_bytes(data[-4:], "little"):
        return "checksum mismatch"
    return None


def done_blocks_without_chunks(path: str | Path, done: np.ndarray) -> list[int]:
    """Blocks flagged done of which some output chunk file does not exist.

    One directory walk per output (no chunk is read), so cheap enough for every
    ``status``, resume and ``open``; ``fastspin verify`` also checks the bytes.
    """
    path = Path(path)
    if not done.any():
        return []
    grid, dims = _block_grid(path)
    missing = np.zeros(done.size, dtype=bool)
    for entry in sorted(path.iterdir()):
        if entry.name in dims or not (entry / "zarr.json").is_file():
            continue
        try:
            meta = json.loads((entry / "zarr.json").read_text())
        except (OSError, ValueError) as err:
            raise StoreError(
                f"store {str(path)!r}: damaged metadata of {entry.name!r} ({_short(err)})"
            ) from None
        if not isinstance(meta, dict) or meta.get("node_type") != "array" or meta.get("dimension_names") != dims:
            continue
        present = np.zeros(done.size, dtype=bool)
        chunks = entry / "c"
        for directory, _, files in os.walk(chunks):
            relative = Path(directory).relative_to(chunks).parts
            for name in files:
                try:
                    present[np.ravel_multi_index(tuple(int(p) for p in (*relative, name)), grid)] = True
                except ValueError:
                    continue
        missing |= done & ~present
    return [int(i) for i in np.flatnonzero(missing)]


def _block_grid(path: str | Path) -> tuple[tuple[int, ...], list[str]]:
    """The block grid's shape and the sweep's axis names in the spec's order, from the
    done-flag array's metadata (dimensions ``block_<axis>``).  The spec attribute cannot
    give the order: it is written with sorted keys, so its axes come back alphabetically."""
    try:
        meta = json.loads((Path(path) / STATUS_GROUP / "done" / "zarr.json").read_text())
        names = meta["dimension_names"]
        if not all(isinstance(n, str) and n.startswith("block_") for n in names):
            raise ValueError(f"done flags with dimensions {names}")
        return tuple(int(n) for n in meta["shape"]), [n[len("block_"):] for n in names]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise StoreError(f"store {str(path)!r}: damaged metadata ({_short(err)})") from None


def store_axes(path: str | Path) -> list[str]:
    """The axis names of the store at ``path`` in the order of its spec (and its arrays)."""
    return _block_grid(path)[1]


def done_flags(path: str | Path) -> np.ndarray:
    """The per-block done flags as a flat bool array in block order.

    :class:`StoreError` (one line, naming the first damaged block) if a flag chunk
    or the status metadata is damaged: ``fastspin verify`` lists them all.
    """
    flags, broken = read_done_flags(path)
    if broken:
        first = min(broken)
        raise StoreError(
            f"store {str(path)!r}: damaged done flags ({len(broken)} blocks, first block "
            f"{first}: {broken[first]}); run `fastspin verify {path}` to list them and "
            f"`fastspin run SPEC --out {path} --repair` to recompute them"
        )
    return flags


def _short(err: BaseException) -> str:
    """An exception as one short line."""
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) < 200 else text[:197] + "..."


class _HeldArrays:
    """Per process: the held store directory and its arrays, for each (path, spec, run).

    Opening an array reads its metadata from disk, ~1 ms each, which adds up over
    many blocks, so they are opened once per run.  The arrays live in the directory
    the run locked (:class:`~fastspin.workflows.lock.HeldStore`), so a store swapped
    in under the same path by another driver is never written through them.  Entries
    are counted while in use (a worker may run several blocks at once in threads):
    only an entry nobody uses is closed, since its descriptor number is then reused.
    """

    size = 8

    def __init__(self) -> None:
        self._entries: collections.OrderedDict[tuple[str, str, str], _HeldEntry] = (
            collections.OrderedDict()
        )
        self._mutex = threading.Lock()

    @contextlib.contextmanager
    def use(self, path: str, fingerprint: str, run_id: str) -> Iterator[tuple[HeldStore, dict[str, zarr.Array]]]:
        """The held directory and arrays of run ``run_id``, kept open until the block exits."""
        key = (path, fingerprint, run_id)
        with self._mutex:
            entry = self._entries.get(key)
            if entry is None:
                held = HeldStore(path, run_id)
                try:
                    entry = _HeldEntry(held, self._open(held, fingerprint))
                except BaseException:
                    held.close()
                    raise
                self._entries[key] = entry
            self._entries.move_to_end(key)
            entry.users += 1
            self._close_unused()
        try:
            yield entry.held, entry.arrays
        finally:
            with self._mutex:
                entry.users -= 1
                self._close_unused()

    def forget(self, run_id: str) -> None:
        """Close the entries of run ``run_id`` that nobody uses (the run has ended)."""
        with self._mutex:
            for key in [k for k, e in self._entries.items() if k[2] == run_id and e.users == 0]:
                self._entries.pop(key).held.close()

    def _close_unused(self) -> None:
        """Close the least recently used entries nobody uses until at most ``size`` remain."""
        for key in list(self._entries):
            if len(self._entries) <= self.size:
                break
            if self._entries[key].users == 0:
                self._entries.pop(key).held.close()

    @staticmethod
    def _open(held: HeldStore, fingerprint: str) -> dict[str, zarr.Array]:
        root = zarr.open_group(held.root, mode="r+", zarr_format=3, use_consolidated=False)
        if root.attrs.get("fastspin_spec_sha256") != fingerprint:
            raise StoreError(f"store {held.path!r} no longer holds spec {fingerprint[:12]}")
        arrays = {name: array for name, array in root.arrays()}
        arrays.update({f"{STATUS_GROUP}/{name}": array for name, array in root[STATUS_GROUP].arrays()})
        # write_empty_chunks is a runtime setting, not stored in the metadata: every chunk of a
        # written block must exist (an all-NaN block too), or a missing one could not mean damage
        return {name: array.with_config(_ALWAYS_STORE) for name, array in arrays.items()}


@dataclass
class _HeldEntry:
    held: HeldStore
    arrays: dict[str, zarr.Array]
    users: int = 0


_held_arrays = _HeldArrays()


def release_held_arrays(run_id: str) -> None:
    """Close this process's held arrays of run ``run_id`` (the run has ended)."""
    _held_arrays.forget(run_id)


def write_block(
    path: str, fingerprint: str, block: Block, results: Mapping[str, np.ndarray],
    outputs: tuple[str, ...], seconds: float, run: int, *, run_id: str, seed: int = -1,
) -> None:
    """Write one block's outputs, then its bookkeeping, then (last) its done flag.

    Nothing is written unless the store is still locked by run ``run_id`` (checked
    before the data and again before the done flag), and everything goes into the
    directory that run locked, even if another store has since been renamed to ``path``.
    """
    data = []
    for name in outputs:
        values = np.asarray(results[name], dtype=np.float64)
        if values.shape != block.shape:
            raise ValueError(
                f"model output {name!r} has shape {values.shape}, expected {block.shape}"
            )
        data.append((name, block.slices, values))
    with _held_arrays.use(path, fingerprint, run_id) as (held, arrays):
        held.check()
        where = block.position
        # each write is awaited on zarr's event loop; issuing the chunks of one stage
        # together costs one round trip instead of one per array.  Stages stay ordered:
        # data, then bookkeeping, then the done flag, so a killed task never leaves a
        # block flagged done without its data.
        try:
            _write_together([(arrays[name], sl, values) for name, sl, values in data])
            _write_together([
                (arrays[f"{STATUS_GROUP}/seconds"], where, seconds),
                (arrays[f"{STATUS_GROUP}/run"], where, run),
                (arrays[f"{STATUS_GROUP}/seed"], where, seed),
            ])
        except Exception as err:
            held.check()  # a directory replaced or deleted by the driver that took the store
            if isinstance(err, OSError) and isinstance(err.filename, str):
                err.filename = err.filename.replace(held.root, held.path, 1)  # the user's path
            raise
        held.check()
        _write_together([(arrays[f"{STATUS_GROUP}/done"], where, 1)])


def _write_together(writes: list[tuple[zarr.Array, Any, Any]]) -> None:
    """``array[selection] = value`` for every triple, concurrently, returning when all are done."""

    async def write_all() -> None:
        await asyncio.gather(*(array.async_array.setitem(selection, value) for array, selection, value in writes))

    zarr_sync(write_all())


def append_run_record(path: str | Path, record: Mapping[str, Any]) -> int:
    """Append a run record (and a CF ``history`` line); returns the run's index."""
    root = zarr.open_group(str(path), mode="r+", zarr_format=3, use_consolidated=False)
    runs = json.loads(root.attrs.get("fastspin_runs", "[]"))
    runs.append(dict(record))
    line = f"{record.get('started', utc_now())}: {record.get('command_line', '')}"
    history = root.attrs.get("history", "")
    root.attrs.update(
        {"fastspin_runs": json.dumps(runs), "history": (history + "\n" + line).strip()}
    )
    return len(runs) - 1


def update_run_record(path: str | Path, run_id: str, **fields: Any) -> None:
    """Add ``fields`` to the record of run ``run_id`` (see :func:`append_run_record`),
    appending one if it is missing (a record lost to a concurrent driver's write)."""
    root = zarr.open_group(str(path), mode="r+", zarr_format=3, use_consolidated=False)
    runs = json.loads(root.attrs.get("fastspin_runs", "[]"))
    mine = [record for record in runs if record.get("run_id") == run_id]
    if mine:
        mine[-1].update(fields)
    else:
        runs.append({"run_id": run_id, **fields})
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
    lost = done_blocks_without_chunks(path, done_flags(path))
    if lost:
        warnings.warn(
            f"store {str(path)!r}: {len(lost)} blocks flagged done have missing chunks (first: "
            f"block {lost[0]}); they read as NaN: see `fastspin verify {path}`",
            RuntimeWarning, stacklevel=2,
        )
    try:
        dataset = xr.open_zarr(str(path), consolidated=False, zarr_format=3)
    except Exception as err:  # noqa: BLE001  (damaged array metadata)
        raise StoreError(
            f"store {str(path)!r}: damaged metadata ({_short(err)}); run `fastspin verify {path}`"
        ) from None
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
    #: done blocks with an output chunk missing (damage: see ``fastspin verify``)
    missing: list[int] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every block is done."""
        return self.n_done == self.n_blocks


def store_status(path: str | Path) -> StoreStatus:
    """Blocks done, compute time and runs; :class:`StoreError` (one line) if damaged."""
    attrs = read_root_attrs(path)
    done = done_flags(path)
    try:
        root = zarr.open_group(str(path), mode="r", zarr_format=3, use_consolidated=False)
        for entry in Path(path).iterdir():
            if (entry / "zarr.json").is_file():
                root[entry.name]  # parses each node's metadata: a damaged one fails here
        status = root[STATUS_GROUP]
        seconds = np.asarray(status["seconds"][...]).ravel()
        run = np.asarray(status["run"][...]).ravel()
        canonical = json.loads(attrs["fastspin_spec_canonical"])
        n_points = int(np.prod([len(v) for v in canonical["axes"].values()]))
        runs = json.loads(attrs.get("fastspin_runs", "[]"))
        if seconds.shape != done.shape or run.shape != done.shape or not isinstance(runs, list):
            raise ValueError("status arrays of different sizes")
    except Exception as err:  # noqa: BLE001  (any damaged chunk or attr)
        raise StoreError(
            f"store {str(path)!r}: damaged status ({_short(err)}); run `fastspin verify {path}`"
        ) from None
    by_run = {int(r): int(np.sum(run[done] == r)) for r in np.unique(run[done])}
    return StoreStatus(
        path=str(path),
        model=attrs.get("model", "?"),
        fingerprint=attrs["fastspin_spec_sha256"],
        n_blocks=int(done.size),
        n_done=int(done.sum()),
        n_points=n_points,
        compute_seconds=float(np.nansum(seconds[done])),
        runs=runs,
        created=attrs.get("created", "?"),
        blocks_by_run=by_run,
        missing=done_blocks_without_chunks(path, done),
    )
