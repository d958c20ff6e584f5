"""Counter-based RNG (fastspin.kernels.rng): bit-exact Philox, exact Box-Muller,
replayability, block independence and statistical quality."""

from __future__ import annotations

import numpy as np
import pytest
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


def _box_muller_reference(seed, stream, first, n_traj, n):
    """Exact Box-Muller (NumPy log/cos/sin) from the raw Philox words."""
    i, j = np.meshgrid(np.arange(n_traj), np.arange(n), indexing="ij")
    counters = np.stack([j // 4, 0 * j, first + i, stream + 0 * j], -1).reshape(-1, 4)
    words = rng.philox_words(np.uint64(seed), counters.astype(np.uint64)).reshape(n_traj, n, 4)
    lane = j % 4
    first_pair = lane < 2
    radius_word = np.where(first_pair, words[..., 0], words[..., 2]).astype(float)
    angle_word = np.where(first_pair, words[..., 1], words[..., 3]).astype(np.int64)
    radius = np.sqrt(-2.0 * np.log((radius_word + 0.5) / 2.0**32))
    quadrant = angle_word >> 30
    phi = (((angle_word & 0x3FFFFFFF) + 0.5) / 2.0**30 - 0.5) * np.pi / 2
    psi = quadrant * np.pi / 2 + phi
    return np.where(lane % 2 == 0, radius * np.cos(psi), radius * np.sin(psi))


def test_normals_equal_exact_box_muller():
    """The polynomial log/sincos Box-Muller equals libm Box-Muller to 1e-10 (docstring)."""
    seed, stream, first = 2**40 + 12345, 7, 1000
    z = rng.normal_table(seed, stream, first, 64, 37)
    reference = _box_muller_reference(seed, stream, first, 64, 37)
    assert np.max(np.abs(z - reference)) < 1e-10


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
    # no correlation along a trajectory (lags 1..4, across Box-Muller pairs and
    # Philox blocks) nor between neighbouring trajectories
    for lag in (1, 2, 3, 4):
        corr = np.mean(z[:, :-lag] * z[:, lag:])
        assert abs(corr) < 5.0 / np.sqrt(n_traj * (n - lag))
    corr_traj = np.mean(z[:-1] * z[1:])
    assert abs(corr_traj) < 5.0 / np.sqrt((n_traj - 1) * n)


def test_log_unit_accuracy():
    """The branch-free logarithm of the Box-Muller radius: |error| < 5e-13 on every
    4099th 32-bit word and on the edge words (0, 1, powers of two, 2^32 - 1)."""
    from numba import njit

    @njit
    def worst(step):
        error = 0.0
        for w in range(0, 2**32, step):
            error = max(error, abs(rng.log_unit(np.int64(w)) - np.log((w + 0.5) / 2.0**32)))
        return error

    assert worst(4099) < 5e-13
    edges = [0, 1, 2, 3, 2**31 - 1, 2**31, 2**31 + 1, 2**32 - 2, 2**32 - 1] + [2**k for k in range(32)]
    for w in edges:
        assert abs(rng.log_unit(np.int64(w)) - np.log((w + 0.5) / 2.0**32)) < 5e-13
