r"""Self-consistent weak-coupling gap Δ(T, h) of a spin-split (Zeeman/exchange) BCS superconductor.

Gap equation in the cutoff-free logarithmic form (energies in Δ0, the T = 0, h = 0
gap; Tc = e^γ/π·Δ0):

.. math::

    \ln\frac{\Delta_0}{\Delta} = I(\Delta, T, h) \equiv \int_0^\infty du\,
        \big[f(\Delta\cosh u - h) + f(\Delta\cosh u + h)\big],

obtained from 1/λ = ∫_0^{ω_D} dξ [1 − f(E − h) − f(E + h)]/E with ξ = Δ sinh u and
1/λ = ln(2ω_D/Δ0).  At T = 0 it gives Δ = Δ0 for h < Δ and the Sarma branch
ln(Δ0/Δ) = arccosh(h/Δ), i.e. Δ = √(Δ0(2h − Δ0)), for h > Δ.

The condensation free energy (per spin DOS at the Fermi level) follows by integrating
the stationarity condition, dΩ/dΔ = −2Δ [ln(Δ0/Δ) − I(Δ)]:

.. math::

    \Omega_S(\Delta) - \Omega_N = -2\int_0^\Delta d\Delta'\,\Delta'
        \big[\ln(\Delta_0/\Delta') - I(\Delta', T, h)\big].

All roots of the gap equation are found (a scan plus bisection/secant refinement):
local minima of Ω are the BCS branch (and, in the supercooled region, a metastable
one); the local maximum between them is the unstable Sarma branch.  The
thermodynamically stable state is the lowest of {normal, local minima}, which puts
the first-order transition at h ≈ Δ0/√2 at T → 0 (Chandrasekhar–Clogston).

Accuracy: I(Δ, T, h) to ≈1e-12 absolute (composite 16-point Gauss–Legendre on panels
cut at the Fermi steps in units of T); roots to 1e-11 in Δ; tested against
scipy.integrate.quad and the T = 0 closed forms in ``tests/test_gap.py``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastspin.kernels.distributions import fermi

BRANCH_STABLE = 0
BRANCH_METASTABLE = 1
BRANCH_SARMA = 2

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
# energy offsets (in units of T) of the panel edges around each Fermi step
_STEP_OFFSETS = np.array([0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 14.0, 22.0, 32.0, 44.0])
_SCAN = np.concatenate((np.geomspace(1e-7, 0.05, 40), np.linspace(0.05, 1.0, 60)[1:]))


@njit(cache=True, nogil=True)
def _panel_sum(delta: float, temperature: float, h: float, u0: float, u1: float) -> float:
    half = 0.5 * (u1 - u0)
    mid = 0.5 * (u1 + u0)
    total = 0.0
    for j in range(_GL_NODES.size):
        u = mid + half * _GL_NODES[j]
        e = delta * math.cosh(u)
        total += _GL_WEIGHTS[j] * (fermi(e - h, temperature) + fermi(e + h, temperature))
    return total * half


@njit(cache=True, nogil=True)
def thermal_integral(delta: float, temperature: float, h: float) -> float:
    """I(Δ, T, h) = ∫_0^∞ du [f(Δ cosh u − h) + f(Δ cosh u + h)]; closed form at T = 0."""
    h = abs(h)
    if temperature <= 0.0:
        return math.acosh(h / delta) if h > delta else 0.0
    # panel edges in energy: around the step at E = h (if above the gap edge), then out
    # to h + 44 T (past it f < 1e-19); converted to u = arccosh(E/Δ).
    edges = np.empty(2 * _STEP_OFFSETS.size + 2)
    n = 0
    edges[n] = 0.0
    n += 1
    centre = max(h, delta)
    if h > delta:
        for k in range(_STEP_OFFSETS.size - 1, 0, -1):
            e = h - _STEP_OFFSETS[k] * temperature
            if e > delta:
                edges[n] = math.acosh(e / delta)
                n += 1
    for k in range(_STEP_OFFSETS.size):
        e = centre + _STEP_OFFSETS[k] * temperature
        if e > delta:
            u = math.acosh(e / delta)
            if u > edges[n - 1]:
                edges[n] = u
                n += 1
    total = 0.0
    for k in range(n - 1):
        total += _panel_sum(delta, temperature, h, edges[k], edges[k + 1])
    return total


@njit(cache=True, nogil=True)
def gap_residual(delta: float, temperature: float, h: float) -> float:
    """g(Δ) = ln(Δ0/Δ) − I(Δ, T, h); zero on every branch of the gap equation."""
    return -math.log(delta) - thermal_integral(delta, temperature, h)


@njit(cache=True, nogil=True)
def condensation_energy(delta: float, temperature: float, h: float) -> float:
    """Ω_S(Δ) − Ω_N in units of ν0 Δ0² (ν0: normal DOS per spin); 48-node quadrature."""
    if delta <= 0.0:
        return 0.0
    total = 0.0
    cut = min(abs(h), delta)
    panels = ((0.0, cut), (cut, delta)) if 0.0 < cut < delta else ((0.0, delta), (delta, delta))
    for a, b in panels:
        if b <= a:
            continue
        # three sub-panels, denser near 0 where Δ' ln Δ' varies fastest
        for a2, b2 in ((a, a + 0.1 * (b - a)), (a + 0.1 * (b - a), a + 0.4 * (b - a)), (a + 0.4 * (b - a), b)):
            half = 0.5 * (b2 - a2)
            mid = 0.5 * (b2 + a2)
            for j in range(_GL_NODES.size):
                d = mid + half * _GL_NODES[j]
                total += _GL_WEIGHTS[j] * half * d * gap_residual(d, temperature, h)
    return -2.0 * total


@njit(cache=True, nogil=True)
def _refine_root(a: float, b: float, ga: float, gb: float, temperature: float, h: float) -> float:
    """Bracketed root of g: Illinois (regula falsi) steps, to 1e-13 in Δ."""
    side = 0
    for _ in range(200):
        c = (a * gb - b * ga) / (gb - ga)
        if not (a < c < b):
            c = 0.5 * (a + b)
        gc = gap_residual(c, temperature, h)
        if gc == 0.0 or (b - a) < 1e-13:
            return c
        if (gc > 0.0) == (ga > 0.0):
            a, ga = c, gc
            if side == -1:
                gb *= 0.5
            side = -1
        else:
            b, gb = c, gc
            if side == 1:
                ga *= 0.5
            side = 1
    return 0.5 * (a + b)


@njit(cache=True, nogil=True)
def gap_roots(temperature: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """All superconducting solutions Δ > 0 and whether each is a local free-energy minimum.

    Returns (roots ascending, is_minimum) — a root where g goes + → − with growing Δ
    is a minimum of Ω (BCS-like), − → + a maximum (Sarma).
    """
    roots = np.empty(8)
    minima = np.zeros(8, dtype=np.bool_)
    count = 0
    d_prev = _SCAN[0]
    g_prev = gap_residual(d_prev, temperature, h)
    for i in range(1, _SCAN.size):
        d = _SCAN[i]
        g = gap_residual(d, temperature, h)
        if (g > 0.0) != (g_prev > 0.0) and count < 8:
            roots[count] = _refine_root(d_prev, d, g_prev, g, temperature, h)
            minima[count] = g_prev > 0.0
            count += 1
        d_prev = d
        g_prev = g
    return roots[:count], minima[:count]


@njit(cache=True, nogil=True)
def gap(temperature: float, h: float, branch: int = BRANCH_STABLE) -> float:
    """Δ(T, h) on the requested branch (Δ0 = 1).

    * ``BRANCH_STABLE``: the thermodynamically stable state (0.0 when normal);
    * ``BRANCH_METASTABLE``: the other local free-energy minimum: the superconducting
      branch where the normal state is stable (supercooled), or 0.0 (the normal state)
      where the superconductor is stable and the normal state is locally stable too;
      NaN where there is none;
    * ``BRANCH_SARMA``: the unstable Sarma solution, NaN if there is none.
    """
    roots, minima = gap_roots(temperature, h)
    best = 0.0
    best_energy = 0.0
    if roots.size == 1 and minima[0]:
        # the only root, approached with g > 0 from Δ → 0: Ω falls all the way from the
        # normal state (dΩ/dΔ = −2Δg < 0), so it is stable without comparing free energies
        best = roots[0]
    for i in range(roots.size if best == 0.0 else 0):
        if minima[i]:
            energy = condensation_energy(roots[i], temperature, h)
            if energy < best_energy:
                best_energy = energy
                best = roots[i]
    if branch == BRANCH_STABLE:
        return best
    if branch == BRANCH_SARMA:
        for i in range(roots.size):
            if not minima[i]:
                return roots[i]
        return np.nan
    # metastable: another local minimum than the stable one
    normal_is_local_minimum = roots.size > 0 and not minima[0]
    if best == 0.0:
        for i in range(roots.size - 1, -1, -1):
            if minima[i]:
                return roots[i]
        return np.nan
    if normal_is_local_minimum:
        return 0.0
    for i in range(roots.size):
        if minima[i] and roots[i] != best:
            return roots[i]
    return np.nan


@njit(cache=True, nogil=True)
def gap_table(temperature: np.ndarray, h: np.ndarray, branch: int) -> np.ndarray:
    """:func:`gap` elementwise over equal-shape arrays (flattened loop)."""
    t_flat = temperature.ravel()
    h_flat = h.ravel()
    out = np.empty(t_flat.size)
    for i in range(t_flat.size):
        out[i] = gap(t_flat[i], h_flat[i], branch)
    return out.reshape(temperature.shape)
