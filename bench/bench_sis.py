"""Benchmark of the sis I(V) kernels against scipy quad, measured in the same run.

    python bench/bench_sis.py            # full run (~1-2 min)
    python bench/bench_sis.py --quick    # fewer points

Prints, for Dynes Γ = 1e-4 Δ0, T_S = 0.7 Tc, T_Sm = 0.01 Tc, h = 0.4 Δ0:

* cold compile time (fresh NUMBA_CACHE_DIR, in a subprocess) and cached load time;
* per-point time of fastspin and of scipy quad with breakpoints at the DOS edges and
  Fermi steps computing the same outputs (I_up + I_down and heat_S: four integrals), at
  epsrel 1e-6 and 1e-8 (where quad's error first drops below ours), with the error of
  each against a 1e-13 graded-breakpoint reference; the curve ratios use the cheaper;
* a 2000-point I(V) curve on one core (serial kernel, NUMBA_NUM_THREADS irrelevant);
* the worst error over the accuracy box of the foundation issue.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.integrate import quad

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fastspin.kernels import convolution as cv  # noqa: E402
from fastspin.models.sis import sis_currents, sis_terms  # noqa: E402
from fastspin.physics.superconductor import gap  # noqa: E402

from reference import TC, dynes_dos, fermi, sis_spin_current  # noqa: E402

DYNES = 1e-4
T_S, T_SM, H = 0.7 * TC, 0.01 * TC, 0.4


def best_of(func, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def compile_times() -> tuple[float, float]:
    code = (
        "import time; t=time.perf_counter(); "
        "from fastspin.models.sis import SISJunction; SISJunction.warmup(); "
        "print(time.perf_counter()-t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
        warm = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
    return cold, warm


def quad_spin_current(V, spin, delta_S, delta_Sm, epsrel, weight_power=0):
    """The baseline a user would write: quad with breakpoints at edges and Fermi steps.

    ``weight_power`` 1 gives the spin-σ part of heat_S, ½∫(E − V)·…, as fastspin does.
    """

    def integrand(E):
        return 0.5 * (E - V) ** weight_power * dynes_dos(E - V, delta_S, DYNES) * dynes_dos(
            E + spin * H, delta_Sm, DYNES
        ) * (fermi(E - V, T_S) - fermi(E, T_SM))

    lo, hi = min(V, 0) - 40 * T_S, max(V, 0) + 40 * T_S
    points = sorted({V - delta_S, V + delta_S, -spin * H - delta_Sm, -spin * H + delta_Sm, V, 0.0})
    return quad(integrand, lo, hi, points=points, epsrel=epsrel, epsabs=1e-12, limit=2000)[0]


def quad_point(V, delta_S, delta_Sm, epsrel) -> tuple[float, float]:
    """(I_charge, heat_S) by quad: the same three outputs fastspin returns (four integrals)."""
    current = sum(quad_spin_current(V, s, delta_S, delta_Sm, epsrel) for s in (1.0, -1.0))
    heat = sum(quad_spin_current(V, s, delta_S, delta_Sm, epsrel, 1) for s in (1.0, -1.0))
    return current, heat


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_points = 12 if args.quick else 40

    cold, warm = compile_times()
    print(f"compile: cold {cold:.1f} s (fresh cache), cached load {warm:.2f} s")

    delta_S = float(gap(T_S, 0.0))
    delta_Sm = float(gap(T_SM, H))
    sis_currents(np.array([0.1]), H, delta_S, delta_Sm, T_S, T_SM, DYNES)  # warm
    rng = np.random.default_rng(0)
    voltages = np.sort(rng.uniform(0.02, 3.0, n_points))

    # fastspin single points (serial kernel, one call per point, Python overhead included)
    # against quad computing the same outputs (I_up + I_down and heat_S), at the usual
    # epsrel 1e-6 and at 1e-8, where quad's error first drops below ours
    tolerances = (1e-6, 1e-8)
    fast_times, fast_err = [], []
    quad_times = {eps: [] for eps in tolerances}
    quad_err = {eps: [] for eps in tolerances}
    for V in voltages:
        fast_times.append(
            best_of(lambda V=V: sis_currents(float(V), H, delta_S, delta_Sm, T_S, T_SM, DYNES, fold=False), 20)
        )
        ref_current = sum(sis_spin_current(V, H, s, delta_S, delta_Sm, T_S, T_SM, DYNES)[0] for s in (1.0, -1.0))
        ref_heat = sum(sis_spin_current(V, H, s, delta_S, delta_Sm, T_S, T_SM, DYNES, 1)[0] for s in (1.0, -1.0))
        fast = sis_currents(float(V), H, delta_S, delta_Sm, T_S, T_SM, DYNES, fold=False)

        def error(current, heat, ref_current=ref_current, ref_heat=ref_heat):
            return max(abs(current - ref_current) / max(abs(ref_current), 1e-3),
                       abs(heat - ref_heat) / max(abs(ref_heat), 1e-3))

        fast_err.append(error(float(fast["I_charge"]), float(fast["heat_S"])))
        for eps in tolerances:
            start = time.perf_counter()
            slow = quad_point(V, delta_S, delta_Sm, eps)
            quad_times[eps].append(time.perf_counter() - start)
            quad_err[eps].append(error(*slow))
    t_fast = float(np.median(fast_times))
    t_quad = {eps: float(np.median(quad_times[eps])) for eps in tolerances}
    print(f"single point (I_up, I_down, heat_S; Γ = {DYNES:g}) through the Python API: fastspin "
          f"{t_fast * 1e6:.0f} µs, worst error {max(fast_err):.1e} (vs a 1e-13 graded-breakpoint reference)")
    for eps in tolerances:
        print(f"  scipy quad epsrel {eps:g}, same outputs: {t_quad[eps] * 1e3:.2f} ms, worst error "
              f"{max(quad_err[eps]):.1e}; ratio {t_quad[eps] / t_fast:.0f}x")
    t_quad = min(t_quad.values())  # the cheaper quad setting for the per-point ratios below

    # whole bias curves
    V = np.linspace(-3.0, 3.0, 2000)
    t_curve = best_of(lambda: sis_currents(V, H, delta_S, delta_Sm, T_S, T_SM, DYNES), 3)
    t_curve_direct = best_of(lambda: sis_currents(V, H, delta_S, delta_Sm, T_S, T_SM, DYNES, fold=False), 2)
    print(f"2000-point I(V) on [-3, 3] Δ0/e, one core: {t_curve * 1e3:.0f} ms with ±V folding "
          f"({t_curve / 2000 * 1e6:.1f} µs/point), {t_curve_direct * 1e3:.0f} ms without; "
          f"per-point ratio vs quad {t_quad / (t_curve / 2000):.0f}x folded, "
          f"{t_quad / (t_curve_direct / 2000):.0f}x without")
    panels = [
        cv.integrate_terms_counted(t, 3, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL, cv.DEFAULT_MAX_PANELS)[2]
        for t in sis_terms(V[::20], H, delta_S, delta_Sm, T_S, T_SM, DYNES)
    ]
    print(f"  mean panels per point (15-node Kronrod and 20-node product panels): {np.mean(panels):.0f}")

    # accuracy box of the foundation issue
    worst = 0.0
    box = itertools.product(
        [1e-5, 1e-3, 1e-1], [(0.01 * TC, 0.01 * TC), (0.7 * TC, 0.01 * TC), (TC, 0.3 * TC)],
        [0.07, 0.17, 1.2, -3.9, 4.0],
    )
    for dynes, (ts, tsm), v in box:
        terms = sis_terms(v, 0.31, 0.83, 0.97, ts, tsm, dynes)[0]
        values, _ = cv.integrate(terms, 3)
        ref = sis_spin_current(v, 0.31, 1.0, 0.83, 0.97, ts, tsm, dynes)[0]
        worst = max(worst, abs(values[0] - ref) / max(abs(ref), 1e-3))
    print(f"accuracy box (Γ 1e-5..1e-1, T 0.01..1 Tc, |V| <= 4): worst error {worst:.1e} "
          "(relative, or absolute/1e-3 for |I| < 1e-3)")


if __name__ == "__main__":
    main()
