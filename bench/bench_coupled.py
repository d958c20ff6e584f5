"""Benchmark: the transport-coupled (torque-table) LLG kernel against the bare macrospin kernel.

Same run, same number of trajectories and steps, one thread each (serial kernels), both
with thermal noise on:

* bare: :func:`fastspin.physics.macrospin.run_ensemble` - uniaxial anisotropy, field,
  Slonczewski torque, thermal field (the generic macrospin engine);
* coupled: :func:`fastspin.physics.torque_table.run_table_ensemble` on the 3-D F-island
  table of :func:`fastspin.physics.fis3d.fis3d_table` with every torque on (τ_z, in-plane
  τ_x/τ_y, reactive τ'', Keldysh noise, anisotropy closure) - five cubic-spline fields
  interpolated twice per Heun step;
* coupled, axial: the same island with the in-plane torques off (an axially symmetric
  table: the kernel skips the two lab-frame fields), the case of the ``magnon_switching``
  model and of the axial limit.

Steps = trajectories × time steps.  Each kernel is timed best of ``--repeat``,
interleaved; compile (or cache load) time and the one-off table build time are printed
separately.  The 1-minute load average is printed because the machine may be shared.

Usage::

    python bench/bench_coupled.py [--trajectories 2048] [--steps 4000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=2048)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from fastspin.physics.fis3d import fis3d_table
    from fastspin.physics.macrospin import Macrospin, run_ensemble
    from fastspin.physics.torque_table import run_table_ensemble
    from fastspin.units import Tc

    spin = Macrospin(alpha=0.01, temperature=1 / 80, field=(0.0, 0.0, 0.1), stt=0.05,
                     field_like=0.1, polarizer=(0.0, 0.0, -1.0))  # fmt: skip
    start = time.perf_counter()
    table = fis3d_table(V=0.4, h=0.3, h_angle=2.3, h_azimuth=0.5, P=0.8, Omega=0.5,
                        T_S=0.5 * Tc, T_F=0.26 * Tc, dynes=1e-3, S=20.0, A0=0.01,
                        anisotropy=0.2, conductance=10.0)  # fmt: skip
    table_time = time.perf_counter() - start
    axial = fis3d_table(V=0.4, h=0.3, h_angle=2.3, P=0.8, Omega=0.5, T_S=0.5 * Tc,
                        T_F=0.26 * Tc, dynes=1e-3, S=20.0, A0=0.01, anisotropy=0.2,
                        conductance=10.0, in_plane=False)  # fmt: skip
    n, steps = args.trajectories, args.steps

    def bare() -> None:
        run_ensemble(spin, n, 1, dt=0.01, n_steps=steps, m0=(0.0, 0.0, 1.0))

    def coupled() -> None:
        run_table_ensemble(table, n, 1, dt=0.05, n_steps=steps, m0=(0.6, 0.0, 0.8))

    def coupled_axial() -> None:
        run_table_ensemble(axial, n, 1, dt=0.05, n_steps=steps, m0=(0.6, 0.0, 0.8))

    kernels = {"bare": bare, "coupled": coupled, "coupled, axial": coupled_axial}

    compile_times = {}
    for name in kernels:
        start = time.perf_counter()
        if name == "bare":
            run_ensemble(spin, 1, 0, dt=0.01, n_steps=4)
        else:
            run_table_ensemble(table if name == "coupled" else axial, 1, 0, dt=0.05, n_steps=4)
        compile_times[name] = time.perf_counter() - start
    best = dict.fromkeys(kernels, math.inf)
    for _ in range(args.repeat):
        for name, run in kernels.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    rates = {name: n * steps / t for name, t in best.items()}
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    print(f"trajectories {n}, steps {steps}, serial kernels, best of {args.repeat}")
    print(f"fis3d table build (65 angles, all torques): {table_time:.2f} s")
    for name in kernels:
        print(f"{name:15s} compile/cache load {compile_times[name]:6.2f} s   "
              f"{rates[name] / 1e6:7.2f} M steps/s   ({best[name]:.2f} s)")
    print(f"coupled / bare steps per second: {rates['coupled'] / rates['bare']:.2f} (target >= 0.5)")
    print(f"coupled, axial / bare: {rates['coupled, axial'] / rates['bare']:.2f}")


if __name__ == "__main__":
    main()
