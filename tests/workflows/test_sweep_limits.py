"""Refused before anything is written, with one line: grids beyond the stated limits,
absurd numbers in specs, a missing sbatch, an unreachable scheduler, a full disk,
ragged or masked input to evaluate, and a "Tc" on a quantity that is not a temperature.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from test_store_safety import fastspin_cli, one_error_line, write_spec
from test_sweep_cluster import BIN, assert_same_contents, child_env, serial_reference

import fastspin
from fastspin.cli import main
from fastspin.model import ParameterError
from fastspin.units import Tc
from fastspin.workflows import runner
from fastspin.workflows.lock import new_lock_info, release
from fastspin.workflows.spec import MAX_BLOCKS, MAX_POINTS, load_spec
from fastspin.workflows.store import done_flags, prepare_store

HEAD = 'model = "toy_fermi"\n'


def spec_file(folder: Path, body: str) -> Path:
    path = folder / "spec.toml"
    path.write_text(HEAD + body)
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[axes]\nE = {start = 0, stop = 1, num = 1000000}\nT = {start = 0.1, stop = 1, num = 1000000}\n",
         "axes: the grid has 1,000,000,000,000 points (1000000 x 1000000); allowed: at most 10,000,000,000"),
        ("[axes]\nE = {start = 0, stop = 1, num = 10000}\nT = {start = 0.1, stop = 1, num = 1000}\n"
         "[run]\nblock = {E = 1, T = 1}\n",
         "run.block: 10,000,000 blocks of 1 x 1 points; allowed: at most 1,000,000 blocks"),
        ("[axes]\nE = {start = 0, stop = 1, num = 9223372036854775807}\n",
         "axes.E.num = 9223372036854775807; allowed: an integer from 1 to 1000000"),
        ("[axes]\nE = {start = 0, stop = 1, num = 1e11}\n",
         "axes.E.num = 100000000000.0; allowed: an integer from 1 to 1000000"),
        ("[axes]\nE = {start = 0, stop = 1, num = 100000000000}\n",
         "axes.E.num = 100000000000; allowed: an integer from 1 to 1000000"),
        ("x = " + "[" * 2000 + "]" * 2000 + "\n", "nests tables or arrays too deeply"),
        ("[axes]\nE = [0.1]\n[params]\nT = 0.2\ndelay = \"1 Tc\"\n",
         "parameter 'delay' = '1 Tc': 'Tc' is a temperature"),
    ],
    ids=["1e12_points", "1e7_blocks", "int64_max", "float_1e11", "int_1e11", "deep_toml", "tc_on_delay"],
)
def test_absurd_specs_are_refused_in_one_line_before_anything_is_written(
    tmp_path, monkeypatch, body, message
):
    spec = spec_file(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    for command in (("plan", spec), ("run", spec, "--out", tmp_path / "s.zarr")):
        start = time.monotonic()
        result = CliRunner().invoke(main, [str(a) for a in command], catch_exceptions=False)
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("fastspin: error: ") and message in lines[0]
        assert time.monotonic() - start < 20  # refused up front, not after laying anything out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_huge_grid_refused_by_the_real_cli(tmp_path):
    spec = spec_file(tmp_path, "[axes]\nE = {start = 0, stop = 1, num = 1000000}\n"
                     "T = {start = 0.1, stop = 1, num = 1000000}\n")
    process = fastspin_cli("run", spec, "--out", tmp_path / "s.zarr", cwd=tmp_path, timeout=60)
    assert process.returncode == 2 and "1,000,000,000,000 points" in one_error_line(process)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_stated_limits_are_consistent():
    assert MAX_BLOCKS <= MAX_POINTS
    # 10^12 points and 10^7 one-point blocks are above the limits, 10^6 blocks are not
    assert 10**12 > MAX_POINTS and 10**7 > MAX_BLOCKS >= 10**6


def test_a_million_blocks_are_laid_out_in_seconds(tmp_path):
    spec = load_spec({
        "model": "toy_fermi",
        "axes": {"E": {"start": -1.0, "stop": 1.0, "num": 1000}, "T": {"start": 0.1, "stop": 1.0, "num": 1000}},
        "run": {"block": {"E": 1, "T": 1}, "scheduler": "serial"},
    })
    assert spec.n_blocks == 10**6
    lock = new_lock_info("test", "now")
    start = time.perf_counter()
    path, resumed = prepare_store(spec, tmp_path / "big.zarr", lock=lock)
    flags = done_flags(path)
    seconds = time.perf_counter() - start
    release(path, lock)
    print(f"layout + done flags of 10^6 blocks: {seconds:.3f} s, load {os.getloadavg()}")
    assert not resumed and flags.shape == (10**6,) and not flags.any()
    assert seconds < 10
    assert sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) < 100_000  # metadata only


def test_cluster_without_sbatch_is_refused_before_anything_is_written(tmp_path):
    spec = write_spec(tmp_path, num=6)
    env_path = os.environ["PATH"]
    no_sbatch = ":".join(p for p in env_path.split(":") if not (Path(p) / "sbatch").exists())
    text = spec.read_text().replace('scheduler = "serial"', 'cluster = "slurm"')
    spec.write_text(text)
    process = subprocess.run(
        [str(BIN / "fastspin"), "run", str(spec), "--out", str(tmp_path / "s.zarr")],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**child_env(), "PATH": no_sbatch},
    )
    assert process.returncode == 2
    assert "'sbatch' is not on PATH" in one_error_line(process)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_unreachable_scheduler_leaves_no_store(tmp_path, monkeypatch):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(runner, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(ParameterError, match=f"run.scheduler: cannot connect to 'tcp://127.0.0.1:{port}'"):
        fastspin.sweep(write_spec(tmp_path, num=6), tmp_path / "s.zarr", scheduler=f"tcp://127.0.0.1:{port}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


@pytest.fixture
def tiny_disk(tmp_path):
    """A 120 kB tmpfs (root only): room for the layout and a few blocks."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=120k", "tmpfs", str(mount)], capture_output=True
    ).returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_full_disk_gives_one_line_and_the_run_resumes(tmp_path, tiny_disk):
    """On the embedded cluster: the workers log no traceback, the driver prints one line."""
    spec = spec_file(tmp_path, "[axes]\nE = {start = -3.0, stop = 3.0, num = 400}\n"
                     "T = [\"0.2 Tc\", \"0.9 Tc\", \"2 Tc\"]\n[run]\nblock = {E = 2}\nworkers = 2\n")
    store = tiny_disk / "s.zarr"
    process = fastspin_cli("run", spec, "--out", store, "--scheduler", "local", cwd=tmp_path)
    assert process.returncode == 1
    line = one_error_line(process)
    assert "No space left on device" in line and "rerun to resume" in line
    done = done_flags(store)
    assert 0 < done.sum() < done.size
    # room again: move the store to a roomy disk, the rerun computes only the rest
    shutil.copytree(store, tmp_path / "s.zarr")
    result = fastspin.sweep(spec, tmp_path / "s.zarr", scheduler="serial")
    assert sorted(result.computed) == list(np.flatnonzero(~done))
    assert_same_contents(tmp_path / "s.zarr", serial_reference(load_spec(spec)))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[0.1, 0.2], [0.3]], "parameter 'h' must be a scalar or a 1-D list of values"),
        ([0.1, [0.2]], "parameter 'h' must be a scalar or a 1-D list of values"),
        ([[0.1, 0.2], [0.3, 0.4]], "parameter 'h' must be a scalar or a 1-D list of values"),
        (np.ma.masked_array([0.1, 0.2], mask=[False, True]), "parameter 'h' has masked values"),
    ],
    ids=["ragged", "mixed_depth", "2d", "masked"],
)
def test_ragged_and_masked_input_to_evaluate_is_refused(value, message):
    with pytest.raises(ParameterError, match=message):
        fastspin.evaluate("sis_merit", T_S=0.3, h=value)


def test_unmasked_masked_array_is_its_data_and_tc_only_for_temperatures():
    plain = fastspin.evaluate("toy_fermi", E=[0.1, 0.2], T=0.3)
    masked = fastspin.evaluate("toy_fermi", E=np.ma.masked_array([0.1, 0.2], mask=False), T=0.3)
    np.testing.assert_array_equal(plain.occupation.values, masked.occupation.values)
    in_tc = fastspin.evaluate("toy_fermi", E=0.0, T="0.5 Tc")
    assert float(in_tc.attrs["T"]) == pytest.approx(0.5 * Tc, rel=1e-15)
    with pytest.raises(ParameterError, match="'Tc' is a temperature"):
        load_spec({"model": "sis", "axes": {"h": [0.1], "V": ["1 Tc"]}})
    with pytest.raises(ParameterError, match="'Tc' is a temperature"):
        fastspin.evaluate("toy_fermi", E="0.2 Tc", T=0.3)
