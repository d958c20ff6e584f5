"""``.. fastspin-references::``: the papers fastspin implements, printed from the code.

Each entry is :meth:`fastspin.references.Reference.citation` with the models whose
``reference`` it is, so the page cannot drift from :mod:`fastspin.references` and the
registry.  Rendered at build time without a notebook kernel.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class ReferencesDirective(SphinxDirective):
    """A bullet list: the models of each paper, then its full citation."""

    def run(self) -> list[nodes.Node]:
        import fastspin.references as refs
        from fastspin.registry import get_model_class, model_names

        items = nodes.bullet_list()
        for ref in (*refs.PAPERS, refs.BROWN_1963):
            models = [name for name in model_names() if get_model_class(name).reference == ref]
            paragraph = nodes.paragraph()
            strong = nodes.strong()
            for k, name in enumerate(models):
                if k:
                    strong += nodes.Text(", ")
                strong += nodes.literal(text=name)
            paragraph += strong
            paragraph += nodes.Text(": " + ref.citation())
            items += nodes.list_item("", paragraph)
        return [items]


def setup(app: Sphinx) -> dict:
    app.add_directive("fastspin-references", ReferencesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
