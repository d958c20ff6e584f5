"""The sweep CLI: plan, run, status, plot, and one-line errors with a non-zero exit."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import fastspin_toy  # noqa: F401  (the plugin package of the test session)
import numpy as np
import pytest
import zarr
from click.testing import CliRunner

import fastspin
from fastspin.cli import main
from fastspin.units import Tc

TESTS = Path(__file__).parent
SPEC = """\
model = "toy_fermi"
[axes]
E = {start = -2.0, stop = 2.0, num = 41}
T = {start = "0.1 Tc", stop = "1 Tc", num = 4, log = true}
[params]
delay = 0.0
[run]
block = {E = 10, T = 2}
scheduler = "serial"
"""


def write_spec(folder: Path, text: str = SPEC, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def tree_digest(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*")) if p.is_file()
    }


def test_plan_counts_blocks_points_and_cost(tmp_path):
    result = invoke("plan", write_spec(tmp_path))
    assert result.exit_code == 0, result.output
    assert "points    164" in result.output  # 41 x 4
    assert "blocks    10 of shape {'E': 10, 'T': 2}" in result.output
    assert "1.64e-05" not in result.output and "sha256" in result.output
    assert not list(tmp_path.glob("*.zarr"))  # plan computes and writes nothing


def test_run_status_resume_and_plot(tmp_path):
    spec = write_spec(tmp_path)
    store = tmp_path / "out.zarr"
    first = invoke("run", spec, "--out", store)
    assert first.exit_code == 0, first.output
    assert "computed 10 of 10 blocks" in first.output
    again = invoke("run", spec, "--out", store)
    assert "resumed" in again.output and "computed 0 of 10 blocks (10 already done)" in again.output
    status = invoke("status", store)
    assert "10/10 done (100.0%), 164 points" in status.output
    assert "run 1" in status.output and "incomplete" not in status.output
    root = zarr.open_group(str(store), mode="r")
    assert json.loads(root.attrs["fastspin_runs"])[0]["command_line"].startswith("fastspin run")
    # the stored numbers are the Fermi function: f(E=0) = 1/2 for every T
    ds = fastspin.open(store)
    np.testing.assert_array_equal(ds.occupation.sel(E=0.0).values, 0.5)
    line = invoke("plot", store, "--var", "occupation", "--sel", "T=0.3 Tc", "--out",
                  tmp_path / "line.png")
    assert line.exit_code == 0, line.output
    heat = invoke("plot", store, "--var", "occupation", "--x", "T", "--out", tmp_path / "map.png")
    assert heat.exit_code == 0, heat.output
    for name in ("line.png", "map.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_selection_uses_nearest_value_in_tc_units(tmp_path):
    from fastspin.figures.slice import select_slice

    store = tmp_path / "out.zarr"
    assert invoke("run", write_spec(tmp_path), "--out", store).exit_code == 0
    ds = fastspin.open(store)
    line = select_slice(ds, "occupation", {"T": "0.45 Tc"})
    assert line.dims == ("E",)
    assert float(line["T"]) == pytest.approx(10 ** (-1 / 3) * Tc, rel=1e-12)  # nearest log point
    np.testing.assert_array_equal(line.values, ds.occupation.sel(T=float(line["T"])).values)


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (("E = {start", "Energy = {start"), "unknown parameter 'Energy'"),
        (("delay = 0.0", "temperature = 0.1"), "unknown parameter 'temperature'"),
        (("delay = 0.0", 'delay = "slow"'), "'delay' = 'slow' is not a number"),
        (("delay = 0.0", "delay = 99.0"), "'delay' = 99 is out of range; allowed: 0 <= delay <= 60"),
        (("E = {start = -2.0, stop = 2.0, num = 41}", "E = []"), "axes.E is empty"),
        (('scheduler = "serial"', 'scheduler = "mpi"'), "run.scheduler = 'mpi'"),
    ],
)
def test_bad_spec_one_message_nonzero_exit_no_store(tmp_path, edit, fragment):
    spec = write_spec(tmp_path, SPEC.replace(*edit))
    store = tmp_path / "out.zarr"
    result = invoke("run", spec, "--out", store)
    assert result.exit_code == 2
    assert fragment in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("fastspin: error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


@pytest.mark.parametrize("workers", ["0", "-3"])
def test_bad_worker_count_one_message_nonzero_exit_no_store(tmp_path, workers):
    spec = write_spec(tmp_path)
    for args in (("run", spec, "--out", tmp_path / "out.zarr", "--workers", workers),
                 ("plan", spec, "--workers", workers)):  # fmt: skip
        result = invoke(*args)
        assert result.exit_code == 2
        assert result.stderr == f"fastspin: error: workers = {workers}; allowed: an integer >= 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.toml"]


def test_unwritable_output_path(tmp_path):
    spec = write_spec(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = invoke("run", spec, "--out", blocker / "out.zarr")
    assert result.exit_code == 2 and "store: cannot create" in result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "spec.toml"]


def test_changed_spec_on_resume_is_refused_and_store_untouched(tmp_path):
    store = tmp_path / "out.zarr"
    assert invoke("run", write_spec(tmp_path), "--out", store).exit_code == 0
    before = tree_digest(store)
    changed = write_spec(tmp_path, SPEC.replace("num = 41", "num = 43"), "changed.toml")
    result = invoke("run", changed, "--out", store)
    assert result.exit_code == 2
    assert "holds a different spec (axes.E differs" in result.stderr and "--overwrite" in result.stderr
    assert tree_digest(store) == before
    assert invoke("run", changed, "--out", store, "--overwrite").exit_code == 0
    assert fastspin.open(store).sizes["E"] == 43


def test_real_process_exit_status_and_single_line(tmp_path):
    """The installed entry point, as a user runs it: exit 2, one line on stderr."""
    spec = write_spec(tmp_path, SPEC.replace("delay = 0.0", "delay = -1.0"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), os.environ["PYTHONPATH"]]))
    process = subprocess.run(
        [str(Path(sys.executable).parent / "fastspin"), "run", str(spec), "--out",
         str(tmp_path / "out.zarr")], capture_output=True, text=True, env=env, timeout=120,
    )
    assert process.returncode == 2
    assert process.stderr.strip().splitlines() == [
        "fastspin: error: toy_fermi: parameter 'delay' = -1 is out of range; "
        "allowed: 0 <= delay <= 60 [s]"
    ]
    assert not (tmp_path / "out.zarr").exists()


def test_cluster_without_profile_and_missing_store_are_clear(tmp_path):
    result = invoke("status", tmp_path / "nothing.zarr")
    assert result.exit_code == 2 and "not a readable fastspin store" in result.stderr
    spec = write_spec(tmp_path)
    result = invoke("run", spec, "--out", tmp_path / "o.zarr", "--cluster-config",
                    tmp_path / "missing.toml")
    assert result.exit_code == 2 and "cluster config" in result.stderr
    assert not (tmp_path / "o.zarr").exists()
