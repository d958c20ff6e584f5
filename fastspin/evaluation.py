"""``fastspin.evaluate``: a model on scalar or 1-D array parameters, as a labelled Dataset.

The module is named ``evaluation`` so that it never shadows the function
``fastspin.evaluate`` that the package exports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from fastspin.model import Model, ParameterError
from fastspin.registry import get_model


def broadcast_params(
    model: Model, values: Mapping[str, Any], dims: Sequence[str]
) -> dict[str, Any]:
    """Broadcast the swept 1-D arrays named in ``dims`` to an outer-product grid.

    Non-swept values become 0-d arrays broadcast to the same shape; ``None``
    (optional, e.g. self-consistent gap) becomes NaN; choices stay strings.
    """
    shape = tuple(len(values[d]) for d in dims)
    out: dict[str, Any] = {}
    for p in model.parameters:
        v = values[p.name]
        if p.choices is not None:
            out[p.name] = v
        elif p.name in dims:
            axis = dims.index(p.name)
            idx = [None] * len(dims)
            idx[axis] = slice(None)
            out[p.name] = np.broadcast_to(np.asarray(v, float)[tuple(idx)], shape)
        else:
            out[p.name] = np.full(shape, np.nan if v is None else float(v))
    return out


def evaluate(
    model: str | Model | type[Model], units: str = "reduced", delta0: Any = None,
    material: str | None = None, g_factor: float | None = None, G_T: Any = None, **params: Any,
):
    """Evaluate ``model`` on scalar or 1-D array-valued parameters.

    Every 1-D array parameter becomes a dimension of the result (outer product, in
    the order given); scalar parameters are stored as attrs.  Returns an
    ``xarray.Dataset`` whose variables carry ``units`` and ``long_name``.

    >>> import fastspin
    >>> ds = fastspin.evaluate("sis", V=[0.1, 0.2], h=0.4, T_S="0.7 Tc", T_Sm="0.01 Tc")

    Lab quantities ("150 uV", "90 mK", "0.8 T") convert through ``delta0`` or a
    ``material`` preset (:mod:`fastspin.quantities`); ``units="SI"`` returns SI outputs
    (``G_T`` gives currents in amperes).
    """
    from fastspin import quantities
    from fastspin.materials import energy_scale

    if units not in ("reduced", "SI"):
        raise ParameterError(f"units = {units!r}; allowed: 'reduced', 'SI'")
    instance = get_model(model)
    with quantities.scale_context(energy_scale(delta0, material, g_factor, G_T)) as scale:
        ds = _evaluate_reduced(instance, params)
    if units == "reduced":
        return ds
    try:
        return quantities.dataset_to_SI(ds, scale, instance)
    except quantities.QuantityError as err:
        raise ParameterError(str(err)) from None


def _evaluate_reduced(instance: Model, params: Mapping[str, Any]):
    import xarray as xr

    values = instance.validate(params)
    dims = [name for name, v in values.items() if isinstance(v, np.ndarray) and name in params]
    grid = broadcast_params(instance, values, dims)
    results = instance.evaluate_block(grid)
    coords = {}
    for d in dims:
        p = instance.parameter(d)
        coords[d] = xr.Variable((d,), values[d], attrs={"units": p.unit, "long_name": p.doc})
    data_vars = {}
    for o in instance.outputs:
        data_vars[o.name] = xr.Variable(
            tuple(dims), np.asarray(results[o.name]), attrs={"units": o.unit, "long_name": o.long_name}
        )
    attrs: dict[str, Any] = {"model": instance.name}
    if instance.reference is not None:
        attrs.update(instance.reference.as_attrs())
    for name, v in values.items():
        if name not in dims:
            attrs[name] = "null" if v is None else v
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
