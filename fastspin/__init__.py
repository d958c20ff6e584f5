"""fastspin: spin-dependent tunnelling transport, thermoelectrics and stochastic
magnetization dynamics in superconductor/ferromagnet heterostructures.

Public API::

    fastspin.evaluate(model, **params)   # labelled xarray.Dataset
    fastspin.sweep(spec, store)          # distributed, resumable Zarr sweep
    fastspin.open(store)                 # the stored sweep as xarray.Dataset
    fastspin.registered_models()         # the model classes by name
    fastspin.units                       # Tc, CODATA constants, SI conversion
    fastspin.physics                     # the Python API of each physical system
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# first: Numba's cache location must be set before any kernel module is imported
from fastspin import _numba_cache

_numba_cache.configure()

from fastspin import units  # noqa: E402
from fastspin.evaluation import evaluate  # noqa: E402
from fastspin.model import Model, Output, Parameter, ParameterError  # noqa: E402
from fastspin.registry import get_model, registered_models  # noqa: E402
from fastspin.version import __version__  # noqa: E402

if TYPE_CHECKING:
    from fastspin.workflows.sweep import sweep

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
    "__version__",
]
# ``open`` is public but not in ``__all__``: ``from fastspin import *`` must not
# shadow the builtin ``open``.


def __getattr__(name: str) -> Any:
    # ``fastspin.sweep`` is the function of :mod:`fastspin.workflows.sweep` itself (real
    # signature and docstring), imported on first use so that ``import fastspin`` stays
    # free of Zarr and Dask, as xarray loads its backends.
    if name == "sweep":
        from fastspin.workflows.sweep import sweep

        return sweep
    raise AttributeError(f"module 'fastspin' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "sweep"})


def open(store):  # noqa: A001  (mirrors xarray.open_dataset; left out of __all__)
    """Open a sweep store as an ``xarray.Dataset``."""
    from fastspin.workflows.store import open_store

    return open_store(store)
