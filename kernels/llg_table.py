r"""Stochastic LLG of a macrospin driven by tabulated transport torques and noise (Numba).

A transport model (tunnel junction, magnon interface, ...) gives the torque on a
magnet and the noise of that torque as functions of the magnetization direction m.
For the axially symmetric models of fastspin (everything depends on u = m_z = cos θ
only, ẑ the precession axis) the kernel integrates

    dm/dt = A(m) + sqrt(2 c(u)) (m × ∘ξ(t)),                                    (1)

    A(m) = ω(u) ẑ × m + p(u) (ẑ − u m) + b(u) − (b(u)·m) m,

with ⟨ξ_i(t) ξ_j(t')⟩ = δ_ij δ(t − t') (three white noises) and the five tabulated
functions of u (rates, in the caller's inverse time unit):

* ω(u)  precession frequency about ẑ (field, anisotropy, field-like torques);
* p(u)  polar rate: the torque along the meridian.  ẑ − u m = −sin θ e_θ, so the
  polar torque τ_θ e_θ is p = −τ_θ/sin θ, and du/dt = p (1 − u²) from this term
  alone: p is the *torque per sin²θ*, regular at the poles;
* b(u) = (b_x, b_y, 0) a lab-frame torque vector (e.g. the in-plane torques of a
  tilted spin-splitting field), projected on the tangent plane of m (a component b_z
  along ẑ projects to b_z (ẑ − u m): it belongs in p);
* c(u)  the noise: the diffusion tensor is c(u) (1 − m mᵀ), isotropic in the plane
  perpendicular to m (the Keldysh action of a tunnel junction gives the same D for the
  polar and the azimuthal fluctuations).

The magnet's frame (m, e_θ, e_φ) is degenerate at the poles; ẑ − u m and ẑ × m are the
smooth vector fields sin θ (−e_θ) and sin θ e_φ, which is why the tables hold torque per
sin θ.

Physical law and drift correction
---------------------------------
The physical Fokker-Planck equation on the unit sphere is the isothermal (Hänggi)
form that gives Boltzmann's law whenever the torque and noise obey the fluctuation-
dissipation relation (Brown, Phys. Rev. 130, 1677 (1963) for constant c):

    ∂_t P = −∇·(A P) + ∇·(c ∇P),                                               (2)

∇ the surface gradient.  For an axially symmetric P(u) its polar part is
∂_u[B ∂_u P] − ∂_u[a0 P] with B = c (1 − u²), a0 = p (1 − u²) (for b = 0), i.e.
the tilt-angle equation (Eq. (8) of Ojajärvi et al., Phys. Rev. B 101, 115406 (2020)).

Derivation of the Stratonovich drift.  Write the noise of (1) as Σ_k V_k ∘ dW_k with
V_k = s L_k, s = sqrt(2c), L_k = m × e_k (the rotation generators: tangent,
divergence-free on the sphere, Σ_k (L_k·∇f)(L_k·∇g) = ∇f·∇g, Σ_k L_k·∇(L_k·∇f) = Δf).
The Stratonovich SDE dm = a dt + Σ V_k ∘ dW_k has the generator adjoint
∂_t P = −∇·(aP) + ½ Σ_k ∇·(V_k ∇·(V_k P)).  Since ∇·(V_k X) = L_k·∇(s X),

    ½ Σ_k L_k·∇(s L_k·∇(sP)) = ½[∇s·∇(sP) + sΔ(sP)]
        = c ΔP + ∇c·∇P + ½ s∇s·∇P + ½ P(|∇s|² + sΔs)
        = ∇·(c∇P) + ½ ∇·(P ∇c)            (s∇s = ∇c).

So the Stratonovich drift that reproduces (2) is

    a = A(m) + ½ ∇c = A(m) + ½ c'(u) (ẑ − u m),                                (3)

and dropping the ½∇c term shifts the stationary law by the factor c(u)^(-1/2)
(``tests/kernels/test_llg_table.py`` checks both).  Cross-check with the 1-D tilt
kernel: the Itô drift of (1)+(3) is A + ½∇c + ½∇c − 2c m; its z component
a0 + c'(1 − u²) − 2uc is the Itô drift a0 + B' of the Hänggi form in u.

Integrator
----------
Stochastic Heun on R³ with the same increments ΔW = sqrt(Δt) ξ in predictor and
corrector and a normalization after each stage (square roots by the Newton inverse
square root of :mod:`fastspin.kernels.elementary`, relative error 4e-16) (weak order 1, Stratonovich; the
normalization changes m by O(Δt²) per step):

    m̃ = N(m + a(m) Δt + s(m) m × ΔW),
    m' = N(m + ½[a(m) + a(m̃)] Δt + ½[s(m) m + s(m̃) m̃] × ΔW).

The fields at m̃ are taken from the cubic of the interval holding m (one table lookup
per step; the C² spline makes the difference to the neighbouring cubic |Δc3| δ³ for a
predictor δ past a knot, see :func:`_heun_lanes`).

Tables and interpolation
------------------------
``coef[i, 4f : 4f + 4]`` = (c0, c1, c2, c3) are the cubic coefficients of field f on the
interval [u_i, u_{i+1}] of the uniform grid u_i = −1 + 2i/n (n intervals):
f(u) = c0 + t(c1 + t(c2 + t c3)), t = u − u_i (a cubic spline from the physics layer);
the 20 numbers of one interval are adjacent in memory (one gather base per lane).
An axially symmetric table (b = 0) skips the lab fields in the step.
The kernel evaluates c and its derivative c' from the same cubic, so (3) is consistent
with the interpolated c.  Interpolation error of the not-a-knot cubic spline, h = 2/n:
|f − f_h| <= (5/384) h⁴ max|f''''| away from the ends (the clamped-spline bound of Hall
and Meyer, J. Approx. Theory 16, 105 (1976)), up to 2.5 times that in the two end
intervals; tested against the direct evaluation at mid-interval points.

Random numbers
--------------
Step s of trajectory i uses normals 3s, 3s+1, 3s+2 of (seed, stream, i) from
:mod:`fastspin.kernels.rng`, fetched four steps at a time, as in
:mod:`fastspin.kernels.llg`.  Every output row is a pure function of (tables, seed,
stream, global trajectory index): independent of blocks, lanes and threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from fastspin.kernels.elementary import add_samples, inverse_sqrt
from fastspin.kernels.rng import normals_next, seed_key, seed_lanes

# table fields; the lab-frame torque along ẑ needs no field of its own:
# b_z ẑ − (b_z ẑ·m) m = b_z (ẑ − u m) is a polar torque
F_PRECESSION = 0
F_POLAR = 1
F_DIFFUSION = 2
F_LAB_X = 3
F_LAB_Y = 4
N_FIELDS = 5
#: fields of an axially symmetric table (lab_x = lab_y = 0 everywhere)
N_AXIAL = 3

#: trajectories integrated side by side (SIMD lanes) by one thread
LANES = 128
# scratch rows: 20 gathered coefficients, the interval offset t, 6 Heun work rows
_T_ROW = 4 * N_FIELDS
_WORK_ROW = _T_ROW + 1
SCRATCH = _WORK_ROW + 6


@njit(cache=True, nogil=True, inline="always")
def _interval(u, inv_h, n_intervals):
    x = (u + 1.0) * inv_h
    i = min(max(int(x), 0), n_intervals - 1)
    return i, (x - i) / inv_h


@njit(cache=True, nogil=True, inline="always")
def _horner(buf, field, lane, t):
    r = 4 * field * LANES + lane
    return buf[r] + t * (buf[r + LANES] + t * (buf[r + 2 * LANES] + t * buf[r + 3 * LANES]))


@njit(cache=True, nogil=True, inline="always")
def _drift_from_local(mx, my, mz, t, buf, lane, correction, lab):
    """Drift (3) and s = sqrt(2c) at m from the gathered cubic of this lane's interval.

    u = m_z unclamped (|m| = 1 up to rounding, and nothing here needs |u| <= 1): a
    min/max clamp here stops LLVM from vectorizing the lane loop.  ``t`` = u − u_i on the
    gathered interval i.  ``lab`` False (a constant at each call site) leaves out the
    lab-frame torque of an axial table.
    """
    u = mz
    omega = _horner(buf, F_PRECESSION, lane, t)
    polar = _horner(buf, F_POLAR, lane, t)
    r = 4 * F_DIFFUSION * LANES + lane
    c = _horner(buf, F_DIFFUSION, lane, t)
    dc = buf[r + LANES] + t * (2.0 * buf[r + 2 * LANES] + 3.0 * t * buf[r + 3 * LANES])
    radial = polar + 0.5 * correction * dc
    ax = -omega * my - radial * u * mx
    ay = omega * mx - radial * u * my
    az = radial * (1.0 - u * mz)
    if lab:
        bx = _horner(buf, F_LAB_X, lane, t)
        by = _horner(buf, F_LAB_Y, lane, t)
        bm = bx * mx + by * my
        ax += bx - bm * mx
        ay += by - bm * my
        az -= bm * mz
    # s = sqrt(2c) as 2c/sqrt(2c) without a hardware square root (0 for c <= 0)
    twice = max(2.0 * c, 0.0)
    return ax, ay, az, twice * inverse_sqrt(max(twice, 1e-300))


@njit(cache=True, nogil=True, error_model="numpy")
def _gather(z, coef, buf, n_fields):
    """Copy the cubic coefficients of the first ``n_fields`` fields on the interval holding
    u = z[lane] into rows 0 … 4·n_fields − 1 of the scratch ``buf`` (row r, lane l at
    r·LANES + l) and t = u − u_i into row _T_ROW.

    Kept apart from the arithmetic: the table lookups are indexed loads, which stop
    LLVM from vectorizing a loop that also stores the state, so the Heun arithmetic
    runs in separate loops over the gathered coefficients.  All scratch rows live in one
    1-D buffer at compile-time-constant distances (multiples of LANES), so LLVM proves
    them disjoint without runtime alias checks and vectorizes those loops.
    """
    n_intervals = coef.shape[0]
    inv_h = n_intervals / 2.0
    for lane in range(z.shape[0]):
        u = min(max(z[lane], -1.0), 1.0)
        x = (u + 1.0) * inv_h
        i = min(max(int(x), 0), n_intervals - 1)
        buf[_T_ROW * LANES + lane] = (x - i) / inv_h
        for k in range(4 * N_AXIAL):
            buf[k * LANES + lane] = coef[i, k]
    if n_fields > N_AXIAL:
        for lane in range(z.shape[0]):
            u = min(max(z[lane], -1.0), 1.0)
            i = min(max(int((u + 1.0) * inv_h), 0), n_intervals - 1)
            for k in range(4 * N_AXIAL, 4 * N_FIELDS):
                buf[k * LANES + lane] = coef[i, k]


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath={"contract"})
def _predictor_loop(state, xi, dt, buf, correction, lab):
    sqdt = math.sqrt(dt)
    sx = state[0]
    sy = state[1]
    sz = state[2]
    for lane in range(state.shape[1]):
        mx = sx[lane]
        my = sy[lane]
        mz = sz[lane]
        wx = sqdt * xi[0, lane]
        wy = sqdt * xi[1, lane]
        wz = sqdt * xi[2, lane]
        t = buf[_T_ROW * LANES + lane]
        ax, ay, az, s = _drift_from_local(mx, my, mz, t, buf, lane, correction, lab)
        # noise increment s m × ΔW
        nx = s * (my * wz - mz * wy)
        ny = s * (mz * wx - mx * wz)
        nz = s * (mx * wy - my * wx)
        buf[(_WORK_ROW + 0) * LANES + lane] = dt * ax + nx
        buf[(_WORK_ROW + 1) * LANES + lane] = dt * ay + ny
        buf[(_WORK_ROW + 2) * LANES + lane] = dt * az + nz
        qx = mx + dt * ax + nx
        qy = my + dt * ay + ny
        qz = mz + dt * az + nz
        inv = inverse_sqrt(qx * qx + qy * qy + qz * qz)
        buf[(_WORK_ROW + 3) * LANES + lane] = qx * inv
        buf[(_WORK_ROW + 4) * LANES + lane] = qy * inv
        buf[(_WORK_ROW + 5) * LANES + lane] = qz * inv


@njit(cache=True, nogil=True, inline="always", error_model="numpy", fastmath={"contract"})
def _corrector_loop(state, xi, dt, buf, correction, lab):
    sqdt = math.sqrt(dt)
    sx = state[0]
    sy = state[1]
    sz = state[2]
    for lane in range(state.shape[1]):
        qx = buf[(_WORK_ROW + 3) * LANES + lane]
        qy = buf[(_WORK_ROW + 4) * LANES + lane]
        qz = buf[(_WORK_ROW + 5) * LANES + lane]
        wx = sqdt * xi[0, lane]
        wy = sqdt * xi[1, lane]
        wz = sqdt * xi[2, lane]
        # the predictor on the cubic of the starting interval (see _heun_lanes)
        t = buf[_T_ROW * LANES + lane] + (qz - sz[lane])
        ax, ay, az, s = _drift_from_local(qx, qy, qz, t, buf, lane, correction, lab)
        ux = sx[lane] + 0.5 * (buf[(_WORK_ROW + 0) * LANES + lane] + dt * ax + s * (qy * wz - qz * wy))
        uy = sy[lane] + 0.5 * (buf[(_WORK_ROW + 1) * LANES + lane] + dt * ay + s * (qz * wx - qx * wz))
        uz = sz[lane] + 0.5 * (buf[(_WORK_ROW + 2) * LANES + lane] + dt * az + s * (qx * wy - qy * wx))
        inv = inverse_sqrt(ux * ux + uy * uy + uz * uz)
        sx[lane] = ux * inv
        sy[lane] = uy * inv
        sz[lane] = uz * inv


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def _predictor(state, xi, dt, buf, correction, lab):
    """Scratch rows _WORK_ROW + 0-2: the first-stage increment, + 3-5: the normalized
    predictor.  One loop per value of ``lab`` so that each is a straight-line body."""
    if lab:
        _predictor_loop(state, xi, dt, buf, correction, True)
    else:
        _predictor_loop(state, xi, dt, buf, correction, False)


@njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})
def _corrector(state, xi, dt, buf, correction, lab):
    if lab:
        _corrector_loop(state, xi, dt, buf, correction, True)
    else:
        _corrector_loop(state, xi, dt, buf, correction, False)


@njit(cache=True, nogil=True, error_model="numpy")
def has_lab_torque(coef):
    """Whether any lab-frame (x, y) coefficient of the table is non-zero."""
    for i in range(coef.shape[0]):
        for k in range(4 * N_AXIAL, 4 * N_FIELDS):
            if coef[i, k] != 0.0:
                return True
    return False


@njit(cache=True, nogil=True, error_model="numpy")
def _heun_lanes(state, xi, dt, coef, correction, buf, lab):
    """One stochastic Heun step (module docstring) for every lane (column) of ``state``
    (at most LANES lanes; ``buf`` the scratch of :data:`SCRATCH` · LANES numbers);
    ``lab`` = :func:`has_lab_torque` of the table (False skips its zero lab fields).

    The table is gathered once per step, on the interval of the starting point; the
    predictor is evaluated on that interval's cubic, extrapolated when it lies beyond a
    knot.  The spline is C², so at a distance δ past the knot the extrapolated cubic
    differs from the neighbouring one by |Δc3| δ³ (Δc3 the jump of the cubic
    coefficient); δ <= |Δu| of one step, so this is far below the interpolation error
    while |Δu| ≪ h (tested against the exact Boltzmann law at two dt).
    """
    _gather(state[2], coef, buf, N_FIELDS if lab else N_AXIAL)
    _predictor(state, xi, dt, buf, correction, lab)
    _corrector(state, xi, dt, buf, correction, lab)


@njit(cache=True, nogil=True, error_model="numpy")
def stratonovich_drift(mx, my, mz, coef, correction):
    """(a_x, a_y, a_z, s) at one m: the drift (3) of the module docstring and s = sqrt(2c).

    ``correction`` multiplies the ½∇c term (1 for the physical law; 0 only to show in a
    test what goes wrong without it).
    """
    buf = np.empty(SCRATCH * LANES)
    _gather(np.array([mz]), coef, buf, N_FIELDS)
    return _drift_from_local(mx, my, mz, buf[_T_ROW * LANES], buf, 0, correction, True)


@njit(cache=True, nogil=True, error_model="numpy")
def table_group(
    coef, m0, k0, k1, stream, first_trajectory, first_row, n_active, dt, n_steps,
    switch_level, sample_start, sample_every, correction,
    switch_time, final_m, mean_u, hist, traces, trace_every,
):  # fmt: skip
    """Integrate trajectories first_trajectory … + n_active − 1 (n_active <= LANES).

    Writes rows first_row …:

    * ``switch_time``: first time k·Δt (checked after every step k) at which
      s·u < ``switch_level``, s = sign(m0_z) (+1 if 0); NaN if never;
    * ``final_m`` (rows, 3): m after n_steps;
    * ``mean_u``: mean of u = m_z over the samples k = sample_start,
      sample_start + sample_every, … (NaN without samples);
    * ``hist`` (accumulated): counts of u over those samples, equal bins on [−1, 1];
    * ``traces[row, j, :]`` = m after step j·trace_every when trace_every > 0.
    """
    n_lanes = min(LANES, (n_active + 7) // 8 * 8)
    state = np.empty((3, n_lanes))
    for c in range(3):
        state[c, :] = m0[c]
    normals = np.empty((12, n_lanes), dtype=np.float32)
    buf = np.empty(SCRATCH * LANES)
    lab = has_lab_torque(coef)
    totals = np.zeros(n_lanes)
    count = 0
    generators = seed_lanes(k0, k1, stream, first_trajectory, n_lanes)
    words = np.empty((2, 6, n_lanes), dtype=np.uint32)
    sign = 1.0 if m0[2] >= 0.0 else -1.0
    first_switch = np.full(n_lanes, np.nan)
    n_trace = traces.shape[1] if trace_every > 0 else 0
    if n_trace > 0:
        for lane in range(n_active):
            for c in range(3):
                traces[first_row + lane, 0, c] = m0[c]
    next_sample = sample_start if sample_start >= 1 else 1
    next_trace = trace_every
    for step in range(n_steps):
        phase = step & 3
        if phase == 0:
            # normals 3·step … 3·step + 11 of every lane's trajectory
            normals_next(generators, words, normals)
        _heun_lanes(state, normals[3 * phase : 3 * phase + 3], dt, coef, correction, buf, lab)
        k = step + 1
        sz = state[2]
        for lane in range(n_lanes):
            hit = (sign * sz[lane] < switch_level) & np.isnan(first_switch[lane])
            first_switch[lane] = k * dt if hit else first_switch[lane]
        if k == next_sample:
            next_sample += sample_every
            count += 1
            add_samples(sz, n_active, totals, hist)
        if k == next_trace:
            next_trace += trace_every
            for lane in range(n_active):
                for c in range(3):
                    traces[first_row + lane, k // trace_every, c] = state[c, lane]
    for lane in range(n_active):
        row = first_row + lane
        for c in range(3):
            final_m[row, c] = state[c, lane]
        switch_time[row] = first_switch[lane]
        mean_u[row] = totals[lane] / count if count > 0 else np.nan


@njit(cache=True, nogil=True)
def table_ensemble(
    coef, m0, seed, stream, first_trajectory, dt, n_steps, switch_level, sample_start,
    sample_every, correction, switch_time, final_m, mean_u, hist, traces, trace_every,
):  # fmt: skip
    """Serial ensemble of (1) for trajectories first_trajectory … + n − 1.

    n = ``switch_time.shape[0]``; outputs as in :func:`table_group`.
    """
    k0, k1 = seed_key(seed)
    n = switch_time.shape[0]
    for first_row in range(0, n, LANES):
        table_group(
            coef, m0, k0, k1, stream, first_trajectory + first_row, first_row,
            min(LANES, n - first_row), dt, n_steps, switch_level, sample_start, sample_every,
            correction, switch_time, final_m, mean_u, hist, traces, trace_every,
        )  # fmt: skip


@njit(cache=True, nogil=True, parallel=True)
def table_ensemble_parallel(
    coef, m0, seed, stream, first_trajectory, dt, n_steps, switch_level, sample_start,
    sample_every, correction, switch_time, final_m, mean_u, hist, traces, trace_every, n_tasks,
):  # fmt: skip
    """``prange`` variant of :func:`table_ensemble`; identical results for any n_tasks."""
    k0, k1 = seed_key(seed)
    n = switch_time.shape[0]
    n_groups = (n + LANES - 1) // LANES
    task_hist = np.zeros((n_tasks, hist.shape[0]), dtype=hist.dtype)
    for task in prange(n_tasks):
        for g in range(task, n_groups, n_tasks):
            first_row = g * LANES
            table_group(
                coef, m0, k0, k1, stream, first_trajectory + first_row, first_row,
                min(LANES, n - first_row), dt, n_steps, switch_level, sample_start,
                sample_every, correction, switch_time, final_m, mean_u, task_hist[task],
                traces, trace_every,
            )  # fmt: skip
    for task in range(n_tasks):
        for b in range(hist.shape[0]):
            hist[b] += task_hist[task, b]


@njit(cache=True, nogil=True)
def evaluate_table(coef, u):
    """Values (N_FIELDS, len(u)) and derivatives of the tabulated fields at u (for tests)."""
    inv_h = coef.shape[0] / 2.0
    n_intervals = coef.shape[0]
    n_fields = coef.shape[1] // 4
    values = np.empty((n_fields, u.shape[0]))
    slopes = np.empty((n_fields, u.shape[0]))
    for j in range(u.shape[0]):
        i, t = _interval(u[j], inv_h, n_intervals)
        for f in range(n_fields):
            c = coef[i, 4 * f : 4 * f + 4]
            values[f, j] = c[0] + t * (c[1] + t * (c[2] + t * c[3]))
            slopes[f, j] = c[1] + t * (2.0 * c[2] + 3.0 * t * c[3])
    return values, slopes


@njit(cache=True, nogil=True)
def drift_at(coef, m, correction):
    """Stratonovich drift (3) and noise amplitude s at the points m (n, 3) (for tests)."""
    out = np.empty((m.shape[0], 4))
    for j in range(m.shape[0]):
        ax, ay, az, s = stratonovich_drift(m[j, 0], m[j, 1], m[j, 2], coef, correction)
        out[j, 0] = ax
        out[j, 1] = ay
        out[j, 2] = az
        out[j, 3] = s
    return out
