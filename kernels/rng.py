"""Counter-based random numbers: Philox4x32-10 and Box-Muller normals, in Numba.

Every random number of an ensemble is a pure function of
``(seed, stream, trajectory, index)``, so a trajectory can be replayed alone and an
ensemble is bit-identical for any number of threads, workers or blocks (Numba's own
per-thread random state would make ``prange`` results depend on the thread count).

Generator
---------
Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
1, 2, 3", SC'11), the counter-based generator of Random123, cuRAND and JAX.  It maps a
128-bit counter and a 64-bit key to 128 random bits; it passes TestU01 BigCrush for
any key and any counter sequence.  The implementation is checked bit for bit
against the Random123 known-answer vectors (``tests/kernels/test_rng.py``).

Layout used by fastspin:

* key  = (seed mod 2^32, seed >> 32)                       (64-bit seed)
* counter = (block mod 2^32, block >> 32, trajectory, stream)

* crossing-test uniforms (:func:`bridge_uniform`): counter
  (step mod 2^32, (step >> 32) | 2^31, trajectory, stream), a range the normals'
  blocks (< 2^63) never reach.

``trajectory`` and ``stream`` are 32-bit (trajectory < 2^32; ``stream`` lets a sweep
give every parameter point its own noise, or the same noise for common random
numbers).  ``block`` is 64-bit: one block yields four 32-bit words, i.e. four
normal deviates, so the normal number ``j`` of a trajectory is lane ``j & 3`` of
block ``j >> 2``.

Normals
-------
Box-Muller on the two word pairs of a block (:func:`normals_lanes`): u = (w + 1/2)·2^-32
lies strictly inside (0, 1), so r = sqrt(-2 ln u) is finite and bounded by
sqrt(66 ln 2) = 6.76; the normal tail beyond 6.76 standard deviations (probability
1.4e-11) is absent.  The logarithm and the sine/cosine are evaluated by polynomials
(so that a loop over trajectories vectorizes) and agree with the libm Box-Muller
values to 1e-10 absolute.  They use only multiplies, adds and one divide (no divisions
by constants, which LLVM may not turn into multiplies) and are compiled with FMA
contraction; so the normals are reproducible for a given build and CPU family, and
equal those of fastspin releases before the division-free kernels to 1.4e-15 (94 %
of them bit for bit).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from fastspin.kernels.distributions import _float64_bits, _float64_from_bits

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint64(0x9E3779B9)
_PHILOX_W1 = np.uint64(0xBB67AE85)
_HALF_PI = 0.5 * math.pi
_LN2 = math.log(2.0)
_INV_2_32 = 1.0 / 4294967296.0
_INV_2_30 = 1.0 / 1073741824.0
_MANTISSA_BITS = np.int64(0x000FFFFFFFFFFFFF)
_EXPONENT_ONE = np.int64(0x3FF0000000000000)


@njit(cache=True, nogil=True, inline="always")
def _philox_round(c0, c1, c2, c3, k0, k1):
    p0 = _PHILOX_M0 * c0
    p1 = _PHILOX_M1 * c2
    return (
        (p1 >> _SHIFT32) ^ c1 ^ k0,
        p1 & _MASK32,
        (p0 >> _SHIFT32) ^ c3 ^ k1,
        p0 & _MASK32,
    )


@njit(cache=True, nogil=True, inline="always")
def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Philox4x32 with 10 rounds on a 4-word counter and 2-word key.

    All arguments are integers holding 32-bit values; returns four ``np.uint64``
    holding the 32-bit output words (Random123 ``philox4x32_R(10, ctr, key)``).  The
    round loop has a constant trip count, so LLVM unrolls it and a loop over
    trajectories around a call still vectorizes.
    """
    c0 = np.uint64(c0)
    c1 = np.uint64(c1)
    c2 = np.uint64(c2)
    c3 = np.uint64(c3)
    k0 = np.uint64(k0)
    k1 = np.uint64(k1)
    for _ in range(9):  # a constant trip count: LLVM unrolls it fully
        c0, c1, c2, c3 = _philox_round(c0, c1, c2, c3, k0, k1)
        k0 = (k0 + _PHILOX_W0) & _MASK32
        k1 = (k1 + _PHILOX_W1) & _MASK32
    return _philox_round(c0, c1, c2, c3, k0, k1)


@njit(cache=True, nogil=True, inline="always")
def seed_key(seed):
    """Split a 64-bit integer seed into the two 32-bit Philox key words."""
    s = np.uint64(seed)
    return s & _MASK32, s >> _SHIFT32


@njit(cache=True, nogil=True, inline="always")
def _sincos_quarter(phi):
    """(cos φ, sin φ) for |φ| <= π/4 by Taylor polynomials; error < 1e-11."""
    x2 = phi * phi
    s = phi * (
        1.0
        + x2
        * (
            -1.0 / 6.0
            + x2
            * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362880.0 - x2 * (1.0 / 39916800.0))))
        )
    )
    c = 1.0 + x2 * (
        -0.5
        + x2
        * (
            1.0 / 24.0
            + x2
            * (-1.0 / 720.0 + x2 * (1.0 / 40320.0 + x2 * (-1.0 / 3628800.0 + x2 * (1.0 / 479001600.0))))
        )
    )
    return c, s


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def log_unit(word):
    """ln u for u = (w + 1/2)·2^-32, w a 32-bit word (int64 or its exact float64), branch-free.

    u is exact in float64; its exponent and mantissa bits give u = 2^e m with m in
    [1, 2), folded to [1/√2, √2); then ln m = 2 atanh((m-1)/(m+1)) by its series to
    13th order.  Absolute error < 5e-13 over all 2^32 words (checked in
    tests/kernels/test_rng.py).
    """
    u = (np.float64(word) + 0.5) * _INV_2_32
    bits = _float64_bits(u)
    exponent = np.float64((bits >> np.int64(52)) - np.int64(1023))
    mantissa = _float64_from_bits((bits & _MANTISSA_BITS) | _EXPONENT_ONE)
    big = mantissa > 1.4142135623730951
    mantissa = mantissa * 0.5 if big else mantissa
    exponent = exponent + 1.0 if big else exponent
    t = (mantissa - 1.0) / (mantissa + 1.0)
    t2 = t * t
    series = (
        2.0
        * t
        * (
            1.0
            + t2
            * (
                1.0 / 3.0
                + t2 * (0.2 + t2 * (1.0 / 7.0 + t2 * (1.0 / 9.0 + t2 * (1.0 / 11.0 + t2 * (1.0 / 13.0)))))
            )
        )
    )
    return exponent * _LN2 + series


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def unit_circle(word):
    """(cos ψ, sin ψ) for ψ = qπ/2 + φ from a 32-bit word w (int64 or its exact float64):
    q = top two bits, φ = π/2·((rest + 1/2)·2^-30 - 1/2) in (-π/4, π/4); branch-free,
    error < 1e-11.  Float arithmetic throughout (all steps exact), so that a lane loop
    needs no float/integer conversions."""
    w = np.float64(word)
    q = math.floor(w * _INV_2_30)
    f = (w - q * 1073741824.0 + 0.5) * _INV_2_30 - 0.5
    c, s = _sincos_quarter(f * _HALF_PI)
    high = math.floor(0.5 * q)
    swap = q - 2.0 * high
    sign_cos = 1.0 - 2.0 * abs(swap - high)
    sign_sin = 1.0 - 2.0 * high
    return (c + swap * (s - c)) * sign_cos, (s + swap * (c - s)) * sign_sin


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def normals_lanes(k0, k1, first_blocks, trajectories, stream, out):
    """Standard normals for a batch ("lanes") of trajectories.

    ``out`` has shape (4·n_blocks, L): ``out[4b + j, l]`` is lane j of Philox block
    ``first_blocks[l] + b`` of trajectory ``trajectories[l]``, i.e. normal number
    4·(first_blocks[l] + b) + j of that trajectory.  The loop over lanes has no branches
    and vectorizes (Philox, logarithm and sine/cosine are all inlined arithmetic).

    Box-Muller: words (w0, w1) and (w2, w3) of a block give r = sqrt(-2 ln u) with
    u = (w0 + 1/2)·2^-32 (:func:`log_unit`) and the angle ψ of :func:`unit_circle`;
    normals r cos ψ, r sin ψ.  Each equals the libm Box-Muller value to 1e-10
    absolute (checked in ``tests/kernels/test_rng.py``).
    """
    n_lanes = out.shape[1]
    c3 = np.uint64(stream)
    for b in range(out.shape[0] // 4):
        z0 = out[4 * b]
        z1 = out[4 * b + 1]
        z2 = out[4 * b + 2]
        z3 = out[4 * b + 3]
        for lane in range(n_lanes):
            block = np.uint64(first_blocks[lane] + b)
            w0, w1, w2, w3 = philox4x32_10(
                block & _MASK32, block >> _SHIFT32, np.uint64(trajectories[lane]), c3, k0, k1
            )
            r0 = math.sqrt(-2.0 * log_unit(np.int64(w0)))
            r1 = math.sqrt(-2.0 * log_unit(np.int64(w2)))
            c, s = unit_circle(np.int64(w1))
            z0[lane] = r0 * c
            z1[lane] = r0 * s
            c, s = unit_circle(np.int64(w3))
            z2[lane] = r1 * c
            z3[lane] = r1 * s


_BRIDGE_BLOCKS = np.uint64(0x80000000)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def bridge_uniform(k0, k1, stream, trajectory, step):
    """Uniform u = (w + 1/2)·2^-32 in (0, 1) of step ``step`` of a trajectory, for the
    crossing test between two time steps.

    Word 0 of the Philox block with counter (step mod 2^32, step >> 32 | 2^31,
    trajectory, stream): the top bit of the second counter word keeps these blocks
    apart from the normals (blocks < 2^63), so adding the test changes no normal.
    """
    s = np.uint64(step)
    w0, _, _, _ = philox4x32_10(
        s & _MASK32, (s >> _SHIFT32) | _BRIDGE_BLOCKS, np.uint64(trajectory), np.uint64(stream),
        k0, k1,
    )  # fmt: skip
    return (np.float64(np.int64(w0)) + 0.5) * _INV_2_32


@njit(cache=True, nogil=True)
def philox_words(seed, counters):
    """Raw Philox4x32-10 output for an array of counters (n, 4) under ``seed``.

    Returns an (n, 4) uint64 array of 32-bit words.  Used by the known-answer tests.
    """
    k0, k1 = seed_key(seed)
    out = np.empty((counters.shape[0], 4), dtype=np.uint64)
    for i in range(counters.shape[0]):
        w = philox4x32_10(
            counters[i, 0], counters[i, 1], counters[i, 2], counters[i, 3], k0, k1
        )
        out[i, 0] = w[0]
        out[i, 1] = w[1]
        out[i, 2] = w[2]
        out[i, 3] = w[3]
    return out


@njit(cache=True, nogil=True)
def normal_table(seed, stream, first_trajectory, n_trajectories, n_per_trajectory):
    """Normal deviates ``[i, j]``: normal number j of global trajectory first + i.

    Depends on (seed, stream, first + i, j) only.  ``n_per_trajectory`` is rounded
    up to a multiple of 4 internally and the table cut back.
    """
    k0, k1 = seed_key(seed)
    n_blocks = (n_per_trajectory + 3) // 4
    work = np.empty((4 * n_blocks, n_trajectories))
    blocks = np.zeros(n_trajectories, dtype=np.int64)
    trajectories = first_trajectory + np.arange(n_trajectories)
    normals_lanes(k0, k1, blocks, trajectories, stream, work)
    return work[:n_per_trajectory].T.copy()


@njit(cache=True, nogil=True, parallel=True)
def normal_table_parallel(seed, stream, first_trajectory, n_trajectories, n_per_trajectory):
    """Thread-parallel :func:`normal_table` (one ``prange`` task per trajectory)."""
    out = np.empty((n_trajectories, n_per_trajectory))
    for i in prange(n_trajectories):
        out[i] = normal_table(seed, stream, first_trajectory + i, 1, n_per_trajectory)[0]
    return out
