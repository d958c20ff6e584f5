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
Box-Muller on each 64-bit output (:func:`box_muller`): the high 32 bits w give
u = (w + 1/2)·2^-32, strictly inside (0, 1), so r = sqrt(-2 ln u) is finite and bounded
by sqrt(66 ln 2) = 6.76 (the normal tail beyond 6.76 standard deviations, probability
1.4e-11, is absent); the low 32 bits give the angle.  The logarithm and the sine/cosine
are polynomials with only multiplies and adds (so that a loop over lanes vectorizes at
full rate), compiled with FMA contraction.

The normals are float32: each agrees with the libm (float64) Box-Muller value of the
same words to 4e-7·(1 + r) absolute (r the Box-Muller radius, at most 6.76), a change
of the distribution far below what any Monte Carlo average resolves (a bias of 4e-7
in a unit-variance mean takes ~10^14 samples to see at 3 standard errors), while a
512-bit register holds 16 of them instead of 8.  The engines integrate in float64;
only the thermal kicks are drawn in float32.  The normals are reproducible for a given
build and CPU family.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from fastspin.kernels.distributions import _float32_bits, _float32_from_bits
from fastspin.kernels.elementary import horner, prefer_wide_vectors

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint64(0x9E3779B9)
_PHILOX_W1 = np.uint64(0xBB67AE85)
_INV_2_32 = 1.0 / 4294967296.0


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


# Box-Muller in float32 (module docstring).  Minimax fits (mpmath.chebyfit), highest
# power first, rounded to float32: sin φ = φ S(φ²), error 3.1e-9, and cos φ = C(φ²),
# error 2.8e-8, in φ² on [0, (π/4)²]; ln(1 + x) = x - x²/2 + x³ Q(x) on
# x in [1/√2 - 1, √2 - 1], the error 1.8e-7 of Q a relative error of ln(1 + x) below 3e-8
_F32 = np.float32
_SIN_S = tuple(_F32(c) for c in (
    -0.000195039042508408, 0.00833203578559731, -0.16666650673996775, 0.9999999969177036,
))  # fmt: skip
_COS_C = tuple(_F32(c) for c in (
    -0.0013585779264842408, 0.04165501492488376, -0.4999985641918218, 0.9999999723284944,
))  # fmt: skip
_LOG_Q = tuple(_F32(c) for c in (
    -0.0790274377239344, 0.12622319849228378, -0.1299818376365153, 0.14214495923947962,
    -0.16641281463106392, 0.2000104509416068, -0.25000306422569796, 0.33333330728190674,
))  # fmt: skip
_HALF32 = _F32(0.5)
_ONE32 = _F32(1.0)
_ZERO32 = _F32(0.0)
_MINUS_TWO32 = _F32(-2.0)
_LN2_32 = _F32(math.log(2.0))
_SQRT2_32 = _F32(math.sqrt(2.0))
_QUARTER_PI32 = _F32(0.25 * math.pi)
_INV_2_32_F32 = _F32(2.0**-32)
_ANGLE_SCALE32 = _F32(0.5 * math.pi * 2.0**-30)
#: every float32 constant of the transform in one tuple (Q, S, C, then the scalars), an
#: argument of the lane loops of :func:`normals_next`: as compile-time constants LLVM
#: reloads each of them from the constant pool in every iteration (16 vector registers
#: on AVX2 hold fewer than the loop uses), as arguments they stay in registers or
#: spill to the stack once
BOX_MULLER_CONSTANTS = (
    *_LOG_Q, *_SIN_S, *_COS_C, _HALF32, _ONE32, _ZERO32, _MINUS_TWO32, _LN2_32, _SQRT2_32,
    _QUARTER_PI32, _INV_2_32_F32, _ANGLE_SCALE32,
)  # fmt: skip
_MANTISSA32 = np.int32(0x007FFFFF)
_EXPONENT_ONE32 = np.int32(0x3F800000)
_EXPONENT_BIAS32 = np.int32(127)
_I23 = np.int32(23)
_I31 = np.int32(31)
_I1 = np.int32(1)
#: words w >= this give u = (w + 1/2)·2^-32 >= 1/√2
_WORD_SQRT_HALF = np.uint32(0xB504F334)
_WORD_MAX = np.uint32(0xFFFFFFFF)
_LOW30 = np.uint32(0x3FFFFFFF)
_THIRTY = np.uint32(30)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def log_unit(word):
    """ln u in float32 for u = (w + 1/2)·2^-32, w a uint32 word, branch-free.

    u = 2^e m with m in [1/√2, √2) (exponent and mantissa bits of the float32 u), then
    ln m = x - x²/2 + x³ Q(x), x = m - 1, with the polynomial Q of ``_LOG_Q``: only
    multiplies and adds, no division.  For u >= 1/√2, x = -(1 - u) is taken from the
    integer 2^32 - 1 - w, exact in float32 to its rounding, so ln u keeps its relative
    accuracy as u → 1 (where float32 u itself is coarse).  Relative error < 3e-7 over
    all 2^32 words (tests/kernels/test_rng.py).
    """
    return _log_unit(word, BOX_MULLER_CONSTANTS)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _log_unit(word, k):
    """:func:`log_unit` with the constants ``k`` (:data:`BOX_MULLER_CONSTANTS`)."""
    half, one, zero, _, ln2, sqrt2, _, inv_2_32, _ = k[16:]
    u = (_F32(word) + half) * inv_2_32
    bits = _float32_bits(u)
    exponent = _F32((bits >> _I23) - _EXPONENT_BIAS32)
    mantissa = _float32_from_bits((bits & _MANTISSA32) | _EXPONENT_ONE32)
    big = mantissa > sqrt2
    mantissa = mantissa * half if big else mantissa
    exponent = exponent + one if big else exponent
    x = mantissa - one
    near_one = word >= _WORD_SQRT_HALF
    x = -(_F32(np.uint32(_WORD_MAX - word)) + half) * inv_2_32 if near_one else x
    exponent = zero if near_one else exponent
    x2 = x * x
    return exponent * ln2 + (x - half * x2 + x2 * x * horner(k[:8], x))


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def unit_circle(word):
    """(cos ψ, sin ψ) in float32 for ψ = qπ/2 + φ from a uint32 word w: q = top two
    bits, φ = π/2·((rest + 1/2)·2^-30 - 1/2) in (-π/4, π/4); branch-free, absolute
    error < 1.5e-7.

    The quadrant is applied with integer bit operations (swap and sign bits), so a lane
    loop needs no rounding or float comparisons."""
    return _unit_circle(word, BOX_MULLER_CONSTANTS)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _unit_circle(word, k):
    """:func:`unit_circle` with the constants ``k`` (:data:`BOX_MULLER_CONSTANTS`)."""
    half, _, _, _, _, _, quarter_pi, _, angle_scale = k[16:]
    q = np.int32(word >> _THIRTY)
    phi = (_F32(word & _LOW30) + half) * angle_scale - quarter_pi
    x2 = phi * phi
    s = phi * horner(k[8:12], x2)
    c = horner(k[12:16], x2)
    swap = (q & _I1) != 0
    x = s if swap else c
    y = c if swap else s
    # cos ψ < 0 for q = 1, 2; sin ψ < 0 for q = 2, 3
    flip_cos = ((q ^ (q >> _I1)) & _I1) << _I31
    flip_sin = (q >> _I1) << _I31
    return (
        _float32_from_bits(_float32_bits(x) ^ flip_cos),
        _float32_from_bits(_float32_bits(y) ^ flip_sin),
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
def box_muller(radius_word, angle_word):
    """Two standard normals (float32) from two uint32 words: r = sqrt(-2 ln u) from the
    first (:func:`log_unit`), the angle from the second (:func:`unit_circle`).  Each
    equals the libm Box-Muller value of the same words to 4e-7·(1 + r) absolute
    (tests/kernels/test_rng.py)."""
    return _box_muller(radius_word, angle_word, BOX_MULLER_CONSTANTS)


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _box_muller(radius_word, angle_word, k):
    """:func:`box_muller` with the constants ``k`` (:data:`BOX_MULLER_CONSTANTS`)."""
    r = np.sqrt(k[19] * _log_unit(radius_word, k))
    c, s = _unit_circle(angle_word, k)
    return r * c, r * s


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def normals_next(state, words, out):
    """The next ``out.shape[0]`` standard normals (float32) of every lane's stream.

    ``state`` (4, L) uint64 holds one xoshiro256++ state per lane (:func:`seed_lane`);
    ``words`` (2, n, L) uint32 is the caller's scratch for the generator outputs
    (allocated once, not per call); ``out`` (2n, L) float32 receives, per lane, the next
    n Box-Muller pairs: ``out[2p, l]`` and ``out[2p + 1, l]`` come from output p of lane
    l's generator (high 32 bits: radius, low 32 bits: angle).  So normal j of a
    trajectory is a pure function of (seed, stream, trajectory, j), whichever lane and
    thread draws it.  The loops over lanes have no branches and no division; the
    Box-Muller loop runs on 32-bit lanes only (16 per AVX-512 register).
    """
    prefer_wide_vectors()
    n_lanes = out.shape[1]
    n_pairs = out.shape[0] // 2
    r0 = state[0]
    r1 = state[1]
    r2 = state[2]
    r3 = state[3]
    high_words = words[0]
    low_words = words[1]
    # two passes: with the generator state, the words and the normals in one loop
    # LLVM cannot rule out that the arrays overlap and leaves the loop scalar; the
    # first pass splits each 64-bit output into two 32-bit rows so that the second
    # runs at the 32-bit vector width
    for p in range(n_pairs):
        high = high_words[p]
        low = low_words[p]
        for lane in range(n_lanes):
            w, r0[lane], r1[lane], r2[lane], r3[lane] = xoshiro256pp(
                r0[lane], r1[lane], r2[lane], r3[lane]
            )
            high[lane] = np.uint32(w >> _SHIFT32)
            low[lane] = np.uint32(w & _MASK32)
    _normal_pairs(words, out, BOX_MULLER_CONSTANTS)


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def _normal_pairs(words, out, k):
    """The Box-Muller pass of :func:`normals_next`, its constants ``k`` an argument
    (:data:`BOX_MULLER_CONSTANTS`)."""
    prefer_wide_vectors()
    n_lanes = out.shape[1]
    n_pairs = out.shape[0] // 2
    high_words = words[0]
    low_words = words[1]
    for p in range(n_pairs):
        high = high_words[p]
        low = low_words[p]
        za = out[2 * p]
        zb = out[2 * p + 1]
        for lane in range(n_lanes):
            za[lane], zb[lane] = _box_muller(high[lane], low[lane], k)


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
    work = np.empty((2 * n_pairs, n_trajectories), dtype=np.float32)
    words = np.empty((2, n_pairs, n_trajectories), dtype=np.uint32)
    normals_next(seed_lanes(k0, k1, stream, first_trajectory, n_trajectories), words, work)
    return work[:n_per_trajectory].T.copy()


@njit(cache=True, nogil=True, parallel=True)
def normal_table_parallel(seed, stream, first_trajectory, n_trajectories, n_per_trajectory):
    """Thread-parallel :func:`normal_table` (one ``prange`` task per trajectory)."""
    out = np.empty((n_trajectories, n_per_trajectory), dtype=np.float32)
    for i in prange(n_trajectories):
        out[i] = normal_table(seed, stream, first_trajectory + i, 1, n_per_trajectory)[0]
    return out
