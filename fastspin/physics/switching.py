"""Summary statistics of Monte Carlo switching: probability with its Wilson interval, times.

Used by the switching models of the transport-driven engine.  A trajectory has switched
when its first-switch time is finite (NaN: never within the run).
"""

from __future__ import annotations

import math

import numpy as np

#: two-sided 95 % standard-normal quantile
Z_95 = 1.959963984540054


def wilson_interval(n_switched: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson, J. Am. Stat. Assoc. 22, 209 (1927)).

    centre ± half with centre = (p + z²/2n)/(1 + z²/n),
    half = z sqrt(p(1 − p)/n + z²/4n²)/(1 + z²/n), p = n_switched/n; inside [0, 1] and
    non-degenerate at p = 0 or 1 (unlike the Wald interval).
    """
    if n < 1 or not (0 <= n_switched <= n):
        raise ValueError(f"n_switched = {n_switched}, n = {n}: need 0 <= n_switched <= n, n >= 1")
    p = n_switched / n
    denominator = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


#: the quantiles of the switching time reported
QUANTILES = (0.1, 0.5, 0.9)


def switching_summary(switch_time: np.ndarray) -> dict[str, float]:
    """P_sw = switched/N, its Wilson 95 % interval, the mean and the 10/50/90 % quantiles
    (linear interpolation) of the switched trajectories' first-switch times (NaN if none)."""
    times = np.asarray(switch_time, float)
    switched = times[np.isfinite(times)]
    n = times.size
    low, high = wilson_interval(switched.size, n)
    out = {
        "switching_probability": switched.size / n,
        "switching_probability_low": low,
        "switching_probability_high": high,
        "n_switched": float(switched.size),
        "mean_switch_time": float(switched.mean()) if switched.size else math.nan,
    }
    for q in QUANTILES:
        out[f"switch_time_q{int(round(100 * q))}"] = (
            float(np.quantile(switched, q)) if switched.size else math.nan
        )
    return out


__all__ = ["QUANTILES", "Z_95", "switching_summary", "wilson_interval"]
