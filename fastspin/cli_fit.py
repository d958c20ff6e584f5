"""``fastspin fit`` and ``fastspin materials``.

``fastspin fit DATA --model nis --vary delta,h,dynes,P,T,G_T --fix T="100 mK" --out fit.nc``
fits a measured spectrum (:mod:`fastspin.fit`), prints the report, writes the best-fit
Dataset (netCDF) and, with ``--plot``, an image of data, fit and residuals.
``fastspin materials [NAME]`` lists the presets with their sources.
"""

from __future__ import annotations

from pathlib import Path

import click

from fastspin.model import ParameterError


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


def register_fit_commands(main: click.Group) -> None:
    """Add ``fit`` and ``materials`` to the ``fastspin`` group."""

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
