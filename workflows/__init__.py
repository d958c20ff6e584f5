"""Sweeps and Monte Carlo on Dask, Zarr stores, resume and provenance.

* :mod:`fastspin.workflows.spec`    parse/validate a sweep spec, blocks, sha256 fingerprint,
  per-block seeds (``SweepSpec.block_seed``) and the stochastic-model contract;
* :mod:`fastspin.workflows.store`   the Zarr v3 store: layout, atomic creation, done flags,
  provenance attrs, ``open_store``, ``store_status``;
* :mod:`fastspin.workflows.runner`  embedded LocalCluster, ``tcp://`` scheduler,
  dask-jobqueue SLURM/PBS, the warm-up ``WorkerPlugin``;
* :mod:`fastspin.workflows.sweep`   ``sweep()`` itself (``fastspin.sweep``) and ``plan_text``.

Nothing is imported here, so ``import fastspin`` stays light; Dask is imported only
when a sweep runs.
"""
