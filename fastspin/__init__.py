"""fastspin: spin-dependent tunnelling transport, thermoelectrics and stochastic
magnetization dynamics in superconductor/ferromagnet heterostructures.

Public API::

    fastspin.evaluate(model, **params)   # labelled xarray.Dataset
    fastspin.sweep(spec, store)          # distributed, resumable Zarr sweep
    fastspin.open(store)                 # the stored sweep as xarray.Dataset
    fastspin.models                      # the model classes
    fastspin.units                       # Tc, SI conversion
"""

from __future__ import annotations

from fastspin import units
from fastspin.model import (
    Model,
    Output,
    Parameter,
    ParameterError,
    evaluate,
    get_model,
    registered_models,
)

__version__ = "0.1.0"

__all__ = [
    "Model",
    "Output",
    "Parameter",
    "ParameterError",
    "evaluate",
    "get_model",
    "registered_models",
    "units",
    "sweep",
    "open",
    "__version__",
]


def sweep(spec, store=None, **kwargs):
    """Run a parameter sweep spec on Dask into a resumable Zarr store.

    See :func:`fastspin.workflows.sweep.sweep`.
    """
    from fastspin.workflows.sweep import sweep as _sweep

    return _sweep(spec, store, **kwargs)


def open(store):  # noqa: A001  (mirrors xarray.open_dataset / zarr.open)
    """Open a sweep store as an ``xarray.Dataset``."""
    from fastspin.workflows.store import open_store

    return open_store(store)
