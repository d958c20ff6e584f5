"""The ``fastspin`` command line.

``fastspin models`` lists the models; ``plan``, ``run``, ``status`` and ``plot`` work
on sweep specs and stores (see :mod:`fastspin.cli_sweep`); ``figures`` reproduces
the seeds' figures as PNG files.  Every bad input gives one message naming the
field and the allowed values, and a non-zero exit.
"""

from __future__ import annotations

import sys

import click

from fastspin.model import ParameterError, registered_models


class FastspinGroup(click.Group):
    """Turns :class:`ParameterError` (and other ``ValueError``) into one clean line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (ParameterError, ValueError, FileExistsError, PermissionError) as err:
            click.echo(f"fastspin: error: {err}", err=True)
            ctx.exit(2)


@click.group(cls=FastspinGroup)
@click.version_option(package_name="fastspin")
def main() -> None:
    """fastspin: spin-dependent tunnelling transport and magnetization dynamics."""


@main.command("models")
@click.argument("name", required=False)
def models_command(name: str | None) -> None:
    """List the models with their parameters and outputs."""
    models = registered_models()
    if name is not None:
        if name not in models:
            raise ParameterError(f"model: unknown model {name!r}; allowed: {', '.join(models)}")
        click.echo(models[name].describe())
        return
    for cls in models.values():
        click.echo(cls.describe())
        click.echo()


@main.command("figures")
@click.argument("which", nargs=-1)
@click.option("--out", "out_dir", default="figures", show_default=True, help="output folder")
def figures_command(which: tuple[str, ...], out_dir: str) -> None:
    """Reproduce the seeds' figures as PNG files (e.g. ``fastspin figures sis``)."""
    from fastspin import figures

    available = figures.available()
    chosen = which or tuple(available)
    for name in chosen:
        if name not in available:
            raise ParameterError(
                f"figures: unknown figure set {name!r}; allowed: {', '.join(available)}"
            )
    for name in chosen:
        for path in available[name](out_dir):
            click.echo(path)


def _register_optional_commands() -> None:
    """Sweep commands live in their own module; add them when it is present."""
    try:
        from fastspin.cli_sweep import register_commands
    except ImportError:  # pragma: no cover - during bootstrap only
        return
    register_commands(main)


_register_optional_commands()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
