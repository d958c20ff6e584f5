"""The ``fastspin`` command line: one click group.

``fastspin models [NAME]``                declared parameters, outputs and reference
``fastspin plan SPEC``                    blocks, points and a cost estimate; computes nothing
``fastspin run SPEC --out STORE``         run or resume (``--overwrite`` starts again)
``fastspin status STORE``                 blocks done, compute time, runs
``fastspin plot STORE --var I_charge --sel T_S=0.3 --out slice.png``
                                          a 1-D line or 2-D map of one output
``fastspin figures [SET ...]``            the papers' figures as PNG files

Every bad input gives one message naming the field and the allowed values and
exits with status 2; a block that fails inside the model exits with status 1,
keeping the blocks already done for a resume.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import click

from fastspin.cli_fit import register_fit_commands
from fastspin.model import ParameterError
from fastspin.registry import get_model_class, registered_models


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
    """List the models with their parameters, outputs and reference."""
    if name is not None:
        click.echo(get_model_class(name).describe())
        return
    for cls in registered_models().values():
        click.echo(cls.describe())
        click.echo()


@main.command("figures")
@click.argument("which", nargs=-1)
@click.option("--out", "out_dir", default="figures", show_default=True, help="output folder")
def figures_command(which: tuple[str, ...], out_dir: str) -> None:
    """Reproduce the papers' figures as PNG files.

    WHICH is one or more figure sets, all of them when none is given:
    sis, fis, fis_dynamics, dot.
    """
    from fastspin import figures

    available = figures.FIGURE_SETS
    chosen = which or tuple(available)
    for name in chosen:
        if name not in available:
            raise ParameterError(
                f"figures: unknown figure set {name!r}; allowed: {', '.join(available)}"
            )
    for name in chosen:
        for path in figures.draw(name, out_dir):
            click.echo(path)


def _parse_selection(items: tuple[str, ...]) -> dict[str, str]:
    selection: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"--sel {item!r}: write name=value, e.g. --sel T_S=0.3")
        name, value = item.split("=", 1)
        selection[name.strip()] = value.strip()
    return selection


def _command_line(spec_path: str, ctx: click.Context) -> str:
    """``fastspin run SPEC --out ...`` as given (options that differ from their defaults)."""
    words = ["fastspin", "run", spec_path]
    for name, value in ctx.params.items():
        if name == "spec_path" or value in (None, False):
            continue
        flag = "--" + name.replace("_", "-")
        words += [flag] if value is True else [flag, str(value)]
    return shlex.join(words)


@main.command("plan")
@click.argument("spec_path", metavar="SPEC")
@click.option("--workers", type=int, default=None, help="workers for the time estimate")
def plan_command(spec_path: str, workers: int | None) -> None:
    """Show blocks, points and a cost estimate for SPEC, without computing."""
    from fastspin.workflows.spec import load_spec
    from fastspin.workflows.sweep import plan_text

    click.echo(plan_text(load_spec(spec_path), workers))

@main.command("run")
@click.argument("spec_path", metavar="SPEC")
@click.option("--out", "out", required=True, help="Zarr store directory to write or resume")
@click.option("--overwrite", is_flag=True, help="replace an existing store instead of resuming")
@click.option("--scheduler", default=None, help="'local', 'serial' or an address tcp://host:8786")
@click.option("--cluster", type=click.Choice(["slurm", "pbs"]), default=None,
              help="run through dask-jobqueue (needs the hpc extra)")
@click.option("--cluster-config", type=click.Path(dir_okay=False), default=None,
              help="TOML file with the cluster profile (queue, cores, memory, walltime, ...)")
@click.option("--workers", type=int, default=None, help="embedded cluster size")
@click.option("--numba-cache-dir", default=None,
              help="Numba cache directory for the workers (default: NUMBA_CACHE_DIR)")
@click.option("--progress/--no-progress", default=None,
              help="progress bar on stderr (default: when stderr is a terminal)")
def run_command(
    spec_path: str, out: str, overwrite: bool, scheduler: str | None, cluster: str | None,
    cluster_config: str | None, workers: int | None, numba_cache_dir: str | None,
    progress: bool | None,
) -> None:
    """Run SPEC into the Zarr store OUT, resuming it if it holds the same spec."""
    from fastspin.workflows.spec import load_spec
    from fastspin.workflows.sweep import sweep

    if numba_cache_dir:  # before the model's kernels are imported in this process
        os.environ["NUMBA_CACHE_DIR"] = str(Path(numba_cache_dir).expanduser().absolute())
    spec = load_spec(spec_path)
    cluster_arg = None
    if cluster is not None:
        spec_cluster = spec.run.get("cluster")
        cluster_arg = dict(spec_cluster) if isinstance(spec_cluster, dict) else {}
        cluster_arg["kind"] = cluster
    if scheduler is not None and scheduler not in ("local", "serial") and "://" not in scheduler:
        raise ParameterError(
            f"--scheduler {scheduler!r}; allowed: local, serial or an address tcp://host:port"
        )
    start = time.monotonic()
    try:
        result = sweep(
            spec, out, overwrite=overwrite, scheduler=scheduler, cluster=cluster_arg,
            cluster_config=cluster_config, workers=workers, numba_cache_dir=numba_cache_dir,
            progress=progress, command_line=_command_line(spec_path, click.get_current_context()),
        )
    except RuntimeError as err:
        click.echo(f"fastspin: error: {err}", err=True)
        sys.exit(1)
    action = "resumed" if result.resumed else "created"
    click.echo(
        f"{action} {result.path}: computed {len(result.computed)} of {result.n_blocks} blocks "
        f"({result.skipped} already done) in {time.monotonic() - start:.1f} s"
    )

@main.command("status")
@click.argument("store")
def status_command(store: str) -> None:
    """Blocks done and time spent in the sweep store STORE."""
    from fastspin.workflows.store import store_status

    status = store_status(store)
    click.echo(f"store     {status.path}")
    click.echo(f"model     {status.model}   sha256 {status.fingerprint[:16]}")
    percent = 100.0 * status.n_done / max(status.n_blocks, 1)
    click.echo(f"blocks    {status.n_done}/{status.n_blocks} done ({percent:.1f}%), "
               f"{status.n_points} points")
    click.echo(f"compute   {status.compute_seconds:.2f} s summed over done blocks")
    click.echo(f"created   {status.created}")
    for index, run in enumerate(status.runs):
        finished = run.get("finished", "interrupted")
        wall = f", {run['wall_seconds']:.1f} s wall" if "wall_seconds" in run else ""
        failed = f", failed: {run['error']}" if "error" in run else ""
        click.echo(
            f"run {index}     {run.get('started', '?')} -> {finished}, "
            f"{status.blocks_by_run.get(index, 0)} blocks{wall}, "
            f"runner {run.get('runner', '?')}{failed}"
        )
    if not status.complete:
        click.echo("incomplete: run the same spec again to compute the missing blocks")

@main.command("plot")
@click.argument("store")
@click.option("--var", "var", default=None, help="output variable to draw")
@click.option("--sel", "sel", multiple=True, help="fix an axis: name=value (nearest point)")
@click.option("--x", "x", default=None, help="axis on the horizontal axis of a 2-D map")
@click.option("--out", "out", default=None, help="PNG file (default: STORE_VAR.png)")
def plot_command(store: str, var: str | None, sel: tuple[str, ...], x: str | None,
                 out: str | None) -> None:
    """Draw a 1-D or 2-D slice of STORE to a PNG file."""
    from fastspin.figures.slice import plot_slice, select_slice
    from fastspin.workflows.store import open_store

    ds = open_store(store)
    array = select_slice(ds, var, _parse_selection(sel))
    target = out or f"{Path(store).with_suffix('')}_{array.name}.png"
    click.echo(plot_slice(array.load(), target, x))


register_fit_commands(main)  # fit, materials

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
