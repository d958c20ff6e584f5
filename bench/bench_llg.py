"""Benchmark: stochastic-Heun macrospin steps per second, fastspin vs cmtj, same run.

Both codes integrate the same perpendicular STT free layer (SI parameters below) with
the thermal field and Slonczewski spin torque on, using both cores:

* fastspin: ``run_ensemble(..., parallel=True, n_tasks=2)`` (the ``prange`` kernel,
  64 trajectories per SIMD group);
* cmtj (C++, ``pip install cmtj``; the ``bench`` extra): one ``Junction`` per
  trajectory with ``SolverMode.Heun``, run through a 2-process ``multiprocessing.Pool``.

Steps are counted as (trajectories × time steps).  Wall-clock rates on 2 cores and
rates per CPU-second (process CPU time; less sensitive to other load on a shared
machine) are both printed; the codes are measured interleaved, best of ``--repeat``.  The first fastspin call compiles
the kernel into a fresh, temporary Numba cache (so the reported compile time is a real
compile, not a cache load; pass ``--warm-cache`` to use the normal cache).  The 1-minute
load average is printed because the machine may be shared.

Usage::

    /tmp/venv/bin/python bench/bench_llg.py [--trajectories 4096] [--steps 20000]
        [--cmtj-trajectories 16] [--cmtj-steps 200000] [--repeat 3] [--warm-cache]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time

# SI parameters shared by both codes: CoFeB-like perpendicular free layer.
MS_TESLA = 1.0  # μ0 Ms
K_ANIS = 8.0e5  # J/m^3
THICKNESS = 1.5e-9  # m
SURFACE = (40e-9) ** 2  # m^2
ALPHA = 0.01
TEMPERATURE = 300.0  # K
CURRENT = -1.0e10  # A/m^2
POLARISATION = 0.6
BETA = 0.1  # field-like / damping-like
FIELD_T = 0.0125  # μ0 H_z [T]
TIME_STEP = 1e-13  # s


def _cmtj_trajectory(args: tuple[int, int]) -> float:
    """Run one cmtj trajectory of n steps; returns the CPU time it used."""
    import cmtj
    from cmtj import AxialDriver, CVector, Junction, Layer, constantDriver

    n_steps, seed = args
    demag = [CVector(0, 0, 0), CVector(0, 0, 0), CVector(0, 0, 1)]
    layer = Layer.createSTTLayer(
        "free", CVector(0, 0, 1), CVector(0, 0, 1), MS_TESLA, THICKNESS, SURFACE, demag,
        damping=ALPHA, SlonczewskiSpacerLayerParameter=1.0, beta=BETA,
        spinPolarisation=POLARISATION,
    )  # fmt: skip
    layer.setReferenceLayer(CVector(0, 0, 1))
    layer.setAnisotropyDriver(constantDriver(K_ANIS))
    layer.setTemperatureDriver(constantDriver(TEMPERATURE))
    layer.setSeed(seed)
    junction = Junction([layer])
    junction.setLayerCurrentDriver("free", constantDriver(CURRENT))
    junction.setLayerExternalFieldDriver(
        "free",
        AxialDriver(constantDriver(0.0), constantDriver(0.0), constantDriver(FIELD_T / 1.25663706212e-6)),
    )
    total = n_steps * TIME_STEP
    start = time.process_time()
    junction.runSimulation(total, TIME_STEP, total, solverMode=cmtj.SolverMode.Heun)
    return time.process_time() - start


def cmtj_available() -> bool:
    try:
        import cmtj  # noqa: F401
    except ImportError:
        print("cmtj: not installed (pip install 'fastspin[bench]')")
        return False
    return True


def run_cmtj(pool, n_traj: int, n_steps: int) -> tuple[float, float]:
    """(wall-clock rate, rate per CPU-second) of n_traj cmtj trajectories on the pool."""
    start = time.perf_counter()
    cpu = pool.map(_cmtj_trajectory, [(n_steps, s) for s in range(n_traj)], chunksize=1)
    steps = n_traj * n_steps
    return steps / (time.perf_counter() - start), steps / sum(cpu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--cmtj-trajectories", type=int, default=16)
    parser.add_argument("--cmtj-steps", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warm-cache", action="store_true")
    args = parser.parse_args(argv)
    if not args.warm_cache:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="fastspin-bench-numba-")
    os.environ.setdefault("NUMBA_NUM_THREADS", "2")

    import numba
    import numpy as np

    from fastspin.physics.macrospin import Macrospin, run_ensemble

    spin, units = Macrospin.from_SI(
        Ms=MS_TESLA / 1.25663706212e-6, volume=SURFACE * THICKNESS, K=K_ANIS, T=TEMPERATURE,
        alpha=ALPHA, thickness=THICKNESS, current_density=CURRENT, efficiency=POLARISATION,
        field_T=(0.0, 0.0, FIELD_T), demag_factors=(0.0, 0.0, 1.0), field_like=BETA,
    )  # fmt: skip
    dt = TIME_STEP / units.time_s
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"problem: sigma = {spin.barrier:.1f}, stt field a = {spin.stt:.3g} H_K, "
          f"dt = {TIME_STEP:g} s = {dt:.3g} reduced, numba threads = {numba.get_num_threads()}")  # fmt: skip

    def run(n_traj: int, n_steps: int, parallel: bool) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this process) of one fastspin ensemble."""
        start, cpu = time.perf_counter(), time.process_time()
        result = run_ensemble(
            spin, n_traj, seed=1, dt=dt, n_steps=n_steps, parallel=parallel, n_tasks=2
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert np.all(np.isfinite(result.final_m))
        return elapsed, cpu

    compile_parallel = run(16, 8, True)[0]
    compile_serial = run(16, 8, False)[0]
    print(f"fastspin first call (compile, {'warm cache' if args.warm_cache else 'fresh cache'}): "
          f"parallel {compile_parallel:.2f} s, serial {compile_serial:.2f} s")  # fmt: skip
    steps = args.trajectories * args.steps
    have_cmtj = cmtj_available()
    pool = multiprocessing.get_context("spawn").Pool(2) if have_cmtj else None
    if pool is not None:
        pool.map(_cmtj_trajectory, [(1000, s) for s in range(2)])  # start-up, imports
    best = {"fs_wall": 0.0, "fs_cpu": 0.0, "serial": 0.0, "cm_wall": 0.0, "cm_cpu": 0.0}
    for _ in range(args.repeat):  # interleaved, so both see similar machine load
        wall, cpu = run(args.trajectories, args.steps, True)
        best["fs_wall"] = max(best["fs_wall"], steps / wall)
        best["fs_cpu"] = max(best["fs_cpu"], steps / cpu)
        wall, _ = run(args.trajectories // 2, args.steps, False)
        best["serial"] = max(best["serial"], steps / 2 / wall)
        if pool is not None:
            wall_rate, cpu_rate = run_cmtj(pool, args.cmtj_trajectories, args.cmtj_steps)
            best["cm_wall"] = max(best["cm_wall"], wall_rate)
            best["cm_cpu"] = max(best["cm_cpu"], cpu_rate)
    if pool is not None:
        pool.close()
    print(f"fastspin 2 threads: {best['fs_wall'] / 1e6:8.1f} M steps/s wall, "
          f"{best['fs_cpu'] / 1e6:.1f} M steps per CPU-second "
          f"(serial kernel, 1 thread: {best['serial'] / 1e6:.1f} M steps/s wall)")  # fmt: skip
    if pool is not None:
        print(f"cmtj 2 processes:   {best['cm_wall'] / 1e6:8.2f} M steps/s wall, "
              f"{best['cm_cpu'] / 1e6:.2f} M steps per CPU-second")  # fmt: skip
        print(f"ratio fastspin/cmtj: {best['fs_wall'] / best['cm_wall']:.1f}x wall, "
              f"{best['fs_cpu'] / best['cm_cpu']:.1f}x per CPU-second")  # fmt: skip
    rate_parallel = best["fs_wall"]
    target = 5e7
    print(f"target >= 50 M steps/s on 2 cores: {'met' if rate_parallel >= target else 'NOT met'}; "
          f"load average now {os.getloadavg()[0]:.2f}")  # fmt: skip
    sys.stdout.flush()


if __name__ == "__main__":
    main()
