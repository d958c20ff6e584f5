"""Random numbers (fastspin.kernels.rng): bit-exact Philox and xoshiro256++, exact Box-Muller,
replayability, block independence and statistical quality."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit
from scipy import stats

from fastspin.kernels import rng

# Random123 tests/kat_vectors, "philox4x32 10" lines: counter[4], key[2] -> result[4]
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    (
        (0xFFFFFFFF,) * 4,
        (0xFFFFFFFF, 0xFFFFFFFF),
        (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD),
    ),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize("counter, key, expected", KAT)
def test_philox_known_answers(counter, key, expected):
    seed = np.uint64(key[0] | (key[1] << 32))
    words = rng.philox_words(seed, np.array([counter], dtype=np.uint64))[0]
    assert tuple(int(w) for w in words) == expected


_M64 = (1 << 64) - 1


def _xoshiro256pp_python(state, n):
    """xoshiro256++ in plain Python integers (Blackman and Vigna's reference algorithm)."""
    s = [int(x) for x in state]
    rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & _M64  # noqa: E731
    out = []
    for _ in range(n):
        out.append((rotl((s[0] + s[3]) & _M64, 23) + s[0]) & _M64)
        t = (s[1] << 17) & _M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


@njit(cache=True)
def _xoshiro_words(state, n):
    out = np.empty(n, dtype=np.uint64)
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    for i in range(n):
        out[i], s0, s1, s2, s3 = rng.xoshiro256pp(s0, s1, s2, s3)
    return out


def test_xoshiro_matches_reference_algorithm():
    """The vectorizable xoshiro256++ equals the reference algorithm word for word; its
    first output from the state (1, 2, 3, 4) is rotl(1 + 4, 23) + 1 = 41943041."""
    start = np.array([1, 2, 3, 4], dtype=np.uint64)
    words = _xoshiro_words(start, 1000)
    assert int(words[0]) == 41943041
    assert [int(w) for w in words] == _xoshiro256pp_python(start, 1000)
    # a trajectory's state is the two Philox blocks of seed_lane
    k0, k1 = rng.seed_key(2**40 + 5)
    state = np.zeros((4, 1), dtype=np.uint64)
    rng.seed_lane(state, 0, k0, k1, 7, 123)
    blocks = rng.philox_words(
        np.uint64(2**40 + 5), np.array([[0, 0xC0000000, 123, 7], [1, 0xC0000000, 123, 7]], dtype=np.uint64)
    )
    words = [int(w) for w in blocks.ravel()]
    expected = [words[i] | words[i + 1] << 32 for i in (0, 2, 4, 6)]
    assert [int(x) for x in state[:, 0]] == expected


def _box_muller_reference(seed, stream, first, n_traj, n):
    """Exact Box-Muller (NumPy float64 log/cos/sin) from the reference xoshiro256++
    words, and the radius r of each normal."""
    k0, k1 = rng.seed_key(seed)
    out = np.empty((n_traj, n))
    radii = np.empty((n_traj, n))
    for i in range(n_traj):
        state = np.zeros((4, 1), dtype=np.uint64)
        rng.seed_lane(state, 0, k0, k1, stream, first + i)
        words = np.array(_xoshiro256pp_python(state[:, 0], (n + 1) // 2), dtype=np.uint64)
        radius_word = (words >> np.uint64(32)).astype(float)
        angle_word = (words & np.uint64(0xFFFFFFFF)).astype(np.int64)
        radius = np.sqrt(-2.0 * np.log((radius_word + 0.5) / 2.0**32))
        quadrant = angle_word >> 30
        phi = (((angle_word & 0x3FFFFFFF) + 0.5) / 2.0**30 - 0.5) * np.pi / 2
        psi = quadrant * np.pi / 2 + phi
        pairs = np.stack([radius * np.cos(psi), radius * np.sin(psi)], axis=1).ravel()
        out[i] = pairs[:n]
        radii[i] = np.repeat(radius, 2)[:n]
    return out, radii


def test_normals_equal_exact_box_muller():
    """The float32 polynomial Box-Muller equals libm Box-Muller of the same words to
    4e-7·(1 + r) (r the radius: the relative error of the log and the absolute error
    of the sine and cosine both scale with it)."""
    seed, stream, first = 2**40 + 12345, 7, 1000
    z = rng.normal_table(seed, stream, first, 256, 999)
    assert z.dtype == np.float32
    reference, radius = _box_muller_reference(seed, stream, first, 256, 999)
    assert np.max(np.abs(z - reference) / (1.0 + radius)) < 4e-7


def test_unit_circle_accuracy():
    """The branch-free float32 (cos ψ, sin ψ) of an angle word: |error| < 2e-7 on every
    997th 32-bit word and at the quadrant edges (1.72e-7 over all 2^32 words)."""

    @njit
    def worst(words):
        error = 0.0
        for w in words:
            psi = (w >> 30) * math.pi / 2 + (((w & 0x3FFFFFFF) + 0.5) / 2.0**30 - 0.5) * math.pi / 2
            c, s = rng.unit_circle(np.uint32(w))
            error = max(error, abs(c - math.cos(psi)), abs(s - math.sin(psi)))
        return error

    edges = [q * 2**30 + r for q in range(4) for r in (0, 1, 2**29, 2**30 - 1)]
    assert worst(np.arange(0, 2**32, 997, dtype=np.int64)) < 2e-7
    assert worst(np.array(edges, dtype=np.int64)) < 2e-7


def test_replay_and_block_independence():
    seed, stream = 99, 3
    whole = rng.normal_table(seed, stream, 0, 100, 21)
    parts = np.concatenate(
        [rng.normal_table(seed, stream, 0, 37, 21), rng.normal_table(seed, stream, 37, 63, 21)]
    )
    assert np.array_equal(whole, parts)
    # a single trajectory replays alone, and the parallel variant is identical
    assert np.array_equal(rng.normal_table(seed, stream, 58, 1, 21)[0], whole[58])
    assert np.array_equal(rng.normal_table_parallel(seed, stream, 0, 100, 21), whole)
    # other seed / stream / trajectory give other numbers
    assert not np.any(rng.normal_table(seed + 1, stream, 0, 100, 21) == whole)
    assert not np.any(rng.normal_table(seed, stream + 1, 0, 100, 21) == whole)


def test_gaussian_statistics():
    """Moments, KS and correlations of 2^20 normals within 5 standard errors."""
    n_traj, n = 1024, 1024
    z = rng.normal_table(2024, 0, 0, n_traj, n)
    flat = z.ravel()
    size = flat.size
    assert abs(flat.mean()) < 5.0 / np.sqrt(size)
    assert abs(flat.var() - 1.0) < 5.0 * np.sqrt(2.0 / size)
    assert abs(stats.skew(flat)) < 5.0 * np.sqrt(6.0 / size)
    assert abs(stats.kurtosis(flat)) < 5.0 * np.sqrt(24.0 / size)
    assert stats.kstest(flat, "norm").pvalue > 1e-4
    # tail mass beyond 3 sigma: binomial count within 5 sigma
    tail = np.mean(np.abs(flat) > 3.0)
    p3 = 2 * stats.norm.sf(3.0)
    assert abs(tail - p3) < 5.0 * np.sqrt(p3 / size)
    # no correlation along a trajectory (lags 1..4, within and across Box-Muller
    # pairs) nor between neighbouring trajectories
    for lag in (1, 2, 3, 4):
        corr = np.mean(z[:, :-lag] * z[:, lag:])
        assert abs(corr) < 5.0 / np.sqrt(n_traj * (n - lag))
    corr_traj = np.mean(z[:-1] * z[1:])
    assert abs(corr_traj) < 5.0 / np.sqrt((n_traj - 1) * n)


def test_log_unit_accuracy():
    """The division-free float32 logarithm of the Box-Muller radius: relative error
    < 3e-7 on every 4099th 32-bit word and on the edge words (0, 1, powers of two, the
    fold at 1/√2, 2^32 - 1); 2.41e-7 over all 2^32 words."""

    @njit
    def worst(words):
        relative = 0.0
        for w in words:
            exact = np.log((w + 0.5) / 2.0**32)
            e = abs(np.float64(rng.log_unit(np.uint32(w))) - exact)
            relative = max(relative, e / abs(exact))
        return relative

    assert worst(np.arange(0, 2**32, 4099, dtype=np.int64)) < 3e-7
    edges = [0, 1, 2, 3, 2**31 - 1, 2**31, 2**31 + 1, 2**32 - 2, 2**32 - 1]
    edges += [2**k for k in range(32)] + [0xB504F333, 0xB504F334, 0xB504F335]
    assert worst(np.array(edges, dtype=np.int64)) < 3e-7
