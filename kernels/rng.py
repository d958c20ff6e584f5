"""Random numbers for the stochastic engines: Philox4x32-10 keys, a xoshiro256++
stream per trajectory, and Box-Muller normals, in Numba.

Every random number of an ensemble is a pure function of
``(seed, stream, trajectory, index)``, so a trajectory can be replayed alone and an
ensemble is bit-identical for any number of threads, workers or blocks (Numba's own
per-thread random state would make ``prange`` results depend on the thread count).

Generators
----------
Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
1, 2, 3", SC'11), the counter-based generator of Random123, cuRAND and JAX, maps a
128-bit counter and a 64-bit key to 128 random bits; it passes TestU01 BigCrush for
any key and any counter sequence.  It is checked bit for bit against the Random123
known-answer vectors (``tests/kernels/test_rng.py``).  fastspin uses it where random
access matters:

* key  = (seed mod 2^32, seed >> 32)                       (64-bit seed)
* the start of each trajectory's normal stream (:func:`seed_lane`): counters
  (j, 0xC0000000, trajectory, stream), j = 0, 1;
* crossing-test uniforms (:func:`bridge_uniform`): counter
  (step mod 2^32, (step >> 32) | 2^31, trajectory, stream).

``trajectory`` and ``stream`` are 32-bit (trajectory < 2^32; ``stream`` lets a sweep
give every parameter point its own noise, or the same noise for common random
numbers).

The normals of a trajectory come from its own xoshiro256++ generator (Blackman and
Vigna, "Scrambled linear pseudorandom number generators", ACM Trans. Math. Softw. 47,
36 (2021); passes BigCrush; the default generator of Julia), started at the 256-bit
state given by Philox.  It costs about a third of a Philox block per 64 bits, with
64-bit integer operations only, so a loop over trajectories (lanes) vectorizes.

Normals
-------
Box-Muller on each 64-bit output (:func:`box_muller`): the high word w gives
u = (w + 1/2)·2^-32, strictly inside (0, 1), so r = sqrt(-2 ln u) is finite and bounded
by sqrt(66 ln 2) = 6.76 (the normal tail beyond 6.76 standard deviations, probability
1.4e-11, is absent); the low word gives the angle.  The logarithm and the sine/cosine
are polynomials with only multiplies and adds (so that a loop over lanes vectorizes at
full rate), compiled with FMA contraction; the normals agree with the libm Box-Muller
values of the same words to 1e-11 absolute and are reproducible for a given build and
CPU family.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from fastspin.kernels.distributions import _float64_bits, _float64_from_bits
from fastspin.kernels.elementary import horner, prefer_wide_vectors

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


# minimax fits (mpmath.chebyfit in φ² on [0, (π/4)²]), highest power first:
# sin φ = φ S(φ²), error 3.4e-12; cos φ = C(φ²), error 5.6e-14
_SIN_S = (
    2.7173456841089953e-06, -0.000198392022122311, 0.00833332878245888,
    -0.16666666631591165, 0.9999999999956731,
)  # fmt: skip
_COS_C = (
    -2.717342984102282e-07, 2.4798928755323667e-05, -0.0013888880393776424,
    0.04166666654391119, -0.49999999999351113, 0.9999999999999444,
)  # fmt: skip
_LOW30 = np.int64(0x3FFFFFFF)
_SIGN_BIT = np.int64(63)
_ONE = np.int64(1)
_THIRTY = np.int64(30)


# ln(1 + x) = x - x²/2 + x³ Q(x) on x in [1/√2 - 1, √2 - 1]: Q is the degree-13
# Chebyshev fit (mpmath.chebyfit) of (ln(1 + x) - x + x²/2)/x³, error 3.1e-12, i.e. a
# relative error of ln(1 + x) below 5.3e-13; highest power first
_LOG_Q = (
    -0.04124892005343358, 0.07904443071608373, -0.08032197574197558, 0.07659445697450744,
    -0.08226596716384772, 0.09083790220905262, -0.10005858756391627, 0.11111684701911222,
    -0.12499844248476906, 0.14285699272683683, -0.1666666847358702, 0.20000000128909037,
    -0.24999999993801425, 0.33333333333164633,
)  # fmt: skip


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def log_unit(word):
    """ln u for u = (w + 1/2)·2^-32, w a 32-bit word (int64 or its exact float64), branch-free.

    u is exact in float64; its exponent and mantissa bits give u = 2^e m with m in
    [1, 2), folded to [1/√2, √2); then ln m = x - x²/2 + x³ Q(x), x = m - 1 (exact), with
    the polynomial Q of ``_LOG_Q``: only multiplies and adds, no division.  Absolute
    error < 5e-13 over all 2^32 words, and relative error < 1e-12 (as u → 1, ln u → 0)
    (checked in tests/kernels/test_rng.py).
    """
    u = (np.float64(word) + 0.5) * _INV_2_32
    bits = _float64_bits(u)
    exponent = np.float64((bits >> np.int64(52)) - np.int64(1023))
    mantissa = _float64_from_bits((bits & _MANTISSA_BITS) | _EXPONENT_ONE)
    big = mantissa > 1.4142135623730951
    mantissa = mantissa * 0.5 if big else mantissa
    exponent = exponent + 1.0 if big else exponent
    x = mantissa - 1.0
    x2 = x * x
    return exponent * _LN2 + (x - 0.5 * x2 + x2 * x * horner(_LOG_Q, x))


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def unit_circle(word):
    """(cos ψ, sin ψ) for ψ = qπ/2 + φ from a 32-bit word w (int64): q = top two bits,
    φ = π/2·((rest + 1/2)·2^-30 - 1/2) in (-π/4, π/4); branch-free, error < 1e-13.

    The quadrant is applied with integer bit operations (swap and sign bits), so a lane
    loop needs no rounding or float comparisons."""
    q = word >> _THIRTY
    phi = (np.float64(word & _LOW30) + 0.5) * (_HALF_PI * _INV_2_30) - 0.25 * math.pi
    x2 = phi * phi
    s = phi * horner(_SIN_S, x2)
    c = horner(_COS_C, x2)
    swap = (q & _ONE) != 0
    x = s if swap else c
    y = c if swap else s
    # cos ψ < 0 for q = 1, 2; sin ψ < 0 for q = 2, 3
    flip_cos = ((q ^ (q >> _ONE)) & _ONE) << _SIGN_BIT
    flip_sin = (q >> _ONE) << _SIGN_BIT
    return (
        _float64_from_bits(_float64_bits(x) ^ flip_cos),
        _float64_from_bits(_float64_bits(y) ^ flip_sin),
    )


# ---- per-lane xoshiro256++ streams -------------------------------------------------
_XOSHIRO_SEED_BLOCKS = np.uint64(0xC0000000)
_BITS64 = np.uint64(64)


@njit(cache=True, nogil=True, inline="always")
def _rotl(x, k):
    """x rotated left by the (constant) k bits, both uint64."""
    return (x << k) | (x >> (_BITS64 - k))


@njit(cache=True, nogil=True, inline="always")
def xoshiro256pp(s0, s1, s2, s3):
    """One 64-bit output of xoshiro256++ and the next state (Blackman and Vigna,
    "Scrambled linear pseudorandom number generators", ACM Trans. Math. Softw. 47, 36
    (2021)); uint64 arithmetic, so a loop over lanes vectorizes."""
    out = _rotl(s0 + s3, np.uint64(23)) + s0
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, np.uint64(45))
    return out, s0, s1, s2, s3


@njit(cache=True, nogil=True)
def seed_lane(state, lane, k0, k1, stream, trajectory):
    """Start lane ``lane`` of ``state`` (4, L) on the stream of ``trajectory``.

    The 256-bit xoshiro state is the output of two Philox blocks, counters
    (j, 0xC0000000, trajectory, stream) for j = 0, 1 under the seed's key: a range that
    neither the crossing-test uniforms nor any earlier use of Philox reaches.  Every
    trajectory thus starts at an independent random point of the 2^256 - 1 period, so
    its normals are a function of (seed, stream, trajectory) alone.
    """
    t = np.uint64(trajectory)
    c3 = np.uint64(stream)
    a0, a1, a2, a3 = philox4x32_10(np.uint64(0), _XOSHIRO_SEED_BLOCKS, t, c3, k0, k1)
    b0, b1, b2, b3 = philox4x32_10(np.uint64(1), _XOSHIRO_SEED_BLOCKS, t, c3, k0, k1)
    state[0, lane] = a0 | (a1 << _SHIFT32)
    state[1, lane] = a2 | (a3 << _SHIFT32)
    state[2, lane] = b0 | (b1 << _SHIFT32)
    state[3, lane] = b2 | (b3 << _SHIFT32)
    if state[0, lane] == 0 and state[1, lane] == 0 and state[2, lane] == 0 and state[3, lane] == 0:
        state[0, lane] = np.uint64(1)  # the one state xoshiro cannot leave (probability 2^-256)


@njit(cache=True, nogil=True)
def seed_lanes(k0, k1, stream, first_trajectory, n_lanes):
    """A (4, n_lanes) generator state whose lane l runs the stream of trajectory
    first_trajectory + l (:func:`seed_lane`)."""
    state = np.zeros((4, n_lanes), dtype=np.uint64)
    for lane in range(n_lanes):
        seed_lane(state, lane, k0, k1, stream, first_trajectory + lane)
    return state


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def box_muller(word):
    """Two standard normals from one 64-bit word: the high 32 bits give the radius
    r = sqrt(-2 ln u) (:func:`log_unit`), the low 32 bits the angle (:func:`unit_circle`).
    Each equals the libm Box-Muller value to 1e-11 absolute (log 5e-13, sine and
    cosine 3.4e-12 absolute; the square root is the correctly rounded hardware one,
    which runs beside the multiply-add units)."""
    radius_word = np.float64(np.int64(word >> _SHIFT32))
    angle_word = np.int64(word & _MASK32)
    y = -2.0 * log_unit(radius_word)
    r = math.sqrt(y)
    c, s = unit_circle(angle_word)
    return r * c, r * s


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def normals_next(state, words, out):
    """The next ``out.shape[0]`` standard normals of every lane's stream.

    ``state`` (4, L) uint64 holds one xoshiro256++ state per lane (:func:`seed_lane`);
    ``words`` (n, L) uint64 is the caller's scratch for the generator outputs (allocated
    once, not per call); ``out`` (2n, L) receives, per lane, the next n Box-Muller pairs: ``out[2p, l]`` and
    ``out[2p + 1, l]`` come from output p of lane l's generator.  So normal j of a
    trajectory is a pure function of (seed, stream, trajectory, j), whichever lane and
    thread draws it.  The loops over lanes have no branches and no division or square
    root, and vectorize at the full register width.
    """
    prefer_wide_vectors()
    n_lanes = out.shape[1]
    n_pairs = out.shape[0] // 2
    r0 = state[0]
    r1 = state[1]
    r2 = state[2]
    r3 = state[3]
    # two passes: with the generator state, the words and the normals in one loop
    # LLVM cannot rule out that the arrays overlap and leaves the loop scalar
    for p in range(n_pairs):
        row = words[p]
        for lane in range(n_lanes):
            row[lane], r0[lane], r1[lane], r2[lane], r3[lane] = xoshiro256pp(
                r0[lane], r1[lane], r2[lane], r3[lane]
            )
    for p in range(n_pairs):
        row = words[p]
        za = out[2 * p]
        zb = out[2 * p + 1]
        for lane in range(n_lanes):
            za[lane], zb[lane] = box_muller(row[lane])


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
    up to an even number internally and the table cut back.
    """
    k0, k1 = seed_key(seed)
    n_pairs = (n_per_trajectory + 1) // 2
    work = np.empty((2 * n_pairs, n_trajectories))
    words = np.empty((n_pairs, n_trajectories), dtype=np.uint64)
    normals_next(seed_lanes(k0, k1, stream, first_trajectory, n_trajectories), words, work)
    return work[:n_per_trajectory].T.copy()


@njit(cache=True, nogil=True, parallel=True)
def normal_table_parallel(seed, stream, first_trajectory, n_trajectories, n_per_trajectory):
    """Thread-parallel :func:`normal_table` (one ``prange`` task per trajectory)."""
    out = np.empty((n_trajectories, n_per_trajectory))
    for i in prange(n_trajectories):
        out[i] = normal_table(seed, stream, first_trajectory + i, 1, n_per_trajectory)[0]
    return out
