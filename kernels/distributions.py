"""Fermi and Bose distribution functions and their derivatives.

All are written to be stable for any real argument (no overflow warnings, no
cancellation at large |x|), compiled with Numba, and usable both on scalars
(``fermi(x)``) and on arrays (``fermi_array(x)``).

The Fermi functions take their exponential from :func:`exp_minus`, a branch-free
e^(−y) that LLVM vectorises in the convolution engine's node loops (glibc's ``exp`` is
a scalar call, and for the cold electrode's |E|/T > 708 it also takes glibc's slow
underflow path).  Accuracy: 3e-16 relative against 40-digit mpmath, the same as glibc
(``tests/test_distributions.py``).

Conventions: energies and temperatures in the same unit (Δ0 inside fastspin);
``fermi(E, T) = 1/(exp(E/T) + 1)``, ``bose(E, T) = 1/(exp(E/T) - 1)``.  ``T`` must be
positive; the callers (models) validate that.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types, vectorize
from numba.extending import intrinsic


def _bitcast(result, argument, ir_type, doc):
    """An intrinsic that reinterprets the bits of a scalar of type ``argument`` as
    ``result`` (LLVM ``bitcast``: no conversion, no instruction on x86)."""

    @intrinsic
    def bitcast(typingctx, value):
        def codegen(context, builder, sig, args):
            return builder.bitcast(args[0], ir_type)

        return result(argument), codegen

    bitcast.__doc__ = doc
    return bitcast


_float64_bits = _bitcast(
    types.int64, types.float64, ir.IntType(64),
    "The IEEE-754 bit pattern of a float64 as an int64 (no conversion).",
)  # fmt: skip
_float64_from_bits = _bitcast(
    types.float64, types.int64, ir.DoubleType(),
    "The float64 with the given IEEE-754 bit pattern (inverse of ``_float64_bits``).",
)  # fmt: skip
_float32_bits = _bitcast(
    types.int32, types.float32, ir.IntType(32),
    "The IEEE-754 bit pattern of a float32 as an int32 (no conversion).",
)  # fmt: skip
_float32_from_bits = _bitcast(
    types.float32, types.int32, ir.FloatType(),
    "The float32 with the given IEEE-754 bit pattern (inverse of ``_float32_bits``).",
)  # fmt: skip


# Cody–Waite split of ln 2 (the high part has 32 significant bits, so k·LN2_HI is exact
# for |k| < 2^21) and the round-to-nearest shifter 1.5·2^52: adding it leaves
# round(y/ln 2) in the low mantissa bits, read back without a float → int conversion
# (which AVX2 lacks and would scalarise the loop).
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_SHIFTER = 6755399441055744.0
_SHIFTER_BITS = np.int64(0x4338000000000000)
#: e^(−y) is a normal double up to here; beyond it exp_minus returns 0
EXP_MINUS_LIMIT = 708.0


@njit("float64(float64)", cache=True, nogil=True, error_model="numpy")
def exp_minus(y: float) -> float:
    """e^(−y) for y ≥ 0, branch-free so that loops over it vectorise; 0 for y > 708.

    y = k ln 2 − r with |r| ≤ ln 2 / 2; e^r by its degree-13 Taylor polynomial
    (truncation 4e-18), times 2^(−k) assembled in the exponent bits.  Relative error
    ≤ 3e-16 (``tests/test_distributions.py``, against mpmath).  Past 708 the true value
    is below 3.3e-308 and the result is 0, as glibc's ``exp`` gives from 745 on; NaN
    gives NaN.
    """
    clamped = min(y, EXP_MINUS_LIMIT)
    shifted = clamped * _INV_LN2 + _SHIFTER
    k = shifted - _SHIFTER
    r = (k * _LN2_HI - clamped) + k * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    k_bits = _float64_bits(shifted) - _SHIFTER_BITS
    scale = _float64_from_bits((np.int64(1023) - k_bits) << np.int64(52))
    value = p * scale
    if y <= EXP_MINUS_LIMIT:
        return value
    return 0.0 if y > EXP_MINUS_LIMIT else math.nan  # NaN stays NaN


@njit("UniTuple(float64, 2)(float64)", cache=True, nogil=True, error_model="numpy")
def fermi_pair_of_ratio(x: float) -> tuple[float, float]:
    """(f, 1 − f) at x = E/T, f = 1/(e^x + 1), both to 3e-16 relative for any x.

    One exponential t = e^{−|x|}: t/(1 + t) above the step and 1/(1 + t) below it, so
    that it never overflows and neither tail loses relative precision; branch-free
    (vectorises in node loops).  The one Fermi function every other one calls.
    """
    tail = exp_minus(abs(x))
    below_step = 1.0 / (1.0 + tail)
    above_step = tail * below_step
    if x > 0.0:
        return above_step, below_step
    return below_step, above_step


@njit("float64(float64, float64)", cache=True, nogil=True, error_model="numpy")
def fermi(energy: float, temperature: float) -> float:
    """Fermi function f(E) = 1/(e^{E/T} + 1), to 3e-16 relative for any E."""
    return fermi_pair_of_ratio(energy / temperature)[0]


@njit(cache=True, nogil=True, error_model="numpy")
def fermi_and_complement(energy: float, temperature: float) -> tuple[float, float]:
    """(f(E), 1 − f(E)) from one exponential, both to full relative precision.

    Bit-identical to (fermi(E, T), fermi(−E, T)).
    """
    return fermi_pair_of_ratio(energy / temperature)


@njit("float64(float64, float64)", cache=True, nogil=True, error_model="numpy")
def fermi_derivative(energy: float, temperature: float) -> float:
    """∂f/∂E = -1/(4T cosh²(E/2T)), stable for any E."""
    ex = exp_minus(abs(energy / temperature))
    return -ex / (temperature * (1.0 + ex) * (1.0 + ex))


@njit("float64(float64, float64)", cache=True, nogil=True, error_model="numpy")
def fermi_complement(energy: float, temperature: float) -> float:
    """1 - f(E) = f(-E), without the cancellation of computing 1 - f."""
    return fermi(-energy, temperature)


@njit("float64(float64, float64)", cache=True, nogil=True, error_model="numpy")
def bose(energy: float, temperature: float) -> float:
    """Bose function n(E) = 1/(e^{E/T} - 1) for E != 0 (diverges as T/E at 0).

    Uses expm1 so that small |E|/T keeps full relative precision.
    """
    x = energy / temperature
    if x > 700.0:
        return 0.0 if x > 745.0 else math.exp(-x)
    return 1.0 / math.expm1(x)


@njit("float64(float64, float64)", cache=True, nogil=True, error_model="numpy")
def bose_derivative(energy: float, temperature: float) -> float:
    """∂n/∂E = -1/(4T sinh²(E/2T)), stable for any E != 0."""
    x = abs(energy / (2.0 * temperature))
    if x > 350.0:
        return -math.exp(-2.0 * x) / temperature
    s = math.sinh(x)
    return -1.0 / (4.0 * temperature * s * s)


@njit("float64(float64, float64)", cache=True, nogil=True, error_model="numpy")
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
    "exp_minus",
    "fermi_pair_of_ratio",
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
