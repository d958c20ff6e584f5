"""Independent high-precision references for the kernels (pure Python + scipy/mpmath).

Nothing here imports fastspin: the DOS, the Fermi function and the integrals are
written again from the seeds' formulas, with complex square roots (not the real
arithmetic of the kernels) and scipy.integrate.quad with explicit breakpoints and
tight tolerances.
"""

from __future__ import annotations

import cmath
import math

from scipy.integrate import quad

TC = math.exp(0.57721566490153286) / math.pi


def dynes_dos(energy: float, delta: float, dynes: float) -> float:
    """|Re[(E + iΓ)/sqrt((E + iΓ)² − Δ²)]| (Eq. (1) of seed 004), complex arithmetic."""
    if delta == 0.0:
        return 1.0
    z = complex(energy, dynes)
    return abs((z / cmath.sqrt(z * z - delta * delta)).real)


def fermi(energy: float, temperature: float) -> float:
    x = energy / temperature
    if x > 0:
        return math.exp(-x) / (1.0 + math.exp(-x))
    return 1.0 / (1.0 + math.exp(x))


def graded(points, width: float, ratio: float = 10.0, reach: float = 1.0) -> list[float]:
    """Extra breakpoints p ± width·ratio^k (up to ``reach``) around each singular point.

    With Dynes Γ down to 1e-5 a DOS peak is far narrower than quad's first
    bisections; without these points quad reports round-off trouble.
    """
    out = list(points)
    for p in points:
        step = width
        while step < reach:
            out += [p - step, p + step]
            step *= ratio
    return out


def piecewise_quad(func, lo: float, hi: float, points) -> tuple[float, float]:
    """quad over [lo, hi] split at every breakpoint, each piece to 1e-13 relative."""
    edges = sorted({lo, hi, *(p for p in points if lo < p < hi)})
    total = 0.0
    error = 0.0
    for a, b in zip(edges[:-1], edges[1:], strict=False):
        value, err = quad(func, a, b, epsabs=1e-15, epsrel=1e-13, limit=4000)
        total += value
        error += err
    return total, error


def sis_spin_current(V, h, spin, delta_S, delta_Sm, T_S, T_Sm, dynes, weight_power=0):
    """½∫ (E − V)^n N_S(E − V) N0(E + σh) [f_S(E − V) − f_Sm(E)] dE (Eq. (2) of seed 004)."""

    def integrand(E):
        return (
            0.5
            * (E - V) ** weight_power
            * dynes_dos(E - V, delta_S, dynes)
            * dynes_dos(E + spin * h, delta_Sm, dynes)
            * (fermi(E - V, T_S) - fermi(E, T_Sm))
        )

    t_max = max(T_S, T_Sm)
    lo = min(V, 0.0) - 40 * t_max
    hi = max(V, 0.0) + 40 * t_max
    singular = [V - delta_S, V + delta_S, -spin * h - delta_Sm, -spin * h + delta_Sm]
    return piecewise_quad(integrand, lo, hi, graded(singular, dynes) + [V, 0.0])


def complex_piecewise_quad(func, lo: float, hi: float, points) -> complex:
    """:func:`piecewise_quad` of a complex integrand, real and imaginary parts separately."""
    real, _ = piecewise_quad(lambda x: func(x).real, lo, hi, points)
    imag, _ = piecewise_quad(lambda x: func(x).imag, lo, hi, points)
    return complex(real, imag)
