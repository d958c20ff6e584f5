"""Benchmark: a 1000-point, 6-parameter Meservey–Tedrow dI/dV fit.

fastspin.fit.fit_spectrum (the convolution engine, exact h/P/G_T Jacobian columns,
scipy least_squares) against the strongest common practice: lmfit (``leastsq``) around
``scipy.integrate.quad`` with a ``LowLevelCallable`` Numba cfunc integrand and breakpoints
at the gap edges, one quad per bias point and spin.  Same data, same starting values,
same run; both on one core.  Prints absolute times, the ratio, the load average, the
first-call (compile / cache-load) time separately, and how far apart the two fits'
best values are in units of fastspin's standard errors.

    python bench/bench_fit.py            # full baseline fit (about a minute)
    python bench/bench_fit.py --quick    # baseline timed on 3 residual evaluations only
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from fastspin import fit  # noqa: E402
from fastspin.physics import nis  # noqa: E402
from fastspin.units import BOLTZMANN, ELEMENTARY_CHARGE  # noqa: E402

TRUTH = {"delta": 0.2e-3, "h": 0.1e-3, "dynes": 0.2e-6, "P": 0.3, "T": 0.1, "G_T": 10e-6}
NOISE_S = 1e-8  # 1e-3 G_T


def spectrum(n: int = 1000, seed: int = 0) -> xr.DataArray:
    V = np.linspace(-0.6e-3, 0.6e-3, n)
    T_reduced = TRUTH["T"] * BOLTZMANN / (ELEMENTARY_CHARGE * TRUTH["delta"])
    clean = TRUTH["G_T"] * nis.conductance(V / TRUTH["delta"], 1.0, 0.5, 1e-3, TRUTH["P"], T_reduced)
    noisy = clean + np.random.default_rng(seed).normal(0.0, NOISE_S, n)
    return xr.DataArray(noisy * 1e6, dims="V", coords={"V": ("V", V * 1e3, {"units": "mV"})}, attrs={"units": "uS"})


def quad_baseline():
    """lmfit + quad(LowLevelCallable) model of the same dI/dV, in the same reduced units."""
    import lmfit
    from numba import carray, cfunc, types
    from scipy import LowLevelCallable
    from scipy.integrate import quad

    from fastspin.kernels.dos import bcs_dos

    @cfunc(types.double(types.intc, types.CPointer(types.double)))
    def integrand(n, xx):
        a = carray(xx, (n,))
        energy, delta, shift, dynes, bias, T = a[0], a[1], a[2], a[3], a[4], a[5]
        u = (energy - bias) / (2.0 * T)
        if abs(u) > 40.0:
            return 0.0
        c = math.cosh(u)
        return bcs_dos(energy + shift, delta, dynes) / (4.0 * T * c * c)

    function = LowLevelCallable(integrand.ctypes)

    def conductance(V, delta, h, dynes, P, T, G_T):
        out = np.empty(V.size)
        for i, bias in enumerate(V):
            total = 0.0
            for spin, weight in ((1.0, 0.5 * (1 + P)), (-1.0, 0.5 * (1 - P))):
                lo, hi = bias - 40 * T, bias + 40 * T
                edges = [e for e in (-delta - spin * h, delta - spin * h) if lo < e < hi]
                value, _ = quad(function, lo, hi, args=(delta, spin * h, dynes, bias, T),
                                points=edges or None, limit=200, epsabs=1e-10, epsrel=1e-6)
                total += weight * value
            out[i] = G_T * total
        return out

    return lmfit, conductance


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="time the baseline on 3 evaluations only")
    args = parser.parse_args()
    data = spectrum()
    sigma = f"{NOISE_S * 1e6} uS"

    start = time.perf_counter()
    fit.fit_spectrum(data, sigma=sigma)
    first = time.perf_counter() - start
    times = []
    for _ in range(3):
        start = time.perf_counter()
        ours = fit.fit_spectrum(data, sigma=sigma)
        times.append(time.perf_counter() - start)
    ours_s = min(times)
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    print(f"fastspin fit, first call (compile or cache load + fit): {first:.2f} s")
    print(f"fastspin fit, warm: best {ours_s:.3f} s, all {[round(t, 3) for t in times]} "
          f"({ours.nfev} evaluations, reduced chi^2 {ours.redchi:.3f})")

    lmfit, conductance = quad_baseline()
    e0 = 0.2e-3  # energy unit of the baseline (eV): Delta ~ 1, as in fastspin's reduced units
    V = data.V.values * 1e-3 / e0
    y = data.values  # uS
    start_values = ours.start
    params = lmfit.Parameters()
    reduce = {"delta": 1 / e0, "h": 1 / e0, "dynes": 1 / e0, "T": BOLTZMANN / (ELEMENTARY_CHARGE * e0), "P": 1.0, "G_T": 1e6}
    bounds = {"delta": (0, None), "h": (0, None), "dynes": (1e-9, None), "P": (-1, 1), "T": (1e-6, None), "G_T": (0, None)}
    for name, value in start_values.items():
        lo, hi = bounds[name]
        params.add(name, value=value * reduce[name], min=-np.inf if lo is None else lo, max=np.inf if hi is None else hi)

    def residual(p):
        return (conductance(V, *(p[n].value for n in ("delta", "h", "dynes", "P", "T", "G_T"))) - y) / (NOISE_S * 1e6)

    values = params.valuesdict()
    conductance(V[:2], *(values[n] for n in ("delta", "h", "dynes", "P", "T", "G_T")))  # compile the cfunc path
    if args.quick:
        start = time.perf_counter()
        for _ in range(3):
            residual(params)
        per_eval = (time.perf_counter() - start) / 3
        estimate = per_eval * ours.nfev * (1 + len(ours.free))
        print(f"lmfit + quad(LowLevelCallable): {per_eval:.3f} s per residual evaluation; "
              f"at fastspin's {ours.nfev} iterations with a forward-difference Jacobian "
              f"(7 evaluations each) that is >= {estimate:.1f} s")
        print(f"ratio (baseline estimate / fastspin warm): {estimate / ours_s:.0f}x")
        return
    start = time.perf_counter()
    baseline = lmfit.minimize(residual, params, method="leastsq")
    baseline_s = time.perf_counter() - start
    print(f"lmfit + quad(LowLevelCallable) fit: {baseline_s:.2f} s ({baseline.nfev} evaluations, "
          f"reduced chi^2 {baseline.redchi:.3f})")
    print(f"ratio (baseline / fastspin warm): {baseline_s / ours_s:.0f}x")
    worst = max(
        abs(baseline.params[n].value / reduce[n] - ours.values[n]) / ours.stderr[n] for n in ours.free
    )
    print(f"largest difference of the two fits' best values: {worst:.3f} standard errors")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
