"""Fail the documentation build when a public name of fastspin is undocumented.

A public name is one a user can reach: the entries of a module's ``__all__`` where
it has one (plus :data:`EXTRA_PUBLIC`), else every top-level ``def``, ``class`` or
assignment of that module whose name has no leading underscore; for a public class, also its public methods and properties
defined in its own body.  A name counts as documented when the API reference holds
an entry for it (``module.name``) or for the object's home (``obj.__module__`` +
qualified name, for a name re-exported from the module that defines it).  Entries
only appear for objects with a docstring (functions, classes) or a ``#:`` doc
comment (constants), because the reference uses ``:members:`` without
``:undoc-members:``.  Each missing name is reported as a Sphinx warning, which
``-W`` turns into a failed build.

Not checked: ``fastspin.kernels`` (numerics behind the physics API), ``fastspin.cli`` (documented by
``fastspin --help``) and the former paths ``fastspin.fis``,
``fastspin.dynamics`` and ``fastspin.superconductor``, re-exports kept for one release
whose names are documented at their new homes in :mod:`fastspin.physics`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: packages whose modules are all public API (their private ``_module``\s excepted)
PUBLIC_PACKAGES = ("fastspin.physics", "fastspin.models", "fastspin.figures", "fastspin.workflows")
#: single public modules
PUBLIC_MODULES = (
    "fastspin", "fastspin.units", "fastspin.references", "fastspin.model", "fastspin.evaluation",
    "fastspin.registry", "fastspin.version", "fastspin.quantities", "fastspin.materials",
    "fastspin.fit",
)
#: public names of fastspin.workflows that still lack a docstring.  The list may only
#: shrink: a name on it that gains documentation is reported too, so it gets removed here.
UNDOCUMENTED_ALLOWED: frozenset[str] = frozenset()
#: public names a module keeps out of its ``__all__`` (``fastspin.open`` must not shadow
#: the builtin ``open`` under ``from fastspin import *``)
EXTRA_PUBLIC = {"fastspin": ("open",)}


def public_modules() -> list[str]:
    """Every module whose public names the API reference must document."""
    names = list(PUBLIC_MODULES)
    for package in PUBLIC_PACKAGES:
        names.append(package)
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__):
            if not info.name.startswith("_"):
                names.append(f"{package}.{info.name}")
    return names


def _defined_names(module) -> list[str]:
    """Top-level def/class/assignment targets of ``module``'s source, public ones only."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return []
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


def public_names(module_name: str) -> list[str]:
    """The public names of one module (see the module docstring)."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        names = [*module.__all__, *EXTRA_PUBLIC.get(module_name, ())]
    else:
        names = _defined_names(module)
    return [n for n in dict.fromkeys(names) if n != "__version__"]


def _class_members(cls) -> list[str]:
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if inspect.isfunction(value) or isinstance(value, (property, classmethod, staticmethod)):
            members.append(name)
    return members


def undocumented(documented: set[str]) -> list[str]:
    """Public names with no entry in ``documented`` (full dotted names)."""
    missing = []
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in public_names(module_name):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                if obj.__name__ not in documented:
                    missing.append(f"{module_name}.{name} (module {obj.__name__})")
                continue
            candidates = {f"{module_name}.{name}"}
            home = getattr(obj, "__module__", None)
            qualname = getattr(obj, "__qualname__", None)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                candidates.add(f"{home}.{qualname}")
            full = next((c for c in candidates if c in documented), None)
            if full is None:
                missing.append(f"{module_name}.{name}")
                continue
            if inspect.isclass(obj) and home and home.startswith("fastspin"):
                for member in _class_members(obj):
                    if f"{full}.{member}" not in documented:
                        missing.append(f"{full}.{member}")
    return sorted(set(missing))


#: the top-level package page documents what ``fastspin/__init__.py`` defines itself;
#: the names it re-exports are documented at their home modules
TOP_LEVEL_MEMBERS = "sweep, open"


def _reexports_section(name: str, module) -> str:
    """A list of the public names ``module`` re-exports, each linked to its home module."""
    lines = []
    for public in public_names(name):
        obj = getattr(module, public)
        home = getattr(obj, "__module__", None)
        if inspect.ismodule(obj):
            lines.append(f"* ``{name}.{public}``: the module :mod:`{obj.__name__}`")
        elif home and home != name and home.startswith("fastspin") and hasattr(obj, "__qualname__"):
            lines.append(f"* ``{name}.{public}``: :py:obj:`{home}.{obj.__qualname__}`")
    if not lines:
        return ""
    return "\nRe-exported here, documented at home:\n\n" + "\n".join(lines) + "\n"


def write_api_pages(app: Sphinx) -> None:
    """One page per public module under ``api/generated/`` (rewritten on every build).

    Generated, not hand-written, so that a new public module gets its page without
    anyone remembering to add it; only a page whose text changed is rewritten, which
    keeps Sphinx's incremental rebuilds incremental.
    """
    out = Path(app.srcdir) / "api" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for name in public_modules():
        module = importlib.import_module(name)
        is_package = hasattr(module, "__path__")
        if name == "fastspin":
            options = f"   :members: {TOP_LEVEL_MEMBERS}\n"
        elif is_package and not getattr(module, "__all__", None):
            options = ""
        else:
            options = "   :members:\n"
        text = f"{name}\n{'=' * len(name)}\n\n.. automodule:: {name}\n{options}"
        text += _reexports_section(name, module)
        path = out / f"{name}.rst"
        wanted.add(path.name)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for stale in out.glob("*.rst"):
        if stale.name not in wanted:
            stale.unlink()


def _check(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in {"html", "dirhtml"}:
        return
    domain = app.env.get_domain("py")
    documented = {name for name, *_ in domain.get_objects()}
    missing = undocumented(documented)
    for name in sorted(set(missing) - UNDOCUMENTED_ALLOWED):
        logger.warning("undocumented public name: %s (give it a docstring or a #: comment)", name,
                       type="apicheck")
    for name in sorted(UNDOCUMENTED_ALLOWED - set(missing)):
        logger.warning("%s is documented now: remove it from UNDOCUMENTED_ALLOWED in %s", name,
                       __file__, type="apicheck")
    allowed = len(UNDOCUMENTED_ALLOWED & set(missing))
    logger.info("apicheck: %d public module-level names checked, and the public members of "
                "their classes; %d undocumented names on the allowed list",
                sum(len(public_names(m)) for m in public_modules()), allowed)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", write_api_pages)
    app.connect("build-finished", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":  # pragma: no cover - a quick listing for maintainers
    for mod in public_modules():
        print(mod, public_names(mod))
