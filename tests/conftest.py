"""Test-session set-up.

* ``tests/`` is importable, for ``reference`` (the independent quad/mpmath references).
* The plugin package ``tests/plugin`` (models ``toy_fermi`` and ``toy_walk``) is
  installed with pip into a session directory, which is put on ``sys.path`` and on
  ``PYTHONPATH`` so that Dask workers and CLI subprocesses find it too.  fastspin then
  sees its models only through the ``fastspin.models`` entry points, as any user
  would see a third-party model.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS))

_SESSION_DIRS: list[str] = []


def install_plugin(target: Path) -> None:
    """pip-install ``tests/plugin`` into ``target`` (built from a copy: the checkout stays clean)."""
    source = target.parent / "plugin-source"
    shutil.copytree(TESTS / "plugin", source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
               "--disable-pip-version-check", "--target", str(target), str(source)]
    # Without build isolation when the environment already has a modern setuptools and
    # wheel (fast, offline); a fresh virtualenv may not, and then pip builds in isolation.
    done = subprocess.run([*command, "--no-build-isolation"], capture_output=True, text=True)
    if done.returncode != 0:
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"could not pip-install the test plugin tests/plugin:\n{done.stderr}")


def pytest_configure(config) -> None:
    session = Path(tempfile.mkdtemp(prefix="fastspin-tests-"))
    _SESSION_DIRS.append(str(session))
    target = session / "site"
    install_plugin(target)
    sys.path.insert(0, str(target))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(target), str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    importlib.invalidate_caches()


def pytest_unconfigure(config) -> None:
    for folder in _SESSION_DIRS:
        shutil.rmtree(folder, ignore_errors=True)
