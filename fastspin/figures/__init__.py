"""The papers' figures, reproduced as PNG files (``fastspin figures``).

One module per figure set, each with a function ``(out_dir) -> list of PNG paths``;
:mod:`fastspin.figures.style` holds what they share.  A set's module is imported
only when that set is drawn (matplotlib and the physics it needs load then).

==================  =============================================================  ====================================
set                 figures                                                        module
==================  =============================================================  ====================================
``sis``             Figs. 1(b), 2, 3 of Germanese et al. (2021)                    :mod:`fastspin.figures.sis`
``fis``             Figs. 2–5(b) of Ojajärvi et al. (2020)                         :mod:`fastspin.figures.fis`
``fis_dynamics``    Figs. 5(c)–(d) of Ojajärvi et al. (2020): the spin oscillator  :mod:`fastspin.figures.fis_dynamics`
``dot``             Fig. 3 and App. B of Ludwig et al.                             :mod:`fastspin.figures.dot`
==================  =============================================================  ====================================
"""

from __future__ import annotations

import importlib
import os

#: figure set -> (module, drawing function)
FIGURE_SETS: dict[str, tuple[str, str]] = {
    "sis": ("fastspin.figures.sis", "figures_sis"),
    "fis": ("fastspin.figures.fis", "figures_fis"),
    "fis_dynamics": ("fastspin.figures.fis_dynamics", "figures_fis_dynamics"),
    "dot": ("fastspin.figures.dot", "figures_dot"),
    "switching3d": ("fastspin.figures.switching3d", "figures_switching3d"),
}


def draw(name: str, out_dir: str | os.PathLike) -> list[str]:
    """Draw the figure set ``name`` into ``out_dir``; returns the PNG paths written."""
    if name not in FIGURE_SETS:
        from fastspin.model import ParameterError

        raise ParameterError(f"figures: unknown figure set {name!r}; allowed: {', '.join(FIGURE_SETS)}")
    module, function = FIGURE_SETS[name]
    os.makedirs(out_dir, exist_ok=True)
    return [str(path) for path in getattr(importlib.import_module(module), function)(out_dir)]


__all__ = ["FIGURE_SETS", "draw"]
