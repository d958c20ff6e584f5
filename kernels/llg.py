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
(the field enters both the precession and the damping term).  The stationary law is then
exp(-e(m)/t), e = -k (m·n)²/2 + N·m²/2 - h·m.

Integrator
----------
Stochastic Heun (Stratonovich), weak order 1: with one thermal-field draw
h_th = sqrt(2 α t / Δτ) ξ per step (ξ three standard normals) used in *both* the
predictor and the corrector,

    m̃ = normalize(m + Δτ f(m, τ)),  m' = normalize(m + Δτ/2 [f(m, τ) + f(m̃, τ+Δτ)]).

For a unit vector m the damping term is evaluated as m × (m × h) = m (m·h) - h.

First passages are tested after every step and, optionally, between steps by the
Brownian-bridge crossing probability of the monitored coordinate (:func:`run_chunk`),
which removes the O(Δτ^1/2) bias of discrete monitoring.

Random numbers
--------------
Step s (s = 0, 1, …) of trajectory i uses normals 3s, 3s+1, 3s+2 of the stream of
(seed, stream, trajectory i) from :mod:`fastspin.kernels.rng` (a xoshiro256++ generator
per trajectory, started from Philox4x32-10, and a float32 Box-Muller, within
4e-7·(1 + r) of the exact transform of the same words), fetched four steps at a time;
the integration itself is float64.  Every per-trajectory output is therefore a
pure function of (parameters, seed, stream, global trajectory index); the histogram is
an integer sum, so it too is independent of how trajectories are split into blocks or
threads.  ``llg_ensemble_parallel`` is the ``prange`` variant and returns identical
results.

Performance: up to ``LANES`` trajectories are integrated side by side so that
the Heun step and the Box-Muller normals vectorize at the full register width
(AVX2/AVX-512, :func:`~fastspin.kernels.elementary.prefer_wide_vectors`); kernels are compiled
with ``error_model="numpy"`` because the default Python error model's zero-division
checks prevent vectorization.  The float64 Heun lanes have no divide or square root
(the normalisations use a bit-seeded Newton inverse square root, λ = 0 skips the
angular factor's divide); a float32 state (``precision="single"``) normalises with the
vector square root and divide, cheaper there than the Newton multiplies.  They run as
two short loops (predictor, corrector) whose iterations the core overlaps, and are
compiled with FMA contraction.  A drive that does not depend on
time is read as scalars, not per lane, and the corrector loop also computes the
switching test of every lane, so that the bookkeeping of :func:`run_chunk` touches a
lane only when it has something to record.

Parameter vector layout (float64, length ``NPAR``): see the ``P_*`` indices below.
Waveforms: value(τ) = dc + ac·w(τ) with w = 0 (constant), 1[τ ≥ t0] (step),
1[t0 ≤ τ < t0 + width] (pulse) or sin(ω τ + φ) (sine).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from fastspin.kernels.elementary import prefer_wide_vectors, renormalization, same_float
from fastspin.kernels.rng import bridge_uniform, normals_next, seed_key, seed_lane

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


#: rows of the ``drive`` array of :func:`_drives`
DRIVE_ROWS = 8


@njit(cache=True, nogil=True, error_model="numpy")
def _drives(params, lane_start, clock, dt, drive):
    """External field and spin-torque field of every lane at τ and τ + Δτ.

    ``drive`` rows: 0-2 the field at τ that does not depend on m, 3-5 the same at
    τ + Δτ, 6 a(τ), 7 a(τ + Δτ), with τ = (clock - lane_start)·Δτ (each lane has its
    own clock, started at iteration ``lane_start``).
    That field is h + β a p for λ = 0 and h otherwise (the field-like term then carries
    the angular factor of m, :func:`_field`).
    """
    beta = params[P_FIELD_LIKE] if params[P_LAMBDA] == 0.0 else 0.0
    for lane in range(lane_start.shape[0]):
        tau = (clock - lane_start[lane]) * dt
        w0 = waveform(params, P_FIELD_WAVE, tau)
        w1 = waveform(params, P_FIELD_WAVE, tau + dt)
        a0 = params[P_STT_DC] + params[P_STT_AC] * waveform(params, P_STT_WAVE, tau)
        a1 = params[P_STT_DC] + params[P_STT_AC] * waveform(params, P_STT_WAVE, tau + dt)
        drive[6, lane] = a0
        drive[7, lane] = a1
        for c in range(3):
            h0 = params[P_FIELD_DC + c] + params[P_FIELD_AC + c] * w0
            h1 = params[P_FIELD_DC + c] + params[P_FIELD_AC + c] * w1
            drive[c, lane] = h0 + beta * a0 * params[P_POLARIZER + c]
            drive[3 + c, lane] = h1 + beta * a1 * params[P_POLARIZER + c]


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _field(mx, my, mz, coef, hx0, hy0, hz0, a, angular, axial):
    """h_tot without the thermal field (module docstring) from the hoisted coefficients
    ``coef`` of :func:`_heun_loop`.

    (hx0, hy0, hz0) is the field of :func:`_drives` that does not depend on m: without the
    angular factor (``angular`` False, exact for λ = 0) it holds β a p, and only the
    damping-like term a (m × p) is added here; with it, a becomes a/(1 + λ m·p) on both
    spin-torque terms.  ``axial`` (easy axis and polarizer along ±z, no angular factor)
    drops the products with their zero x and y components: k (m·n) n = k m_z ẑ and
    m × p = p_z (m_y, -m_x, 0).
    """
    knx, kny, knz, nx, ny, nz, dx, dy, dz, px, py, pz, beta, lam = coef
    if axial:
        apz = a * pz
        return hx0 - dx * mx + apz * my, hy0 - dy * my - apz * mx, hz0 + (knz * nz - dz) * mz
    proj = mx * knx + my * kny + mz * knz  # k (m·n)
    if angular:
        a = a / (same_float(1.0, mx) + lam * (mx * px + my * py + mz * pz))
        hx0 = hx0 + beta * a * px
        hy0 = hy0 + beta * a * py
        hz0 = hz0 + beta * a * pz
    hx = proj * nx - dx * mx + hx0 + a * (my * pz - mz * py)
    hy = proj * ny - dy * my + hy0 + a * (mz * px - mx * pz)
    hz = proj * nz - dz * mz + hz0 + a * (mx * py - my * px)
    return hx, hy, hz


@njit(cache=True, nogil=True, inline="always")
def _precession_and_damping(mx, my, mz, hx, hy, hz, alpha):
    """g = m × h + α [m (m·h) - h] = m × h + α m × (m × h) for a unit vector m, so that
    the Landau-Lifshitz right-hand side is f = -g/(1+α²)."""
    mh = mx * hx + my * hy + mz * hz
    return (
        my * hz - mz * hy + alpha * (mh * mx - hx),
        mz * hx - mx * hz + alpha * (mh * my - hy),
        mx * hy - my * hx + alpha * (mh * mz - hz),
    )


#: steps whose bridge crossing probability is below e^-BRIDGE_CUTOFF never switch:
#: the uniforms of :func:`~fastspin.kernels.rng.bridge_uniform` exceed 2^-33 > e^-23
BRIDGE_CUTOFF = 23.0


@njit(cache=True, nogil=True, inline="always", error_model="numpy")
def _heun_loop(params, state, noise_rows, drive, dt, noise, variant, scratch, watch, lanes):
    """The lane loops of :func:`_heun_lanes`; ``variant`` = (angular, constant, axial)
    (:func:`_field`) is a tuple of constants at each call site.  With ``constant`` the
    drive is the same for every lane and both ends of the step (column 0 of ``drive``),
    read once instead of per lane."""
    angular, constant, axial = variant
    # every coefficient in the float type of the state, so that a float32 state runs
    # float32 lane loops (16 lanes per 512-bit register instead of 8)
    alpha = same_float(params[P_ALPHA], state)
    k = params[P_ANISOTROPY]
    coef = (
        same_float(k * params[P_EASY_AXIS], state), same_float(k * params[P_EASY_AXIS + 1], state),
        same_float(k * params[P_EASY_AXIS + 2], state), same_float(params[P_EASY_AXIS], state),
        same_float(params[P_EASY_AXIS + 1], state), same_float(params[P_EASY_AXIS + 2], state),
        same_float(params[P_DEMAG], state), same_float(params[P_DEMAG + 1], state),
        same_float(params[P_DEMAG + 2], state), same_float(params[P_POLARIZER], state),
        same_float(params[P_POLARIZER + 1], state), same_float(params[P_POLARIZER + 2], state),
        same_float(params[P_FIELD_LIKE], state), same_float(params[P_LAMBDA], state),
    )  # fmt: skip
    # f = -g/(1+α²): m̃ = m + step·g
    step = same_float(-dt / (1.0 + params[P_ALPHA] * params[P_ALPHA]), state)
    half = same_float(0.5, state) * step
    noise = same_float(noise, state)
    zero = same_float(0.0, state)
    cutoff = same_float(BRIDGE_CUTOFF, state)
    sx = state[0]
    sy = state[1]
    sz = state[2]
    xi_x = noise_rows[0]
    xi_y = noise_rows[1]
    xi_z = noise_rows[2]
    h0x = drive[0]
    h0y = drive[1]
    h0z = drive[2]
    h1x = drive[3]
    h1y = drive[4]
    h1z = drive[5]
    a0 = drive[6]
    a1 = drive[7]
    cx = drive[0, 0]
    cy = drive[1, 0]
    cz = drive[2, 0]
    ca = drive[6, 0]
    # Two short loops instead of one long one: every lane's step is a long chain of
    # dependent operations, and only short loop bodies let the core overlap the chains
    # of many lanes (throughput- instead of latency-bound).
    wx, wy, wz, level, screen = watch
    wx = same_float(wx, state)
    wy = same_float(wy, state)
    wz = same_float(wz, state)
    level = same_float(level, state)
    screen = same_float(screen, state)
    gap_before, gap_after, unswitched = lanes
    flagged = False
    qx_ = scratch[0]
    qy_ = scratch[1]
    qz_ = scratch[2]
    g1x_ = scratch[3]
    g1y_ = scratch[4]
    g1z_ = scratch[5]
    for lane in range(state.shape[1]):
        mx = sx[lane]
        my = sy[lane]
        mz = sz[lane]
        hx, hy, hz = _field(
            mx, my, mz, coef,
            cx if constant else h0x[lane], cy if constant else h0y[lane],
            cz if constant else h0z[lane], ca if constant else a0[lane], angular, axial,
        )  # fmt: skip
        g1x, g1y, g1z = _precession_and_damping(
            mx, my, mz, hx + noise * xi_x[lane], hy + noise * xi_y[lane],
            hz + noise * xi_z[lane], alpha,
        )  # fmt: skip
        qx = mx + step * g1x
        qy = my + step * g1y
        qz = mz + step * g1z
        inv = renormalization(qx * qx + qy * qy + qz * qz)
        qx_[lane] = qx * inv
        qy_[lane] = qy * inv
        qz_[lane] = qz * inv
        g1x_[lane] = g1x
        g1y_[lane] = g1y
        g1z_[lane] = g1z
    for lane in range(state.shape[1]):
        qx = qx_[lane]
        qy = qy_[lane]
        qz = qz_[lane]
        hx, hy, hz = _field(
            qx, qy, qz, coef,
            cx if constant else h1x[lane], cy if constant else h1y[lane],
            cz if constant else h1z[lane], ca if constant else a1[lane], angular, axial,
        )  # fmt: skip
        g2x, g2y, g2z = _precession_and_damping(
            qx, qy, qz, hx + noise * xi_x[lane], hy + noise * xi_y[lane],
            hz + noise * xi_z[lane], alpha,
        )  # fmt: skip
        ux = sx[lane] + half * (g1x_[lane] + g2x)
        uy = sy[lane] + half * (g1y_[lane] + g2y)
        uz = sz[lane] + half * (g1z_[lane] + g2z)
        inv = renormalization(ux * ux + uy * uy + uz * uz)
        mx = ux * inv
        my = uy * inv
        mz = uz * inv
        sx[lane] = mx
        sy[lane] = my
        sz[lane] = mz
        # the watch of run_chunk: c - L after the step, and whether the unswitched lane
        # crossed or came near enough for the bridge test
        gap = mx * wx + my * wy + mz * wz - level
        previous = gap_before[lane]
        gap_after[lane] = gap
        near = (gap < zero) | (screen * gap * previous < cutoff)
        # an or, not a count: an int64 count would halve the vector width of a float32
        # loop, and a float sum does not vectorise without reassociation
        flagged |= near & (unswitched[lane] != zero)
    return flagged


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def _heun_lanes(
    params, state, noise_rows, drive, dt, noise, constant, axial, scratch, watch, lanes
):
    """One stochastic Heun step for every lane (column) of ``state`` (3, L).

    ``noise_rows`` (3, L) are the standard normals of this step; the thermal field is
    noise·ξ, held fixed over the predictor and the corrector.  ``drive`` holds the
    time-dependent field and spin-torque amplitude of each lane (:func:`_drives`);
    ``constant`` says that it does not depend on time (all columns equal), ``axial``
    that besides the easy axis and polarizer lie along ±z with λ = 0 (:func:`_is_axial`;
    both decided once per chunk by the caller).
    The loop over lanes has no branches (the two normalisations use
    :func:`~fastspin.kernels.elementary.renormalization`: no division or square root in
    float64), so it vectorises at full rate; λ = 0 runs a loop without the angular factor, and a
    constant drive with easy axis and polarizer along ±z one without their zero
    components.

    The corrector loop also watches every lane for :func:`run_chunk`, so that the state
    is not read again: with ``watch`` = (w, L, screen), w = s·a the signed switch axis,
    and ``lanes`` = (gap before, gap after, unswitched), it writes c - L = w·m - L after
    the step and returns whether an unswitched lane (unswitched ≠ 0) crossed or came
    near the level (screen·gap·previous gap < ``BRIDGE_CUTOFF``).

    Every array the lane loops read or write has the float type of ``state``, and so
    do their coefficients (:func:`~fastspin.kernels.elementary.same_float`): a float32
    state runs float32 loops, twice as many lanes per vector register.
    """
    prefer_wide_vectors()
    # one call per variant, each with its flags as constants, so that LLVM drops the
    # branches they decide from the lane loops
    if axial:
        return _heun_loop(
            params, state, noise_rows, drive, dt, noise, (False, True, True), scratch, watch, lanes
        )
    angular = params[P_LAMBDA] != 0.0
    if angular and constant:
        return _heun_loop(
            params, state, noise_rows, drive, dt, noise, (True, True, False), scratch, watch, lanes
        )
    if angular:
        return _heun_loop(
            params, state, noise_rows, drive, dt, noise, (True, False, False), scratch, watch, lanes
        )
    if not constant:
        return _heun_loop(
            params, state, noise_rows, drive, dt, noise, (False, False, False), scratch, watch, lanes
        )
    return _heun_loop(
        params, state, noise_rows, drive, dt, noise, (False, True, False), scratch, watch, lanes
    )


@njit(cache=True, nogil=True, inline="always")
def _is_axial(params):
    """Easy axis and polarizer along ±z (the perpendicular junction) and no angular
    factor (λ = 0): the geometry of the axial variant of :func:`_field`."""
    return (
        params[P_EASY_AXIS] == 0.0 and params[P_EASY_AXIS + 1] == 0.0
        and params[P_POLARIZER] == 0.0 and params[P_POLARIZER + 1] == 0.0
        and params[P_LAMBDA] == 0.0
    )  # fmt: skip


@njit(cache=True, nogil=True, error_model="numpy")
def _bridge_crossed(
    gap0, gap1, level, level_angle, variance, screen, k0, k1, stream, trajectory, step
):
    """Whether a Brownian bridge in z = arcsin c between c = level + gap0 and
    level + gap1 (both above the level) crossed z = arcsin(level) within the step
    (:func:`run_chunk`)."""
    if screen * gap0 * gap1 >= BRIDGE_CUTOFF:
        return False
    z0 = math.asin(min(level + gap0, 1.0)) - level_angle
    z1 = math.asin(min(level + gap1, 1.0)) - level_angle
    exponent = 2.0 * z0 * z1 / variance
    if exponent >= BRIDGE_CUTOFF:
        return False
    return bridge_uniform(k0, k1, stream, trajectory, step) < math.exp(-exponent)


@njit(cache=True, nogil=True)
def _busy_first(lane_row, n_keep):
    """Indices of the first ``n_keep`` lanes with the busy ones (row != idle) first."""
    order = np.empty(n_keep, dtype=np.int64)
    j = 0
    for busy in (True, False):
        for lane in range(lane_row.shape[0]):
            if j < n_keep and (lane_row[lane] != _IDLE) == busy:
                order[j] = lane
                j += 1
    return order


@njit(cache=True, nogil=True)
def _take_columns(array, order):
    """A new C-contiguous array of the columns ``order`` of a 2-d array."""
    out = np.empty((array.shape[0], order.shape[0]), dtype=array.dtype)
    for r in range(array.shape[0]):
        for j in range(order.shape[0]):
            out[r, j] = array[r, order[j]]
    return out


#: trajectories integrated side by side (SIMD lanes) by one thread: each call of the
#: lane loops pays a fixed cost (LLVM's run-time overlap checks of the lane arrays),
#: which 1024 lanes spread thinly while their arrays (about 0.3 MB) stay in L2
LANES = 1024
_IDLE = -1
#: an iteration count no run reaches
_NEVER = np.int64(2**62)


@njit(cache=True, nogil=True, inline="always")
def _next_event(k, next_sample, next_trace, n_steps):
    """The first step after step k at which a lane samples, records a trace point or
    ends (steps counted from its start)."""
    following = n_steps
    if k < next_sample < following:
        following = next_sample
    if k < next_trace < following:
        following = next_trace
    return following


@njit(cache=True, nogil=True, error_model="numpy")
def run_chunk(
    params,
    m0,
    k0,
    k1,
    stream,
    first_trajectory,
    first_row,
    n_rows,
    dt,
    n_steps,
    switch_axis,
    switch_level,
    stop_at_switch,
    crossing_correction,
    sample_start,
    sample_every,
    switch_time,
    final_m,
    mean_projection,
    hist,
    traces,
    trace_every,
):
    """Integrate trajectories first_trajectory + r for rows first_row + r, r < n_rows.

    Outputs, per row:

    * ``switch_time``: end τ = k·Δτ of the first step k in which c = s·(m·a) fell
      below the level L = ``switch_level``, with a = ``switch_axis`` and s = sign(m0·a)
      (+1 if 0); NaN if never.  A step counts if c < L after it or, with
      ``crossing_correction``, if the continuous path crossed in between (below);
    * ``final_m``: m after step n_steps, or after the switching step when
      ``stop_at_switch`` (above the level when the crossing was inside the step);
    * ``mean_projection``: mean of m·a over the samples k = sample_start,
      sample_start + sample_every, … (state after step k), NaN without samples;
    * ``hist`` (accumulated): counts of m·a over the same samples in
      ``hist.shape[0]`` equal bins on [-1, 1];
    * ``traces[row, j]``: m after step j·trace_every (j = 0: m0) when trace_every > 0,
      NaN after an early stop.

    Crossing correction (discrete monitoring misses excursions below the level between
    two steps, which biases first-passage times high by O(Δτ^1/2)): in the angle
    z = arcsin c the noise is additive, dz = … + (2αt/(1+α²))^1/2 dW, since c = m·a
    has the noise variance 2αt(1 - c²)/(1+α²) per unit time.  Given z0, z1 above
    zL = arcsin L at the ends of a step, a Brownian bridge crosses zL with probability
    p = exp(-2 (z0 - zL)(z1 - zL) (1+α²)/(2αt Δτ)) (constant drift does not change
    the bridge); the step counts as a switch when a uniform u <
    p, with u from :func:`~fastspin.kernels.rng.bridge_uniform` of (trajectory, k), so
    results stay a function of the seed alone.  Since u > 1.1e-10, steps with
    p < e^-23 are skipped exactly, screened by (c0 - L)(c1 - L) <= (z0 - zL)(z1 - zL).

    Up to ``LANES`` trajectories run side by side, each with its own clock; a lane
    whose trajectory has ended takes the next row at the next multiple of four
    iterations (when all lanes refill their normals), so early stops waste little.
    Once no rows are left and at most half the lanes are busy, the busy ones are moved
    together and the rest dropped, so a few long trajectories at the end do not cost
    the work of all lanes.  Which lane runs a trajectory does not change its result.
    """
    prefer_wide_vectors()
    n_lanes = min(LANES, (n_rows + 7) // 8 * 8)
    ax = switch_axis[0]
    ay = switch_axis[1]
    az = switch_axis[2]
    sign = 1.0 if (m0[0] * ax + m0[1] * ay + m0[2] * az) >= 0.0 else -1.0
    noise = math.sqrt(2.0 * params[P_ALPHA] * params[P_TEMPERATURE] / dt)
    # variance per step of z = arcsin c (docstring), and the screen of the bridge test
    bridge_variance = 2.0 * params[P_ALPHA] * params[P_TEMPERATURE] * dt / (
        1.0 + params[P_ALPHA] * params[P_ALPHA]
    )
    bridge_on = crossing_correction and bridge_variance > 0.0 and switch_level > -1.0
    bridge_screen = 2.0 / bridge_variance if bridge_on else math.inf  # inf: never near
    level_angle = math.asin(min(max(switch_level, -1.0), 1.0))
    nbins = hist.shape[0]
    n_trace = traces.shape[1] if trace_every > 0 else 0
    time_dependent = (
        params[P_FIELD_WAVE] != WAVE_CONSTANT or params[P_STT_WAVE] != WAVE_CONSTANT
    )
    axial = not time_dependent and _is_axial(params)
    watch_x = sign * ax  # the switch axis signed so that c = watch·m starts >= 0
    watch_y = sign * ay
    watch_z = sign * az
    start_gap = sign * (m0[0] * ax + m0[1] * ay + m0[2] * az) - switch_level
    state = np.empty((3, n_lanes), dtype=m0.dtype)
    normals = np.empty((12, n_lanes), dtype=np.float32)
    words = np.empty((2, 6, n_lanes), dtype=np.uint32)
    drive = np.empty((DRIVE_ROWS, n_lanes), dtype=m0.dtype)
    scratch = np.empty((6, n_lanes), dtype=m0.dtype)
    lane_row = np.full(n_lanes, _IDLE, dtype=np.int64)
    lane_start = np.zeros(n_lanes, dtype=np.int64)  # iteration the trajectory began at
    # 1 until the lane's trajectory switched (in the state's float type, like every
    # array the lane loops read)
    lane_unswitched = np.zeros(n_lanes, dtype=m0.dtype)
    # c - L of each lane: row iteration & 1 before the step, the other row after it
    lane_gap = np.zeros((2, n_lanes), dtype=m0.dtype)
    lane_next_sample = np.zeros(n_lanes, dtype=np.int64)
    lane_next_trace = np.zeros(n_lanes, dtype=np.int64)
    lane_next_event = np.full(n_lanes, _NEVER, dtype=np.int64)  # as an iteration count
    lane_total = np.zeros(n_lanes)
    lane_count = np.zeros(n_lanes, dtype=np.int64)
    generators = np.zeros((4, n_lanes), dtype=np.uint64)
    trajectories = np.zeros(n_lanes, dtype=np.int64)
    first_sample = sample_start if sample_start >= 1 else 1
    first_trace = trace_every if trace_every > 0 else _NEVER
    _drives(params, lane_start, 0, dt, drive)
    next_row = 0
    n_busy = 0
    iteration = 0
    soonest = _NEVER  # the first iteration at which some lane samples, traces or ends
    while True:
        phase = iteration & 3
        if phase == 0:
            for lane in range(n_lanes):
                if lane_row[lane] == _IDLE and next_row < n_rows:
                    row = first_row + next_row
                    lane_row[lane] = row
                    trajectories[lane] = first_trajectory + next_row
                    seed_lane(generators, lane, k0, k1, stream, trajectories[lane])
                    next_row += 1
                    n_busy += 1
                    lane_start[lane] = iteration
                    lane_unswitched[lane] = 1
                    lane_gap[iteration & 1, lane] = start_gap
                    lane_next_sample[lane] = first_sample
                    lane_next_trace[lane] = first_trace
                    lane_next_event[lane] = iteration + _next_event(
                        0, first_sample, first_trace, n_steps
                    )
                    soonest = min(soonest, lane_next_event[lane])
                    lane_total[lane] = 0.0
                    lane_count[lane] = 0
                    state[0, lane] = m0[0]
                    state[1, lane] = m0[1]
                    state[2, lane] = m0[2]
                    switch_time[row] = np.nan
                    if n_trace > 0:
                        for c in range(3):
                            traces[row, 0, c] = m0[c]
            if n_busy == 0:
                break
            if next_row == n_rows and n_lanes > 8 and 2 * n_busy <= n_lanes:
                # the last trajectories of a chunk (long escape times): move the busy
                # lanes together and integrate only ceil(busy/8)·8 lanes
                n_lanes = (n_busy + 7) // 8 * 8
                order = _busy_first(lane_row, n_lanes)
                state = _take_columns(state, order)
                drive = _take_columns(drive, order)
                lane_gap = _take_columns(lane_gap, order)
                normals = np.empty((12, n_lanes), dtype=np.float32)
                words = np.empty((2, 6, n_lanes), dtype=np.uint32)
                scratch = np.empty((6, n_lanes), dtype=m0.dtype)
                lane_row = lane_row[order]
                lane_start = lane_start[order]
                lane_unswitched = lane_unswitched[order]
                lane_next_sample = lane_next_sample[order]
                lane_next_trace = lane_next_trace[order]
                lane_next_event = lane_next_event[order]
                lane_total = lane_total[order]
                lane_count = lane_count[order]
                trajectories = trajectories[order]
                generators = _take_columns(generators, order)
            # normals 3·step … 3·step + 11 of every lane's trajectory
            normals_next(generators, words, normals)
        if time_dependent:
            _drives(params, lane_start, iteration, dt, drive)
        before = lane_gap[iteration & 1]
        after = lane_gap[(iteration + 1) & 1]
        iteration += 1
        near = _heun_lanes(
            params, state, normals[3 * phase : 3 * phase + 3], drive, dt, noise,
            not time_dependent, axial, scratch,
            (watch_x, watch_y, watch_z, switch_level, bridge_screen),
            (before, after, lane_unswitched),
        )  # fmt: skip
        if not near and iteration < soonest:
            continue
        soonest = _NEVER
        for lane in range(n_lanes):
            row = lane_row[lane]
            if row == _IDLE:
                continue
            k = iteration - lane_start[lane]
            proj = state[0, lane] * ax + state[1, lane] * ay + state[2, lane] * az
            finished = k == n_steps
            crossed = after[lane] < 0.0
            if bridge_on and lane_unswitched[lane] and not crossed:
                crossed = _bridge_crossed(
                    before[lane], after[lane], switch_level, level_angle,
                    bridge_variance, bridge_screen, k0, k1, stream, trajectories[lane], k,
                )  # fmt: skip
            if lane_unswitched[lane] and crossed:
                lane_unswitched[lane] = 0
                switch_time[row] = k * dt
                if stop_at_switch:
                    finished = True
                    for j in range((k - 1) // trace_every + 1 if n_trace > 0 else 0, n_trace):
                        for c in range(3):
                            traces[row, j, c] = np.nan
            if k == lane_next_sample[lane]:
                lane_next_sample[lane] += sample_every
                lane_total[lane] += proj
                lane_count[lane] += 1
                b = min(max(int((proj + 1.0) * 0.5 * nbins), 0), nbins - 1)
                hist[b] += 1
            if k == lane_next_trace[lane]:
                lane_next_trace[lane] += trace_every
                if n_trace > 0 and not (finished and k < n_steps):
                    for c in range(3):
                        traces[row, k // trace_every, c] = state[c, lane]
            lane_next_event[lane] = lane_start[lane] + _next_event(
                k, lane_next_sample[lane], lane_next_trace[lane], n_steps
            )
            if finished:
                for c in range(3):
                    final_m[row, c] = state[c, lane]
                count = lane_count[lane]
                mean_projection[row] = lane_total[lane] / count if count > 0 else np.nan
                lane_row[lane] = _IDLE
                lane_unswitched[lane] = 0
                lane_next_event[lane] = _NEVER
                n_busy -= 1
            soonest = min(soonest, lane_next_event[lane])


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
    crossing_correction,
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

    n = ``switch_time.shape[0]``; outputs are preallocated by the caller and row i
    belongs to trajectory first_trajectory + i (see :func:`run_chunk`); ``hist`` is
    accumulated into.
    """
    k0, k1 = seed_key(seed)
    run_chunk(
        params, m0, k0, k1, stream, first_trajectory, 0, switch_time.shape[0], dt, n_steps,
        switch_axis, switch_level, stop_at_switch, crossing_correction, sample_start,
        sample_every, switch_time, final_m, mean_projection, hist, traces, trace_every,
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
    crossing_correction,
    sample_start,
    sample_every,
    switch_time,
    final_m,
    mean_projection,
    hist,
    traces,
    trace_every,
    n_tasks,
):
    """``prange`` variant of :func:`llg_ensemble` with bit-identical results.

    The rows are cut into ``n_tasks`` contiguous chunks (e.g. one per thread), each
    with its own integer histogram, summed at the end; the results do not depend on
    ``n_tasks``.  Only for single-process use (never call a ``parallel``
    kernel from several Dask threads).
    """
    k0, k1 = seed_key(seed)
    n = switch_time.shape[0]
    task_hist = np.zeros((n_tasks, hist.shape[0]), dtype=hist.dtype)
    for task in prange(n_tasks):
        start = (task * n) // n_tasks
        stop = ((task + 1) * n) // n_tasks
        if stop > start:
            run_chunk(
                params, m0, k0, k1, stream, first_trajectory + start, start, stop - start,
                dt, n_steps, switch_axis, switch_level, stop_at_switch, crossing_correction,
                sample_start, sample_every, switch_time, final_m, mean_projection, task_hist[task],
                traces, trace_every,
            )  # fmt: skip
    for task in range(n_tasks):
        for b in range(hist.shape[0]):
            hist[b] += task_hist[task, b]
