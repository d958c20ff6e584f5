"""Branch-free elementary functions that vectorise in Numba lane loops.

LLVM turns ``1/sqrt(x)`` into a hardware divide and square root, which have a low
throughput (one result per several cycles per vector) and dominate short arithmetic
kernels such as a stochastic Heun step.  These replacements use only multiplies, adds
and integer bit operations, so a loop over SIMD lanes stays vectorised at full rate.
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import intrinsic, overload

from fastspin.kernels.distributions import _float64_bits, _float64_from_bits

#: LLVM function attribute that lets the loop vectorizer use the full register width
#: of the CPU (512 bits with AVX-512) instead of the 256 bits it prefers by default
_WIDE_VECTORS = '"prefer-vector-width"="512"'


@intrinsic
def prefer_wide_vectors(typingctx):
    """Compile the calling function's loops for the widest vector registers.

    LLVM's x86 backend prefers 256-bit vectors even on AVX-512 CPUs (wide vectors
    lowered the clock of older server cores); for the long arithmetic lane loops of the
    stochastic engines the 512-bit registers are faster on current cores.  This sets
    the function attribute clang sets for ``-mprefer-vector-width=512`` on the calling
    function only; other Numba code of the process keeps LLVM's default.  A no-op on
    CPUs without AVX-512 and, should llvmlite change how it stores attributes, a
    no-op there too (the code is then only slower).
    """

    def codegen(context, builder, signature, args):
        try:
            set.add(builder.function.attributes, _WIDE_VECTORS)
        except TypeError:
            pass
        return context.get_dummy_value()

    return types.void(), codegen


@njit(cache=True, nogil=True, inline="always")
def horner(coefficients, x):
    """The polynomial with ``coefficients`` (a tuple, highest power first) at x, by
    Horner's rule; the loop over a constant tuple unrolls, so lane loops around it
    vectorize."""
    value = coefficients[0]
    for c in coefficients[1:]:
        value = value * x + c
    return value


# 64-bit "fast inverse square root" seed (Lomont, "Fast inverse square root", 2003):
# the bit pattern of x, halved and subtracted from this constant, approximates
# 1/sqrt(x) to 3.5 % relative for every positive normal double.
_RSQRT_MAGIC = np.int64(0x5FE6EB50C7B537A9)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _newton_inverse_sqrt(x, steps):
    """The bit-pattern seed of 1/sqrt(x) refined by ``steps`` (3 or 4, a constant)
    Newton steps y ← y(3/2 − x y²/2).  Written out, not looped: a loop inlined into
    an overload (:func:`renormalization`) trips Numba's IR scope check."""
    y = _float64_from_bits(_RSQRT_MAGIC - (_float64_bits(x) >> np.int64(1)))
    half_x = 0.5 * x
    y = y * (1.5 - half_x * y * y)
    y = y * (1.5 - half_x * y * y)
    y = y * (1.5 - half_x * y * y)
    if steps == 4:
        y = y * (1.5 - half_x * y * y)
    return y


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def inverse_sqrt(x):
    """1/sqrt(x) for positive normal doubles, branch-free.

    The bit-pattern seed (relative error ≤ 3.5e-2) is refined by four Newton steps
    y ← y(3/2 − x y²/2), each squaring the relative error: 1.8e-3, 4.7e-6, 3.3e-11,
    then rounding level.  Relative error ≤ 4e-16 (``tests/kernels/test_elementary.py``, against
    the correctly rounded 1/sqrt over 10^6 log-uniform arguments in [1e-300, 1e300]).
    """
    return _newton_inverse_sqrt(x, 4)


def renormalization(x):
    """1/sqrt(x) to 3.3e-11 relative (three Newton steps of :func:`inverse_sqrt`), the
    factor that brings a vector with |v|² = x back to unit length.

    For integrators that renormalise a unit vector every step: the length error
    (|v| = 1 − δ, 0 ≤ δ ≤ 3.3e-11) is set afresh by each renormalisation and never
    accumulates, and the fourth Newton step of :func:`inverse_sqrt` would be a tenth of
    the cost of a stochastic Heun step (``tests/kernels/test_elementary.py``).

    A float32 argument takes the hardware square root and divide instead, each
    correctly rounded (within 1.2e-7 relative of the exact 1/sqrt): in float32 they
    are cheaper than three Newton steps on AVX2 (8 lanes per register), where the
    Newton steps' multiplies compete with the rest of the Heun step for the FMA units.
    Called from Numba code; the pure-Python body is the reference.
    """
    return 1.0 / np.sqrt(x)


@overload(renormalization, inline="always")
def _renormalization_overload(x):
    # the bodies are inlined into the caller's IR (and take its fastmath flags, e.g. FMA
    # contraction in the lane loops)
    if x == types.float32:

        def single(x):
            return np.float32(1.0) / np.sqrt(x)

        return single

    def double(x):
        return _newton_inverse_sqrt(x, 3)

    return double


def same_float(x, reference):
    """x as the float type of ``reference`` (a float or an array of floats), in Numba
    code: one lane loop body serves float64 and float32 states, and no float64
    constant promotes a float32 loop to float64."""
    return type(reference)(x)


@overload(same_float)
def _same_float_overload(x, reference):
    target = reference.dtype if isinstance(reference, types.Array) else reference
    return lambda x, reference: target(x)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def add_samples(values, n_active, totals, hist):
    """One sample of ``values[:n_active]`` (a projection on [-1, 1] per lane): add each to
    its lane's running total and count it in the histogram of ``hist.size`` equal bins on
    [-1, 1] (values outside go to the end bins)."""
    nbins = hist.shape[0]
    for lane in range(n_active):
        u = values[lane]
        totals[lane] += u
        b = min(max(int((u + 1.0) * 0.5 * nbins), 0), nbins - 1)
        hist[b] += 1
