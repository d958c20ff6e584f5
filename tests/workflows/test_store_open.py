"""Every example's store opens cleanly in plain xarray, zarr and dask (no warning at all).

Each example spec is shrunk to a 2 x 2 grid (same model, same fixed parameters) and
run serially; a fresh interpreter started with ``-W error`` then opens the stores
with ``xr.open_zarr``, ``zarr.open_group`` and ``dask.array.from_zarr``, the calls a
user of those tools writes, without fastspin's help.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import fastspin
from fastspin.registry import get_model_class
from fastspin.workflows.store import StoreError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def shrunk_spec(path: Path) -> dict:
    """The example's spec on a 2 x 2 grid (macrospin: 16 trajectories), run serially."""
    spec = tomllib.loads(path.read_text())
    for name, axis in spec["axes"].items():
        spec["axes"][name] = {**axis, "num": 2} if isinstance(axis, dict) else axis[:2]
    if spec["model"] == "macrospin":
        spec["params"]["n_trajectories"] = 16
        spec["axes"]["pulse_width"] = [10.0, 20.0]
    spec["run"] = {"scheduler": "serial", "seed": 1}
    return spec


@pytest.fixture(scope="module")
def example_stores(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("stores")
    stores = {}
    for example in sorted(EXAMPLES.glob("*.toml")):
        store = folder / f"{example.stem}.zarr"
        fastspin.sweep(shrunk_spec(example), store)
        stores[example.stem] = store
    return stores


def test_every_example_store_opens_with_no_warning(example_stores):
    assert len(example_stores) >= 4
    code = """
import sys, zarr, xarray as xr, dask.array as da
for path in sys.argv[1:]:
    ds = xr.open_zarr(path)
    group = zarr.open_group(path, mode="r")
    for name in ds.data_vars:
        assert da.from_zarr(path, component=name).shape == ds[name].shape
        assert group[name].shape == ds[name].shape
    ds.load()
    print(path, len(ds.data_vars))
"""
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code, *map(str, example_stores.values())],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert len(out.stdout.splitlines()) == len(example_stores)


def test_variables_come_back_in_declared_order(example_stores):
    for store in example_stores.values():
        ds = fastspin.open(store)
        declared = [o.name for o in get_model_class(ds.attrs["model"]).outputs]
        assert list(ds.data_vars) == declared


def test_resuming_into_another_models_store_says_model_differs(example_stores, tmp_path):
    spec = shrunk_spec(EXAMPLES / "sis_iv_curves.toml")
    spec["model"] = "fis"
    spec["axes"] = {"V": spec["axes"]["V"]}
    spec["params"] = {}
    with pytest.raises(StoreError, match=r"\(model differs"):
        fastspin.sweep(spec, example_stores["sis_iv_curves"])
