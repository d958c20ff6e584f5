"""Damage in a finished store is found and named by `fastspin verify`, and
`fastspin run --repair` recomputes exactly the bad blocks, bit-identically.

The reference is an undamaged store of the same spec; its values are checked against
a plain serial evaluation (f(E) + f(-E) = 1 is checked in test_store.py).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import fastspin_toy
import numpy as np
import pytest
import zarr
from test_store_safety import fastspin_cli, one_error_line, write_spec
from test_sweep_cluster import assert_same_contents, serial_reference

import fastspin
from fastspin.workflows.spec import load_spec
from fastspin.workflows.store import StoreError, store_status
from fastspin.workflows.verify import verify_store


def chunk_digests(path: Path) -> dict[str, str]:
    """sha256 of every file, except per-block timings, run indices and run records."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file() and p.relative_to(path).as_posix() != "zarr.json"
        and not p.relative_to(path).as_posix().startswith(("sweep/seconds/c", "sweep/run/c"))
    }


@pytest.fixture(scope="module")
def reference_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    spec = write_spec(folder)  # 20 blocks of 3 x 3 points
    store = folder / "ref.zarr"
    fastspin.sweep(spec, store)
    assert_same_contents(store, serial_reference(load_spec(spec)))
    return spec, store


def flip(path: Path, offset: int, n: int = 1) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + n):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_verify_names_each_damage_and_repair_is_bit_identical(reference_store, tmp_path):
    spec, reference = reference_store
    store = tmp_path / "s.zarr"
    shutil.copytree(reference, store)
    flip(store / "occupation/c/3/0", 10, n=8)                       # 8 flipped bytes
    chunk = store / "hole_occupation/c/5/0"                          # truncated
    chunk.write_bytes(chunk.read_bytes()[:-7])
    (store / "occupation/c/7/0").unlink()                            # all outputs deleted
    (store / "hole_occupation/c/7/0").unlink()
    (store / "occupation/c/9/0").unlink()                            # one output deleted
    flag = store / "sweep/done/c/11/0"                               # junk in a done flag
    flag.write_bytes(flag.read_bytes() + b"0123456789")
    flip(store / "T/c/0", 3)                                         # a coordinate

    # the damage is never read back as numbers
    with pytest.raises(Exception, match="(?i)checksum|crc"):
        np.asarray(zarr.open_array(str(store / "occupation"), mode="r")[9:12, :])
    # status and open: one line, no traceback
    status = fastspin_cli("status", store, cwd=tmp_path)
    assert status.returncode == 2 and "damaged done flags" in one_error_line(status)
    with pytest.raises(StoreError, match="damaged done flags"):
        store_status(store)

    verify = fastspin_cli("verify", store, cwd=tmp_path)
    assert verify.returncode == 1
    lines = verify.stdout.strip().splitlines()
    assert [line.split(" at ")[0] for line in lines[:-1]] == [
        f"bad block {i}" for i in (3, 5, 7, 9, 11)
    ]
    assert lines[-1].startswith("bad axis T: corrupt (")
    assert "corrupt (occupation:" in lines[0] and "corrupt (hole_occupation:" in lines[1]
    assert "flagged but empty" in lines[2] and "missing (no chunk of occupation)" in lines[3]
    assert "corrupt (done flag:" in lines[4]
    assert "5 of 19 done blocks and 1 axes are bad" in verify.stderr  # block 11: flag unreadable

    repair = fastspin_cli("run", spec, "--out", store, "--repair", cwd=tmp_path)
    assert repair.returncode == 0, repair.stderr
    assert repair.stdout.splitlines()[0] == "repaired blocks 3, 5, 7, 9, 11"
    assert "computed 5 of 20 blocks (15 already done)" in repair.stdout
    assert chunk_digests(store) == chunk_digests(reference)
    assert fastspin_cli("verify", store, cwd=tmp_path).returncode == 0


def test_a_deleted_chunk_stops_status_resume_and_open_from_saying_all_is_well(reference_store, tmp_path):
    spec, reference = reference_store
    store = tmp_path / "s.zarr"
    shutil.copytree(reference, store)
    (store / "hole_occupation/c/6/0").unlink()
    status = fastspin_cli("status", store, cwd=tmp_path)
    assert status.returncode == 1 and "1 done blocks have missing chunks (first: block 6)" in (
        one_error_line(status))
    assert store_status(store).missing == [6]
    with pytest.raises(StoreError, match="1 blocks flagged done have missing chunks .*--repair"):
        fastspin.sweep(spec, store)
    with pytest.warns(RuntimeWarning, match="block 6.*read as NaN"):
        fastspin.open(store)
    assert fastspin.sweep(spec, store, repair=True).repaired == [6]
    assert chunk_digests(store) == chunk_digests(reference)


class NaNToy(fastspin_toy.ToyFermi):
    """The toy model, except that blocks with E > 1.5 return NaN everywhere (a model's
    legitimate 'no value here'), i.e. chunks equal to the fill value."""

    def evaluate_block(self, params):
        out = super().evaluate_block(params)
        if np.min(params["E"]) > 1.5:
            out = {name: np.full_like(values, np.nan) for name, values in out.items()}
        return out


@pytest.mark.parametrize("scheduler", ["serial", "local"])
def test_an_all_nan_block_is_stored_and_not_taken_for_damage(tmp_path, scheduler):
    spec = {"model": NaNToy(),             "axes": {"E": {"start": -3.0, "stop": 3.0, "num": 12},
                                        "T": [0.2, 0.5]},
            "run": {"block": {"E": 3}, "scheduler": scheduler, "workers": 1}}
    result = fastspin.sweep(spec, tmp_path / "s.zarr")
    assert np.isnan(result.dataset.occupation.values[9:]).all()
    assert (tmp_path / "s.zarr/occupation/c/3/0").is_file()
    assert store_status(result.path).missing == [] and verify_store(result.path).ok


def test_every_single_byte_flip_and_every_truncation_is_caught(reference_store, tmp_path):
    _, reference = reference_store
    store = tmp_path / "s.zarr"
    shutil.copytree(reference, store)
    chunk = store / "occupation/c/4/0"
    original = chunk.read_bytes()
    array = zarr.open_array(str(store / "occupation"), mode="r")
    caught = 0
    damaged = [original[:n] for n in range(len(original))]
    damaged += [original[:i] + bytes([original[i] ^ 0xFF]) + original[i + 1:] for i in range(len(original))]
    for data in damaged:
        chunk.write_bytes(data)
        try:
            values = np.asarray(array[12:15, :])
        except Exception:  # noqa: BLE001  (any read error counts as caught)
            caught += 1
        else:
            raise AssertionError(f"damaged chunk read back as numbers: {values}")
    assert caught == len(damaged) == 2 * len(original)
    chunk.write_bytes(original)
    assert verify_store(store).ok


def test_damaged_metadata_gives_one_line(reference_store, tmp_path):
    _, reference = reference_store
    store = tmp_path / "s.zarr"
    shutil.copytree(reference, store)
    (store / "occupation/zarr.json").write_text("{not json")
    for command in ("status", "verify"):
        process = fastspin_cli(command, store, cwd=tmp_path)
        assert process.returncode == 2, (command, process.stderr)
        assert "damaged" in one_error_line(process) or "not a readable" in process.stderr
    with pytest.raises(StoreError, match="damaged metadata"):
        fastspin.open(store)
    (store / "zarr.json").write_bytes(b"\x00" * 10)
    process = fastspin_cli("status", store, cwd=tmp_path)
    assert process.returncode == 2 and "not a readable fastspin store" in one_error_line(process)


def test_axes_out_of_alphabetical_order_are_verified_and_checked_for_lost_chunks(tmp_path):
    """The spec attribute is stored with sorted keys; the axis order must come from the
    arrays, or verify refuses a sound store and lost chunks go unseen."""
    spec = {"model": "toy_fermi", "axes": {"T": [0.2, 0.5, 0.9], "E": np.linspace(-1, 1, 7).tolist()},
            "run": {"block": {"T": 1, "E": 4}, "scheduler": "serial"}}
    store = tmp_path / "s.zarr"
    fastspin.sweep(spec, store)
    report = verify_store(store)
    assert report.ok and report.n_done == 6
    (store / "occupation/c/2/1").unlink()                            # block (T=2, E=1)
    assert store_status(store).missing == [5]
    assert [bad.index for bad in verify_store(store).bad] == [5]
