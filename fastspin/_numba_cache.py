"""Where Numba keeps its on-disk cache of compiled kernels.

Numba's default is a ``__pycache__`` folder beside each source file.  For an
installed (non-editable) copy that folder is inside ``site-packages/fastspin``,
and pip does not remove files it did not install: after ``pip uninstall`` or a
switch to an editable install, a ``site-packages/fastspin`` holding only cache
files is left behind and shadows the real package as an empty namespace package.

So, in this order:

1. ``NUMBA_CACHE_DIR`` set in the environment (or ``--numba-cache-dir``, which
   sets it) is used as is;
2. a source checkout (the package folder sits beside the project's
   ``pyproject.toml``, as in an editable install) keeps Numba's default
   ``__pycache__`` folders inside the checkout;
3. anything else (an installed copy) caches in the per-user cache directory,
   ``platformdirs.user_cache_dir("fastspin")/numba`` (``~/.cache/fastspin/numba``
   on Linux, honouring ``XDG_CACHE_HOME``).  Numba names each cache subfolder
   after the full path of the source file, so several installs never share an
   entry.

:func:`configure` runs when ``fastspin`` is imported, before any module of
``fastspin.kernels`` (every ``cache=True`` function reads the location when its
module is imported), and it sets ``NUMBA_CACHE_DIR`` in ``os.environ`` so worker
processes started from this one use the same folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "NUMBA_CACHE_DIR"


def is_source_checkout(package_dir: Path | None = None) -> bool:
    """True when the fastspin package folder lies in a checkout (pyproject.toml beside it)."""
    package_dir = package_dir or Path(__file__).resolve().parent
    pyproject = package_dir.parent / "pyproject.toml"
    try:
        return pyproject.is_file() and 'name = "fastspin"' in pyproject.read_text()
    except OSError:
        return False


def default_cache_dir() -> Path:
    """The per-user Numba cache folder of fastspin (not created here)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("fastspin", appauthor=False)) / "numba"


def set_cache_dir(path: str | Path) -> str:
    """Point Numba's cache at ``path`` in this process and in processes it starts."""
    location = str(Path(path).expanduser().absolute())
    os.environ[ENV] = location
    if "numba" in sys.modules:
        # only the cache location: numba.core.config.reload_config() would also
        # re-read NUMBA_NUM_THREADS, which must not change once threads exist
        from numba.core import config

        config.CACHE_DIR = location
    return location


def configure() -> str | None:
    """Apply the rules of the module docstring; returns the cache folder (None: Numba's default)."""
    if os.environ.get(ENV):
        return os.environ[ENV]
    if is_source_checkout():
        return None
    return set_cache_dir(default_cache_dir())


__all__ = ["ENV", "configure", "default_cache_dir", "is_source_checkout", "set_cache_dir"]
