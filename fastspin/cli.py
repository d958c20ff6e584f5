"""The ``fastspin`` command line: one click group.

``fastspin models [NAME]``                declared parameters, outputs and reference
``fastspin plan SPEC``                    blocks, points and a measured cost estimate; writes nothing
``fastspin run SPEC --out STORE``         run or resume (``--overwrite`` starts again)
``fastspin status STORE``                 blocks done, compute time, runs, lock holder
``fastspin verify STORE``                 check every done chunk's CRC-32C; exit 1 naming bad blocks
``fastspin plot STORE --var I_charge --sel T_S=0.3 --out slice.png``
                                          a 1-D line or 2-D map of one output
``fastspin figures [SET ...]``            the papers' figures as PNG files
``fastspin fit DATA --model nis --fix T="100 mK" --out fit.nc``
                                          fit a measured spectrum (:mod:`fastspin.fit`)
``fastspin materials [NAME]``             the material presets with their sources

Every bad input gives one message naming the field and the allowed values and
exits with status 2; a block that fails inside the model exits with status 1,
keeping the blocks already done for a resume.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import click

from fastspin._numba_cache import set_cache_dir
from fastspin.figures import FIGURE_SETS
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


@main.command(
    "figures",
    help="Reproduce the papers' figures as PNG files.\n\nWHICH is one or more figure sets, "
    f"all of them when none is given: {', '.join(FIGURE_SETS)}.",
)
@click.argument("which", nargs=-1)
@click.option("--out", "out_dir", default="figures", show_default=True, help="output folder")
def figures_command(which: tuple[str, ...], out_dir: str) -> None:
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
        if name == "in_process" and value is not None:
            words.append("--in-process" if value else "--cluster-local")
            continue
        if name == "spec_path" or value in (None, False):
            continue
        flag = "--" + name.replace("_", "-")
        words += [flag] if value is True else [flag, str(value)]
    return shlex.join(words)


@main.command("plan")
@click.argument("spec_path", metavar="SPEC")
@click.option("--workers", type=int, default=None, help="workers for the time estimate")
def plan_command(spec_path: str, workers: int | None) -> None:
    """Show blocks, points and a cost estimate for SPEC (times a few points, writes nothing)."""
    from fastspin.workflows.spec import load_spec
    from fastspin.workflows.sweep import plan_text

    click.echo(plan_text(load_spec(spec_path), workers))

@main.command("run")
@click.argument("spec_path", metavar="SPEC")
@click.option("--out", "out", required=True, help="Zarr store directory to write or resume")
@click.option("--overwrite", is_flag=True,
              help="replace an existing fastspin store instead of resuming (nothing else)")
@click.option("--repair", is_flag=True,
              help="first recompute the done blocks that `fastspin verify` finds bad")
@click.option("--break-lock", is_flag=True,
              help="take the store's lock even from a driver that looks alive")
@click.option("--scheduler", default=None, help="'local', 'serial' or an address tcp://host:8786")
@click.option("--cluster", type=click.Choice(["slurm", "pbs"]), default=None,
              help="run through dask-jobqueue (needs the hpc extra)")
@click.option("--cluster-config", type=click.Path(dir_okay=False), default=None,
              help="TOML file with the cluster profile (queue, cores, memory, walltime, ...)")
@click.option("--workers", type=int, default=None, help="embedded cluster size")
@click.option("--numba-cache-dir", default=None,
              help="Numba cache directory (default: NUMBA_CACHE_DIR, else the checkout's "
                   "__pycache__ for a source checkout, else the per-user cache directory)")
@click.option("--progress/--no-progress", default=None,
              help="progress bar on stderr (default: when stderr is a terminal)")
@click.option("--in-process/--cluster-local", "in_process", default=None,
              help="run the blocks in this process, or on local Dask workers (default: in "
                   "this process when the calibrated cost is under a few seconds and no "
                   "scheduler or cluster is asked for)")
def run_command(
    spec_path: str, out: str, overwrite: bool, repair: bool, break_lock: bool,
    scheduler: str | None, cluster: str | None,
    cluster_config: str | None, workers: int | None, numba_cache_dir: str | None,
    progress: bool | None, in_process: bool | None,
) -> None:
    """Run SPEC into the Zarr store OUT, resuming it if it holds the same spec."""
    from fastspin.workflows.spec import load_spec
    from fastspin.workflows.sweep import sweep

    if numba_cache_dir:  # before the model's kernels are imported in this process
        numba_cache_dir = set_cache_dir(numba_cache_dir)
    if progress or (progress is None and sys.stderr.isatty()):
        # importing the model loads its compiled kernels, which takes a moment
        click.echo(f"fastspin: loading {spec_path} and its model...", err=True)
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
            spec, out, overwrite=overwrite, repair=repair, break_lock=break_lock,
            scheduler=scheduler, cluster=cluster_arg,
            cluster_config=cluster_config, workers=workers, numba_cache_dir=numba_cache_dir,
            progress=progress, command_line=_command_line(spec_path, click.get_current_context()),
            in_process=in_process,
        )
    except RuntimeError as err:
        click.echo(f"fastspin: error: {err}", err=True)
        sys.exit(1)
    if result.repaired:
        click.echo(f"repaired blocks {', '.join(map(str, result.repaired))}")
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
    from fastspin.workflows.lock import read_lock

    holder = read_lock(store)
    if holder is not None:
        click.echo(f"lock      {holder.describe()}")
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
    if status.missing:
        click.echo(
            f"fastspin: error: {len(status.missing)} done blocks have missing chunks (first: "
            f"block {status.missing[0]}); see `fastspin verify {store}`, recompute with --repair",
            err=True,
        )
        sys.exit(1)


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

@main.command("plot")
@click.argument("store")
@click.option("--var", "var", default=None, help="output variable to draw")
@click.option("--sel", "sel", multiple=True, help="fix an axis: name=value (nearest point)")
@click.option("--x", "x", default=None, help="axis on the horizontal axis of a 2-D map")
@click.option("--out", "out", default=None, help="PNG file (default: STORE_VAR.png)")
@click.option("--robust/--no-robust", default=None,
              help="colour limits at the 2nd-98th percentiles (default: for signed data)")
@click.option("--center", type=float, default=None,
              help="centre of a diverging colour map (default: 0 for signed data)")
@click.option("--norm", type=click.Choice(["linear", "symlog"]), default=None,
              help="colour scale; symlog shows decades on both sides of the centre "
                   "(default: symlog for signed data, else linear)")
def plot_command(store: str, var: str | None, sel: tuple[str, ...], x: str | None,
                 out: str | None, robust: bool | None, center: float | None, norm: str) -> None:
    """Draw a 1-D or 2-D slice of STORE to a PNG file."""
    from fastspin.figures.slice import plot_slice, select_slice
    from fastspin.workflows.store import open_store

    ds = open_store(store)
    array = select_slice(ds, var, _parse_selection(sel))
    target = out or f"{Path(store).with_suffix('')}_{array.name}.png"
    click.echo(plot_slice(array.load(), target, x, robust=robust, center=center, norm=norm))


def _assignments(items: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"{option} {item!r}: write name=value, e.g. {option} T='100 mK'")
        name, value = item.split("=", 1)
        out[name.strip()] = _number_or_text(value.strip())
    return out


def _number_or_text(text: str):
    try:
        return float(text)
    except ValueError:
        return text


@main.command("fit")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--model", "model", default="nis", show_default=True, help="nis (Meservey-Tedrow) or sis")
@click.option("--quantity", type=click.Choice(["dIdV", "I"]), default=None,
              help="what the signal column is (default: from its unit)")
@click.option("--vary", default=None, help="comma-separated free parameters (default: all not fixed)")
@click.option("--fix", "fix", multiple=True, help="name=value held fixed, e.g. --fix T='100 mK'")
@click.option("--start", "start", multiple=True, help="name=value starting value, e.g. --start h='100 ueV'")
@click.option("--sigma", default=None, help="measurement uncertainty per point, e.g. '0.01 uS'")
@click.option("--bias-unit", default=None, help="unit of the bias column if the header has none, e.g. mV")
@click.option("--signal-unit", default=None, help="unit of the signal column, e.g. uS or nA")
@click.option("--out", "out", default=None, help="netCDF file for the best-fit Dataset (not overwritten)")
@click.option("--plot", "plot", default=None, help="image file of data, fit and residuals")
def fit_command(data, model, quantity, vary, fix, start, sigma, bias_unit, signal_unit, out, plot) -> None:
    """Fit a measured I(V) or dI/dV(V) spectrum DATA (two-column CSV or text file)."""
    from fastspin.fit import fit_spectrum, plot_fit

    for target in (out, plot):
        if target is not None and Path(target).exists():
            raise FileExistsError(f"{target} exists; choose another name or delete it first")
    result = fit_spectrum(
        data, model=model, quantity=quantity,
        vary=None if vary is None else [v.strip() for v in vary.split(",") if v.strip()],
        fixed=_assignments(fix, "--fix"), start=_assignments(start, "--start"),
        sigma=None if sigma is None else _number_or_text(sigma),
        bias_unit=bias_unit, signal_unit=signal_unit,
    )
    click.echo(result.report())
    if out is not None:
        result.to_dataset().to_netcdf(out)
        click.echo(f"wrote {out}")
    if plot is not None:
        click.echo(f"wrote {plot_fit(result, plot)}")

@main.command("materials")
@click.argument("name", required=False)
def materials_command(name: str | None) -> None:
    """List the material presets, each value with its source."""
    from fastspin.materials import get_material, material_names

    for preset in [name] if name else material_names():
        click.echo(get_material(preset).describe())
        click.echo()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
