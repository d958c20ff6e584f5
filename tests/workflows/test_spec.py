"""Sweep specs: grid values, unit parsing, blocks, fingerprints, seeds, validation."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import fastspin_toy  # noqa: F401  (the plugin package of the test session)
import numpy as np
import pytest

from fastspin.model import ParameterError
from fastspin.units import Tc
from fastspin.workflows.spec import auto_block, load_spec

TESTS = Path(__file__).parent


def toy_spec(**changes):
    spec = {
        "model": "toy_fermi",
        "axes": {"E": {"start": -1.0, "stop": 1.0, "num": 21}, "T": ["0.2 Tc", "0.5 Tc", "1 Tc"]},
        "params": {"delay": 0.0},
        "run": {"block": {"E": 8, "T": 2}, "seed": 7},
    }
    for key, value in changes.items():
        spec[key] = value
    return spec


def test_axis_values_and_temperature_units():
    """Linear and log axes are exact; "x Tc" is x·e^γ/π in Δ0 (weak-coupling BCS)."""
    spec = load_spec(
        toy_spec(axes={"E": {"start": -1, "stop": 1, "num": 5},
                       "T": {"start": "0.1 Tc", "stop": "1 Tc", "num": 3, "log": True}})
    )
    np.testing.assert_array_equal(spec.axes["E"], [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert math.isclose(Tc, math.exp(0.5772156649015329) / math.pi, rel_tol=1e-15)
    np.testing.assert_allclose(spec.axes["T"], [0.1 * Tc, math.sqrt(0.1) * Tc, Tc], rtol=1e-14)
    assert spec.dims == ("E", "T") and spec.shape == (5, 3) and spec.n_points == 15


def test_blocks_tile_the_grid_exactly_once():
    spec = load_spec(toy_spec())
    assert spec.block_grid == (3, 2) and spec.n_blocks == 6
    hits = np.zeros(spec.shape, dtype=int)
    for block in spec.blocks():
        assert all(s.stop - s.start <= b for s, b in zip(block.slices, spec.block, strict=True))
        hits[block.slices] += 1
    assert np.all(hits == 1)


def test_block_params_are_the_outer_product_grid():
    spec = load_spec(toy_spec())
    block = spec.block_at(5)  # last block: E[16:21], T[2:3]
    params = spec.block_params(block)
    assert params["E"].shape == (5, 1)
    np.testing.assert_array_equal(params["E"][:, 0], spec.axes["E"][16:21])
    np.testing.assert_array_equal(params["T"], np.full((5, 1), Tc))
    assert np.all(params["delay"] == 0.0)


def test_fingerprint_is_unit_resolved_and_ignores_how_it_runs():
    base = load_spec(toy_spec())
    numeric = load_spec(toy_spec(axes={"E": {"start": -1.0, "stop": 1.0, "num": 21},
                                       "T": [0.2 * Tc, 0.5 * Tc, Tc]}))
    assert base.fingerprint == numeric.fingerprint
    other_runner = load_spec(toy_spec(run={"block": {"E": 8, "T": 2}, "seed": 7,
                                           "scheduler": "serial", "workers": 3}))
    assert other_runner.fingerprint == base.fingerprint
    for changed in (
        toy_spec(axes={"E": {"start": -1.0, "stop": 1.0, "num": 22}, "T": [0.2 * Tc]}),
        toy_spec(params={"delay": 0.1}),
        toy_spec(run={"block": {"E": 4}, "seed": 7}),
        toy_spec(run={"block": {"E": 8, "T": 2}, "seed": 8}),
    ):
        assert load_spec(changed).fingerprint != base.fingerprint


def test_fingerprint_is_the_same_in_another_process():
    """sha256 of canonical JSON, not Python's per-process salted hash()."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import fastspin_toy, test_spec; "
        "from fastspin.workflows.spec import load_spec; "
        "print(load_spec(test_spec.toy_spec()).fingerprint)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(TESTS)], capture_output=True,
                         text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": "", "PYTHONPATH": os.environ["PYTHONPATH"]})
    assert out.stdout.strip() == load_spec(toy_spec()).fingerprint


def test_block_seeds_are_spawned_children_of_the_spec_seed():
    spec = load_spec(toy_spec())
    children = np.random.SeedSequence(7).spawn(spec.n_blocks)
    for index, child in enumerate(children):
        expected = int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        assert spec.block_seed(index) == expected
    seeds = [spec.block_seed(i) for i in range(spec.n_blocks)]
    assert len(set(seeds)) == spec.n_blocks and all(0 <= s < 2**63 for s in seeds)


def test_stochastic_model_gets_seed_and_global_point_index():
    spec = load_spec({"model": "toy_walk", "axes": {"label": list(range(10)), "n_steps": [4, 9]},
                      "run": {"block": {"label": 3}, "seed": 3}})
    block = spec.block_at(1)  # label 3..5, both n_steps
    params = spec.block_params(block)
    assert params["seed"] == spec.block_seed(1) and params["spec_seed"] == 3
    np.testing.assert_array_equal(params["point_index"], [[6, 7], [8, 9], [10, 11]])


def test_auto_block_bounds_points_per_block():
    big = auto_block((100, 100, 100, 10))
    assert 32768 < math.prod(big) <= 65536 and big[2:] == (100, 10)  # leading axes split first
    assert auto_block((10,)) == (10,)
    spec = load_spec(toy_spec(run={}))
    assert math.prod(spec.block) <= 64


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"axes": {"Energy": [0.1]}}, "unknown parameter 'Energy'"),
        ({"params": {"temperature": 0.1}}, "unknown parameter 'temperature'"),
        ({"axes": {"E": ["zero"]}}, "'E' = 'zero' is not a number"),
        ({"axes": {"E": [0.0], "T": [-0.1]}}, "'T' = -0.1 is out of range"),
        ({"axes": {"E": []}}, "axes.E is empty"),
        ({"axes": {"E": {"start": 0, "stop": 1, "num": 0}}}, "axes.E.num = 0"),
        ({"axes": {"E": {"start": 0, "stop": 1}}}, "missing key 'num'"),
        ({"axes": {"E": {"start": 0, "stop": 1, "num": 3, "log": True}}}, "log spacing"),
        ({"axes": {"delay": [0.0, 1.0]}}, "cannot be swept"),
        ({"axes": {}}, "[axes] is empty"),
        ({"params": {"delay": 100.0}}, "'delay' = 100 is out of range; allowed: 0 <= delay <= 60"),
        ({"run": {"block": {"V": 3}}}, "run.block: 'V' is not an axis; allowed: E, T"),
        ({"run": {"block": {"E": 0}}}, "run.block.E = 0"),
        ({"run": {"blocks": 3}}, "run: unknown key 'blocks'"),
        ({"run": {"scheduler": "mpi"}}, "run.scheduler = 'mpi'"),
        ({"run": {"cluster": "sge"}}, "run.cluster = 'sge'; allowed: slurm, pbs"),
        ({"run": {"seed": -1}}, "run.seed = -1"),
        ({"model": "nonexistent"}, "unknown model 'nonexistent'"),
        ({"extra": 1}, "unknown top-level key 'extra'"),
    ],
)
def test_bad_specs_name_the_field(changes, fragment):
    with pytest.raises(ParameterError) as info:
        load_spec(toy_spec(**changes))
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_toml_spec_matches_dict(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(
        'model = "toy_fermi"\n[axes]\nE = {start = -1.0, stop = 1.0, num = 21}\n'
        'T = ["0.2 Tc", "0.5 Tc", "1 Tc"]\n[params]\ndelay = 0.0\n'
        "[run]\nblock = {E = 8, T = 2}\nseed = 7\n"
    )
    assert load_spec(path).fingerprint == load_spec(toy_spec()).fingerprint
    (tmp_path / "bad.toml").write_text("model = \n")
    with pytest.raises(ParameterError, match="not valid TOML"):
        load_spec(tmp_path / "bad.toml")
