"""The sweep commands of the ``fastspin`` CLI: ``plan``, ``run``, ``status``, ``plot``.

``fastspin plan SPEC``                    blocks, points and a cost estimate; computes nothing
``fastspin run SPEC --out STORE``         run or resume (``--overwrite`` starts again)
``fastspin status STORE``                 blocks done, compute time, runs
``fastspin plot STORE --var I_charge --sel T_S=0.3 --out slice.png``
                                          a 1-D line or 2-D map of one output

Errors in the spec, the store path or the selection print one line naming the
field and the allowed values and exit with status 2 (handled by the group in
:mod:`fastspin.cli`); a block that fails inside the model exits with status 1,
keeping the blocks already done for a resume.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import click
import numpy as np

from fastspin.model import ParameterError


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


def select_slice(ds, var: str | None, selection: dict[str, str]):
    """Pick one output and select axes by value (nearest point); returns a DataArray.

    Values go through the model's parameter parsing, so ``--sel T_S="0.7 Tc"`` works.
    """
    from fastspin.workflows.spec import resolve_model

    outputs = [name for name in ds.data_vars]
    if var is None:
        if len(outputs) != 1:
            raise ParameterError(f"plot: choose --var; allowed: {', '.join(outputs)}")
        var = outputs[0]
    if var not in ds.data_vars:
        raise ParameterError(f"plot: --var {var!r} is not in the store; allowed: {', '.join(outputs)}")
    model = None
    try:
        model = resolve_model(ds.attrs.get("model"))
    except Exception:  # noqa: BLE001  (model not importable here: plain numbers only)
        model = None
    array = ds[var]
    indexers = {}
    for name, text in selection.items():
        if name not in array.dims:
            raise ParameterError(
                f"plot: --sel {name!r} is not an axis; allowed: {', '.join(array.dims)}"
            )
        try:
            value = (
                model.parameter(name).coerce(text, model.name) if model is not None else float(text)
            )
        except ValueError as err:
            raise ParameterError(f"plot: --sel {name}={text!r}: {err}") from None
        indexers[name] = value
    if indexers:
        array = array.sel(indexers, method="nearest")
    extra = [d for d in array.dims if array.sizes[d] > 1]
    if len(extra) > 2:
        raise ParameterError(
            f"plot: {len(extra)} axes left ({', '.join(extra)}); fix all but one or two with --sel"
        )
    return array.squeeze(drop=False)


def plot_slice(array, out: str | Path, x: str | None = None) -> Path:
    """Draw a 1-D line or a 2-D map of ``array`` into a PNG file."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dims = [d for d in array.dims if array.sizes[d] > 1]
    array = array.squeeze()
    fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")

    def label(name: str) -> str:
        units = array[name].attrs.get("units", "") if name in array.coords else ""
        return f"{name} [{units}]" if units and units != "1" else name

    value_label = f"{array.name} [{array.attrs.get('units', '')}]"
    if len(dims) == 0:
        raise ParameterError("plot: the selection leaves a single point; free one or two axes")
    if len(dims) == 1:
        ax.plot(array[dims[0]].values, np.asarray(array.values), marker=".")
        ax.set_xlabel(label(dims[0]))
        ax.set_ylabel(value_label)
    else:
        if x is not None and x not in dims:
            raise ParameterError(f"plot: --x {x!r}; allowed: {', '.join(dims)}")
        x_dim = x or dims[1]
        y_dim = dims[0] if x_dim == dims[1] else dims[1]
        data = array.transpose(y_dim, x_dim)
        values = np.asarray(data.values)
        finite = values[np.isfinite(values)]
        norm = {}
        if finite.size and finite.min() < 0 < finite.max():
            # signed quantity (e.g. G0: thermoelectric < 0 < dissipative): a diverging map
            # centred on zero, clipped at the 98th percentile so a resonance does not wash
            # out the rest of the map
            limit = float(np.percentile(np.abs(finite), 98)) or float(np.abs(finite).max())
            norm = {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit}
        mesh = ax.pcolormesh(
            data[x_dim].values, data[y_dim].values, values, shading="auto", **norm
        )
        fig.colorbar(mesh, ax=ax, label=value_label)
        ax.set_xlabel(label(x_dim))
        ax.set_ylabel(label(y_dim))
    fixed = [
        f"{name}={float(array[name]):.4g}"
        for name in array.coords
        if name not in dims and array[name].ndim == 0
    ]
    title = f"{array.attrs.get('long_name', array.name)}"
    if fixed:
        title += "\n" + ", ".join(fixed)
    ax.set_title(title, fontsize=10)
    out = Path(out)
    fig.savefig(out, dpi=150)
    plt.close(fig)
    return out


def register_commands(main: click.Group) -> None:
    """Add ``plan``, ``run``, ``status`` and ``plot`` to the ``fastspin`` group."""

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
                  help="Numba cache directory for the workers (default: NUMBA_CACHE_DIR)")
    @click.option("--progress/--no-progress", default=None,
                  help="progress bar on stderr (default: when stderr is a terminal)")
    def run_command(
        spec_path: str, out: str, overwrite: bool, repair: bool, break_lock: bool,
        scheduler: str | None, cluster: str | None,
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
                spec, out, overwrite=overwrite, repair=repair, break_lock=break_lock,
                scheduler=scheduler, cluster=cluster_arg,
                cluster_config=cluster_config, workers=workers, numba_cache_dir=numba_cache_dir,
                progress=progress, command_line=_command_line(spec_path, click.get_current_context()),
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

    from fastspin.cli_verify import register_verify

    register_verify(main)

    @main.command("plot")
    @click.argument("store")
    @click.option("--var", "var", default=None, help="output variable to draw")
    @click.option("--sel", "sel", multiple=True, help="fix an axis: name=value (nearest point)")
    @click.option("--x", "x", default=None, help="axis on the horizontal axis of a 2-D map")
    @click.option("--out", "out", default=None, help="PNG file (default: STORE_VAR.png)")
    def plot_command(store: str, var: str | None, sel: tuple[str, ...], x: str | None,
                     out: str | None) -> None:
        """Draw a 1-D or 2-D slice of STORE to a PNG file."""
        from fastspin.workflows.store import open_store

        ds = open_store(store)
        array = select_slice(ds, var, _parse_selection(sel))
        target = out or f"{Path(store).with_suffix('')}_{array.name}.png"
        click.echo(plot_slice(array.load(), target, x))
