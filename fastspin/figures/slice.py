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


def plot_slice(array, out: str | Path, x: str | None = None) -> Path:
    """Draw a 1-D line or a 2-D map of ``array`` into a PNG file."""
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
    return Path(save(fig, Path(out).parent, Path(out).name))


__all__ = ["plot_slice", "select_slice"]
