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

It is evaluated in one quadrature of the kind of I (:func:`condensation_energy`: the
Δ' integral done in closed form), not as the nested integral written here.

All roots of the gap equation are found (:func:`gap_roots`): g(Δ) = ln(Δ0/Δ) − I and
Δ dg/dΔ (from the same quadrature pass) on a 16-point scan of Δ ∈ [1e-7, 1]; sign
changes of g bracket roots, and where g keeps its sign across a scan interval but dg/dΔ
turns towards zero, the extremum of g there is searched for a sign change, so close root
pairs near the spinodals are found however close (this relies on g having at most one
local minimum followed by one local maximum, checked numerically over T ∈ (0, Tc],
h ∈ [0, 1.05]).  Roots are refined by safeguarded Newton steps.  Local minima of Ω are
the BCS branch (and, in the supercooled region, a metastable one); the local maximum
between them is the unstable Sarma branch.  The thermodynamically stable state is the
lowest of {normal, local minima}, which puts the first-order transition at
h_c = √(Δ0²/2 − π²T²/3) for T ≪ Δ0 (Chandrasekhar–Clogston, with the normal-state
Sommerfeld term).

Accuracy: I(Δ, T, h) to ≈1e-12 absolute (composite 16-point Gauss–Legendre on panels
cut at the Fermi steps in units of T, the tail past (E − h)/T = 34 dropped, < 1e-15);
Ω_S − Ω_N to ≈1e-13; roots to 1e-11 in Δ; tested against scipy.integrate.quad, a
Matsubara-sum reference and the T = 0 closed forms in ``tests/test_gap.py``.

Cost: ≈20 evaluations of (g, Δ g') per (T, h) (16 scan points, 3–4 Newton steps per
root) plus one free-energy quadrature per local minimum where more than one root
exists; ≈4 µs per evaluation (10–17 panels of 16 nodes), less where Δ − h ≫ T.  One
solve of :func:`gap` takes ≈75 µs on average over T ∈ [0.02, 0.99] Tc, h ∈ [0, 0.75]
and ≈110 µs in the first-order region T ∈ [0.02, 0.3] Tc, h ∈ [0.5, 0.8] (≈470 and
≈890 µs with the former 100-point scan of g, bisection-secant refinement and a 96-node
nested free-energy quadrature, on the same machine).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastspin.kernels.distributions import fermi, fermi_and_complement

BRANCH_STABLE = 0
BRANCH_METASTABLE = 1
BRANCH_SARMA = 2

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
# energy offsets (in units of T) of the panel edges around each Fermi step; the tail past
# the last one is < 2 e^{-32}/32 < 1e-15 (see thermal_integral)
_STEP_OFFSETS = np.array([0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 14.0, 22.0, 32.0])
# (E − h)/T past which the rest of the integral is below 1e-15 and is dropped
_TAIL_CUT = 34.0
# scan of Δ for sign changes of g and of dg/dΔ (see gap_roots)
_SCAN = np.concatenate((np.geomspace(1e-7, 0.05, 6), np.linspace(0.05, 1.0, 11)[1:]))


@njit(cache=True, nogil=True)
def _panel_sums(
    delta: float, temperature: float, h: float, u0: float, u1: float, free_energy: bool
) -> tuple[float, float]:
    """16-point Gauss–Legendre sums over (u0, u1), E = Δ cosh u, F(E) = f(E − h) + f(E + h).

    (∫ du F(E), ∫ du e^{−u} F'(E)), or with ``free_energy``
    (∫ du E T[ln(1 + e^{−(E−h)/T}) + ln(1 + e^{−(E+h)/T})], 0).
    """
    half = 0.5 * (u1 - u0)
    mid = 0.5 * (u1 + u0)
    first = 0.0
    second = 0.0
    for j in range(_GL_NODES.size):
        u = mid + half * _GL_NODES[j]
        grow = math.exp(u)
        e = 0.5 * delta * (grow + 1.0 / grow)
        if free_energy:
            first += _GL_WEIGHTS[j] * e * (_log_occupation(e - h, temperature) + _log_occupation(e + h, temperature))
            continue
        f_minus, fc_minus = fermi_and_complement(e - h, temperature)
        f_plus, fc_plus = fermi_and_complement(e + h, temperature)
        first += _GL_WEIGHTS[j] * (f_minus + f_plus)
        second += _GL_WEIGHTS[j] * (f_minus * fc_minus + f_plus * fc_plus) / grow
    return first * half, -second * half / temperature


@njit(cache=True, nogil=True)
def _log_occupation(energy: float, temperature: float) -> float:
    """T ln(1 + e^{−E/T}) = −∫_E^∞ f, without overflow or cancellation."""
    x = energy / temperature
    return temperature * (max(-x, 0.0) + math.log1p(math.exp(-abs(x))))


@njit(cache=True, nogil=True)
def _thermal_sums(
    delta: float, temperature: float, h: float, free_energy: bool = False
) -> tuple[float, float]:
    """(I, J) with I = ∫_0^∞ du F(Δ cosh u) and J = ∫_0^∞ du e^{−u} F'(Δ cosh u), T > 0, h ≥ 0;
    with ``free_energy`` (K, 0), K = ∫_0^∞ dξ T Σ± ln(1 + e^{−(E∓h)/T}) (see :func:`_panel_sums`).

    Composite 16-point Gauss–Legendre in u on panels whose edges sit at fixed energy
    offsets (in units of T) around the Fermi step E = h (if above the gap edge) and out
    from E = max(h, Δ).  Panels starting at E with (E − h)/T > 34 are dropped: with
    E = E1 + xT, E1 = max(h, Δ), and du = dE/√(E² − Δ²) ≤ dE/(xT), the dropped tail of I
    is below 2e^{−(E − h)/T}/x < 1e-15 (x ≥ 0.5), and when Δ − h > 34T and Δ > T the whole
    of I is below 2 e^{h/T} K0(Δ/T) < 1e-15 and is returned as 0.  K has the same steps;
    its integrand is below T e^{−(E−h)/T} per dξ, so the same cuts leave out < 1e-15 too.
    """
    if delta - h > _TAIL_CUT * temperature and delta > temperature:
        return 0.0, 0.0
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
            if e - h > _TAIL_CUT * temperature and k > 0:
                break
    occupation = 0.0
    slope = 0.0
    for k in range(n - 1):
        first, second = _panel_sums(delta, temperature, h, edges[k], edges[k + 1], free_energy)
        occupation += first
        slope += second
    return occupation, slope


@njit(cache=True, nogil=True)
def thermal_integral(delta: float, temperature: float, h: float) -> float:
    """I(Δ, T, h) = ∫_0^∞ du [f(Δ cosh u − h) + f(Δ cosh u + h)]; closed form at T = 0."""
    h = abs(h)
    if temperature <= 0.0:
        return math.acosh(h / delta) if h > delta else 0.0
    return _thermal_sums(delta, temperature, h)[0]


@njit(cache=True, nogil=True)
def gap_residual(delta: float, temperature: float, h: float) -> float:
    """g(Δ) = ln(Δ0/Δ) − I(Δ, T, h); zero on every branch of the gap equation."""
    return -math.log(delta) - thermal_integral(delta, temperature, h)


@njit(cache=True, nogil=True)
def gap_residual_and_slope(delta: float, temperature: float, h: float) -> tuple[float, float]:
    """(g(Δ), Δ dg/dΔ) from one quadrature pass.

    Integrating Δ dI/dΔ = ∫ du Δ cosh u F'(Δ cosh u) by parts (coth u = 1 + (coth u − 1))
    gives Δ dI/dΔ = −F(Δ) + Δ J, so Δ g' = F(Δ) − 1 − Δ J = f(Δ + h) − f(h − Δ) − Δ J,
    free of the 1/Δ cancellation of −1/Δ − dI/dΔ at small Δ.  T = 0: closed forms.
    """
    h = abs(h)
    if temperature <= 0.0:
        if h > delta:
            root = math.sqrt(h * h - delta * delta)
            return -math.log(h + root), delta * delta / (root * (h + root))
        return -math.log(delta), -1.0
    occupation, slope = _thermal_sums(delta, temperature, h)
    jump = fermi(delta + h, temperature) - fermi(h - delta, temperature)
    return -math.log(delta) - occupation, jump - delta * slope


@njit(cache=True, nogil=True)
def condensation_energy(delta: float, temperature: float, h: float) -> float:
    r"""Ω_S(Δ) − Ω_N in units of ν0 Δ0² (ν0: normal DOS per spin), to ≈1e-13 absolute.

    The definition −2∫_0^Δ dΔ' Δ' g(Δ') (module docstring) with I = ∫_0^∞ dξ F(E')/E'
    and ∫_0^Δ dΔ' Δ' F(E')/E' = T Σ± [ln(1 + e^{−(|ξ|∓h)/T}) − ln(1 + e^{−(E∓h)/T})]
    gives, using ∫_0^∞ dξ T Σ± ln(1 + e^{−(ξ∓h)/T}) = π²T²/6 + h²/2 (dilogarithm identity),

    .. math::

        \Omega_S - \Omega_N = \Delta^2(\ln\Delta - \tfrac12) + \frac{\pi^2T^2}{3} + h^2
            - 2\int_0^\infty d\xi\, T \sum_\pm \ln\big(1 + e^{-(E \mp h)/T}\big),

    one quadrature of the kind of I (same panels) instead of a nested one.  T = 0:
    Δ²(ln Δ − 1/2) + h² − h√(h² − Δ²) + Δ² arccosh(h/Δ) for h > Δ, else without the last two.
    """
    if delta <= 0.0:
        return 0.0
    h = abs(h)
    bulk = delta * delta * (math.log(delta) - 0.5) + h * h
    if temperature <= 0.0:
        if h > delta:
            bulk += delta * delta * math.acosh(h / delta) - h * math.sqrt(h * h - delta * delta)
        return bulk
    quasiparticles = _thermal_sums(delta, temperature, h, True)[0]
    return bulk + math.pi**2 * temperature**2 / 3.0 - 2.0 * quasiparticles


@njit(cache=True, nogil=True)
def _refine_root(
    a: float, b: float, ga: float, gb: float, temperature: float, h: float
) -> float:
    """Bracketed root of g in (a, b): Newton steps on g (slope from the same quadrature),
    falling back to bisection when a step leaves the bracket (by more than 1e-13) or does
    not halve the previous one; done when the Newton step is below 1e-14 or the bracket
    below 1e-13 in Δ."""
    x = (a * gb - b * ga) / (gb - ga)
    width = b - a
    for _ in range(100):
        gx, sx = gap_residual_and_slope(x, temperature, h)
        if gx == 0.0:
            return x
        if (gx > 0.0) == (ga > 0.0):
            a = x
        else:
            b = x
        step = gx * x / sx if sx != 0.0 else np.inf
        if abs(step) < 1e-14:
            return x - step
        new = x - step
        # the root may sit at a bracket end to rounding (x itself is one): accept a step
        # that lands there, else bisection would crawl towards it
        if not (a - 1e-13 < new < b + 1e-13) or 2.0 * abs(step) > width:
            new = 0.5 * (a + b)
            step = new - x
        width = abs(step)
        x = new
        if b - a < 1e-13:
            return x
    return x


@njit(cache=True, nogil=True)
def _split_at_extremum(
    a: float, b: float, ga: float, gb: float, sa: float, sb: float, temperature: float, h: float
) -> tuple[float, float]:
    """Look for the point where g changes sign at the extremum of g inside (a, b).

    g has the same sign at both ends and dg/dΔ (sign of sa, sb) changes sign, so (a, b)
    holds one extremum of g.  Illinois steps on Δ g' narrow the extremum's bracket
    (a, b); as soon as g changes sign at a probe the probe is returned with its g, so the
    two roots are bracketed by (a, c) and (c, b).  The search stops without a root when
    g cannot reach zero inside: with g' monotone on the bracket, |g| ≥ min(|ga|, |gb|) −
    (b − a) max(|g'(a)|, |g'(b)|); a factor 2 of margin is kept.  Returns (c, g(c)) or
    (NaN, NaN).
    """
    positive = ga > 0.0
    slope_a = sa / a  # true g' at the bracket ends (sa, sb get Illinois-halved)
    slope_b = sb / b
    side = 0
    for _ in range(200):
        slope_bound = max(abs(slope_a), abs(slope_b))
        if min(abs(ga), abs(gb)) > 2.0 * (b - a) * slope_bound or b - a < 1e-13:
            return np.nan, np.nan
        c = (a * sb - b * sa) / (sb - sa)
        if not (a < c < b):
            c = 0.5 * (a + b)
        gc, sc = gap_residual_and_slope(c, temperature, h)
        if (gc > 0.0) != positive:
            return c, gc
        if (sc > 0.0) == (sa > 0.0):
            a, ga, sa, slope_a = c, gc, sc, sc / c
            if side == -1:
                sb *= 0.5
            side = -1
        else:
            b, gb, sb, slope_b = c, gc, sc, sc / c
            if side == 1:
                sa *= 0.5
            side = 1
    return np.nan, np.nan


@njit(cache=True, nogil=True)
def gap_roots(temperature: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """All superconducting solutions Δ > 0 and whether each is a local free-energy minimum.

    Returns (roots ascending, is_minimum) — a root where g goes + → − with growing Δ
    is a minimum of Ω (BCS-like), − → + a maximum (Sarma).

    g and Δ g' are evaluated on the 16-point ``_SCAN``; a sign change of g brackets a
    root; an interval where g keeps its sign but g' changes sign towards zero holds an
    extremum of g, which is searched for a sign change (:func:`_split_at_extremum`), so
    that a close root pair (near a spinodal) is not missed however close.  This relies on
    g having at most one local minimum followed by one local maximum on (0, 1], not both
    in the same scan interval (g' would keep its sign at both ends); checked against a
    1600-point scan of g on 120 × 120 (T, h) up to Tc and h = 1.05, and on 90 × 90 near
    the tricritical point: the same roots (to 1e-11) everywhere.
    """
    roots = np.empty(8)
    minima = np.zeros(8, dtype=np.bool_)
    count = 0
    d_prev = _SCAN[0]
    g_prev, s_prev = gap_residual_and_slope(d_prev, temperature, h)
    for i in range(1, _SCAN.size):
        d = _SCAN[i]
        g, s = gap_residual_and_slope(d, temperature, h)
        if (g > 0.0) != (g_prev > 0.0):
            if count < 8:
                roots[count] = _refine_root(d_prev, d, g_prev, g, temperature, h)
                minima[count] = g_prev > 0.0
                count += 1
        elif (s_prev > 0.0) != (s > 0.0) and (s > 0.0) == (g > 0.0) and count < 7:
            # extremum of g inside, pointing towards zero: a root pair may hide there
            c, gc = _split_at_extremum(d_prev, d, g_prev, g, s_prev, s, temperature, h)
            if not math.isnan(c):
                roots[count] = _refine_root(d_prev, c, g_prev, gc, temperature, h)
                roots[count + 1] = _refine_root(c, d, gc, g, temperature, h)
                minima[count] = g_prev > 0.0
                minima[count + 1] = gc > 0.0
                count += 2
        d_prev = d
        g_prev = g
        s_prev = s
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
