"""What every figure set shares: the non-interactive backend, the resolution, saving,
and titles that cite the paper a figure reproduces."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are files: never open a window, also on a headless node

import matplotlib.pyplot as plt  # noqa: E402

from fastspin.references import Reference  # noqa: E402

#: resolution of every PNG that ``fastspin figures`` writes
DPI = 110


def save(fig, out_dir: str | os.PathLike, name: str) -> str:
    """Write ``fig`` as ``out_dir/name`` at :data:`DPI`, close it, return the path."""
    path = Path(out_dir) / name
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return str(path)


def cite(reference: Reference, panel: str) -> str:
    """Title prefix for a reproduced panel: "Germanese et al. (2021), Fig. 2(b)"."""
    return f"{reference.short()}, Fig. {panel}"


__all__ = ["DPI", "cite", "save"]
