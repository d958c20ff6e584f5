"""Tilt-angle Langevin equation of Ojajärvi et al. (2020), Eq. (8), for u = cos θ (Numba).

Eq. (8) of Ojajärvi et al. (2020) (Ojajärvi, Heikkilä, Virtanen, PRB 101, 115406):

    -S du/dt = τz(u) - S A0 Ω (1 - u²) + η,
    ⟨η(t) η(t')⟩ = 2 [D(u) + S A0 T] (1 - u²) δ(t - t'),

with ħ = k_B = 1.  Dividing by -S: du = a0(u) dt + noise, with

    a0(u) = A0 Ω (1 - u²) - τz(u)/S,     B(u) = c(u) (1 - u²),  c(u) = [D(u) + S A0 T]/S²,

where B is the diffusion coefficient (noise variance 2B per unit time).

Stochastic calculus
-------------------
The noise is multiplicative, so Eq. (8) needs a rule.  We take the one that makes the
Fokker-Planck equation of the paper's semiclassical (Keldysh) derivation,

    ∂t P = -∂u [a0 P] + ∂u [B ∂u P],                        (isothermal / Hänggi form)

whose zero-flux stationary solution is P(u) ∝ exp(∫ a0/B du); in equilibrium
(τz = -Γ Ω (1-u²), D = Γ T, any Γ >= 0, including A0 alone) a0/B = SΩ/T, so
P ∝ exp(S Ω u/T), the Boltzmann law of Sec. V B of the paper.  It is also what the
3-D stochastic LLG gives for m_z (Brown's Fokker-Planck equation).  In Itô form this
is du = [a0 + B'] dt + sqrt(2B) dW, and in Stratonovich form

    du = [a0 + B'/2] dt + sqrt(2B) ∘ dW,      B' = c'(u)(1 - u²) - 2u c(u).

The kernel integrates the Stratonovich form with stochastic Heun (the same normal
ξ in predictor and corrector, ΔW = sqrt(Δt) ξ), weak order 1.  The exact process never
reaches u = ±1 (the Itô drift there, ∓2c, points inwards and satisfies Feller's
condition); a discrete step that overshoots is reflected back (u → ±2 - u), the
zero-flux boundary of the Fokker-Planck equation.

Tables: a0, c and c' are given on the uniform grid u_j = -1 + 2j/(n-1) and
interpolated linearly (the API layer builds them from τz and D tables).

Random numbers: step s of trajectory i uses normal s of (seed, stream, i) from
:mod:`fastspin.kernels.rng`, so results do not depend on how trajectories are split.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from fastspin.kernels.elementary import add_samples
from fastspin.kernels.rng import normals_next, seed_key, seed_lanes

#: trajectories integrated side by side (SIMD lanes) by one thread
LANES = 64


@njit(cache=True, nogil=True, inline="always")
def _interp(table, u, inv_h, last):
    x = (u + 1.0) * inv_h
    i = min(max(int(x), 0), last - 1)
    w = x - i
    return table[i] + w * (table[i + 1] - table[i])


@njit(cache=True, nogil=True, inline="always")
def _reflect(u):
    u = 2.0 - u if u > 1.0 else u
    u = -2.0 - u if u < -1.0 else u
    return min(max(u, -1.0), 1.0)


@njit(cache=True, nogil=True, inline="always")
def stratonovich_coefficients(u, drift0, c_table, dc_table, inv_h, last):
    """(Stratonovich drift a0 + B'/2, noise amplitude sqrt(2B)) at u (module docstring)."""
    one_minus = max(1.0 - u * u, 0.0)
    c = _interp(c_table, u, inv_h, last)
    dB = _interp(dc_table, u, inv_h, last) * one_minus - 2.0 * u * c
    return _interp(drift0, u, inv_h, last) + 0.5 * dB, math.sqrt(2.0 * c * one_minus)


@njit(cache=True, nogil=True, error_model="numpy")
def _heun_lanes(u_state, xi, dt, drift0, c_table, dc_table):
    inv_h = (drift0.shape[0] - 1) / 2.0
    last = drift0.shape[0] - 1
    sqdt = math.sqrt(dt)
    for lane in range(u_state.shape[0]):
        u = u_state[lane]
        dw = sqdt * xi[lane]
        a1, b1 = stratonovich_coefficients(u, drift0, c_table, dc_table, inv_h, last)
        predictor = _reflect(u + a1 * dt + b1 * dw)
        a2, b2 = stratonovich_coefficients(predictor, drift0, c_table, dc_table, inv_h, last)
        u_state[lane] = _reflect(u + 0.5 * (a1 + a2) * dt + 0.5 * (b1 + b2) * dw)


@njit(cache=True, nogil=True, error_model="numpy")
def tilt_group(
    drift0,
    c_table,
    dc_table,
    u0,
    k0,
    k1,
    stream,
    first_trajectory,
    first_row,
    n_active,
    dt,
    n_steps,
    sample_start,
    sample_every,
    final_u,
    mean_u,
    hist,
    traces,
    trace_every,
):
    """Integrate trajectories first_trajectory … + n_active - 1 (n_active <= LANES).

    Writes rows first_row …: ``final_u`` (u after n_steps), ``mean_u`` (mean of u
    over the samples k = sample_start, sample_start + sample_every, …; NaN without
    samples), accumulates ``hist`` (counts of u over those samples in equal bins on
    [-1, 1]) and, if trace_every > 0, ``traces[row, j]`` = u after step j·trace_every.
    """
    n_lanes = min(LANES, (n_active + 7) // 8 * 8)
    state = np.full(n_lanes, u0)
    normals = np.empty((4, n_lanes), dtype=np.float32)
    totals = np.zeros(n_lanes)
    count = 0
    generators = seed_lanes(k0, k1, stream, first_trajectory, n_lanes)
    words = np.empty((2, 2, n_lanes), dtype=np.uint32)
    n_trace = traces.shape[1] if trace_every > 0 else 0
    if n_trace > 0:
        for lane in range(n_active):
            traces[first_row + lane, 0] = u0
    next_sample = sample_start if sample_start >= 1 else 1
    next_trace = trace_every
    for step in range(n_steps):
        phase = step & 3
        if phase == 0:
            normals_next(generators, words, normals)
        _heun_lanes(state, normals[phase], dt, drift0, c_table, dc_table)
        k = step + 1
        if k == next_sample:
            next_sample += sample_every
            count += 1
            add_samples(state, n_active, totals, hist)
        if k == next_trace:
            next_trace += trace_every
            for lane in range(n_active):
                traces[first_row + lane, k // trace_every] = state[lane]
    for lane in range(n_active):
        final_u[first_row + lane] = state[lane]
        mean_u[first_row + lane] = totals[lane] / count if count > 0 else np.nan


@njit(cache=True, nogil=True)
def tilt_ensemble(
    drift0, c_table, dc_table, u0, seed, stream, first_trajectory, dt, n_steps,
    sample_start, sample_every, final_u, mean_u, hist, traces, trace_every,
):  # fmt: skip
    """Serial ensemble of Eq. (8) trajectories first_trajectory … + n - 1.

    n = ``final_u.shape[0]``; see :func:`tilt_group` for the outputs.
    """
    k0, k1 = seed_key(seed)
    n = final_u.shape[0]
    for first_row in range(0, n, LANES):
        tilt_group(
            drift0, c_table, dc_table, u0, k0, k1, stream, first_trajectory + first_row,
            first_row, min(LANES, n - first_row), dt, n_steps, sample_start, sample_every,
            final_u, mean_u, hist, traces, trace_every,
        )  # fmt: skip


@njit(cache=True, nogil=True, parallel=True)
def tilt_ensemble_parallel(
    drift0, c_table, dc_table, u0, seed, stream, first_trajectory, dt, n_steps,
    sample_start, sample_every, final_u, mean_u, hist, traces, trace_every, n_tasks,
):  # fmt: skip
    """``prange`` variant of :func:`tilt_ensemble`; identical results for any n_tasks."""
    k0, k1 = seed_key(seed)
    n = final_u.shape[0]
    n_groups = (n + LANES - 1) // LANES
    task_hist = np.zeros((n_tasks, hist.shape[0]), dtype=hist.dtype)
    for task in prange(n_tasks):
        for g in range(task, n_groups, n_tasks):
            first_row = g * LANES
            tilt_group(
                drift0, c_table, dc_table, u0, k0, k1, stream, first_trajectory + first_row,
                first_row, min(LANES, n - first_row), dt, n_steps, sample_start,
                sample_every, final_u, mean_u, task_hist[task], traces, trace_every,
            )  # fmt: skip
    for task in range(n_tasks):
        for b in range(hist.shape[0]):
            hist[b] += task_hist[task, b]
