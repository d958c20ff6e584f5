"""Throughput of the ``fis`` model (Ojajärvi et al. 2020) against a scipy quad reference, same run.

Evaluates all fis outputs (I_charge, heat_S, heat_F, torque_z, torque_x/y, torque_noise) on a
4-D block h × T × V × Ω (T_S = T_F = T, self-consistent gap) on one core, and the independent
scipy.integrate.quad reference of ``tests/test_fis.py`` on a sample of the same points.  The
ratio compares equal work: both get the same Δ(T, h); the model call including the gap
solves (once per distinct (T, h)) is printed too.  Prints compile time apart from run
time, points/s, the ratio, and the largest deviation on the sampled points (which must
stay within the engine's stated 1e-6 relative / 1e-9 absolute).

Run:  NUMBA_NUM_THREADS=1 /tmp/venv/bin/python bench/bench_fis.py [--size 4] [--samples 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_fis import CGF_POINT, OUTPUTS, REFERENCE_POINTS, _cgf_quad_reference, quad_reference  # noqa: E402

from fastspin.model import broadcast_params, get_model  # noqa: E402
from fastspin.units import Tc  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4, help="points per axis (block = size^4)")
    parser.add_argument("--samples", type=int, default=8, help="points timed with scipy quad")
    parser.add_argument("--dynes", type=float, default=1e-3)
    args = parser.parse_args()

    model = get_model("fis")
    n = args.size
    axes = {
        "h": np.linspace(-0.4, 0.4, n),
        "T_S": np.linspace(0.1, 0.7, n) * Tc,
        "V": np.linspace(-1.5, 1.5, n),
        "Omega": np.linspace(-1.2, 1.2, n),
    }
    values = model.validate({**axes, "dynes": args.dynes, "P": 0.8, "theta": 0.7, "h_angle": 0.0})
    block = broadcast_params(model, values, list(axes))
    block["T_F"] = block["T_S"]  # one temperature axis T = T_S = T_F
    n_points = block["V"].size

    start = time.perf_counter()
    model.warmup()
    compile_time = time.perf_counter() - start

    # warm the gap solver cache too, then time the block itself (best of 3)
    from fastspin.physics.fis import fis_currents, resolve_gap

    def best_time(func) -> float:
        func()
        func()
        times = []
        for _ in range(10):
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        return min(times)

    delta = resolve_gap(block["T_S"], block["h"], block["delta"])
    currents_args = [block[k] for k in ("V", "h", "h_angle", "P", "theta", "Omega", "T_S", "T_F", "dynes")]
    # the engine with Δ given, as the quad reference gets it (same inputs, same outputs)
    fast_time = best_time(lambda: fis_currents(*currents_args, delta=delta))
    fast_rate = n_points / fast_time
    # the whole model call: validation, Δ(T, h) solved for every distinct (T, h), outputs
    model_time = best_time(lambda: model.evaluate_block(block))
    gap_time = best_time(lambda: resolve_gap(block["T_S"], block["h"], block["delta"]))
    n_gaps = len({(t, abs(h)) for t, h in zip(block["T_S"].ravel(), block["h"].ravel(), strict=True)})
    result = model.evaluate_block(block)
    rng = np.random.default_rng(0)
    picks = rng.choice(n_points, size=min(args.samples, n_points), replace=False)
    print(f"fis block h x T x V x Omega = {n}^4 = {n_points} points, dynes = {args.dynes:g}, "
          f"all {len(OUTPUTS)} outputs, one core")
    print(f"  compile/warm-up          : {compile_time:8.3f} s")
    print(f"  fastspin fis (Δ given)   : {fast_time:8.4f} s  -> {fast_rate:10.1f} points/s")
    print(f"  model call incl. Δ(T, h) : {model_time:8.4f} s  -> {n_points / model_time:10.1f} points/s "
          f"({n_gaps} gap solves: {gap_time * 1e3:.1f} ms, {gap_time / n_gaps * 1e6:.0f} µs each)")
    # quad at its reference tolerance, and at the engine's accuracy (epsrel 1e-7: the sum of
    # panels then meets 1e-6 relative, which the deviation column checks)
    for label, epsrel, epsabs in (("quad epsrel 1e-12", 1e-12, 1e-14),
                                  ("quad epsrel 1e-7 ", 1e-7, 1e-10)):
        start = time.perf_counter()
        worst = 0.0
        for flat in picks:
            index = np.unravel_index(flat, block["V"].shape)
            point = {k: float(block[k][index]) for k in
                     ("V", "h", "h_angle", "P", "theta", "Omega", "T_S", "T_F", "dynes")}
            reference = quad_reference(**point, delta=float(delta[index]), epsrel=epsrel,
                                       epsabs=epsabs)
            for name in OUTPUTS:
                ref = reference[name]
                deviation = abs(float(result[name][index]) - ref) / max(1e-6 * abs(ref), 1e-9)
                worst = max(worst, deviation)
        quad_time = time.perf_counter() - start
        quad_rate = len(picks) / quad_time
        print(f"  scipy {label}  : {quad_time:8.3f} s for {len(picks)} points "
              f"-> {quad_rate:10.2f} points/s;  speed-up {fast_rate / quad_rate:8.1f} x;  "
              f"worst |fis - quad|/(1e-6 rel or 1e-9 abs) = {worst:.2g} "
              f"({'OK' if worst <= 1 else 'OUT OF TOLERANCE'})")

    cgf_accuracy()


def cgf_accuracy() -> None:
    """s_T of Eq. (20) at complex sources against the quad reference of tests/test_fis.py."""
    from fastspin.physics.fis import cumulant_generating_function

    cases = (
        ((0.3 + 0.1j, 1.3 + 2.0j, -0.8 + 0.5j, 0.25 - 0.2j, 0.4 + 0.1j), CGF_POINT, "generic complex sources"),
        ((0.2, 20 / REFERENCE_POINTS[1]["T_F"], 0.0, 0.1, 0.0), REFERENCE_POINTS[1], "Re(xi_S - xi_F) = 20/T_F"),
    )
    for sources, point, label in cases:
        start = time.perf_counter()
        value = cumulant_generating_function(*sources, **point)
        fast = time.perf_counter() - start
        start = time.perf_counter()
        reference = _cgf_quad_reference(*sources, **point)
        slow = time.perf_counter() - start
        error = max(abs(value.real - reference.real), abs(value.imag - reference.imag))
        print(f"  s_T {label}: |error| {error:.1e} (|s_T| = {abs(reference):.3g}); "
              f"fastspin {fast * 1e3:.2f} ms, quad {slow * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
