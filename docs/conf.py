"""Sphinx configuration of the fastspin documentation.

Build: ``sphinx-build -j auto -W --keep-going -b html docs docs/_build/html`` (what
``.ci/docs.sh`` runs).  The tutorials are MyST-NB text notebooks, executed on every
build; ``_ext/apicheck.py`` fails the build when a public name has no documentation.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import fastspin

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "fastspin"
author = "the fastspin developers"
copyright = "2026, the fastspin developers"  # noqa: A001  (Sphinx's own setting name)
release = fastspin.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "apicheck",
    "gallery",
    "citations",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
exclude_patterns = ["_build", "README.md", "**/.ipynb_checkpoints", "jupyter_execute"]
root_doc = "index"

# -- MyST and notebook execution -------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
# Every build executes the tutorials, so a tutorial that no longer runs fails the build.
# "cache" re-executes a notebook only when its code changed; CI starts without a cache.
nb_execution_mode = os.environ.get("FASTSPIN_DOCS_EXECUTE", "cache")
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}

# -- API reference ---------------------------------------------------------------------
autodoc_default_options = {"member-order": "bysource", "show-inheritance": True}
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
add_module_names = False

# -- HTML ------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"fastspin {release}"
html_static_path = ["_static"]
html_css_files = ["fastspin.css"]
html_show_sourcelink = False
html_theme_options = {"sidebar_hide_name": False, "navigation_with_keys": True}


# -- docstrings are plain-text physics: |x| is an absolute value, not an RST substitution --
_LITERAL = re.compile(r"(``.*?``|:[a-z:]+:`[^`]*`)")


def _escape_bars(app, what, name, obj, options, lines: list[str]) -> None:
    """Escape ``|`` outside literals and math, except in line blocks and grid tables."""
    math_indent = None  # indentation of the ``.. math::`` directive whose body we are in
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if math_indent is not None:
            if not line.strip() or indent > math_indent:
                continue
            math_indent = None
        if line.lstrip().startswith(".. math::"):
            math_indent = indent
            continue
        if "|" not in line or line.lstrip().startswith(("| ", "+-", "+=")):
            continue
        parts = _LITERAL.split(line)
        lines[i] = "".join(p if k % 2 else p.replace("|", r"\|") for k, p in enumerate(parts))


def _shorten_values(app, doctree) -> None:
    """Cut a constant's value shown in its signature to one line (tables stay in the source)."""
    from docutils import nodes
    from sphinx import addnodes

    for node in doctree.findall(addnodes.desc_annotation):
        text = node.astext()
        if text.lstrip().startswith("=") and len(text) > 100:
            node.children = [nodes.Text(text[:97].rstrip() + " …")]


def setup(app):
    app.connect("autodoc-process-docstring", _escape_bars)
    app.connect("doctree-read", _shorten_values)
