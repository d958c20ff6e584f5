"""Sweeps and Monte Carlo on Dask, Zarr stores, resume and provenance."""
