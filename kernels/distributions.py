"""Fermi and Bose distribution functions and their derivatives.

All are written to be stable for any real argument (no overflow warnings, no
cancellation at large |x|), compiled with Numba, and usable both on scalars
(``fermi(x)``) and on arrays (``fermi_array(x)``).

Conventions: energies and temperatures in the same unit (Δ0 inside fastspin);
``fermi(E, T) = 1/(exp(E/T) + 1)``, ``bose(E, T) = 1/(exp(E/T) - 1)``.  ``T`` must be
positive; the callers (models) validate that.
"""

from __future__ import annotations

import math

from numba import njit, vectorize


@njit("float64(float64, float64)", cache=True, nogil=True)
def fermi(energy: float, temperature: float) -> float:
    """Fermi function f(E) = 1/(e^{E/T} + 1), exact to rounding for any E.

    Written as e^{-x}/(1 + e^{-x}) for x > 0 so that exp never overflows.
    """
    x = energy / temperature
    if x > 0.0:
        ex = math.exp(-x)
        return ex / (1.0 + ex)
    return 1.0 / (1.0 + math.exp(x))


@njit(cache=True, nogil=True)
def fermi_and_complement(energy: float, temperature: float) -> tuple[float, float]:
    """(f(E), 1 − f(E)) from one exponential, both to full relative precision.

    Bit-identical to (fermi(E, T), fermi(−E, T)).
    """
    x = energy / temperature
    tail = math.exp(-abs(x))
    below = tail / (1.0 + tail)
    above = 1.0 / (1.0 + tail)
    if x > 0.0:
        return below, above
    return above, below


@njit("float64(float64, float64)", cache=True, nogil=True)
def fermi_derivative(energy: float, temperature: float) -> float:
    """∂f/∂E = -1/(4T cosh²(E/2T)), stable for any E."""
    x = abs(energy / temperature)
    ex = math.exp(-x)
    return -ex / (temperature * (1.0 + ex) ** 2)


@njit("float64(float64, float64)", cache=True, nogil=True)
def fermi_complement(energy: float, temperature: float) -> float:
    """1 - f(E) = f(-E), without the cancellation of computing 1 - f."""
    return fermi(-energy, temperature)


@njit("float64(float64, float64)", cache=True, nogil=True)
def bose(energy: float, temperature: float) -> float:
    """Bose function n(E) = 1/(e^{E/T} - 1) for E != 0 (diverges as T/E at 0).

    Uses expm1 so that small |E|/T keeps full relative precision.
    """
    x = energy / temperature
    if x > 700.0:
        return 0.0 if x > 745.0 else math.exp(-x)
    return 1.0 / math.expm1(x)


@njit("float64(float64, float64)", cache=True, nogil=True)
def bose_derivative(energy: float, temperature: float) -> float:
    """∂n/∂E = -1/(4T sinh²(E/2T)), stable for any E != 0."""
    x = abs(energy / (2.0 * temperature))
    if x > 350.0:
        return -math.exp(-2.0 * x) / temperature
    s = math.sinh(x)
    return -1.0 / (4.0 * temperature * s * s)


@njit("float64(float64, float64)", cache=True, nogil=True)
def x_bose(energy: float, temperature: float) -> float:
    """E·n(E), the regular combination that appears in magnon integrals (→ T at E = 0)."""
    x = energy / temperature
    if x == 0.0:
        return temperature
    return energy * bose(energy, temperature)


@vectorize(["float64(float64, float64)"], cache=True)
def fermi_array(energy, temperature):  # pragma: no cover - thin ufunc wrapper
    """Elementwise :func:`fermi` as a NumPy ufunc."""
    return fermi(energy, temperature)


@vectorize(["float64(float64, float64)"], cache=True)
def bose_array(energy, temperature):  # pragma: no cover - thin ufunc wrapper
    """Elementwise :func:`bose` as a NumPy ufunc."""
    return bose(energy, temperature)


@vectorize(["float64(float64, float64)"], cache=True)
def fermi_derivative_array(energy, temperature):  # pragma: no cover
    """Elementwise :func:`fermi_derivative` as a NumPy ufunc."""
    return fermi_derivative(energy, temperature)


__all__ = [
    "fermi",
    "fermi_derivative",
    "fermi_complement",
    "bose",
    "bose_derivative",
    "x_bose",
    "fermi_array",
    "bose_array",
    "fermi_derivative_array",
]
