r"""The S–I–Sm thermospin junction of Germanese et al. (2021).

A BCS superconductor S (gap Δ_S, temperature T_S, no exchange field) tunnel-coupled
to a spin-split superconductor Sm (gap Δ_Sm, exchange field h, temperature T_Sm).
The spin-σ quasiparticle current is Eq. (2) of Germanese et al. (2021),

.. math::

    I_\sigma = \frac{G_T}{2e}\int dE\, N_S(E - eV)\, N_{Sm,\sigma}(E)\,
               [f_S(E - eV) - f_{Sm}(E)],

with the Dynes DOS N_{Sm,σ}(E) = N0(E + σh) of Eq. (1).  I_charge = I↑ + I↓,
I_spin = I↑ − I↓ and SGE = I_spin/(|I↑| + |I↓|) (Sec. IV).  The heat currents out of
each electrode follow from the same integrand weighted with the quasiparticle
energy measured from that electrode's chemical potential:
heat_S = Σσ (G_T/2e²)∫(E − eV)(…), heat_Sm = −Σσ (G_T/2e²)∫E(…), so that
heat_S + heat_Sm = −I·V (Joule heating).

Units: V in Δ0/e; h, Δ, Γ in Δ0; T in Δ0/k_B (or "0.7 Tc"); currents in G_T Δ0/e;
heat currents in G_T Δ0²/e².  Gaps are self-consistent by default: Δ_S = Δ(T_S, 0),
Δ_Sm = Δ(T_Sm, h) (stable branch, :mod:`fastspin.kernels.gap`).

Accuracy: that of :mod:`fastspin.kernels.convolution` — 1e-6 relative or 1e-9
absolute (G_T Δ0/e), whichever is looser, against scipy quad with breakpoints.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit
from scipy.optimize import brentq

from fastspin.kernels import convolution as cv
from fastspin.model import Output, ParameterError, broadcast_columns
from fastspin.physics.superconductor import gap
from fastspin.units import Tc

# Output slots of the sis term table.
_I_UP, _I_DOWN, _HEAT_S = 0, 1, 2
_N_OUT = 3

#: the outputs of the sis model, in the row order of :func:`_sis_outputs`
SIS_OUTPUTS = (
    Output("I_up", "G_T*Delta0/e", "spin-up quasiparticle current, Eq. (2)"),
    Output("I_down", "G_T*Delta0/e", "spin-down quasiparticle current, Eq. (2)"),
    Output("I_charge", "G_T*Delta0/e", "charge current I_up + I_down"),
    Output("I_spin", "G_T*Delta0/e", "spin current I_up - I_down"),
    Output("SGE", "1", "spin current generation efficiency I_s/(|I_up|+|I_down|)"),
    Output("heat_S", "G_T*Delta0^2/e^2", "heat current out of S"),
    Output("heat_Sm", "G_T*Delta0^2/e^2", "heat current out of Sm"),
)
_SIS_OUTPUT_NAMES = tuple(output.name for output in SIS_OUTPUTS)
_N_SIS_OUTPUTS = len(SIS_OUTPUTS)  # rows of _sis_outputs, frozen into the compiled code

def resolve_gaps(
    T_S: np.ndarray, T_Sm: np.ndarray, h: np.ndarray, delta_S: np.ndarray, delta_Sm: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Δ_S and Δ_Sm: the given values, or Δ(T_S, 0) and Δ(T_Sm, h) where NaN (= not given)."""
    gap_S = np.array(delta_S, dtype=float, copy=True)
    gap_Sm = np.array(delta_Sm, dtype=float, copy=True)
    need_S = np.isnan(gap_S)
    if need_S.any():
        gap_S[need_S] = gap(T_S[need_S], 0.0)
    need_Sm = np.isnan(gap_Sm)
    if need_Sm.any():
        gap_Sm[need_Sm] = gap(T_Sm[need_Sm], h[need_Sm])
    return gap_S, gap_Sm


def sis_terms(V, h, delta_S, delta_Sm, T_S, T_Sm, dynes) -> np.ndarray:
    """Term tables (n_points, 2, N_COLUMNS) of Eq. (2) of Germanese et al. (2021) for arrays of points.

    Integration variable E (Sm frame): DOS a = N_S(E − V), DOS b = N0(E + σh) with
    gap Δ_Sm, occupation f(E − V, T_S) − f(E, T_Sm); moment 0 → I_σ, moment 1 about
    V → heat out of S.
    """
    return _fill_sis_terms(broadcast_columns(V, h, delta_S, delta_Sm, T_S, T_Sm, dynes)[1])


@njit(cache=True, nogil=True)
def _fill_sis_terms(columns: np.ndarray) -> np.ndarray:
    """The tables of :func:`sis_terms` from the rows V, h, Δ_S, Δ_Sm, T_S, T_Sm, Γ of ``columns``."""
    V, h, delta_S, delta_Sm, T_S, T_Sm, dynes = (
        columns[0], columns[1], columns[2], columns[3], columns[4], columns[5], columns[6]
    )
    terms = np.zeros((V.size, 2, cv.N_COLUMNS))
    for i in range(V.size):
        for k in range(2):
            spin = 1.0 - 2.0 * k
            t = terms[i, k]
            t[cv.COL_COEFF] = 0.5
            t[cv.COL_DELTA_A] = delta_S[i]
            t[cv.COL_SHIFT_A] = V[i]
            t[cv.COL_DYNES_A] = dynes[i]
            t[cv.COL_DELTA_B] = delta_Sm[i]
            t[cv.COL_SHIFT_B] = -spin * h[i]
            t[cv.COL_DYNES_B] = dynes[i]
            t[cv.COL_MU_L] = V[i]
            t[cv.COL_T_L] = T_S[i]
            t[cv.COL_MU_R] = 0.0
            t[cv.COL_T_R] = T_Sm[i]
            t[cv.COL_MODE] = cv.MODE_DIFFERENCE
            t[cv.COL_WEIGHT_SHIFT] = V[i]
            t[cv.COL_OUT0] = _I_UP if k == 0 else _I_DOWN
            t[cv.COL_OUT1] = _HEAT_S
            t[cv.COL_OUT2] = -1.0
    return terms


#: biases whose magnitudes differ by at most this many ulps of the largest |V| in the
#: batch share one integration when folding: np.linspace(-a, a, n) mirrors its points
#: only to rounding of order eps·a, and the change of I over 4 ulps of V is < 1e-10
#: even at a Γ = 1e-5 matching peak, far below the engine tolerance.
_FOLD_ULPS = 4.0


def _fold_biases(magnitude: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct points (|V|, rest...) up to :data:`_FOLD_ULPS` in |V|, and the inverse map.

    ``rest`` (n, m) must match exactly.  Returns (unique rows (k, 1 + m), inverse (n,)),
    each unique row taking the |V| of the first point of its group in sorted order.
    """
    order = np.lexsort((magnitude, *rest.T[::-1]))
    sorted_mag = magnitude[order]
    sorted_rest = rest[order]
    # linspace's rounding is relative to its largest |V|, not to each point
    tolerance = _FOLD_ULPS * np.spacing(sorted_mag.max(initial=0.0))
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (np.diff(sorted_mag) > tolerance) | np.any(sorted_rest[1:] != sorted_rest[:-1], axis=1)
    group = np.cumsum(new_group) - 1
    inverse = np.empty(order.size, dtype=np.int64)
    inverse[order] = group
    first = order[new_group]
    unique = np.column_stack([magnitude[first], rest[first]])
    return unique, inverse


def sis_currents(
    V, h, delta_S, delta_Sm, T_S, T_Sm, dynes, parallel: bool = False, fold: bool = True,
    rtol: float = cv.DEFAULT_RTOL, atol: float = cv.DEFAULT_ATOL,
) -> dict[str, np.ndarray]:
    """All sis outputs (:data:`SIS_OUTPUTS`) for broadcastable arrays with the gaps resolved.

    ``fold``: compute each distinct point once, and a bias −V from +V through the
    particle–hole symmetry of the DOS (Germanese et al. (2021), below Eq. (1)):
    I_σ(−V) = −I_−σ(V) and heat_S(−V) = heat_S(V).  A symmetric I(V) curve then
    costs half.  ``fold=False`` integrates every point as given (used by the tests
    that check the symmetry itself).  ``rtol``/``atol``: the engine's tolerances.
    """
    shape, columns = broadcast_columns(V, h, delta_S, delta_Sm, T_S, T_Sm, dynes)
    bias = columns[0]
    if fold and bias.size > 1:  # a single point has nothing to share
        unique, source = _fold_biases(np.abs(bias), columns[1:].T)
        table_columns = np.ascontiguousarray(unique.T)
    else:
        table_columns, source = columns, _UNFOLDED
    if parallel:
        values, _errors = cv.integrate_batch(_fill_sis_terms(table_columns), _N_OUT, rtol, atol, parallel=True)
        rows = _sis_outputs(values, bias, source)
    else:  # one compiled call: what a single point costs in Python is this call
        rows = _sis_rows(table_columns, bias, source, rtol, atol, cv.thread_weight_cache())
    # one row per declared output by construction; strict=True would cost more than the check is worth
    return dict(zip(_SIS_OUTPUT_NAMES, rows.reshape((_N_SIS_OUTPUTS, *shape)), strict=False))


#: ``source`` of an unfolded batch: every point is its own row (see :func:`_sis_outputs`)
_UNFOLDED = np.empty(0, dtype=np.int64)


@njit(cache=True, nogil=True)
def _sis_rows(columns, bias, source, rtol, atol, weight_cache) -> np.ndarray:
    """:func:`_fill_sis_terms`, the serial engine and :func:`_sis_outputs` in one compiled call."""
    values, _errors = cv.integrate_term_batch_cached(_fill_sis_terms(columns), _N_OUT, rtol, atol, weight_cache)
    return _sis_outputs(values, bias, source)


@njit(cache=True, nogil=True, error_model="numpy")
def _sis_outputs(values: np.ndarray, bias: np.ndarray, source: np.ndarray) -> np.ndarray:
    """The rows of :data:`SIS_OUTPUTS` from the integrals (I↑, I↓, heat_S) of each point.

    Folded batch (``source`` not empty): point i takes the integrals of row
    ``source[i]``, integrated at +|V|, so a point with V < 0 gets I_σ(−V) = −I_−σ(V)
    and heat_S(−V) = heat_S(V).  Unfolded (``source`` empty): row i is point i at its
    own bias.
    """
    folded = source.size > 0
    out = np.empty((_N_SIS_OUTPUTS, bias.size))
    for i in range(bias.size):
        row = source[i] if folded else i
        up = values[row, _I_UP]
        down = values[row, _I_DOWN]
        heat_S = values[row, _HEAT_S]
        if folded and bias[i] < 0.0:
            up, down = -down, -up
        charge = up + down
        total = abs(up) + abs(down)
        out[0, i] = up
        out[1, i] = down
        out[2, i] = charge
        out[3, i] = up - down
        out[4, i] = (up - down) / total if total > 0.0 else math.nan
        out[5, i] = heat_S
        out[6, i] = -(heat_S + bias[i] * charge)
    return out


# -- figures of merit ---------------------------------------------------------------------


def _charge_current(V: float, point: dict[str, float], rtol: float = 1e-10, atol: float = 1e-15) -> float:
    """I_charge at one bias, to tight tolerances (it feeds differences and root finding)."""
    out = sis_currents(
        np.array([V]), point["h"], point["delta_S"], point["delta_Sm"], point["T_S"], point["T_Sm"],
        point["dynes"], rtol=rtol, atol=atol,
    )
    return float(out["I_charge"][0])


def zero_bias_conductance(point: dict[str, float], step: float | None = None) -> float:
    """G0 = dI/dV at V = 0 by Richardson-extrapolated central differences.

    I is odd in V (Germanese et al. 2021), so D(δ) = I(δ)/δ; G0 = (4 D(δ/2) − D(δ))/3 with δ = Γ/4
    capped at 1e-3 Δ0 (truncation error O(δ⁴ I⁽⁵⁾)).
    """
    if step is None:
        step = min(1e-3, 0.25 * max(point["dynes"], 1e-6), 0.25 * min(point["T_S"], point["T_Sm"]))
    d_full = _charge_current(step, point) / step
    d_half = _charge_current(0.5 * step, point) / (0.5 * step)
    return (4.0 * d_half - d_full) / 3.0


def zero_bias_conductance_closed_form(point: dict[str, float]) -> float:
    r"""G0 from the closed form behind Eq. (3) of Germanese et al. (2021) (exact, not approximate).

    Differentiating Eq. (2) at V = 0 and integrating by parts gives

    G0/G_T = ½ Σσ ∫ dE N_S(E) N′_{Sm,σ}(E) [f_S(E) − f_Sm(E)] − ½ Σσ ∫ dE N_S N_{Sm,σ} f′_Sm(E),

    with N′_{Sm,σ}(E) = Re[−Δ²/((E + iΓ + σh)² − Δ²)^{3/2}].  Folding E → −E gives
    the ∫_0^∞ form of Eq. (3); Eq. (3) keeps only the f_S part of the first term (the
    f_Sm part and the second term vanish as T_Sm → 0; the print has f_Sm in place of f_S,
    see :func:`zero_bias_conductance_eq3`).
    """
    terms = cv.make_terms(4)
    for k, spin in enumerate((1.0, -1.0)):
        for j, derivative in enumerate((1.0, 0.0)):
            t = terms[2 * k + j]
            t[cv.COL_COEFF] = 0.5
            t[cv.COL_DELTA_A] = point["delta_S"]
            t[cv.COL_DYNES_A] = point["dynes"]
            t[cv.COL_DELTA_B] = point["delta_Sm"]
            t[cv.COL_SHIFT_B] = -spin * point["h"]
            t[cv.COL_DYNES_B] = point["dynes"]
            t[cv.COL_DERIV_B] = derivative
            if derivative:
                t[cv.COL_MODE] = cv.MODE_DIFFERENCE
                t[cv.COL_MU_L] = 0.0
                t[cv.COL_T_L] = point["T_S"]
                t[cv.COL_MU_R] = 0.0
                t[cv.COL_T_R] = point["T_Sm"]
            else:
                # −f′_Sm = MODE_DERIVATIVE at T_Sm
                t[cv.COL_MODE] = cv.MODE_DERIVATIVE
                t[cv.COL_MU_L] = 0.0
                t[cv.COL_T_L] = point["T_Sm"]
                t[cv.COL_COEFF] = 0.5
            t[cv.COL_OUT0] = 0
    values, _ = cv.integrate(terms, 1, rtol=1e-10, atol=1e-15)
    return float(values[0])


def zero_bias_conductance_eq3(point: dict[str, float], distribution: str = "S") -> float:
    r"""G0 from the approximant Eq. (3) of Germanese et al. (2021), with the distribution corrected.

    .. math::

        rac{G_0}{G_T} \simeq -\Delta_{Sm}^2 \sum_\sigma \int_0^\infty dE\,
            N_S(E)\, f_S(E, T_S)\, \mathrm{Re}\,
            ig[(E + i\Gamma + \sigma h)^2 - \Delta_{Sm}^2ig]^{-3/2}

    **Misprint in the paper:** the printed Eq. (3) has f_Sm(E, T_Sm) where f_S(E, T_S) is
    needed.  With f_Sm the integral is of order e^{−(Δ_Sm − h)/T_Sm}, i.e. zero for the
    paper's cold Sm (6e-12 G_T at T_S = 0.7 T_c, T_Sm = 0.01 T_c, h = 0.4 Δ0), while
    with f_S it is the first term of :func:`zero_bias_conductance_closed_form` minus its
    f_Sm part, which is the exact G0 up to terms that vanish as T_Sm → 0 (Δ0 of the print
    is Δ_Sm = Δ(T_Sm, h) there).  ``distribution`` = "S" (default) gives the corrected
    formula, "Sm" the formula as printed.  Measured: the corrected formula is within 1.1e-6
    relative of the exact G0 at five thermoelectric points (T_S = 0.6–0.8 T_c, h = 0.2–0.45 Δ0,
    T_Sm = 0.01 T_c, Γ = 1e-4 Δ0; tests/physics/test_sis_eq3.py holds it to 1e-4), e.g.
    −0.0487847 at T_S = 0.7 T_c, h = 0.4 Δ0 (−0.0483397 with Γ = 1e-3 Δ0).

    Evaluated over all E by the engine: with N_S even and Σσ N′_{Sm,σ} odd,
    Σσ∫_0^∞ N_S N′_{Sm,σ} f(E, T) = ½ Σσ∫ N_S N′_{Sm,σ} [f(E, T) − f(E, T_0)] up to
    O(Γ T_0) with T_0 = 1e-6 T (a step function at E = 0); rtol 1e-10 on the integral.
    Units of G_T.
    """
    if distribution not in ("S", "Sm"):
        raise ParameterError(f"distribution must be 'S' (corrected Eq. (3)) or 'Sm' (as printed), got {distribution!r}")
    temperature = point["T_S"] if distribution == "S" else point["T_Sm"]
    terms = cv.make_terms(2)
    for k, spin in enumerate((1.0, -1.0)):
        t = terms[k]
        t[cv.COL_COEFF] = 0.5
        t[cv.COL_DELTA_A] = point["delta_S"]
        t[cv.COL_DYNES_A] = point["dynes"]
        t[cv.COL_DELTA_B] = point["delta_Sm"]
        t[cv.COL_SHIFT_B] = -spin * point["h"]
        t[cv.COL_DYNES_B] = point["dynes"]
        t[cv.COL_DERIV_B] = 1.0
        t[cv.COL_MODE] = cv.MODE_DIFFERENCE
        t[cv.COL_T_L] = temperature
        t[cv.COL_T_R] = 1e-6 * temperature
        t[cv.COL_OUT0] = 0
    values, _ = cv.integrate(terms, 1, rtol=1e-10, atol=1e-15)
    return float(values[0])


def inner_peak_voltage(point: dict[str, float]) -> float:
    """V_p⁻ = |Δ(T_S) − [Δ(T_Sm) − h]|, the inner matching peak (Sec. III of Germanese et al. (2021))."""
    return abs(point["delta_S"] - (point["delta_Sm"] - abs(point["h"])))


def seebeck_voltage(point: dict[str, float], v_max: float = 3.0, samples: int = 96) -> float:
    """V_S > 0 with I_charge(V_S) = 0: the first sign change of I on (0, v_max]; NaN if none.

    Bracketed on a grid refined around V_p⁻, then Brent to 1e-10 Δ0/e.
    """
    grid = np.unique(
        np.concatenate(
            (
                np.geomspace(1e-4, v_max, samples),
                inner_peak_voltage(point) * np.linspace(0.5, 1.5, 11),
            )
        )
    )
    grid = grid[(grid > 0) & (grid <= v_max)]
    currents = sis_currents(
        grid, point["h"], point["delta_S"], point["delta_Sm"], point["T_S"], point["T_Sm"], point["dynes"]
    )["I_charge"]
    signs = np.sign(currents)
    change = np.nonzero(signs[:-1] * signs[1:] < 0)[0]
    if signs[0] >= 0 or change.size == 0:
        return math.nan
    i = int(change[0])
    return float(brentq(_charge_current, grid[i], grid[i + 1], args=(point,), xtol=1e-10, rtol=1e-12))


@functools.lru_cache(maxsize=4096)
def threshold_exchange_field(T_S: float, T_Sm: float) -> float:
    """h_t: the exchange field where Δ(T_S) = Δ(T_Sm, h) − h (onset of thermoelectricity).

    Root in h of Δ(T_Sm, h) − h − Δ(T_S) on [0, 1/√2] (below the first-order jump);
    NaN where there is none.
    """
    delta_S = float(gap(T_S, 0.0))

    def mismatch(h: float) -> float:
        return float(gap(T_Sm, h)) - h - delta_S

    lo, hi = 0.0, 0.70
    if mismatch(lo) * mismatch(hi) > 0:
        return math.nan
    return float(brentq(mismatch, lo, hi, xtol=1e-10))


def threshold_exchange_field_tanh(T_S: float) -> float:
    """The text's estimate h_t ≈ Δ0(1 − tanh[1.74 √(Tc/T_S − 1)]) (Sec. IV of Germanese et al. (2021))."""
    if T_S >= Tc:
        return 1.0
    return 1.0 - math.tanh(1.74 * math.sqrt(Tc / T_S - 1.0))


def figures_of_merit(point: dict[str, float]) -> dict[str, float]:
    """The thermoelectric figures of merit of one (T_S, T_Sm, h, Γ, Δ_S, Δ_Sm) point.

    G0 numerically, from the closed form behind Eq. (3) and from the approximant Eq. (3)
    itself (with f_S, see :func:`zero_bias_conductance_eq3`), the Seebeck voltage, the
    inner matching-peak voltage V_p⁻, G_max = I(V_p⁻)/V_p⁻, the spin current at V_p⁻
    and the threshold field h_t (numerical and the tanh estimate of the text).
    ``point`` holds ``h``, ``T_S``, ``T_Sm``, ``dynes``, ``delta_S`` and ``delta_Sm``.
    """
    v_peak = inner_peak_voltage(point)
    result = {
        "G0": zero_bias_conductance(point),
        "G0_closed_form": zero_bias_conductance_closed_form(point),
        "G0_eq3": zero_bias_conductance_eq3(point),
        "V_seebeck": seebeck_voltage(point),
        "V_peak_inner": v_peak,
        "G_max": math.nan,
        "I_spin_peak": math.nan,
        "h_threshold": threshold_exchange_field(point["T_S"], point["T_Sm"]),
        "h_threshold_tanh": threshold_exchange_field_tanh(point["T_S"]),
    }
    if v_peak > 0:
        peak = sis_currents(
            np.array([v_peak]), point["h"], point["delta_S"], point["delta_Sm"],
            point["T_S"], point["T_Sm"], point["dynes"],
        )
        result["G_max"] = float(peak["I_charge"][0]) / v_peak
        result["I_spin_peak"] = float(peak["I_spin"][0])
    return result


def warmup() -> None:
    """Compile (or load from the cache) the sis kernels and the gap solver: one tiny evaluation."""
    sis_currents(np.array([0.1]), 0.4, 1.0, 1.0, 0.4, 0.1, 1e-3)
    gap(0.3, 0.2)


__all__ = [
    "SIS_OUTPUTS",
    "figures_of_merit",
    "inner_peak_voltage",
    "resolve_gaps",
    "seebeck_voltage",
    "sis_currents",
    "sis_terms",
    "threshold_exchange_field",
    "threshold_exchange_field_tanh",
    "warmup",
    "zero_bias_conductance",
    "zero_bias_conductance_closed_form",
    "zero_bias_conductance_eq3",
]
