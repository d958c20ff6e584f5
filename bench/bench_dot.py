"""Benchmark of the dot model (Ludwig et al.), against scipy in the same run.

    python bench/bench_dot.py

* first call (compile, or load from the Numba cache);
* the closed-form switching voltage Eq. (51) over 10⁶ points;
* one trajectory of Eq. (43) to t = 4000 ħ/Δ0: the compiled Dormand–Prince 5(4)
  integrator against scipy's RK45 with the same tolerances and the same compiled
  right-hand side, with the difference of the final angle;
* ``fastspin.evaluate`` with the settled dynamics, and the simulated V_sw vs Eq. (51).
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import solve_ivp

import fastspin
from fastspin.kernels import dot as dot_kernels
from fastspin.models import dot as dot_model


def timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def main() -> None:
    _, t_first = timed(lambda: fastspin.evaluate(dot_model.DotModel, V=[1.0], t_settle=10.0))
    print(f"first call (compile or cache load): {t_first:.2f} s")

    rates, fields = np.meshgrid(np.linspace(0.2, 4, 1000), np.linspace(0.1, 2, 1000))
    _, t_closed = timed(lambda: dot_model.switching_voltage(0.2, 1.0, rates, fields))
    print(f"V_sw closed form (Eq. 51), {rates.size} points: {t_closed * 1e3:.1f} ms "
          f"({t_closed / rates.size * 1e9:.1f} ns/point)")

    packed = dot_model._pack(dot_model._resolve({"V": 2.0}))
    start_state = np.array([2.5, 0.0, 1.0])
    times = np.array([0.0, 4000.0])
    for equilibrium in (False, True):
        repeats = 20
        start = time.perf_counter()
        for _ in range(repeats):
            states, n_steps = dot_kernels.integrate_dot(start_state, times, packed, equilibrium, 1e-9, 1e-12, 10**8)
        t_compiled = (time.perf_counter() - start) / repeats

        def rhs(_t, y, eq=equilibrium):
            return dot_kernels.dot_rhs(y, packed, eq)

        reference, t_scipy = timed(
            lambda rhs=rhs: solve_ivp(rhs, (0.0, 4000.0), start_state, method="RK45", rtol=1e-9, atol=1e-12)
        )
        label = "equilibrium (App. B)" if equilibrium else "non-equilibrium"
        print(f"{label}: compiled DP5(4) {t_compiled * 1e3:.2f} ms ({n_steps} steps), scipy RK45 "
              f"{t_scipy * 1e3:.0f} ms ({reference.nfev} evaluations), ratio {t_scipy / t_compiled:.0f}x, "
              f"|Δθ| = {abs(states[-1, 0] - reference.y[0, -1]):.1e}")

    _, t_eval = timed(
        lambda: fastspin.evaluate(dot_model.DotModel, V=np.linspace(0, 6, 100), theta_init=[0.3, 1.5, 2.8])
    )
    print(f"evaluate, 300 points with settled dynamics: {t_eval:.2f} s ({t_eval / 300 * 1e3:.1f} ms/point)")
    v_sw, t_sw = timed(dot_model.switching_voltage_simulated)
    print(f"simulated V_sw = {v_sw:.6f} vs Eq. (51) {float(dot_model.switching_voltage(0.2, 1, 1, 1)):.6f} "
          f"({t_sw:.2f} s)")


if __name__ == "__main__":
    main()
