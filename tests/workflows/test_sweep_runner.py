"""Runner plumbing: dask-jobqueue job scripts, cluster profiles, worker plugin, progress."""

from __future__ import annotations

import io
import os
import sys

import fastspin_toy
import pytest

import fastspin
from fastspin.model import ParameterError
from fastspin.workflows import runner


def test_cluster_profile_merges_config_file_and_spec(tmp_path):
    config = tmp_path / "cluster.toml"
    config.write_text(
        '[slurm]\nqueue = "short"\ncores = 8\nmemory = "16GB"\nwalltime = "00:30:00"\n'
        '[pbs]\nqueue = "workq"\ncores = 4\n'
    )
    profile = runner.load_cluster_profile({"kind": "slurm", "cores": 16}, config)
    assert profile == {"kind": "slurm", "queue": "short", "cores": 16, "memory": "16GB",
                       "walltime": "00:30:00"}
    assert runner.load_cluster_profile("pbs", config)["queue"] == "workq"
    with pytest.raises(ParameterError, match="run.cluster: unknown key 'partition'; allowed: kind"):
        runner.load_cluster_profile({"kind": "slurm", "partition": "x"})
    with pytest.raises(ParameterError, match="run.cluster.kind = None"):
        runner.load_cluster_profile({"cores": 2})


@pytest.mark.parametrize("kind", ["slurm", "pbs"])
def test_job_script_has_resources_lifetime_and_single_threaded_workers(kind, tmp_path):
    pytest.importorskip("dask_jobqueue", reason="the hpc extra (dask-jobqueue) is not installed")
    profile = runner.load_cluster_profile(
        {"kind": kind, "queue": "short", "account": "proj42", "cores": 8, "memory": "32GB",
         "walltime": "02:00:00", "lifetime": "110m", "jobs": 3}
    )
    cache = tmp_path / "numba-cache"
    cluster = runner.jobqueue_cluster(profile, numba_cache_dir=str(cache))
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    directive = "#SBATCH" if kind == "slurm" else "#PBS"
    assert directive in script
    assert "short" in script and "proj42" in script
    assert "02:00:00" in script
    assert "--nworkers 8" in script and "--nthreads 1" in script  # one thread per process
    assert "--lifetime 110m" in script and "--lifetime-stagger" in script
    assert "export NUMBA_NUM_THREADS=1" in script
    assert f"export NUMBA_CACHE_DIR={cache}" in script
    if kind == "slurm":
        assert "#SBATCH --cpus-per-task=8" in script and "#SBATCH --mem=30G" in script


def test_missing_hpc_extra_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "dask_jobqueue", None)  # import fails
    with pytest.raises(ParameterError, match=r"pip install 'fastspin\[hpc\]'"):
        runner.jobqueue_cluster({"kind": "slurm"})


def test_warmup_plugin_sets_cache_dir_and_warms_the_model(monkeypatch, tmp_path):
    from numba.core import config

    monkeypatch.setattr(config, "CACHE_DIR", config.CACHE_DIR)  # restored afterwards
    monkeypatch.setattr(fastspin_toy.ToyFermi, "warmed_up", False)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    plugin = runner.WarmupPlugin("toy_fermi", str(tmp_path))
    plugin.setup(None)
    assert fastspin_toy.ToyFermi.warmed_up
    assert os.environ["NUMBA_CACHE_DIR"] == str(tmp_path)
    assert config.CACHE_DIR == str(tmp_path)
    monkeypatch.delenv("NUMBA_CACHE_DIR")


def test_worker_environment_pins_numba_threads(tmp_path):
    env = runner.worker_environment(str(tmp_path / "cache"))
    assert env["NUMBA_NUM_THREADS"] == "1" and env["OMP_NUM_THREADS"] == "1"
    assert env["NUMBA_CACHE_DIR"] == str(tmp_path / "cache")
    assert 1 <= runner.available_cores() <= (os.cpu_count() or 1)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path):
    spec = {"model": "toy_fermi", "axes": {"E": [0.0, 1.0, 2.0, 3.0]},
            "run": {"block": {"E": 1}, "scheduler": "serial"}}
    terminal = FakeTerminal()
    fastspin.sweep(spec, tmp_path / "a.zarr", progress_stream=terminal)
    text = terminal.getvalue()
    assert "4/4 [" in text and "block/s" in text and text.endswith("\n")  # a tqdm bar, closed
    pipe = io.StringIO()
    fastspin.sweep(spec, tmp_path / "b.zarr", progress_stream=pipe)
    assert pipe.getvalue() == ""


def test_explicit_scheduler_overrides_the_specs_cluster(tmp_path):
    spec = {"model": "toy_fermi", "axes": {"E": [-0.5, 0.0, 0.5]},
            "run": {"cluster": {"kind": "slurm", "queue": "never-used"}}}
    result = fastspin.sweep(spec, tmp_path / "a.zarr", scheduler="serial")
    assert result.computed == [0]
    ds = result.dataset
    # f(-E) = 1 - f(E) (particle-hole symmetry of the Fermi function)
    assert float(ds.occupation.sel(E=-0.5) + ds.occupation.sel(E=0.5)) == pytest.approx(1.0, abs=1e-15)
