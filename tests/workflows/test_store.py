"""The Zarr v3 sweep store: layout, provenance, done flags, resume, refusals (serial runner)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import fastspin_toy  # noqa: F401  (the plugin package of the test session)
import numpy as np
import pytest
import xarray as xr
import zarr

import fastspin
from fastspin.units import Tc
from fastspin.workflows.spec import load_spec
from fastspin.workflows.store import StoreError, store_status


def toy_spec(**run):
    return {
        "model": "toy_fermi",
        "axes": {"E": {"start": -2.0, "stop": 2.0, "num": 41},
                 "T": ["0.1 Tc", "0.4 Tc", "0.8 Tc", "1.5 Tc"]},
        "run": {"block": {"E": 10, "T": 3}, "scheduler": "serial", **run},
    }


def tree_digest(path: Path) -> dict[str, str]:
    """sha256 of every file below ``path``: the store's exact contents."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*")) if p.is_file()
    }


def test_store_matches_direct_evaluation_and_particle_hole_symmetry(tmp_path):
    result = fastspin.sweep(toy_spec(), tmp_path / "s.zarr")
    assert result.computed == list(range(10)) and result.skipped == 0
    ds = fastspin.open(tmp_path / "s.zarr")
    direct = fastspin.evaluate("toy_fermi", E=ds.E.values, T=ds.T.values)
    np.testing.assert_array_equal(ds.occupation.values, direct.occupation.values)
    # physics: f(E) + f(-E) = 1 exactly to rounding, f(0) = 1/2 at every temperature
    np.testing.assert_allclose(ds.occupation + ds.hole_occupation, 1.0, rtol=0, atol=4.5e-16)  # 2 ulp
    np.testing.assert_array_equal(ds.occupation.sel(E=0.0).values, 0.5)


def test_layout_chunks_fill_dimension_names_units_and_provenance(tmp_path):
    path = tmp_path / "s.zarr"
    fastspin.sweep(toy_spec(), path, command_line="fastspin run toy.toml --out s.zarr")
    root = zarr.open_group(str(path), mode="r", zarr_format=3)
    occupation = root["occupation"]
    assert occupation.metadata.zarr_format == 3
    assert occupation.shape == (41, 4) and occupation.chunks == (10, 3)
    assert np.isnan(occupation.fill_value)
    assert occupation.metadata.dimension_names == ("E", "T")
    assert occupation.attrs["units"] == "1" and "Fermi" in occupation.attrs["long_name"]
    assert root["T"].attrs["units"] == "Delta0/k_B"
    done = root["sweep/done"]
    assert done.shape == (5, 2) and done.chunks == (1, 1) and np.all(done[...] == 1)
    attrs = dict(root.attrs)
    canonical = json.loads(attrs["fastspin_spec_canonical"])
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    assert attrs["fastspin_spec_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert json.loads(attrs["fastspin_spec"])["axes"]["T"][0] == "0.1 Tc"
    assert canonical["axes"]["T"][0] == pytest.approx(0.1 * Tc, rel=1e-15)
    assert attrs["Conventions"].startswith("CF-")
    assert attrs["fastspin_version"] == fastspin.__version__
    assert attrs["git_commit"] and attrs["command_line"] == "fastspin run toy.toml --out s.zarr"
    versions = json.loads(attrs["dependency_versions"])
    assert versions["zarr"].startswith("3") and "numba" in versions
    assert attrs["created"].endswith("+00:00") and json.loads(attrs["fastspin_runs"])[0]["finished"]


def test_opens_with_plain_xarray_open_zarr(tmp_path):
    path = tmp_path / "s.zarr"
    fastspin.sweep(toy_spec(), path)
    ds = xr.open_zarr(str(path), consolidated=False)
    assert set(ds.coords) == {"E", "T"} and set(ds.data_vars) == {"occupation", "hole_occupation"}
    assert ds.T.attrs["units"] == "Delta0/k_B" and ds.occupation.attrs["units"] == "1"
    assert json.loads(ds.attrs["fastspin_spec"])["model"] == "toy_fermi"
    assert ds.occupation.chunks == ((10, 10, 10, 10, 1), (3, 1))
    np.testing.assert_allclose(ds.T.values, np.array([0.1, 0.4, 0.8, 1.5]) * Tc, rtol=1e-15)


def test_resume_computes_only_blocks_not_marked_done(tmp_path):
    path = tmp_path / "s.zarr"
    fastspin.sweep(toy_spec(), path)
    reference = fastspin.open(path).load()
    root = zarr.open_group(str(path), mode="r+", zarr_format=3)
    # lose blocks 3 and 7: done flag cleared, data garbage (as after a crash mid-write)
    for index in (3, 7):
        spec = load_spec(toy_spec())
        block = spec.block_at(index)
        root["sweep/done"][block.position] = 0
        root["occupation"][block.slices] = -1.0
    status = store_status(path)
    assert (status.n_done, status.n_blocks) == (8, 10) and not status.complete
    result = fastspin.sweep(toy_spec(), path)
    assert sorted(result.computed) == [3, 7] and result.skipped == 8 and result.resumed
    resumed = fastspin.open(path).load()
    xr.testing.assert_identical(resumed.drop_attrs(), reference.drop_attrs())
    run = root["sweep/run"][...].ravel()
    assert list(np.flatnonzero(run == 1)) == [3, 7] and np.sum(run == 0) == 8
    assert store_status(path).blocks_by_run == {0: 8, 1: 2}


def test_changed_spec_is_refused_and_store_left_untouched(tmp_path):
    path = tmp_path / "s.zarr"
    fastspin.sweep(toy_spec(), path)
    before = tree_digest(path)
    changed = toy_spec()
    changed["axes"]["T"] = ["0.1 Tc", "0.4 Tc"]
    with pytest.raises(StoreError, match=r"different spec \(axes.T differs"):
        fastspin.sweep(changed, path)
    assert tree_digest(path) == before
    result = fastspin.sweep(changed, path, overwrite=True)
    assert not result.resumed and fastspin.open(path).sizes["T"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["s.zarr"]  # no temp or old copies left


@pytest.mark.parametrize("where", ["under_a_file", "missing_parent", "proc"])
def test_unwritable_path_leaves_nothing(tmp_path, where):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    target = {
        "under_a_file": blocker / "s.zarr",
        "missing_parent": tmp_path / "no" / "such" / "s.zarr",
        "proc": Path("/proc/fastspin-test-store.zarr"),
    }[where]
    with pytest.raises(StoreError, match="store: cannot"):
        fastspin.sweep(toy_spec(), target)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not_a_dir"]


def test_existing_non_store_directory_is_refused(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    (path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a readable fastspin store"):
        fastspin.sweep(toy_spec(), path)
    assert (path / "notes.txt").read_text() == "mine"


def test_stochastic_sweep_is_block_shape_independent_and_unbiased(tmp_path):
    """A walk keyed on (spec seed, point index): same numbers for any block shape;
    <x> = 0 and <x²> = n_steps within 5 standard errors."""
    def spec(block):
        return {"model": "toy_walk", "axes": {"label": list(range(400))},
                "params": {"n_steps": 64}, "run": {"block": {"label": block},
                                                   "scheduler": "serial", "seed": 11}}
    a = fastspin.sweep(spec(7), tmp_path / "a.zarr").dataset
    b = fastspin.sweep(spec(100), tmp_path / "b.zarr").dataset
    np.testing.assert_array_equal(a.position.values, b.position.values)
    x = a.position.values
    n = 64
    assert abs(x.mean()) < 5 * np.sqrt(n / x.size)
    # Var(x²) = 3n² - 2n - n² = 2n² - 2n for ±1 steps
    assert abs((x**2).mean() - n) < 5 * np.sqrt((2 * n**2 - 2 * n) / x.size)
    seeds = zarr.open_group(str(tmp_path / "a.zarr"), mode="r")["sweep/seed"][...]
    assert seeds[4] == load_spec(spec(7)).block_seed(4)


class FailingToy(fastspin_toy.ToyFermi):
    """The same model (same name, same numbers) except that blocks with E > 1.5 raise."""

    def evaluate_block(self, params):
        if np.max(params["E"]) > 1.5:
            raise FloatingPointError("kernel diverged (test)")
        return super().evaluate_block(params)


def test_failed_block_is_reported_and_resume_finishes(tmp_path):
    path = tmp_path / "s.zarr"
    failing = {**toy_spec(), "model": FailingToy()}
    with pytest.raises(RuntimeError, match=r"block 6 failed: FloatingPointError: kernel diverged"):
        fastspin.sweep(failing, path)
    status = store_status(path)
    assert status.n_done == 6 and "FloatingPointError" in status.runs[0]["error"]
    result = fastspin.sweep(toy_spec(), path)  # same fingerprint: the real model resumes
    assert result.computed == [6, 7, 8, 9]  # E blocks 30:40 and 40:41
    ds = fastspin.open(path)
    np.testing.assert_allclose(ds.occupation + ds.hole_occupation, 1.0, rtol=0, atol=4.5e-16)
