"""Numba kernels: pure numerics on arrays and scalars.

No I/O, no Dask, no xarray, and no import from ``fastspin`` or
``fastspin.workflows``: dependencies point one way only.
"""
