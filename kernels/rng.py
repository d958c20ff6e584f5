"""Counter-based random numbers: Philox4x32-10 and Box-Muller normals, in Numba.

Every random number of an ensemble is a pure function of
``(seed, stream, trajectory, index)``, so a trajectory can be replayed alone and an
ensemble is bit-identical for any number of threads, workers or blocks (the
requirement of DESIGN.md, "Kernel rules").

Generator
---------
Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as
1, 2, 3", SC'11), the counter-based generator of Random123, cuRAND and JAX.  It maps a
128-bit counter and a 64-bit key to 128 random bits; it passes TestU01 BigCrush for
any key and any counter sequence.  The implementation is checked bit for bit
against the Random123 known-answer vectors (``tests/test_rng.py``).

Layout used by fastspin:

* key  = (seed mod 2^32, seed >> 32)                       (64-bit seed)
* counter = (block mod 2^32, block >> 32, trajectory, stream)

``trajectory`` and ``stream`` are 32-bit (trajectory < 2^32; ``stream`` lets a sweep
give every parameter point its own noise, or the same noise for common random
numbers).  ``block`` is 64-bit: one block yields four 32-bit words, i.e. four
normal deviates, so the normal number ``j`` of a trajectory is lane ``j & 3`` of
block ``j >> 2``.

Normals
-------
Box-Muller on two 32-bit words: u = (k + 1/2)·2^-32 lies strictly inside (0, 1), so
r = sqrt(-2 ln u1) is finite and bounded by sqrt(66 ln 2) = 6.76; the normal tail beyond
6.76 standard deviations (probability 1.4e-11) is therefore absent, and the deviates are
exact Gaussians otherwise, up to the 2^-32 resolution of the uniforms.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
_PHILOX_M0 = np.uint64(0xD2511F53)
_PHILOX_M1 = np.uint64(0xCD9E8D57)
_PHILOX_W0 = np.uint64(0x9E3779B9)
_PHILOX_W1 = np.uint64(0xBB67AE85)
_HALF_PI = 0.5 * math.pi
_INV_2_32 = 1.0 / 4294967296.0
_INV_2_30 = 1.0 / 1073741824.0


@njit(cache=True, nogil=True, inline="always")
def philox4x32_10(c0, c1, c2, c3, k0, k1):
    """Philox4x32 with 10 rounds on a 4-word counter and 2-word key.

    All arguments are ``np.uint64`` holding 32-bit values; returns four ``np.uint64``
    holding the 32-bit output words (Random123 ``philox4x32_R(10, ctr, key)``).
    """
    for _ in range(10):
        p0 = _PHILOX_M0 * c0
        p1 = _PHILOX_M1 * c2
        hi0 = p0 >> _SHIFT32
        lo0 = p0 & _MASK32
        hi1 = p1 >> _SHIFT32
        lo1 = p1 & _MASK32
        c0 = hi1 ^ c1 ^ k0
        c1 = lo1
        c2 = hi0 ^ c3 ^ k1
        c3 = lo0
        k0 = (k0 + _PHILOX_W0) & _MASK32
        k1 = (k1 + _PHILOX_W1) & _MASK32
    return c0, c1, c2, c3


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
            * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362880.0 - x2 / 39916800.0)))
        )
    )
    c = 1.0 + x2 * (
        -0.5
        + x2
        * (
            1.0 / 24.0
            + x2
            * (-1.0 / 720.0 + x2 * (1.0 / 40320.0 + x2 * (-1.0 / 3628800.0 + x2 / 479001600.0)))
        )
    )
    return c, s


@njit(cache=True, nogil=True, inline="always")
def box_muller(w0, w1):
    """Two independent standard normals from two 32-bit words (Box-Muller).

    r = sqrt(-2 ln u1) with u1 = (w0 + 1/2)·2^-32.  The angle ψ = 2π u2 is built
    without libm sin/cos (which cost ~3x the rest): the top two bits of ``w1`` pick
    the quadrant q, the other 30 bits a uniform φ in (-π/4, π/4), ψ = qπ/2 + φ, and
    (cos φ, sin φ) come from degree-11/12 polynomials (error < 1e-11), rotated by q
    without branches.  The result equals r(cos ψ, sin ψ) to ~1e-11 absolute.
    """
    u1 = (np.float64(np.int64(w0)) + 0.5) * _INV_2_32
    r = math.sqrt(-2.0 * math.log(u1))
    q = w1 >> np.uint64(30)
    f = (np.float64(np.int64(w1 & np.uint64(0x3FFFFFFF))) + 0.5) * _INV_2_30 - 0.5
    c, s = _sincos_quarter(f * _HALF_PI)
    swap = np.float64(np.int64(q & np.uint64(1)))
    sign_cos = 1.0 - 2.0 * np.float64(np.int64((q ^ (q >> np.uint64(1))) & np.uint64(1)))
    sign_sin = 1.0 - 2.0 * np.float64(np.int64(q >> np.uint64(1)))
    cos_psi = (c * (1.0 - swap) + s * swap) * sign_cos
    sin_psi = (s * (1.0 - swap) + c * swap) * sign_sin
    return r * cos_psi, r * sin_psi


@njit(cache=True, nogil=True, inline="always")
def normals4(k0, k1, block, trajectory, stream):
    """Normals number 4·block … 4·block+3 of (key, trajectory, stream)."""
    b = np.uint64(block)
    w0, w1, w2, w3 = philox4x32_10(
        b & _MASK32, b >> _SHIFT32, np.uint64(trajectory), np.uint64(stream), k0, k1
    )
    z0, z1 = box_muller(w0, w1)
    z2, z3 = box_muller(w2, w3)
    return z0, z1, z2, z3


@njit(cache=True, nogil=True)
def philox_words(seed, counters):
    """Raw Philox4x32-10 output for an array of counters (n, 4) under ``seed``.

    Returns an (n, 4) uint64 array of 32-bit words.  Used by the known-answer tests.
    """
    k0, k1 = seed_key(seed)
    out = np.empty((counters.shape[0], 4), dtype=np.uint64)
    for i in range(counters.shape[0]):
        w = philox4x32_10(
            np.uint64(counters[i, 0]),
            np.uint64(counters[i, 1]),
            np.uint64(counters[i, 2]),
            np.uint64(counters[i, 3]),
            k0,
            k1,
        )
        out[i, 0] = w[0]
        out[i, 1] = w[1]
        out[i, 2] = w[2]
        out[i, 3] = w[3]
    return out


@njit(cache=True, nogil=True, inline="always")
def fill_normals(buffer, k0, k1, first_block, trajectory, stream):
    """Fill ``buffer`` (length a multiple of 4) with normals 4·first_block, 4·first_block+1, …

    This is the one place that defines which normal a kernel gets: normal ``j`` of a
    trajectory is lane ``j & 3`` of Philox block ``j >> 2``.
    """
    for b in range(buffer.shape[0] // 4):
        z0, z1, z2, z3 = normals4(k0, k1, first_block + b, trajectory, stream)
        buffer[4 * b] = z0
        buffer[4 * b + 1] = z1
        buffer[4 * b + 2] = z2
        buffer[4 * b + 3] = z3


@njit(cache=True, nogil=True, inline="always")
def _fill_trajectory(out, row, k0, k1, trajectory, stream):
    n = out.shape[1]
    buffer = np.empty(4)
    for block in range((n + 3) // 4):
        fill_normals(buffer, k0, k1, block, trajectory, stream)
        for lane in range(4):
            j = 4 * block + lane
            if j < n:
                out[row, j] = buffer[lane]


@njit(cache=True, nogil=True)
def normal_table(seed, stream, first_trajectory, n_trajectories, n_per_trajectory):
    """Normal deviates ``[trajectory, j]`` for trajectories first … first+n-1.

    Entry ``[i, j]`` is normal number ``j`` of global trajectory ``first + i``: it
    depends on (seed, stream, first + i, j) only.
    """
    k0, k1 = seed_key(seed)
    out = np.empty((n_trajectories, n_per_trajectory))
    for i in range(n_trajectories):
        _fill_trajectory(out, i, k0, k1, first_trajectory + i, stream)
    return out


@njit(cache=True, nogil=True, parallel=True)
def normal_table_parallel(seed, stream, first_trajectory, n_trajectories, n_per_trajectory):
    """Thread-parallel :func:`normal_table` (``prange`` over trajectories); identical output."""
    k0, k1 = seed_key(seed)
    out = np.empty((n_trajectories, n_per_trajectory))
    for i in prange(n_trajectories):
        _fill_trajectory(out, i, k0, k1, first_trajectory + i, stream)
    return out
