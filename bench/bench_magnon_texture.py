"""Throughput of the ``magnon`` (Bender and Tserkovnyak 2015) and ``texture`` (Kohno et al.) models against scipy quad.

For each model: the first call of ``evaluate_block`` (compile or cache load) is timed
apart; then a block of points goes through the compiled block evaluator (all outputs,
one core), and a sample of the same points through the independent
scipy.integrate.quad references of ``tests/test_magnon.py`` / ``tests/test_texture.py``.
The quad peer computes only a *subset* of the integrals the kernel does per point
(magnon: the 3 M and 3 N integrals, not the 6 equilibrium/density ones; texture: a_T,
b_T and c, not a, b, C_1, L_0, L_1), so the printed speed-up is a lower bound.  The
largest deviation on the sampled points is printed too (must be within the tolerances
stated in the kernels' docstrings).

Run:  NUMBA_NUM_THREADS=1 /tmp/venv/bin/python bench/bench_magnon_texture.py [--points 4096] [--samples 6]
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

from test_magnon import BASE, transfer_reference  # noqa: E402
from test_texture import band_reference, fermi, minus_fermi_derivative, quad_pieces  # noqa: E402

from fastspin.kernels import magnon as km  # noqa: E402
from fastspin.model import get_model  # noqa: E402


def timed(func, *args):
    start = time.perf_counter()
    value = func(*args)
    return value, time.perf_counter() - start


def bench_magnon(n_points: int, n_samples: int, rng: np.random.Generator) -> dict[str, float]:
    model = get_model("magnon")
    block = {k: np.full(n_points, float(v)) for k, v in BASE.items()}
    block["T"] = rng.uniform(0.5, 20.0, n_points)
    block["T_e"] = block["T"] * rng.uniform(0.9, 1.1, n_points)
    block["gap"] = rng.uniform(0.0, 2.0, n_points)
    block["mu"] = -rng.uniform(0.0, 0.5, n_points)
    block["mu_s"] = rng.uniform(-1.0, 1.0, n_points)
    block["n_dot_n_prime"] = rng.uniform(-1.0, 1.0, n_points)
    first = {k: v[:1] for k, v in block.items()}
    _, t_first = timed(model.evaluate_block, first)
    out, t_block = timed(model.evaluate_block, block)
    worst = 0.0
    start = time.perf_counter()
    for i in range(n_samples):
        g, mu, t, te, ms = (block[k][i] for k in ("gap", "mu", "T", "T_e", "mu_s"))
        pref = BASE["g_r"] * km.magnon_dos_prefactor(BASE["stiffness"]) / (4 * np.pi * BASE["s"])
        for mu_ab, key in ((0.0, "M_pp"), (ms, "M_pm"), (-ms, "M_mp")):
            ref_m, scale_m = transfer_reference(g, mu, mu_ab, t, te, 0)
            transfer_reference(g, mu, mu_ab, t, te, 1)
            worst = max(worst, abs(out[key][i] / pref - ref_m) / scale_m)
    t_quad = (time.perf_counter() - start) / n_samples / 2  # transfer_reference also integrates |f|
    return {"first": t_first, "per_point": t_block / n_points, "quad_per_point": t_quad, "worst": worst}


def bench_texture(n_points: int, n_samples: int, rng: np.random.Generator) -> dict[str, float]:
    model = get_model("texture")
    block = {
        "eps_F": rng.uniform(2.0, 6.0, n_points), "M": np.full(n_points, 1.0),
        "T": rng.uniform(0.002, 0.1, n_points), "gamma_n": np.full(n_points, 0.05),
        "gamma_m": np.full(n_points, 0.01), "energy": np.zeros(n_points),
    }
    first = {k: v[:1] for k, v in block.items()}
    _, t_first = timed(model.evaluate_block, first)
    out, t_block = timed(model.evaluate_block, block)
    worst = 0.0
    start = time.perf_counter()
    for i in range(n_samples):
        ef, t = block["eps_F"][i], block["T"][i]

        def fs(e, key, ef=ef):
            return band_reference(e, ef, 1.0, 0.05, 0.01)[key]

        lo, hi, edges = max(-45 * t, -(ef + 1.0)), 45 * t, [0.0, 1.0 - ef]
        a_t = quad_pieces(lambda e, t=t, fs=fs: minus_fermi_derivative(e, t) * e * fs(e, "sigma_s"), lo, hi, edges)
        quad_pieces(lambda e, t=t, fs=fs: minus_fermi_derivative(e, t) * e * fs(e, "beta") * fs(e, "sigma_s"), lo, hi, edges)
        quad_pieces(lambda e, t=t, fs=fs: fermi(e, t) * fs(e, "C"), -(ef + 1.0), hi, edges)
        worst = max(worst, abs(out["a_T"][i] / a_t - 1))
    t_quad = (time.perf_counter() - start) / n_samples
    return {"first": t_first, "per_point": t_block / n_points, "quad_per_point": t_quad, "worst": worst}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=4096, help="points per block")
    parser.add_argument("--samples", type=int, default=6, help="points timed with scipy quad")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    rows = [
        ("magnon", bench_magnon(args.points, args.samples, rng), "M_ab rel. to int|f|"),
        ("texture", bench_texture(args.points, args.samples, rng), "a_T relative"),
    ]
    print(f"block of {args.points} points, {args.samples} quad samples, one core")
    print(f"{'model':8} {'first call s':>12} {'kernel us/pt':>13} {'quad ms/pt':>11} {'speed-up':>9}  max deviation")
    for name, r, what in rows:
        print(
            f"{name:8} {r['first']:12.2f} {1e6 * r['per_point']:13.1f} {1e3 * r['quad_per_point']:11.1f} "
            f"{r['quad_per_point'] / r['per_point']:9.0f}  {r['worst']:.1e} ({what})"
        )


if __name__ == "__main__":
    main()
