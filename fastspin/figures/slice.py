"""A 1-D line or 2-D map of one output of a stored sweep (``fastspin plot``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fastspin.figures.style import save
from fastspin.model import ParameterError


def select_slice(ds, var: str | None, selection: dict[str, str]):
    """Pick one output and select axes by value (nearest point); returns a DataArray.

    Values go through the model's parameter parsing, so ``--sel T_S="0.7 Tc"`` works.
    """
    from fastspin.registry import get_model

    outputs = [name for name in ds.data_vars]
    if var is None:
        if len(outputs) != 1:
            raise ParameterError(f"plot: choose --var; allowed: {', '.join(outputs)}")
        var = outputs[0]
    if var not in ds.data_vars:
        raise ParameterError(f"plot: --var {var!r} is not in the store; allowed: {', '.join(outputs)}")
    try:
        model = get_model(ds.attrs.get("model"))
    except ParameterError:  # a plugin model not installed here: plain numbers only
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


#: units of a temperature in the reduced units of the reference superconductor
TEMPERATURE_UNIT = "Delta0/k_B"
#: the colour scales ``fastspin plot --norm`` offers
NORMS = ("linear", "symlog")


def in_tc_units(array):
    """Temperature coordinates (units Δ0/k_B) as T/T_c, the axis the papers draw."""
    from fastspin.units import Tc

    for name in list(array.coords):
        coord = array[name]
        if coord.attrs.get("units") == TEMPERATURE_UNIT:
            array = array.assign_coords(
                {name: (coord.dims, coord.values / Tc, {"long_name": f"{name} / T_c"})}
            )
    return array


def draw_slice(array, x: str | None = None, *, robust: bool | None = None,
               center: float | None = None, norm: str | None = None):
    """A 1-D line or 2-D map of ``array`` with xarray's plotting (labels from the attrs).

    Temperatures relative to T_c are drawn as T/T_c.  A signed 2-D quantity (values
    on both sides of zero, e.g. G0: thermoelectric < 0 < dissipative) gets, unless
    told otherwise, a diverging map centred on ``center = 0`` with ``norm = "symlog"``,
    so that neither sign is washed out by a resonance line many times larger than
    the rest.  ``symlog`` is linear within 1 % of the 98th percentile of
    ``|value - center|`` and logarithmic beyond, over the full range; ``"linear"``
    takes ``robust`` limits (2nd-98th percentiles) by default for signed data.
    Returns ``(figure, artist)``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import SymLogNorm

    if norm is not None and norm not in NORMS:
        raise ParameterError(f"plot: --norm {norm!r}; allowed: {', '.join(NORMS)}")
    dims = [d for d in array.dims if array.sizes[d] > 1]
    if len(dims) == 0:
        raise ParameterError("plot: the selection leaves a single point; free one or two axes")
    array = in_tc_units(array.squeeze())
    fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    if len(dims) == 1:
        (artist,) = array.plot.line(x=dims[0], marker=".", ax=ax)
    else:
        if x is not None and x not in dims:
            raise ParameterError(f"plot: --x {x!r}; allowed: {', '.join(dims)}")
        x_dim = x or dims[1]
        y_dim = dims[0] if x_dim == dims[1] else dims[1]
        values = np.asarray(array.values)
        finite = values[np.isfinite(values)]
        signed = bool(finite.size) and finite.min() < 0 < finite.max()
        if norm is None:
            norm = "symlog" if signed else "linear"
        if center is None and (signed or norm == "symlog"):
            center = 0.0
        if robust is None:
            robust = signed
        options = {"cmap": "RdBu_r"} if center is not None else {}
        if norm == "symlog":
            shifted = np.abs(finite - center)
            limit = float(shifted.max()) if shifted.size else 1.0
            typical = float(np.percentile(shifted, 98)) if shifted.size else 1.0
            options["norm"] = SymLogNorm(linthresh=0.01 * (typical or limit or 1.0),
                                         vmin=center - limit, vmax=center + limit)
        else:
            options.update(robust=robust, center=center if center is not None else False)
        artist = array.plot.pcolormesh(x=x_dim, y=y_dim, ax=ax, shading="auto", **options)
    fixed = [
        f"{name}={float(array[name]):.4g}"
        for name in array.coords
        if name not in dims and array[name].ndim == 0
    ]
    title = f"{array.attrs.get('long_name', array.name)}"
    if fixed:
        title += "\n" + ", ".join(fixed)
    ax.set_title(title, fontsize=10)
    return fig, artist


def plot_slice(array, out: str | Path, x: str | None = None, **options) -> Path:
    """Draw a 1-D line or a 2-D map of ``array`` (see :func:`draw_slice`) into a PNG file."""
    fig, _ = draw_slice(array, x, **options)
    return Path(save(fig, Path(out).parent, Path(out).name))


__all__ = ["NORMS", "draw_slice", "in_tc_units", "plot_slice", "select_slice"]
