"""Check every done block of a sweep store, and clear damaged blocks for a repair.

``fastspin verify STORE`` reads every chunk of every block flagged done (each chunk
carries a CRC-32C checksum, see :mod:`fastspin.workflows.store`) and names each bad
block with what is wrong:

* ``corrupt``: a chunk fails its checksum or cannot be decoded (flipped bytes,
  truncation, junk appended), including a damaged done flag;
* ``missing``: the block is flagged done but some of its chunks are gone;
* ``flagged but empty``: the block is flagged done but none of its output chunks exist.

``fastspin run SPEC --out STORE --repair`` deletes exactly those blocks' chunks
(:func:`clear_blocks`), which makes them not done, and resumes: the sweep then
recomputes exactly them, bit-identically, because a block's values depend only on
the spec and its index.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import zarr
from zarr.core.sync import sync as zarr_sync

from fastspin.workflows.store import (
    STATUS_ARRAYS,
    STATUS_GROUP,
    StoreError,
    _short,
    checksum_problem,
    read_done_flags,
    read_root_attrs,
    store_axes,
)


@dataclass(frozen=True)
class BadBlock:
    index: int
    position: tuple[int, ...]
    problem: str  # "corrupt", "missing" or "flagged but empty"
    detail: str

    def describe(self) -> str:
        """The bad block and what is wrong with it, in one line."""
        return f"block {self.index} at {list(self.position)}: {self.problem} ({self.detail})"


@dataclass(frozen=True)
class VerifyReport:
    path: Path
    n_blocks: int
    n_done: int
    bad: list[BadBlock]
    #: coordinate arrays that fail to read: axis name -> what is wrong
    bad_axes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no done block and no axis is bad."""
        return not self.bad and not self.bad_axes


@dataclass(frozen=True)
class _Layout:
    root: Any
    grid: tuple[int, ...]
    block: tuple[int, ...]
    shape: tuple[int, ...]
    outputs: tuple[str, ...]
    axes: tuple[str, ...]


def _layout(path: Path) -> _Layout:
    attrs = read_root_attrs(path)
    try:
        root = zarr.open_group(str(path), mode="r", zarr_format=3, use_consolidated=False)
        canonical = json.loads(attrs["fastspin_spec_canonical"])
        axes = tuple(store_axes(path))  # the spec's order (the attribute's keys are sorted)
        shape = tuple(len(canonical["axes"][name]) for name in axes)
        block = tuple(int(b) for b in canonical["block"])
        outputs = tuple(
            name for name, array in root.arrays()
            if name not in axes and array.metadata.dimension_names == axes
        )
        status = root[STATUS_GROUP]
        grid = tuple(status["done"].shape)
        for name, *_ in STATUS_ARRAYS:
            if tuple(status[name].shape) != grid:
                raise ValueError(f"{STATUS_GROUP}/{name} has shape {status[name].shape}")
        if grid != tuple(-(-n // b) for n, b in zip(shape, block, strict=True)):
            raise ValueError(f"done flags of shape {grid} do not match the grid")
        if not outputs:
            raise ValueError("no output arrays")
        unchecked = [
            name for name in (*outputs, *(f"{STATUS_GROUP}/{n}" for n, *_ in STATUS_ARRAYS))
            if root[name].metadata.codecs[-1].to_dict().get("name") != "crc32c"
        ]
    except Exception as err:  # noqa: BLE001  (any damaged metadata)
        raise StoreError(f"store {str(path)!r}: damaged metadata ({_short(err)})") from None
    if unchecked:
        raise StoreError(
            f"store {str(path)!r}: {unchecked[0]} has no checksums (written by an older "
            "fastspin); only stores of format 2 or later can be verified"
        )
    return _Layout(root, grid, block, shape, outputs, axes)


def _chunk_file(path: Path, name: str, position: tuple[int, ...]) -> Path:
    """The file of chunk ``position`` of array ``name`` (v3 default chunk key encoding)."""
    return path.joinpath(*name.split("/"), "c", *(str(p) for p in position))


def _read_all(reads: list[tuple[zarr.Array, Any]]) -> list[Any]:
    """Read every (array, selection) concurrently; exceptions are returned, not raised."""

    async def read() -> list[Any]:
        return await asyncio.gather(
            *(array.async_array.getitem(selection) for array, selection in reads),
            return_exceptions=True,
        )

    return zarr_sync(read())


def verify_store(path: str | Path) -> VerifyReport:
    """Read every chunk of every done block; list the bad ones (see the module docstring).

    Each chunk file is checked against its own CRC-32C (the last codec of every array,
    so the checksum covers exactly the bytes on disk); no chunk is decompressed.
    """
    path = Path(path).expanduser().absolute()
    layout = _layout(path)
    done, broken = read_done_flags(path)
    bad = {
        index: BadBlock(index, _position(layout, index), "corrupt", detail)
        for index, detail in broken.items()
    }
    arrays = [(name, True) for name in layout.outputs]
    arrays += [(f"{STATUS_GROUP}/{name}", False) for name, *_ in STATUS_ARRAYS if name != "done"]
    for index in np.flatnonzero(done):
        index = int(index)
        if index in bad:
            continue
        position = _position(layout, index)
        absent_outputs, problems = [], []
        for name, is_output in arrays:
            try:
                data = _chunk_file(path, name, position).read_bytes()
            except FileNotFoundError:
                (absent_outputs if is_output else problems).append(f"no chunk of {name}")
                continue
            problem = checksum_problem(data)
            if problem is not None:
                bad[index] = BadBlock(index, position, "corrupt", f"{name}: {problem}")
                break
        else:
            if len(absent_outputs) == len(layout.outputs):
                bad[index] = BadBlock(index, position, "flagged but empty", "no output chunk")
            elif absent_outputs or problems:
                names = [text.removeprefix("no chunk of ") for text in absent_outputs + problems]
                bad[index] = BadBlock(index, position, "missing", f"no chunk of {', '.join(names)}")
    bad_axes = {}
    for name, value in zip(layout.axes, _read_all([(layout.root[a], slice(None)) for a in layout.axes]), strict=True):
        if isinstance(value, BaseException):
            bad_axes[name] = f"corrupt ({_short(value)})"
        elif not (value.shape == (layout.shape[layout.axes.index(name)],) and np.all(np.isfinite(value))):
            bad_axes[name] = "missing values"
    return VerifyReport(
        path, int(np.prod(layout.grid)), int(done.sum()), [bad[i] for i in sorted(bad)], bad_axes
    )


def _position(layout: _Layout, index: int) -> tuple[int, ...]:
    return tuple(int(p) for p in np.unravel_index(index, layout.grid))


def rewrite_axes(path: str | Path, axes: dict[str, np.ndarray]) -> None:
    """Write the coordinate arrays again from the spec's axis values (for a repair)."""
    root = zarr.open_group(
        str(Path(path).expanduser().absolute()), mode="r+", zarr_format=3, use_consolidated=False
    )
    for name, values in axes.items():
        root[name][:] = values


def clear_blocks(path: str | Path, bad: list[BadBlock]) -> None:
    """Delete every chunk of the ``bad`` blocks (outputs and status), making them not done."""
    path = Path(path).expanduser().absolute()
    layout = _layout(path)
    names = [*layout.outputs, *(f"{STATUS_GROUP}/{name}" for name, *_ in STATUS_ARRAYS)]
    for block in bad:
        # the done flag first: from then on the block counts as not done, whatever else remains
        for name in sorted(names, key=lambda n: n != f"{STATUS_GROUP}/done"):
            _chunk_file(path, name, block.position).unlink(missing_ok=True)
