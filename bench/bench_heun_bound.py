"""Benchmark: how close the macrospin engine runs to the arithmetic bound of its step.

One core, the perpendicular junction of ``bench_llg.py`` (easy axis, polarizer and
field along z, thermal field and spin torque on), 1024 trajectories side by side.
Nanoseconds per trajectory step, four ways:

* engine: :func:`fastspin.physics.macrospin.run_ensemble` (serial), everything
  included (lane refills, switching watch, outputs);
* engine single: the same with ``precision="single"`` (a float32 state);
* engine step: the engine's own normals (:func:`fastspin.kernels.rng.normals_next`,
  three float32 normals per step) and its own Heun lanes
  (:func:`fastspin.kernels.llg._heun_lanes`, float64, with the switching watch), called
  in a bare loop: the step without any bookkeeping;
* bare float64: the same normals and a Heun lane loop of the same arithmetic with
  nothing else (no watch, no drive arrays): the floor of a float64 engine;
* bare float32: that loop with a float32 state, fields and coefficients (square root
  and divide for the normalisation): what a float32 engine could reach at best.

M steps per CPU-second = 1000 / (ns per step).  With cmtj installed the script also
times cmtj per CPU-second (Heun, the same junction, as ``bench_llg.py``) and prints
each line as a multiple of it: 50x cmtj per CPU-second needs the step at or below
1000 / (50 x cmtj rate) ns.  Best of ``--repeat``; the load average is printed
because the machine may be shared.

Usage::

    python bench/bench_heun_bound.py [--repeat 5] [--steps 100000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time

LANES = 1024


def bare_heun(float_type, renormalization):
    """A Numba lane loop: ``n_steps`` stochastic Heun steps of the axial macrospin
    (field h_z + (k - d_z) m_z ẑ, torque a p_z m × ẑ, thermal field noise·ξ) in
    ``float_type``, the normals drawn by the engine's generator every four steps."""
    import numpy as np
    from numba import njit

    from fastspin.kernels.elementary import prefer_wide_vectors
    from fastspin.kernels.llg import _precession_and_damping as rate
    from fastspin.kernels.rng import normals_next

    F = float_type

    @njit(error_model="numpy", fastmath={"contract"})
    def run(state, generators, words, normals, scratch, n_steps, coefficients):
        prefer_wide_vectors()
        dt, alpha, stiffness, apz, hz0, noise = coefficients
        step = F(-dt / (1.0 + alpha * alpha))
        half = F(0.5) * step
        al = F(alpha)
        kk = F(stiffness)
        ap = F(apz)
        h0 = F(hz0)
        nz = F(noise)
        sx, sy, sz = state[0], state[1], state[2]
        qx, qy, qz, g1x, g1y, g1z = scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5]
        for k in range(n_steps):
            phase = k & 3
            if phase == 0:
                normals_next(generators, words, normals)
            xx, xy, xz = normals[3 * phase], normals[3 * phase + 1], normals[3 * phase + 2]
            for lane in range(sx.shape[0]):  # predictor
                mx, my, mz = sx[lane], sy[lane], sz[lane]
                gx, gy, gz = rate(
                    mx, my, mz, ap * my + nz * xx[lane], -ap * mx + nz * xy[lane],
                    h0 + kk * mz + nz * xz[lane], al,
                )
                ux, uy, uz = mx + step * gx, my + step * gy, mz + step * gz
                inv = renormalization(ux * ux + uy * uy + uz * uz)
                qx[lane], qy[lane], qz[lane] = ux * inv, uy * inv, uz * inv
                g1x[lane], g1y[lane], g1z[lane] = gx, gy, gz
            for lane in range(sx.shape[0]):  # corrector
                mx, my, mz = qx[lane], qy[lane], qz[lane]
                gx, gy, gz = rate(
                    mx, my, mz, ap * my + nz * xx[lane], -ap * mx + nz * xy[lane],
                    h0 + kk * mz + nz * xz[lane], al,
                )
                ux = sx[lane] + half * (g1x[lane] + gx)
                uy = sy[lane] + half * (g1y[lane] + gy)
                uz = sz[lane] + half * (g1z[lane] + gz)
                inv = renormalization(ux * ux + uy * uy + uz * uz)
                sx[lane], sy[lane], sz[lane] = ux * inv, uy * inv, uz * inv
        return sz.sum()

    def arrays():
        return (start_state(F), *normal_buffers(), np.zeros((6, LANES), dtype=F))

    return run, arrays


def start_state(float_type):
    """m = ẑ in every lane, (3, LANES)."""
    import numpy as np

    state = np.zeros((3, LANES), dtype=float_type)
    state[2] = 1.0
    return state


def normal_buffers():
    """The engine's generator state (the same seed for every loop, so that they draw the
    same normals), its word scratch and twelve normals per lane."""
    import numpy as np

    from fastspin.kernels.rng import seed_lanes

    return (
        seed_lanes(np.uint32(1), np.uint32(2), 0, 0, LANES),
        np.empty((2, 6, LANES), np.uint32), np.empty((12, LANES), np.float32),
    )


def float32_inverse_sqrt():
    """1/sqrt(x) in float32 (square root and divide)."""
    import numpy as np
    from numba import njit

    @njit(inline="always", error_model="numpy")
    def inverse_sqrt(x):
        return np.float32(1.0) / np.sqrt(x)

    return inverse_sqrt


def engine_step():
    """The engine's normals and Heun lanes in a bare loop (no bookkeeping)."""
    from numba import njit

    from fastspin.kernels import llg
    from fastspin.kernels.rng import normals_next

    @njit
    def run(params, state, generators, words, normals, scratch, gaps, unswitched, n_steps, dt, noise):
        total = 0
        for k in range(n_steps):
            phase = k & 3
            if phase == 0:
                normals_next(generators, words, normals)
            total += llg._heun_lanes(
                params, state, normals[3 * phase : 3 * phase + 3], scratch[6:], dt, noise, True,
                True, scratch[:6], (0.0, 0.0, 1.0, -2.0, 1e3),
                (gaps[k & 1], gaps[(k + 1) & 1], unswitched),
            )
        return total

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100000)
    args = parser.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")

    import numpy as np
    from bench_llg import cmtj_available, layer_at, run_cmtj

    from fastspin.kernels.elementary import renormalization
    from fastspin.physics.macrospin import run_ensemble

    spin, dt = layer_at()
    noise = float(np.sqrt(2.0 * spin.alpha * spin.temperature / dt))
    coefficients = (dt, spin.alpha, spin.anisotropy - spin.demag[2], spin.stt * spin.polarizer[2],
                    spin.field[2] + spin.field_like * spin.stt * spin.polarizer[2], noise)  # fmt: skip
    steps = LANES * args.steps

    def timed(call) -> float:
        start = time.process_time()
        call()
        return (time.process_time() - start) / steps * 1e9

    compile_start = time.perf_counter()
    bare = {}
    for name, float_type, renorm in (
        ("bare float64", np.float64, renormalization),
        ("bare float32", np.float32, float32_inverse_sqrt()),
    ):
        run, arrays = bare_heun(float_type, renorm)
        bare[name] = (run, arrays)
    step_run = engine_step()
    params = spin.vector()

    def engine_arrays():
        scratch_and_drive = np.zeros((6 + 8, LANES))  # drive rows 0-2: field h + β a p, row 6: a
        scratch_and_drive[6 + 2] = spin.field[2] + spin.field_like * spin.stt * spin.polarizer[2]
        scratch_and_drive[6 + 6] = spin.stt
        return (
            start_state(np.float64), *normal_buffers(), scratch_and_drive, np.ones((2, LANES)),
            np.zeros(LANES),
        )

    # the loops integrate the same equation from the same normals: after 400 steps the
    # float64 loops agree to rounding and the float32 one to float32 precision
    reference = engine_arrays()
    step_run(params, *reference, 400, dt, noise)
    for name, (run, arrays) in bare.items():
        made = arrays()
        run(*made, 400, coefficients)
        print(f"{name} vs engine step after 400 steps: max |dm| = "
              f"{np.max(np.abs(made[0] - reference[0])):.1e}")  # fmt: skip
    engine = engine_arrays()
    step_run(params, *engine, 4, dt, noise)
    run_ensemble(spin, 16, seed=1, dt=dt, n_steps=8, parallel=False)
    run_ensemble(spin, 16, seed=1, dt=dt, n_steps=8, parallel=False, precision="single")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (1 min); "
          f"compile of the bench kernels {time.perf_counter() - compile_start:.1f} s")  # fmt: skip

    best = {}
    for _ in range(args.repeat):
        ns = {
            "engine": timed(lambda: run_ensemble(spin, LANES, seed=1, dt=dt, n_steps=args.steps, parallel=False)),
            "engine single": timed(lambda: run_ensemble(spin, LANES, seed=1, dt=dt, n_steps=args.steps,
                                                        parallel=False, precision="single")),
            "engine step": timed(lambda: step_run(params, *engine, args.steps, dt, noise)),
        }
        for name, (run, arrays) in bare.items():
            made = arrays()
            ns[name] = timed(lambda run=run, made=made: run(*made, args.steps, coefficients))
        for name, value in ns.items():
            best[name] = min(best.get(name, np.inf), value)
    cmtj = 0.0
    if cmtj_available():
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            pool.map(run_cmtj_warm, [0])
            for _ in range(2):
                cmtj = max(cmtj, run_cmtj(pool, 4, 100_000)[1])
        print(f"cmtj (Heun, 1 process): {cmtj / 1e6:.2f} M steps per CPU-second; "
              f"50x of it needs <= {1e9 / (50 * cmtj):.2f} ns per step")  # fmt: skip
    for name, value in best.items():
        rate = 1e3 / value
        ratio = f", {rate * 1e6 / cmtj:.0f}x cmtj" if cmtj else ""
        print(f"{name:>13}: {value:5.2f} ns per step, {rate:6.0f} M steps per CPU-second{ratio}")
    print(f"load average now {os.getloadavg()[0]:.2f}")


def run_cmtj_warm(_: int) -> None:
    """Import cmtj in the pool's process before anything is timed."""
    import cmtj  # noqa: F401


if __name__ == "__main__":
    main()
