"""Benchmark: stochastic-Heun macrospin steps per second, fastspin vs cmtj, same run.

Both codes integrate the same perpendicular STT free layer (SI parameters below) with
the thermal field and Slonczewski spin torque on, using both cores:

* fastspin: ``run_ensemble(..., parallel=True, n_tasks=2)`` (the ``prange`` kernel,
  up to 1024 trajectories side by side per thread);
* cmtj (C++, ``pip install cmtj``; the ``bench`` extra): one ``Junction`` per
  trajectory with ``SolverMode.Heun``, run through a 2-process ``multiprocessing.Pool``.

The layer has its easy axis and polarizer along z, for which fastspin has a kernel
without their zero components; the same ensemble with the polarizer tilted by 1e-9 rad
(the general-geometry kernel, which any tilted axis takes) is timed beside it, and so
is the same ensemble with a float32 state (``precision="single"``, twice the lanes per
vector register; every statistical test of the engine passes in both precisions).

A second, user-level figure of merit: the wall time to a switching-probability curve,
P_sw (m_z < 0 at the end of a 1 ns current pulse, from m = +z) at 20 current densities
across the switching range, each to ±1 % absolute at 95 % confidence, i.e.
N = 1.96²/(4·0.01²) = 9604 trajectories per current (the worst case p = 1/2), 1.9e9
steps in all.  fastspin runs the whole job (``run_ensemble`` per current, both
threads), in double and in single precision.  cmtj runs ``--fom-cmtj-sample``
trajectories per current (construction, run and log read included) on the 2-process
pool, and its time for the whole job is that wall time × 9604/sample (trajectories
are independent, so the time is linear in their number); its P_sw from the sample is
printed next to fastspin's as a check that both codes solve the same problem.

Steps are counted as (trajectories × time steps).  Wall-clock rates on 2 cores and
rates per CPU-second (process CPU time; less sensitive to other load on a shared
machine) are both printed; the codes are measured interleaved, best of ``--repeat``.  The first fastspin call compiles
the kernel into a fresh, temporary Numba cache (so the reported compile time is a real
compile, not a cache load; pass ``--warm-cache`` to use the normal cache).  The 1-minute
load average is printed because the machine may be shared.

Usage::

    /tmp/venv/bin/python bench/bench_llg.py [--trajectories 4096] [--steps 20000]
        [--cmtj-trajectories 16] [--cmtj-steps 200000] [--repeat 3] [--warm-cache]
        [--fom-cmtj-sample 32] [--no-fom]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
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
# switching-probability figure of merit
FOM_PULSE_S = 1e-9
FOM_CURRENTS = tuple(-1.4e11 - 1.5e11 * i / 19 for i in range(20))  # A/m^2, P_sw ~ 0 … 1
FOM_HALF_WIDTH = 0.01  # absolute, at 95 %
FOM_Z95 = 1.959963984540054


def _cmtj_junction(seed: int, current: float):
    """The bench's free layer as a cmtj ``Junction`` with the given current density."""
    from cmtj import AxialDriver, CVector, Junction, Layer, constantDriver

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
    junction.setLayerCurrentDriver("free", constantDriver(current))
    junction.setLayerExternalFieldDriver(
        "free",
        AxialDriver(constantDriver(0.0), constantDriver(0.0), constantDriver(FIELD_T / 1.25663706212e-6)),
    )
    return junction


def _cmtj_trajectory(args: tuple[int, int]) -> float:
    """Run one cmtj trajectory of n steps; returns the CPU time it used."""
    import cmtj

    n_steps, seed = args
    junction = _cmtj_junction(seed, CURRENT)
    total = n_steps * TIME_STEP
    start = time.process_time()
    junction.runSimulation(total, TIME_STEP, total, solverMode=cmtj.SolverMode.Heun)
    return time.process_time() - start


def _cmtj_switched(args: tuple[float, int]) -> tuple[bool, float]:
    """One cmtj trajectory of the figure-of-merit job: (m_z < 0 after the pulse, CPU
    seconds of the whole trajectory: construction, run, log read)."""
    import cmtj

    current, seed = args
    cpu = time.process_time()
    junction = _cmtj_junction(seed, current)
    # logging every FOM_PULSE_S from 0 to just past the pulse records t = 0 and the end
    junction.runSimulation(FOM_PULSE_S + TIME_STEP, TIME_STEP, FOM_PULSE_S, solverMode=cmtj.SolverMode.Heun)
    log = junction.getLog()
    assert abs(log["time"][-1] - FOM_PULSE_S) < 2 * TIME_STEP, log["time"]
    return log["free_mz"][-1] < 0.0, time.process_time() - cpu


def fom_trajectories() -> int:
    """Trajectories per current for ±FOM_HALF_WIDTH at 95 % at any P_sw (worst case 1/2)."""
    return math.ceil(FOM_Z95**2 * 0.25 / FOM_HALF_WIDTH**2)


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


def layer_at(current: float = CURRENT):
    """The free layer of both codes in fastspin's reduced units, driven by ``current``
    (A/m^2), and the time step ``TIME_STEP`` in those units: (Macrospin, dt)."""
    from fastspin.physics.macrospin import Macrospin

    spin, units = Macrospin.from_SI(
        Ms=MS_TESLA / 1.25663706212e-6, volume=SURFACE * THICKNESS, K=K_ANIS, T=TEMPERATURE,
        alpha=ALPHA, thickness=THICKNESS, current_density=current, efficiency=POLARISATION,
        field_T=(0.0, 0.0, FIELD_T), demag_factors=(0.0, 0.0, 1.0), field_like=BETA,
    )  # fmt: skip
    return spin, TIME_STEP / units.time_s


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--cmtj-trajectories", type=int, default=16)
    parser.add_argument("--cmtj-steps", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warm-cache", action="store_true")
    parser.add_argument("--fom-cmtj-sample", type=int, default=32,
                        help="cmtj trajectories per current for the P_sw figure of merit")
    parser.add_argument("--no-fom", dest="fom", action="store_false",
                        help="skip the switching-probability figure of merit")
    args = parser.parse_args(argv)
    if not args.warm_cache:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="fastspin-bench-numba-")
    os.environ.setdefault("NUMBA_NUM_THREADS", "2")

    import numba
    import numpy as np

    from fastspin.physics.macrospin import Macrospin, run_ensemble

    def spin_at(current: float) -> Macrospin:
        return layer_at(current)[0]

    spin, dt = layer_at()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min)")
    print(f"problem: sigma = {spin.barrier:.1f}, stt field a = {spin.stt:.3g} H_K, "
          f"dt = {TIME_STEP:g} s = {dt:.3g} reduced, numba threads = {numba.get_num_threads()}")  # fmt: skip

    # the same layer with the polarizer tilted by 1e-9 rad: physically the same problem,
    # but it takes the general-geometry kernel instead of the one for n ∥ p ∥ z
    general = dataclasses.replace(spin, polarizer=(1e-9, 0.0, 1.0))

    def run(
        n_traj: int, n_steps: int, parallel: bool, layer=spin, precision: str = "double"
    ) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this process) of one fastspin ensemble."""
        start, cpu = time.perf_counter(), time.process_time()
        result = run_ensemble(
            layer, n_traj, seed=1, dt=dt, n_steps=n_steps, parallel=parallel, n_tasks=2,
            precision=precision,
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert np.all(np.isfinite(result.final_m))
        return elapsed, cpu

    compile_parallel = run(16, 8, True)[0]
    compile_serial = run(16, 8, False)[0]
    compile_single = run(16, 8, True, precision="single")[0]
    print(f"fastspin first call (compile, {'warm cache' if args.warm_cache else 'fresh cache'}): "
          f"parallel {compile_parallel:.2f} s, serial {compile_serial:.2f} s, "
          f"parallel single precision {compile_single:.2f} s")  # fmt: skip
    steps = args.trajectories * args.steps
    have_cmtj = cmtj_available()
    pool = multiprocessing.get_context("spawn").Pool(2) if have_cmtj else None
    if pool is not None:
        pool.map(_cmtj_trajectory, [(1000, s) for s in range(2)])  # start-up, imports
    run(16, 8, True, general)  # compile the general-geometry variant
    best = {"fs_wall": 0.0, "fs_cpu": 0.0, "serial": 0.0, "cm_wall": 0.0, "cm_cpu": 0.0,
            "general_wall": 0.0, "general_cpu": 0.0, "single_wall": 0.0, "single_cpu": 0.0}  # fmt: skip
    def keep_best(key: str, wall_rate: float, cpu_rate: float) -> None:
        best[f"{key}_wall"] = max(best[f"{key}_wall"], wall_rate)
        best[f"{key}_cpu"] = max(best[f"{key}_cpu"], cpu_rate)

    for _ in range(args.repeat):  # interleaved, so both see similar machine load
        for key, layer, precision in (("fs", spin, "double"), ("general", general, "double"),
                                      ("single", spin, "single")):  # fmt: skip
            wall, cpu = run(args.trajectories, args.steps, True, layer, precision)
            keep_best(key, steps / wall, steps / cpu)
        wall, _ = run(args.trajectories // 2, args.steps, False)
        best["serial"] = max(best["serial"], steps / 2 / wall)
        if pool is not None:
            keep_best("cm", *run_cmtj(pool, args.cmtj_trajectories, args.cmtj_steps))
    if pool is not None:
        pool.close()
    print(f"fastspin 2 threads: {best['fs_wall'] / 1e6:8.1f} M steps/s wall, "
          f"{best['fs_cpu'] / 1e6:.1f} M steps per CPU-second "
          f"(serial kernel, 1 thread: {best['serial'] / 1e6:.1f} M steps/s wall)")  # fmt: skip
    print(f"  general geometry: {best['general_wall'] / 1e6:8.1f} M steps/s wall, "
          f"{best['general_cpu'] / 1e6:.1f} M steps per CPU-second (polarizer tilted 1e-9 rad)")  # fmt: skip
    print(f"  single precision: {best['single_wall'] / 1e6:8.1f} M steps/s wall, "
          f"{best['single_cpu'] / 1e6:.1f} M steps per CPU-second (float32 state)")  # fmt: skip
    if pool is not None:
        print(f"cmtj 2 processes:   {best['cm_wall'] / 1e6:8.2f} M steps/s wall, "
              f"{best['cm_cpu'] / 1e6:.2f} M steps per CPU-second")  # fmt: skip
        print(f"ratio fastspin/cmtj: {best['fs_wall'] / best['cm_wall']:.1f}x wall, "
              f"{best['fs_cpu'] / best['cm_cpu']:.1f}x per CPU-second "
              f"(general geometry: {best['general_cpu'] / best['cm_cpu']:.1f}x, "
              f"single precision: {best['single_cpu'] / best['cm_cpu']:.1f}x per CPU-second; "
              f"{best['single_wall'] / best['cm_wall']:.1f}x wall)")  # fmt: skip
    for label, key in (("double", "fs"), ("single", "single")):
        wall_ok = best[f"{key}_wall"] >= 3e8
        ratio_ok = pool is not None and best[f"{key}_cpu"] >= 50 * best["cm_cpu"]
        print(f"targets ({label}): >= 300 M steps/s on 2 cores {'met' if wall_ok else 'NOT met'}, "
              f">= 50x cmtj per CPU-second {'met' if ratio_ok else 'NOT met'}")  # fmt: skip
    print(f"load average now {os.getloadavg()[0]:.2f}")
    if args.fom:
        switching_curve_figure(spin_at, dt, args.fom_cmtj_sample if have_cmtj else 0)
    sys.stdout.flush()


def switching_curve_figure(spin_at, dt: float, cmtj_sample: int) -> None:
    """Wall time to the P_sw curve (module docstring) for fastspin and cmtj."""
    import numpy as np

    from fastspin.physics.macrospin import run_ensemble

    n = fom_trajectories()
    n_steps = round(FOM_PULSE_S / TIME_STEP)
    print(f"switching-probability curve: {len(FOM_CURRENTS)} currents, N = {n} each "
          f"(±{FOM_HALF_WIDTH:.0%} at 95 %), {n_steps} steps per trajectory; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    timings = {}
    curves = {}
    for precision in ("double", "single"):
        start, cpu = time.perf_counter(), time.process_time()
        curve = []
        for i, current in enumerate(FOM_CURRENTS):
            result = run_ensemble(spin_at(current), n, seed=7, stream=i, dt=dt, n_steps=n_steps,
                                  parallel=True, precision=precision)  # fmt: skip
            curve.append(float(np.mean(result.final_m[:, 2] < 0.0)))
        timings[precision] = (time.perf_counter() - start, time.process_time() - cpu)
        curves[precision] = curve
        print(f"  fastspin ({precision}): {timings[precision][0]:.1f} s wall, "
              f"{timings[precision][1]:.1f} CPU-s for the curve "
              f"({len(FOM_CURRENTS) * n * n_steps / timings[precision][0] / 1e6:.0f} M steps/s wall)")  # fmt: skip
    p_fastspin = curves["double"]
    if cmtj_sample <= 0:
        return
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_cmtj_switched, [(FOM_CURRENTS[0], s) for s in range(2)])  # start-up, imports
        jobs = [(current, 1000 + s) for current in FOM_CURRENTS for s in range(cmtj_sample)]
        start = time.perf_counter()
        outcomes = pool.map(_cmtj_switched, jobs, chunksize=4)
        sample_wall = time.perf_counter() - start
    cm_wall = sample_wall * n / cmtj_sample
    cm_cpu = sum(cpu for _, cpu in outcomes) * n / cmtj_sample
    switched = [flag for flag, _ in outcomes]
    p_cmtj = np.array(switched, dtype=float).reshape(len(FOM_CURRENTS), cmtj_sample).mean(axis=1)
    # consistency of the two curves: z-scores of the cmtj sample against fastspin's P_sw
    p = np.clip(np.array(p_fastspin), 0.5 / n, 1.0 - 0.5 / n)
    z = (p_cmtj - p) / np.sqrt(p * (1.0 - p) / cmtj_sample + p * (1.0 - p) / n)
    print(f"  cmtj:     {sample_wall:.1f} s wall for {cmtj_sample} trajectories per current, "
          f"{cm_wall:.0f} s wall, {cm_cpu:.0f} CPU-s for the curve (x {n}/{cmtj_sample})")  # fmt: skip
    for precision, (fs_wall, fs_cpu) in timings.items():
        print(f"  ratio (time to the curve, cmtj/fastspin {precision}): {cm_wall / fs_wall:.1f}x wall, "
              f"{cm_cpu / fs_cpu:.1f}x CPU-seconds")  # fmt: skip
    print("  J [A/m^2]   P_sw fastspin   (single)   P_sw cmtj (sample)")
    for current, pf, ps, pc in zip(FOM_CURRENTS, p_fastspin, curves["single"], p_cmtj, strict=True):
        print(f"  {current:10.3e}   {pf:8.4f}      {ps:8.4f}    {pc:6.3f}")
    print(f"  largest |z| of the cmtj sample against fastspin: {np.max(np.abs(z)):.1f} "
          f"(chi^2 = {np.sum(z**2):.1f} for {len(z)} points); load average {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
