"""The gallery: every figure set of :mod:`fastspin.figures`, drawn during the build.

At ``builder-inited`` a child process draws every set of
:data:`fastspin.figures.FIGURE_SETS` at a reduced resolution (:data:`THUMBNAIL_SIZES`)
into ``_build/gallery/<key>/``, while Sphinx executes the tutorials on the other core.
``<key>`` hashes the fastspin sources and this file, so an unchanged checkout reuses
the figures of the previous build.  The ``fastspin-gallery`` directive waits for the
child, fails the build if it failed, and lays the PNGs out as a grid of figures; the
page holding it is read last so the wait overlaps the notebooks.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

#: keyword arguments of each set's drawing function for the gallery: coarser grids than
#: ``fastspin figures`` draws, the same code path.  A set not listed is drawn at full size.
THUMBNAIL_SIZES: dict[str, dict[str, int]] = {
    "sis": {"map_points": 12},
    "fis": {"n_curve": 81, "n_map": 15},
    "fis_dynamics": {"n_T": 25, "n_ensemble": 0},
    "dot": {"n_points": 20},
}

_STATE: dict[str, object] = {}


def _source_key() -> str:
    """sha256 of every fastspin source file, of this extension and of the gallery sizes."""
    import fastspin

    digest = hashlib.sha256(json.dumps(THUMBNAIL_SIZES, sort_keys=True).encode())
    digest.update(Path(__file__).read_bytes())
    roots = {Path(fastspin.__file__).parent}
    import fastspin.kernels

    roots.add(Path(fastspin.kernels.__file__).parent)
    for root in sorted(roots):
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_MATHTEXT = {r"\hbar": "ħ", r"\hat z": "ẑ", r"\hat x": "x̂", r"\delta": "δ", r"\Delta": "Δ",
             r"\tau": "τ", r"\theta": "θ", r"\Omega": "Ω", r"\alpha": "α", r"\lambda": "λ",
             r"\mathbf": "", r"\langle": "⟨", r"\rangle": "⟩", r"\cos": "cos"}


def _plain(title: str) -> str:
    """A matplotlib title as plain text: mathtext delimiters and common commands resolved."""
    for command, text in _MATHTEXT.items():
        title = title.replace(command, text)
    title = re.sub(r"\\[A-Za-z]+", "", title).replace("$", "").replace("{", "").replace("}", "")
    return " ".join(title.split())


def _record_titles(titles: dict[str, str]) -> None:
    """Make :func:`fastspin.figures.style.save` note each figure's title for its caption.

    Patched before any figure module is imported, since they bind ``save`` at import.
    """
    from fastspin.figures import style

    plain_save = style.save

    def save(fig, out_dir, name):
        title = fig.get_suptitle() or (fig.axes[0].get_title() if fig.axes else "")
        titles[Path(name).stem] = _plain(title)
        return plain_save(fig, out_dir, name)

    style.save = save


def draw_all(out: Path) -> None:
    """Draw every figure set into ``out/<set>/`` (the child process's job)."""
    titles: dict[str, str] = {}
    _record_titles(titles)
    from fastspin.figures import FIGURE_SETS, draw

    for name in FIGURE_SETS:
        start = time.perf_counter()
        module, function = FIGURE_SETS[name]
        if name in THUMBNAIL_SIZES:
            import importlib

            (out / name).mkdir(parents=True, exist_ok=True)
            getattr(importlib.import_module(module), function)(out / name, **THUMBNAIL_SIZES[name])
        else:
            draw(name, out / name)
        print(f"gallery: {name} drawn in {time.perf_counter() - start:.1f} s", flush=True)
    (out / "titles.json").write_text(json.dumps(titles, ensure_ascii=False, indent=1))
    (out / "done").write_text("ok")


def _start(app: Sphinx) -> None:
    key = _source_key()
    out = Path(app.srcdir) / "_build" / "gallery" / key
    _STATE["key"] = key
    _STATE["out"] = out
    for old in out.parent.glob("*"):  # figures drawn from earlier sources
        if old.is_dir() and old.name != key:
            shutil.rmtree(old, ignore_errors=True)
    if (out / "done").exists():
        return
    for stale in ("failed", "draw.log"):
        (out / stale).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    log = (out / "draw.log").open("w")
    _STATE["process"] = subprocess.Popen(
        [sys.executable, __file__, str(out)], stdout=log, stderr=subprocess.STDOUT,
    )


def _wait(timeout_s: float = 1800.0) -> Path:
    """Wait for the drawing process by its marker files (works in a forked parallel reader,
    which cannot ``wait()`` on its parent's child)."""
    out = Path(_STATE["out"])
    deadline = time.monotonic() + timeout_s
    while not (out / "done").exists():
        if (out / "failed").exists() or time.monotonic() > deadline:
            log = (out / "draw.log").read_text() if (out / "draw.log").exists() else ""
            raise ExtensionError(f"gallery: drawing the figures failed or timed out:\n{log}")
        time.sleep(0.5)
    if not _STATE.get("logged"):
        _STATE["logged"] = True
        logger.info((out / "draw.log").read_text().strip() if (out / "draw.log").exists() else "")
    return out


def _caption(stem: str) -> str:
    """``sis_fig2b_G0_map`` -> ``Fig. 2(b): G0 map``."""
    match = re.match(r"[a-z]+_fig(\d+)([a-z]*)_(.*)", stem)
    if not match:
        return stem.replace("_", " ")
    number, panels, rest = match.groups()
    panels = "".join(f"({p})" for p in panels) if len(panels) <= 1 else f"({panels[0]})–({panels[-1]})"
    return f"Fig. {number}{panels}: {rest.replace('_', ' ')}"


class GalleryDirective(SphinxDirective):
    """``.. fastspin-gallery:: SET``: a grid of the PNGs of one figure set."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        root = _wait()
        self.env.fastspin_gallery_key = _STATE["key"]
        titles = json.loads((root / "titles.json").read_text())
        out = root / name
        pngs = sorted(out.glob("*.png"))
        if not pngs:
            raise self.error(f"fastspin-gallery: figure set {name!r} drew no PNG")
        grid = nodes.container(classes=["fs-gallery"])
        for png in pngs:
            self.env.note_dependency(str(png))
            uri = "/" + str(png.relative_to(Path(self.env.srcdir)))
            figure = nodes.figure()
            # a width makes the HTML builder link the thumbnail to the full-size PNG
            caption = titles.get(png.stem) or _caption(png.stem)
            figure += nodes.image(uri=uri, alt=_caption(png.stem), width="100%")
            figure += nodes.caption(text=caption)
            grid += figure
        return [grid]


def _gallery_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Re-read the gallery page whenever the figures were drawn from other sources."""
    return ["gallery"] if getattr(env, "fastspin_gallery_key", None) != _STATE["key"] else []


def _finish(app: Sphinx, exception: Exception | None) -> None:
    """Never leave the drawing process behind, whatever happened to the build."""
    process = _STATE.pop("process", None)
    if process is not None:
        process.kill() if exception is not None else process.wait()


def _merge(app: Sphinx, env, docnames, other) -> None:
    """Carry the gallery key from a parallel reader back into the main environment."""
    if hasattr(other, "fastspin_gallery_key"):
        env.fastspin_gallery_key = other.fastspin_gallery_key


def _read_gallery_last(app: Sphinx, env, docnames: list[str]) -> None:
    if "gallery" in docnames:
        docnames.remove("gallery")
        docnames.append("gallery")


def setup(app: Sphinx) -> dict:
    app.add_directive("fastspin-gallery", GalleryDirective)
    app.connect("builder-inited", _start)
    app.connect("env-get-outdated", _gallery_outdated)
    app.connect("env-before-read-docs", _read_gallery_last)
    app.connect("build-finished", _finish)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    target = Path(sys.argv[1])
    try:
        draw_all(target)
    except BaseException:
        import traceback

        traceback.print_exc()
        (target / "failed").write_text("failed")
        raise
