"""Reproductions of the seeds' figures as PNG files (``fastspin figures``).

:func:`available` maps a figure-set name to a callable ``(out_dir) -> list of PNG
paths``.  ``sis`` (seed 004) lives in :mod:`fastspin.figures.sis`; ``dot`` (seed 002) and ``fis`` (seed 000)
come from :mod:`fastspin.dot_figures` and :mod:`fastspin.fis_figures` when those
modules are present, and are imported only when their set is drawn.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable

FigureSet = Callable[[str | os.PathLike], list]

# name -> (module, function) of the optional figure sets written elsewhere
_OPTIONAL_SETS = {
    "dot": ("fastspin.dot_figures", "figures_dot"),
    "fis": ("fastspin.fis_figures", "figures_fis"),
    "fis_dynamics": ("fastspin.fis_dynamics_figures", "figures_fis_dynamics"),
}


def _lazy(module: str, function: str) -> FigureSet:
    """A figure set that imports ``module.function`` only when it is called."""

    def draw(out_dir: str | os.PathLike) -> list:
        return getattr(importlib.import_module(module), function)(out_dir)

    draw.__name__ = function
    draw.__doc__ = f"Draw the figures of {module}.{function} into out_dir."
    return draw


def available() -> dict[str, FigureSet]:
    """Figure sets that can be drawn: name -> callable(out_dir) -> written PNG paths."""
    from fastspin.figures.sis import figures_sis

    sets: dict[str, FigureSet] = {"sis": figures_sis}
    for name, (module, function) in _OPTIONAL_SETS.items():
        if importlib.util.find_spec(module) is not None:
            sets[name] = _lazy(module, function)
    return sets


__all__ = ["available"]
