"""Stochastic Landau-Lifshitz-Gilbert-Slonczewski macrospin ensembles (Numba).

Equation (reduced units)
------------------------
Time τ = γ μ0 H_K t, fields h = H / H_K, energy e = E / (μ0 M_s H_K V), where H_K is
the reference (anisotropy) field.  The unit vector m obeys the Gilbert form

    dm/dτ = -m × h_tot + α m × dm/dτ,

    h_tot = k (m·n) n - N m + h_ext(τ) + a(τ) g(m) [ (m × p) + β p ] + h_th,

i.e. uniaxial anisotropy of strength k (k = 1 for H_K itself) along the unit axis n, a
diagonal demagnetizing/shape tensor N (in units of H_K, i.e. the SI tensor times
M_s/H_K), the external field, the Slonczewski damping-like (a m × p) and field-like
(β a p) torques written as fields, with polarizer p, spin-torque field a(τ) (in units
of H_K; a > 0 pulls m towards p) and angular factor g = 1/(1 + λ m·p), and the thermal
field h_th.  The kernel integrates the equivalent Landau-Lifshitz form

    dm/dτ = -1/(1+α²) [ m × h_tot + α m × (m × h_tot) ],

with h_th entering exactly like the deterministic field (precession and damping).
Fluctuation-dissipation (Brown 1963) then fixes
⟨h_th,i(τ) h_th,j(τ')⟩ = 2 α t δ_ij δ(τ-τ'), with the reduced temperature
t = k_B T / (μ0 M_s H_K V) = 1/(2σ), σ = K V / k_B T; in SI this is the variance
2 α k_B T / (γ μ0 M_s V) of μ0·H_th per unit time, with no extra (1+α²)
(DESIGN.md, "Stochastic LLG" pitfalls).  The stationary law is then
exp(-e(m)/t), e = -k (m·n)²/2 + N·m²/2 - h·m.

Integrator
----------
Stochastic Heun (Stratonovich), weak order 1: with one thermal-field draw
h_th = sqrt(2 α t / Δτ) ξ per step (ξ three standard normals) used in *both* the
predictor and the corrector,

    m̃ = normalize(m + Δτ f(m, τ)),  m' = normalize(m + Δτ/2 [f(m, τ) + f(m̃, τ+Δτ)]).

Random numbers
--------------
Step s (s = 0, 1, …) of trajectory i uses normals 3s, 3s+1, 3s+2 of
(seed, stream, trajectory i) from :mod:`fastspin.kernels.rng` (Philox4x32-10), fetched
four steps (three Philox blocks) at a time.  Every per-trajectory output is therefore a
pure function of (parameters, seed, stream, global trajectory index); the histogram is
an integer sum, so it too is independent of how trajectories are split into blocks or
threads.  ``llg_ensemble_parallel`` is the ``prange`` variant and returns identical
results.

Parameter vector layout (float64, length ``NPAR``): see the ``P_*`` indices below.
Waveforms: value(τ) = dc + ac·w(τ) with w = 0 (constant), 1[τ ≥ t0] (step),
1[t0 ≤ τ < t0 + width] (pulse) or sin(ω τ + φ) (sine).
"""

from __future__ import annotations

import math

import numpy as np
from fastspin.kernels.rng import fill_normals, seed_key
from numba import njit, prange

# ---- parameter vector layout -------------------------------------------------------
P_ALPHA = 0
P_TEMPERATURE = 1
P_EASY_AXIS = 2  # 2, 3, 4
P_ANISOTROPY = 5
P_DEMAG = 6  # 6, 7, 8
P_FIELD_DC = 9  # 9, 10, 11
P_FIELD_AC = 12  # 12, 13, 14
P_FIELD_WAVE = 15  # kind, t0, width, omega, phase: 15..19
P_POLARIZER = 20  # 20, 21, 22
P_STT_DC = 23
P_STT_AC = 24
P_STT_WAVE = 25  # 25..29
P_FIELD_LIKE = 30
P_LAMBDA = 31
NPAR = 32

WAVE_CONSTANT = 0
WAVE_STEP = 1
WAVE_PULSE = 2
WAVE_SINE = 3


@njit(cache=True, nogil=True, inline="always")
def waveform(params, offset, tau):
    """Shape w(τ) of the waveform stored at ``params[offset:offset+5]``."""
    kind = params[offset]
    t0 = params[offset + 1]
    if kind == WAVE_STEP:
        return 1.0 if tau >= t0 else 0.0
    if kind == WAVE_PULSE:
        return 1.0 if (tau >= t0 and tau < t0 + params[offset + 2]) else 0.0
    if kind == WAVE_SINE:
        return math.sin(params[offset + 3] * tau + params[offset + 4])
    return 0.0


@njit(cache=True, nogil=True, inline="always")
def deterministic_field(params, mx, my, mz, tau):
    """h_tot without the thermal field, at m and reduced time τ (module docstring)."""
    nx = params[P_EASY_AXIS]
    ny = params[P_EASY_AXIS + 1]
    nz = params[P_EASY_AXIS + 2]
    proj = params[P_ANISOTROPY] * (mx * nx + my * ny + mz * nz)
    hx = proj * nx - params[P_DEMAG] * mx + params[P_FIELD_DC]
    hy = proj * ny - params[P_DEMAG + 1] * my + params[P_FIELD_DC + 1]
    hz = proj * nz - params[P_DEMAG + 2] * mz + params[P_FIELD_DC + 2]
    w_field = waveform(params, P_FIELD_WAVE, tau)
    if w_field != 0.0:
        hx += params[P_FIELD_AC] * w_field
        hy += params[P_FIELD_AC + 1] * w_field
        hz += params[P_FIELD_AC + 2] * w_field
    a = params[P_STT_DC] + params[P_STT_AC] * waveform(params, P_STT_WAVE, tau)
    if a != 0.0:
        px = params[P_POLARIZER]
        py = params[P_POLARIZER + 1]
        pz = params[P_POLARIZER + 2]
        a = a / (1.0 + params[P_LAMBDA] * (mx * px + my * py + mz * pz))
        beta = params[P_FIELD_LIKE]
        hx += a * (my * pz - mz * py + beta * px)
        hy += a * (mz * px - mx * pz + beta * py)
        hz += a * (mx * py - my * px + beta * pz)
    return hx, hy, hz


@njit(cache=True, nogil=True, inline="always")
def landau_lifshitz(mx, my, mz, hx, hy, hz, alpha, prefactor):
    """f = -prefactor [m × h + α m × (m × h)], prefactor = 1/(1+α²)."""
    cx = my * hz - mz * hy
    cy = mz * hx - mx * hz
    cz = mx * hy - my * hx
    dx = my * cz - mz * cy
    dy = mz * cx - mx * cz
    dz = mx * cy - my * cx
    return (
        -prefactor * (cx + alpha * dx),
        -prefactor * (cy + alpha * dy),
        -prefactor * (cz + alpha * dz),
    )


@njit(cache=True, nogil=True, inline="always")
def heun_step(params, mx, my, mz, tau, dt, thx, thy, thz):
    """One stochastic Heun step with thermal field (thx, thy, thz) held over the step."""
    alpha = params[P_ALPHA]
    pref = 1.0 / (1.0 + alpha * alpha)
    hx, hy, hz = deterministic_field(params, mx, my, mz, tau)
    f1x, f1y, f1z = landau_lifshitz(mx, my, mz, hx + thx, hy + thy, hz + thz, alpha, pref)
    px = mx + dt * f1x
    py = my + dt * f1y
    pz = mz + dt * f1z
    inv = 1.0 / math.sqrt(px * px + py * py + pz * pz)
    px *= inv
    py *= inv
    pz *= inv
    hx, hy, hz = deterministic_field(params, px, py, pz, tau + dt)
    f2x, f2y, f2z = landau_lifshitz(px, py, pz, hx + thx, hy + thy, hz + thz, alpha, pref)
    half = 0.5 * dt
    nx = mx + half * (f1x + f2x)
    ny = my + half * (f1y + f2y)
    nz = mz + half * (f1z + f2z)
    inv = 1.0 / math.sqrt(nx * nx + ny * ny + nz * nz)
    return nx * inv, ny * inv, nz * inv


@njit(cache=True, nogil=True)
def run_trajectory(
    params,
    m0,
    k0,
    k1,
    stream,
    trajectory,
    row,
    dt,
    n_steps,
    switch_axis,
    switch_level,
    stop_at_switch,
    sample_start,
    sample_every,
    switch_time,
    final_m,
    mean_projection,
    hist,
    traces,
    trace_every,
):
    """Integrate one trajectory and write its outputs into row ``row``.

    * ``switch_time[row]``: first reduced time at which s·(m·a) < ``switch_level``,
      with a = ``switch_axis`` and s = sign(m0·a) (+1 if zero); NaN if never.  The
      criterion is checked after every step.
    * ``final_m[row]``: m at the end (or at the switch when ``stop_at_switch``).
    * ``mean_projection[row]``: mean of m·a over the samples k = sample_start,
      sample_start + sample_every, … (state after step k); NaN if no sample.
    * ``hist`` (+=): counts of m·a in ``hist.shape[0]`` equal bins on [-1, 1] over
      the same samples.
    * ``traces[row, j]``: m after step j·trace_every (j = 0 is m0) if
      ``trace_every > 0``; NaN after an early stop.
    """
    alpha = params[P_ALPHA]
    noise = math.sqrt(2.0 * alpha * params[P_TEMPERATURE] / dt)
    ax = switch_axis[0]
    ay = switch_axis[1]
    az = switch_axis[2]
    mx = m0[0]
    my = m0[1]
    mz = m0[2]
    proj0 = mx * ax + my * ay + mz * az
    sign = 1.0 if proj0 >= 0.0 else -1.0
    nbins = hist.shape[0]
    buffer = np.empty(12)
    switch_time[row] = np.nan
    total = 0.0
    count = 0
    n_trace = traces.shape[1] if trace_every > 0 else 0
    if n_trace > 0:
        traces[row, 0, 0] = mx
        traces[row, 0, 1] = my
        traces[row, 0, 2] = mz
    last = n_steps
    for step in range(n_steps):
        lane = step & 3
        if lane == 0:
            # normals 3·step … 3·step + 11 = Philox blocks 3·step/4 … 3·step/4 + 2
            fill_normals(buffer, k0, k1, (3 * step) >> 2, trajectory, stream)
        tau = step * dt
        mx, my, mz = heun_step(
            params,
            mx,
            my,
            mz,
            tau,
            dt,
            noise * buffer[3 * lane],
            noise * buffer[3 * lane + 1],
            noise * buffer[3 * lane + 2],
        )
        k = step + 1
        proj = mx * ax + my * ay + mz * az
        if k >= sample_start and (k - sample_start) % sample_every == 0:
            total += proj
            count += 1
            b = int((proj + 1.0) * 0.5 * nbins)
            if b >= nbins:
                b = nbins - 1
            elif b < 0:
                b = 0
            hist[b] += 1
        if n_trace > 0 and k % trace_every == 0:
            j = k // trace_every
            traces[row, j, 0] = mx
            traces[row, j, 1] = my
            traces[row, j, 2] = mz
        if sign * proj < switch_level and np.isnan(switch_time[row]):
            switch_time[row] = k * dt
            if stop_at_switch:
                last = k
                break
    if n_trace > 0:
        for j in range(last // trace_every + 1, n_trace):
            traces[row, j, 0] = np.nan
            traces[row, j, 1] = np.nan
            traces[row, j, 2] = np.nan
    final_m[row, 0] = mx
    final_m[row, 1] = my
    final_m[row, 2] = mz
    mean_projection[row] = total / count if count > 0 else np.nan


@njit(cache=True, nogil=True)
def llg_ensemble(
    params,
    m0,
    seed,
    stream,
    first_trajectory,
    dt,
    n_steps,
    switch_axis,
    switch_level,
    stop_at_switch,
    sample_start,
    sample_every,
    switch_time,
    final_m,
    mean_projection,
    hist,
    traces,
    trace_every,
):
    """Serial ensemble: trajectories first_trajectory … first_trajectory + n - 1.

    n = ``switch_time.shape[0]``; outputs are preallocated by the caller (see
    :func:`run_trajectory` for their meaning); ``hist`` is accumulated into.
    """
    k0, k1 = seed_key(seed)
    for row in range(switch_time.shape[0]):
        run_trajectory(
            params, m0, k0, k1, stream, first_trajectory + row, row, dt, n_steps,
            switch_axis, switch_level, stop_at_switch, sample_start, sample_every,
            switch_time, final_m, mean_projection, hist, traces, trace_every,
        )  # fmt: skip


@njit(cache=True, nogil=True, parallel=True)
def llg_ensemble_parallel(
    params,
    m0,
    seed,
    stream,
    first_trajectory,
    dt,
    n_steps,
    switch_axis,
    switch_level,
    stop_at_switch,
    sample_start,
    sample_every,
    switch_time,
    final_m,
    mean_projection,
    hist,
    traces,
    trace_every,
    n_chunks,
):
    """``prange`` variant of :func:`llg_ensemble` with bit-identical results.

    Trajectories are cut into ``n_chunks`` contiguous chunks, each with its own
    integer histogram, summed at the end.  Only for single-process use (DESIGN.md:
    never call a ``parallel`` kernel from several Dask threads).
    """
    k0, k1 = seed_key(seed)
    n = switch_time.shape[0]
    chunk_hist = np.zeros((n_chunks, hist.shape[0]), dtype=hist.dtype)
    for c in prange(n_chunks):
        start = (c * n) // n_chunks
        stop = ((c + 1) * n) // n_chunks
        for row in range(start, stop):
            run_trajectory(
                params, m0, k0, k1, stream, first_trajectory + row, row, dt, n_steps,
                switch_axis, switch_level, stop_at_switch, sample_start, sample_every,
                switch_time, final_m, mean_projection, chunk_hist[c], traces, trace_every,
            )  # fmt: skip
    for c in range(n_chunks):
        for b in range(hist.shape[0]):
            hist[b] += chunk_hist[c, b]
