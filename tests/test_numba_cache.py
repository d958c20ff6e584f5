"""Numba's cache location: never inside an installed package; an empty registry is an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from fastspin import _numba_cache, registry
from fastspin.cli import main


def test_installed_copy_caches_in_the_per_user_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(_numba_cache, "is_source_checkout", lambda: False)
    import numba.core.config

    monkeypatch.setattr(numba.core.config, "CACHE_DIR", numba.core.config.CACHE_DIR)  # restored after
    location = _numba_cache.configure()
    assert location == str(tmp_path / "cache" / "fastspin" / "numba")
    assert os.environ["NUMBA_CACHE_DIR"] == location
    assert numba.core.config.CACHE_DIR == location  # numba was already imported here


def test_explicit_cache_dir_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_numba_cache, "is_source_checkout", lambda: False)
    assert _numba_cache.configure() == str(tmp_path)


def test_source_checkout_is_recognised(tmp_path):
    package = tmp_path / "fastspin"
    package.mkdir()
    assert not _numba_cache.is_source_checkout(package)  # site-packages has no pyproject
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert not _numba_cache.is_source_checkout(package)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "fastspin"\n')
    assert _numba_cache.is_source_checkout(package)
    assert _numba_cache.is_source_checkout()  # the tests run from a checkout


def test_cache_dir_is_set_before_any_kernel_is_imported(tmp_path):
    """A kernel compiled with cache=True writes its index into the chosen folder."""
    code = (
        "import numba.core.config as c, fastspin.kernels.distributions as d;"
        "d.fermi(0.1, 0.5);"
        "print(c.CACHE_DIR)"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=tmp_path, check=True, timeout=300)
    assert out.stdout.strip() == str(tmp_path)
    assert list(Path(tmp_path).rglob("*.nbi")), "no Numba index written to NUMBA_CACHE_DIR"


def test_empty_model_registry_is_an_error(monkeypatch):
    monkeypatch.setattr(registry, "BUILTIN_MODELS", {})
    monkeypatch.setattr(registry, "_plugins", lambda: {})
    result = CliRunner().invoke(main, ["models"])
    assert result.exit_code == 2
    assert "no models are registered" in result.output
