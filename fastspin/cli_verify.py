"""``fastspin verify STORE``: read every done block, name each bad one, exit 1 if any."""

from __future__ import annotations

import sys

import click


def register_verify(main: click.Group) -> None:
    """Add ``verify`` to the ``fastspin`` group."""

    @main.command("verify")
    @click.argument("store")
    def verify_command(store: str) -> None:
        """Read every done block of STORE and check its checksums; exit 1 naming bad blocks."""
        from fastspin.workflows.verify import verify_store

        report = verify_store(store)
        for bad in report.bad:
            click.echo(f"bad {bad.describe()}")
        for name, problem in report.bad_axes.items():
            click.echo(f"bad axis {name}: {problem}")
        if not report.ok:
            click.echo(
                f"{len(report.bad)} of {report.n_done} done blocks and {len(report.bad_axes)} axes "
                f"are bad; recompute them with `fastspin run SPEC --out {store} --repair`", err=True,
            )
            sys.exit(1)
        click.echo(f"ok: {report.n_done} of {report.n_blocks} blocks done, every chunk intact")
