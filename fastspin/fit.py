r"""Fitting measured tunnelling spectra: I(V) or dI/dV(V) to parameters with error bars.

>>> result = fit_spectrum("spectrum.csv", model="nis")          # doctest: +SKIP
>>> print(result.report())                                        # doctest: +SKIP

Models (:data:`SPECTRUM_MODELS`):

* ``nis`` — Meservey–Tedrow: a spin-polarized counter-electrode (P) tunnelling into a
  Zeeman-split Dynes superconductor (Δ, h, Γ) at temperature T, normal-state
  conductance G_T (:mod:`fastspin.nis`; R. Meservey and P. M. Tedrow, Phys. Rep. 238,
  173 (1994)).
* ``sis`` — S–I–Sm with one spin-split side (Δ_S, Δ_Sm, h, Γ, T_S, T_Sm, G_T), the
  currents of :mod:`fastspin.physics.sis` (Eq. (2) of Germanese et al., *Spontaneous
  symmetry breaking induced thermospin effect in superconducting tunnel junctions*).

Data: an ``xarray.DataArray`` (bias as its coordinate, ``units`` attrs), a pair of
arrays, or a CSV / whitespace text file of two columns, units in the header
(``V [mV], dIdV [uS]``) or given as ``bias_unit``/``signal_unit``.  A signal in a
conductance unit is fitted as dI/dV, one in a current unit as I.  Without units the
data are taken to be in fastspin's reduced units (bias in Δ0/e, signal in G_T or
G_T Δ0/e).  Broken input — NaN rows, unsorted or repeated biases, a header unit of the
wrong dimension, fewer points than free parameters — raises one :class:`ParameterError`
line; nothing is dropped or reordered silently.

Optimizer: ``scipy.optimize.least_squares`` (trust-region reflective), chosen over
lmfit because (1) the Jacobian is supplied by the model: the columns for h, P and G_T
are exact integrals (B, B′, K of :mod:`fastspin.nis`), only Δ, Γ and T use forward
differences, so an iteration costs 3–4 curve evaluations instead of 7; (2) bounds are
handled by the reflective trust region on the parameters themselves, where lmfit's
MINUIT-style bound transform (for ``leastsq``) distorts the covariance near a bound;
(3) the covariance is computed here from that final Jacobian.  The parameter handling
lmfit would add (vary/fix, bounds, starts by name) is the small :func:`fit_spectrum`
interface.

Results (:class:`FitResult`): best values and standard errors
σ = √diag[(JᵀWJ)⁻¹] — with the measurement uncertainty ``sigma`` given, absolute; without
it, scaled by the reduced χ² (the usual convention when the noise is unknown) — the
correlation matrix, χ² and reduced χ², and the best-fit curve with residuals as an
``xarray.Dataset``.  The coverage of these 1-σ intervals is tested on seeded synthetic
spectra (``tests/physics/test_fit.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import least_squares

from fastspin.model import ParameterError
from fastspin.physics import nis
from fastspin.units import BOLTZMANN, ELEMENTARY_CHARGE

# -- parameters -------------------------------------------------------------------

#: kinds of fit parameters: their SI unit and how they scale with the energy unit e0
_KIND_UNITS = {"energy": "eV", "temperature": "K", "ratio": "dimensionless", "conductance": "S"}


@dataclass(frozen=True)
class FitParameter:
    """A fit parameter: name, kind (energy, temperature, ratio, conductance), doc, bounds.

    Bounds are in reduced units (energies in e0, temperatures in e0/k_B); ``None``: open.
    """

    name: str
    kind: str
    doc: str
    low: float = -math.inf
    high: float = math.inf


class SpectrumModel:
    """A tunnelling spectrum: its parameters, its curve and its Jacobian in reduced units.

    Reduced units: bias and energies in e0 (the energy unit of the fit), temperatures in
    e0/k_B; dI/dV in units of the data's conductance, I in that unit times e0/e.
    """

    name: str = ""
    parameters: tuple[FitParameter, ...] = ()
    #: fit first with the Dynes Γ held at 3 % of the gap, then release it (see fit_spectrum)
    broad_first: bool = False

    def names(self) -> tuple[str, ...]:
        """The names of the fit parameters, in the order of ``parameters``."""
        return tuple(p.name for p in self.parameters)

    def curve(self, V: np.ndarray, p: Mapping[str, float], quantity: str) -> np.ndarray:
        """The model at biases ``V`` for parameter values ``p``: I(V) when ``quantity`` is
        ``"I"``, dI/dV when it is ``"dIdV"`` (one energy unit for V and ``p`` throughout)."""
        raise NotImplementedError

    def jacobian(
        self, V: np.ndarray, p: Mapping[str, float], quantity: str, free: Sequence[str]
    ) -> np.ndarray:
        """d curve / d parameter for the ``free`` names, columns in that order.

        Default: forward differences with a step of 1e-5 of each value (or of e0).
        """
        base = self.curve(V, p, quantity)
        return np.column_stack([self._forward(V, p, quantity, name, base) for name in free])

    def _forward(self, V, p, quantity, name, base) -> np.ndarray:
        step = _step(p[name])
        shifted = dict(p)
        shifted[name] = p[name] + step
        return (self.curve(V, shifted, quantity) - base) / step

    def start(self, V: np.ndarray, y: np.ndarray, quantity: str) -> dict[str, float]:
        """Starting values estimated from the data (reduced units)."""
        raise NotImplementedError


def _step(value: float) -> float:
    """Forward-difference step: 1e-5 relative (the engine's true error is ~1e-12, so the
    truncation error 1e-5 dominates and stays far below the parameters' standard errors)."""
    return 1e-5 * max(abs(value), 1e-3)


def _gap_edges(V: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions and heights of the conductance peaks, tallest first (both bias signs)."""
    from scipy.signal import find_peaks

    span = float(np.nanmax(g) - np.nanmin(g)) or 1.0
    index, _ = find_peaks(g, prominence=0.05 * span)
    order = np.argsort(g[index])[::-1]
    return V[index][order], g[index][order]


def _normal_conductance(V: np.ndarray, g: np.ndarray) -> float:
    """G_T from the outer quarter of the bias range (where the DOS is close to normal)."""
    outer = np.abs(V) >= 0.75 * np.max(np.abs(V))
    return float(np.median(g[outer]))


def _conductance_of(V: np.ndarray, y: np.ndarray, quantity: str) -> np.ndarray:
    if quantity == "dIdV":
        return y
    g = np.gradient(y, V)
    width = max(1, V.size // 200)  # light smoothing so noise does not make peaks
    return np.convolve(g, np.ones(2 * width + 1) / (2 * width + 1), mode="same")


class MeserveyTedrow(SpectrumModel):
    """N–I–S with a Zeeman-split Dynes DOS and a polarized counter-electrode (:mod:`fastspin.nis`).

    Parameters Δ (``delta``), h, Γ (``dynes``), P, T, G_T.  The curve is invariant under
    (h, P) → (−h, −P), so h ≥ 0 is imposed.
    """

    name = "nis"
    parameters = (
        FitParameter("delta", "energy", "superconducting gap", 1e-6, math.inf),
        FitParameter("h", "energy", "Zeeman splitting h = g mu_B B/2 (+ exchange)", 0.0, math.inf),
        FitParameter("dynes", "energy", "Dynes broadening Gamma", 1e-9, math.inf),
        FitParameter("P", "ratio", "spin polarization of the counter-electrode", -1.0, 1.0),
        FitParameter("T", "temperature", "temperature of both electrodes", 1e-6, math.inf),
        FitParameter("G_T", "conductance", "normal-state tunnel conductance", 0.0, math.inf),
    )

    def curve(self, V, p, quantity):
        if quantity == "dIdV":
            return p["G_T"] * nis.conductance(V, p["delta"], p["h"], p["dynes"], p["P"], p["T"])
        return p["G_T"] * nis.current(V, p["delta"], p["h"], p["dynes"], p["P"], p["T"])

    def _combine(self, p, values, n, quantity):
        """The curve's combination of an integral evaluated at (V + h, V − h, h)."""
        wp, wm = 0.5 * (1.0 + p["P"]), 0.5 * (1.0 - p["P"])
        plus, minus, at_h = values[:n], values[n : 2 * n], values[2 * n]
        if quantity == "dIdV":
            return wp * plus + wm * minus
        return wp * (plus - at_h) + wm * (minus + at_h)

    def jacobian(self, V, p, quantity, free):
        """Exact columns for G_T, P and h; Γ and T by forward differences; Δ from homogeneity.

        B is homogeneous of degree 0 and K of degree 1 in (x, Δ, Γ, T) (scale every energy
        by λ), so x ∂_x F + Δ ∂_Δ F + Γ ∂_Γ F + T ∂_T F = d·F: ∂_Δ needs no extra integral.
        """
        kind, slope_kind, degree = (
            (nis.KIND_B, nis.KIND_DB, 0.0) if quantity == "dIdV" else (nis.KIND_K, nis.KIND_B, 1.0)
        )
        n = V.size
        x = np.concatenate((V + p["h"], V - p["h"], [p["h"]]))

        def integral(q, which=kind):
            return nis.smeared_dos(x, q["delta"], q["dynes"], q["T"], which)

        base = integral(p)
        slope = integral(p, slope_kind) if ("h" in free or "delta" in free) else None
        partial = {}
        for name in ("dynes", "T"):
            if name in free or "delta" in free:
                step = _step(p[name])
                shifted = dict(p)
                shifted[name] = p[name] + step
                partial[name] = (integral(shifted) - base) / step
        if "delta" in free:
            partial["delta"] = (degree * base - x * slope - p["dynes"] * partial["dynes"] - p["T"] * partial["T"]) / p["delta"]
        columns = []
        for name in free:
            if name == "G_T":
                columns.append(self._combine(p, base, n, quantity))
            elif name == "P":
                plus, minus, at_h = base[:n], base[n : 2 * n], base[2 * n]
                if quantity == "dIdV":
                    columns.append(p["G_T"] * 0.5 * (plus - minus))
                else:
                    columns.append(p["G_T"] * 0.5 * ((plus - at_h) - (minus + at_h)))
            elif name == "h":  # d/dh of F(V ± h) is ±F'(V ± h), of K(h) is B(h)
                wp, wm = 0.5 * (1.0 + p["P"]), 0.5 * (1.0 - p["P"])
                plus, minus, at_h = slope[:n], slope[n : 2 * n], slope[2 * n]
                if quantity == "dIdV":
                    columns.append(p["G_T"] * (wp * plus - wm * minus))
                else:
                    columns.append(p["G_T"] * (wp * (plus - at_h) - wm * (minus - at_h)))
            else:
                columns.append(p["G_T"] * self._combine(p, partial[name], n, quantity))
        return np.column_stack(columns)

    def start(self, V, y, quantity):
        g = _conductance_of(V, y, quantity)
        G_T = _normal_conductance(V, g)
        positions, heights = _gap_edges(V, g / G_T)
        positive = positions > 0
        pos, hts = positions[positive][:2], heights[positive][:2]
        if pos.size == 0:
            pos, hts = np.abs(positions[:2]), heights[:2]
        if pos.size == 0:
            raise ParameterError("fit: no conductance peak found in the data; give start values (delta=...)")
        if pos.size == 2:
            inner, outer = np.argsort(pos)
            delta = 0.5 * (pos[inner] + pos[outer])
            h = 0.5 * (pos[outer] - pos[inner])
            P = float(np.clip((hts[inner] - hts[outer]) / (hts[inner] + hts[outer]), -0.9, 0.9))
        else:
            delta, h, P = float(pos[0]), 0.05 * float(pos[0]), 0.0
        zero = np.abs(V) <= 0.1 * delta
        subgap = float(np.median(g[zero] / G_T)) if zero.any() else 1e-3
        dynes = float(np.clip(subgap * delta, 1e-5 * delta, 0.1 * delta))
        return {"delta": float(delta), "h": float(h), "dynes": dynes, "P": P, "T": 0.05 * float(delta), "G_T": G_T}


class SpinSplitSIS(SpectrumModel):
    """S–I–Sm with one spin-split side: the ``sis`` model's currents (:mod:`fastspin.physics.sis`).

    dI/dV = ∂/∂V of Eq. (2) of the sis paper, as two engine integrals per spin: the
    derivative of N_Sm against the occupation difference, plus N_S N_Sm against −∂f_Sm/∂E.
    Jacobian by forward differences.

    The sum peaks at eV = Δ_S + Δ_Sm ∓ h are as narrow as Γ whatever the temperature:
    sample the bias at a spacing of about Γ or finer, or χ² has local minima between the
    samples (with 300 points over ±3Δ and Γ = 2e-3 Δ, fits started at the truth but with
    a broad Γ ended in such a minimum).  The fit first holds Γ broad (:attr:`broad_first`).
    """

    name = "sis"
    parameters = (
        FitParameter("delta_S", "energy", "gap of the unsplit electrode S", 1e-6, math.inf),
        FitParameter("delta_Sm", "energy", "gap of the spin-split electrode Sm", 1e-6, math.inf),
        FitParameter("h", "energy", "spin splitting of Sm", 0.0, math.inf),
        FitParameter("dynes", "energy", "Dynes broadening of both DOS", 1e-9, math.inf),
        FitParameter("T_S", "temperature", "temperature of S", 1e-6, math.inf),
        FitParameter("T_Sm", "temperature", "temperature of Sm", 1e-6, math.inf),
        FitParameter("G_T", "conductance", "normal-state tunnel conductance", 0.0, math.inf),
    )

    def curve(self, V, p, quantity):
        from fastspin.physics.sis import sis_currents

        args = (p["h"], p["delta_S"], p["delta_Sm"], p["T_S"], p["T_Sm"], p["dynes"])
        if quantity == "I":
            return p["G_T"] * sis_currents(V, *args)["I_charge"]
        return p["G_T"] * _sis_conductance(V, *args)

    #: first fit with Γ held broad, so sharp S–I–S peaks that start apart still overlap
    broad_first = True

    def start(self, V, y, quantity):
        """Gap sum and h from the two outer (sum) peaks Δ_S + Δ_Sm ∓ h of dI/dV at V > 0;
        the gap difference from the thermal peaks |Δ_S − Δ_Sm ± h| below them, if any."""
        g = _conductance_of(V, y, quantity)
        G_T = _normal_conductance(V, g)
        positions, _heights = _gap_edges(V, g / G_T)
        positive = np.sort(positions[positions > 0][:4])
        if positive.size == 0:
            raise ParameterError("fit: no conductance peak found in the data; give start values (delta_S=...)")
        outer = positive[-2:] if positive.size >= 2 else positive[-1:]
        total = float(np.mean(outer))
        h = 0.5 * float(outer[-1] - outer[0]) if outer.size == 2 else 0.05 * total
        inner = positive[:-2]
        difference = float(np.mean(inner)) if inner.size else 0.1 * total
        return {
            "delta_S": 0.5 * (total + difference), "delta_Sm": 0.5 * (total - difference), "h": h,
            "dynes": 1e-3 * total, "T_S": 0.05 * total, "T_Sm": 0.05 * total, "G_T": G_T,
        }


def _sis_conductance(V, h, delta_S, delta_Sm, T_S, T_Sm, dynes) -> np.ndarray:
    """dI_charge/dV of the sis model in G_T (see :class:`SpinSplitSIS`)."""
    from fastspin.kernels import convolution as cv

    V = np.asarray(V, dtype=float)
    terms = np.zeros((V.size, 4, cv.N_COLUMNS))
    for k, spin in enumerate((1.0, -1.0)):
        for j in range(2):
            t = terms[:, 2 * k + j]
            t[:, cv.COL_COEFF] = 0.5
            t[:, cv.COL_DELTA_A] = delta_S
            t[:, cv.COL_DYNES_A] = dynes
            t[:, cv.COL_DELTA_B] = delta_Sm
            t[:, cv.COL_SHIFT_B] = -(V + spin * h)  # N_Sm(E' + V + σh), E' the S energy
            t[:, cv.COL_DYNES_B] = dynes
            t[:, cv.COL_OUT0] = 0
            t[:, cv.COL_OUT1] = -1.0
            t[:, cv.COL_OUT2] = -1.0
            if j == 0:  # N_S N'_Sm [f_S(E') - f_Sm(E' + V)]
                t[:, cv.COL_DERIV_B] = 1.0
                t[:, cv.COL_MODE] = cv.MODE_DIFFERENCE
                t[:, cv.COL_MU_L] = 0.0
                t[:, cv.COL_T_L] = T_S
                t[:, cv.COL_MU_R] = -V
                t[:, cv.COL_T_R] = T_Sm
            else:  # N_S N_Sm (-f'_Sm(E' + V))
                t[:, cv.COL_MODE] = cv.MODE_DERIVATIVE
                t[:, cv.COL_MU_L] = -V
                t[:, cv.COL_T_L] = T_Sm
    values, _errors = cv.integrate_batch(np.ascontiguousarray(terms), 1)
    return values[:, 0]


#: the spectrum models by name: ``nis`` (Meservey–Tedrow) and ``sis`` (S–I–Sm)
SPECTRUM_MODELS: dict[str, SpectrumModel] = {m.name: m for m in (MeserveyTedrow(), SpinSplitSIS())}


def get_spectrum_model(name: str | SpectrumModel) -> SpectrumModel:
    """The spectrum model called ``name`` (a model passes through); ParameterError otherwise."""
    if isinstance(name, SpectrumModel):
        return name
    if name not in SPECTRUM_MODELS:
        raise ParameterError(f"fit: unknown model {name!r}; allowed: {', '.join(SPECTRUM_MODELS)}")
    return SPECTRUM_MODELS[name]


# -- data -------------------------------------------------------------------------


@dataclass
class Spectrum:
    """A measured spectrum: bias and signal as given, their units (None: reduced), the quantity."""

    bias: np.ndarray
    signal: np.ndarray
    bias_unit: str | None
    signal_unit: str | None
    quantity: str  # "dIdV" or "I"

    @property
    def SI(self) -> bool:
        """True when the bias carries a physical unit, False when it is in reduced units."""
        return self.bias_unit is not None


_HEADER_UNIT = re.compile(r"[\[(]\s*([^\])]+?)\s*[\])]")


def _header_units(line: str) -> list[str | None]:
    """Units of each header column: the text in [...] or (...), None where absent."""
    fields = [f for f in re.split(r"[,;\t]|\s{2,}", line.lstrip("#").strip()) if f.strip()]
    if len(fields) != 2:
        fields = line.lstrip("#").split()
        merged: list[str] = []
        for f in fields:  # "V [mV] dIdV [uS]" splits into 4 words: glue units to names
            if merged and f.startswith(("[", "(")):
                merged[-1] += " " + f
            else:
                merged.append(f)
        fields = merged
    units = []
    for f in fields:
        match = _HEADER_UNIT.search(f)
        units.append(match.group(1) if match else None)
    return units


def read_spectrum_file(path: str | Path) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Two numeric columns of a CSV or whitespace text file, and the header's units."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"data: no file {str(path)!r}")
    header_units: list[str | None] = [None, None]
    rows: list[list[float]] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        text = line.strip()
        if not text:
            continue
        fields = [f for f in re.split(r"[,;\s]+", text) if f]
        try:
            values = [float(f) for f in fields]
        except ValueError:
            if rows:
                raise ParameterError(f"data: {path.name} line {number} is not two numbers: {text!r}") from None
            header_units = _header_units(text)  # a header: take its units, last one wins
            continue
        if len(values) != 2:
            raise ParameterError(f"data: {path.name} line {number} has {len(values)} columns; expected 2 (bias, signal)")
        rows.append(values)
    if not rows:
        raise ParameterError(f"data: {path.name} holds no numeric rows")
    array = np.array(rows)
    units = (header_units + [None, None])[:2]
    return array[:, 0], array[:, 1], units


def _classify(signal_unit: str | None, bias_unit: str | None, quantity: str | None) -> str:
    """'dIdV' or 'I' from the signal's unit (and check it against ``quantity``)."""
    from fastspin.quantities import ureg

    if quantity is not None and quantity not in ("dIdV", "I"):
        raise ParameterError(f"fit: quantity = {quantity!r}; allowed: 'dIdV', 'I'")
    if (bias_unit is None) != (signal_unit is None):
        raise ParameterError("data: give units for both columns (bias and signal) or for neither")
    if bias_unit is None:
        return quantity or "dIdV"
    for name, unit, dims, example in (
        ("bias", bias_unit, "[electric_potential]", "mV"),
        ("signal", signal_unit, None, "uS or nA"),
    ):
        try:
            parsed = ureg.Quantity(1.0, unit)
        except Exception:  # pint's parse errors have several types
            raise ParameterError(f"data: {name} unit {unit!r} is not a unit; write e.g. {example}") from None
        if dims is not None and not parsed.check(dims):
            raise ParameterError(f"data: bias unit {unit!r} is not a voltage; write e.g. mV")
    signal = ureg.Quantity(1.0, signal_unit)
    kind = "dIdV" if signal.check("[current] / [electric_potential]") else "I" if signal.check("[current]") else None
    if kind is None:
        raise ParameterError(
            f"data: signal unit {signal_unit!r} is neither a conductance (dI/dV, e.g. uS) nor a current (e.g. nA)"
        )
    if quantity is not None and quantity != kind:
        raise ParameterError(f"data: signal unit {signal_unit!r} is a {kind} but quantity={quantity!r} was asked")
    return kind


def load_spectrum(
    data: Any, bias_unit: str | None = None, signal_unit: str | None = None, quantity: str | None = None,
) -> Spectrum:
    """A :class:`Spectrum` from a DataArray, a (bias, signal) pair or a two-column file, checked.

    Units given as arguments override those of the header or attrs.
    """
    if isinstance(data, (str, Path)):
        bias, signal, header = read_spectrum_file(data)
        bias_unit = bias_unit or header[0]
        signal_unit = signal_unit or header[1]
    elif hasattr(data, "dims") and hasattr(data, "coords"):  # xarray.DataArray
        if data.ndim != 1:
            raise ParameterError(f"data: expected a 1-D DataArray over the bias, got dims {data.dims}")
        coord = data[data.dims[0]]
        bias, signal = np.asarray(coord.values, dtype=float), np.asarray(data.values, dtype=float)
        bias_unit = bias_unit or coord.attrs.get("units")
        signal_unit = signal_unit or data.attrs.get("units")
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        bias, signal = (np.asarray(a, dtype=float) for a in data)
    else:
        raise ParameterError("data: give a DataArray, a (bias, signal) pair or a two-column file path")
    if bias.ndim != 1 or bias.shape != signal.shape:
        raise ParameterError(f"data: bias and signal must be 1-D of one length, got {bias.shape} and {signal.shape}")
    bad = ~(np.isfinite(bias) & np.isfinite(signal))
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ParameterError(
            f"data: {rows.size} row(s) with NaN or inf (first at row {rows[0]}); remove them before fitting"
        )
    steps = np.diff(bias)
    if np.any(steps == 0) or np.unique(bias).size != bias.size:
        dup = float(bias[np.flatnonzero(steps == 0)[0]]) if np.any(steps == 0) else float(
            bias[np.flatnonzero(np.diff(np.sort(bias)) == 0)[0]])
        raise ParameterError(f"data: repeated bias value {dup:g}; average or remove duplicate points")
    if not (np.all(steps > 0) or np.all(steps < 0)):
        first = int(np.flatnonzero(np.sign(steps) != np.sign(steps[0]))[0]) + 1
        raise ParameterError(
            f"data: biases are not sorted (direction changes at row {first}); sort them or split the sweeps"
        )
    if steps[0] < 0:  # a down-sweep: reversed to ascending, the same points
        bias, signal = bias[::-1].copy(), signal[::-1].copy()
    kind = _classify(signal_unit, bias_unit, quantity)
    return Spectrum(bias, signal, bias_unit, signal_unit, kind)


# -- the fit ----------------------------------------------------------------------


@dataclass
class FitResult:
    """Best values, standard errors, correlations and the best-fit curve of :func:`fit_spectrum`.

    ``values``/``stderr`` are in :attr:`units` (SI: energies in eV, T in K, G_T in S;
    reduced data: Δ0-based units); fixed parameters have stderr 0.
    """

    model: str
    quantity: str
    values: dict[str, float]
    stderr: dict[str, float]
    units: dict[str, str]
    free: tuple[str, ...]
    correlation: np.ndarray
    chisqr: float
    redchi: float
    dof: int
    nfev: int
    success: bool
    message: str
    curve: Any  # xarray.Dataset
    sigma_given: bool = False
    start: dict[str, float] = field(default_factory=dict)

    def report(self) -> str:
        """Plain text: convergence, χ², each value with its error bar and unit, strong correlations."""
        lines = [
            f"fit of {self.quantity} with model {self.model!r}: {'converged' if self.success else 'NOT converged'} "
            f"({self.message}); {self.nfev} evaluations",
            f"  chi^2 = {self.chisqr:.6g}, dof = {self.dof}, reduced chi^2 = {self.redchi:.4g}"
            + ("" if self.sigma_given else " (no sigma given: errors scaled by sqrt(reduced chi^2))"),
        ]
        for name, value in self.values.items():
            error = f"+/- {self.stderr[name]:.3g}" if name in self.free else "(fixed)"
            lines.append(f"  {name:<9} = {value:.6g} {error} {self.units[name]}")
        if len(self.free) > 1:
            lines.append("  correlations |r| > 0.5:")
            for i, a in enumerate(self.free):
                for j in range(i + 1, len(self.free)):
                    if abs(self.correlation[i, j]) > 0.5:
                        lines.append(f"    {a}, {self.free[j]}: {self.correlation[i, j]:+.3f}")
        return "\n".join(lines)

    def to_dataset(self):
        """The best-fit curve Dataset with values, errors and correlations (netCDF-safe)."""
        import xarray as xr

        ds = self.curve.copy()
        ds["correlation"] = xr.DataArray(
            self.correlation, dims=("parameter", "parameter_2"),
            coords={"parameter": list(self.free), "parameter_2": list(self.free)},
            attrs={"units": "dimensionless", "long_name": "correlation matrix of the free parameters"},
        )
        for name, value in self.values.items():
            ds.attrs[name] = value
            ds.attrs[f"{name}_stderr"] = self.stderr[name]
            ds.attrs[f"{name}_units"] = self.units[name]
        ds.attrs.update(
            model=self.model, quantity=self.quantity, chisqr=self.chisqr, redchi=self.redchi, dof=self.dof,
            free=",".join(self.free), success=int(self.success),
        )
        return ds


def _reduce_value(value: Any, kind: str, e0_eV: float, spectrum: Spectrum, name: str) -> float:
    """A user value (number in the result units, or a quantity string) in reduced units."""
    from fastspin.quantities import Quantity, is_quantity_input, ureg

    if is_quantity_input(value) or not isinstance(value, (int, float, np.integer, np.floating)):
        if not spectrum.SI:
            raise ParameterError(f"fit: {name} = {value!r}: the data have no units, give a plain number")
        quantity = value if isinstance(value, Quantity) else ureg.Quantity(value)
        if name == "h" and quantity.check("[magnetic_field]"):
            quantity = (quantity * ureg.bohr_magneton).to("eV")  # g = 2: h = mu_B B
        target = _KIND_UNITS[kind]
        try:
            value = float(quantity.to(target).magnitude)
        except Exception:
            raise ParameterError(f"fit: {name} = {value!r} is not in {target}") from None
    value = float(value)
    if not spectrum.SI:
        return value
    if kind == "energy":
        return value / e0_eV
    if kind == "temperature":
        return value * BOLTZMANN / (e0_eV * ELEMENTARY_CHARGE)
    return value


def _unreduce(value: float, kind: str, e0_eV: float, SI: bool) -> float:
    if not SI:
        return value
    if kind == "energy":
        return value * e0_eV
    if kind == "temperature":
        return value * e0_eV * ELEMENTARY_CHARGE / BOLTZMANN
    return value


def _parse_mapping(items: Mapping[str, Any] | None, allowed: Sequence[str], what: str) -> dict[str, Any]:
    items = dict(items or {})
    for name in items:
        if name not in allowed:
            raise ParameterError(f"fit: unknown {what} parameter {name!r}; allowed: {', '.join(allowed)}")
    return items


def fit_spectrum(
    data: Any,
    model: str | SpectrumModel = "nis",
    *,
    quantity: str | None = None,
    vary: Sequence[str] | None = None,
    fixed: Mapping[str, Any] | None = None,
    start: Mapping[str, Any] | None = None,
    bounds: Mapping[str, tuple[Any, Any]] | None = None,
    sigma: Any = None,
    bias_unit: str | None = None,
    signal_unit: str | None = None,
    scan_temperature: bool = True,
    max_nfev: int = 200,
) -> FitResult:
    """Fit a measured spectrum; see the module docstring.

    ``vary``: the free parameters (default: all not in ``fixed``); ``fixed``: name →
    value held fixed; ``start``: name → starting value (default: estimated from the
    data, gap edges from the dI/dV peaks); ``bounds``: name → (low, high), None for
    open.  Values are numbers in the result units (eV, K, S for data with units) or
    quantity strings ("100 mK", "200 ueV", "0.8 T" for h).  ``sigma``: the measurement
    uncertainty of each point (scalar or array, in the signal's unit).
    ``scan_temperature``: when T is free and not started by hand, try six starting
    temperatures (0.01–0.2 Δ) and start from the one of least χ².
    """
    spec_model = get_spectrum_model(model)
    spectrum = data if isinstance(data, Spectrum) else load_spectrum(data, bias_unit, signal_unit, quantity)
    names = spec_model.names()
    kinds = {p.name: p.kind for p in spec_model.parameters}
    fixed = _parse_mapping(fixed, names, "fixed")
    start_given = _parse_mapping(start, names, "start")
    bounds_given = _parse_mapping(bounds, names, "bounds")
    if vary is None:
        free = tuple(n for n in names if n not in fixed)
    else:
        _parse_mapping(dict.fromkeys(vary), names, "vary")
        free = tuple(n for n in names if n in vary)
        clash = [n for n in free if n in fixed]
        if clash:
            raise ParameterError(f"fit: {clash[0]!r} is both varied and fixed")
    if not free:
        raise ParameterError("fit: no free parameter; name at least one in vary")
    n_points = spectrum.bias.size
    if n_points <= len(free):
        raise ParameterError(
            f"data: {n_points} points for {len(free)} free parameters; a fit needs more points than parameters"
        )

    # the energy unit e0: volts of the bias (SI data) or Δ0 (reduced data)
    if spectrum.SI:
        from fastspin.quantities import ureg

        volts = float(ureg.Quantity(1.0, spectrum.bias_unit).to("V").magnitude)
        signal_SI = float(ureg.Quantity(1.0, spectrum.signal_unit).to("S" if spectrum.quantity == "dIdV" else "A").magnitude)
        rough = spec_model.start(spectrum.bias * volts, spectrum.signal, spectrum.quantity)
        e0_eV = rough.get("delta", rough.get("delta_S", 1.0)) or 1.0
        V = spectrum.bias * volts / e0_eV
    else:
        volts, signal_SI, e0_eV = 1.0, 1.0, 1.0
        V = spectrum.bias.copy()
    y = spectrum.signal.copy()
    # signal units: conductances in the data's own unit; for I, G_T is in (signal unit)/(bias unit)
    current_scale = e0_eV / volts if (spectrum.quantity == "I" and spectrum.SI) else 1.0
    y_model = y / current_scale

    if sigma is None:
        weights = np.ones(n_points)
    else:
        sigma_values = np.broadcast_to(np.asarray(_sigma_values(sigma, spectrum), dtype=float), (n_points,))
        if not np.all(np.isfinite(sigma_values) & (sigma_values > 0)):
            raise ParameterError("fit: sigma must be finite and > 0 at every point")
        weights = current_scale / sigma_values

    p = spec_model.start(V, y_model, spectrum.quantity)
    for name, value in {**start_given, **fixed}.items():
        p[name] = _reduce_value(value, kinds[name], e0_eV, spectrum, name)
        if kinds[name] == "conductance" and spectrum.SI:  # G_T in the data's conductance unit
            p[name] = p[name] / (signal_SI / volts if spectrum.quantity == "I" else signal_SI)
    lower, upper = [], []
    for name in free:
        declared = next(q for q in spec_model.parameters if q.name == name)
        lo, hi = declared.low, declared.high
        if name in bounds_given:
            given = bounds_given[name]
            lo = lo if given[0] is None else _reduce_value(given[0], kinds[name], e0_eV, spectrum, name)
            hi = hi if given[1] is None else _reduce_value(given[1], kinds[name], e0_eV, spectrum, name)
        if not lo < hi:
            raise ParameterError(f"fit: bounds of {name!r} are empty ({lo:g} >= {hi:g})")
        p[name] = float(np.clip(p[name], lo + 1e-9 * max(1.0, abs(lo)) if math.isfinite(lo) else lo,
                                hi - 1e-9 * max(1.0, abs(hi)) if math.isfinite(hi) else hi))
        lower.append(lo)
        upper.append(hi)
    temperature_names = [n for n in free if kinds[n] == "temperature" and n not in start_given]
    if scan_temperature and temperature_names:
        p = _scan_temperature(spec_model, V, y_model, weights, p, temperature_names, spectrum.quantity)
    start_values = dict(p)

    def unpack(x: np.ndarray) -> dict[str, float]:
        q = dict(p)
        q.update(zip(free, (float(v) for v in x), strict=True))
        return q

    def residual(x: np.ndarray) -> np.ndarray:
        return (spec_model.curve(V, unpack(x), spectrum.quantity) - y_model) * weights

    def jac(x: np.ndarray) -> np.ndarray:
        return spec_model.jacobian(V, unpack(x), spectrum.quantity, free) * weights[:, None]

    x0 = np.array([p[n] for n in free])
    if spec_model.broad_first and "dynes" in free and "dynes" not in start_given:
        x0 = _broad_first(spec_model, V, y_model, weights, p, free, lower, upper, spectrum.quantity, max_nfev)
    solution = least_squares(
        residual, x0, jac=jac, bounds=(lower, upper), method="trf", x_scale="jac",
        xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=max_nfev,
    )
    best = unpack(solution.x)
    J = np.asarray(solution.jac)  # the model's Jacobian at solution.x, as jac() returned it
    chisqr = float(np.sum(solution.fun**2))
    dof = n_points - len(free)
    redchi = chisqr / dof
    covariance = _covariance(J)
    if sigma is None:
        covariance = covariance * redchi
    errors = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = covariance / np.outer(errors, errors)

    conductance_unit = 1.0
    if spectrum.SI:
        conductance_unit = signal_SI / volts if spectrum.quantity == "I" else signal_SI
    values, stderr, units = {}, {}, {}
    for name in names:
        kind = kinds[name]
        scale = conductance_unit if kind == "conductance" else 1.0
        values[name] = _unreduce(best[name], kind, e0_eV, spectrum.SI) * scale
        error = errors[free.index(name)] if name in free else 0.0
        stderr[name] = _unreduce(error, kind, e0_eV, spectrum.SI) * scale
        units[name] = _KIND_UNITS[kind] if spectrum.SI else _reduced_unit(kind)
    fitted = spec_model.curve(V, best, spectrum.quantity) * current_scale
    curve = _curve_dataset(spectrum, fitted, sigma)
    return FitResult(
        model=spec_model.name, quantity=spectrum.quantity, values=values, stderr=stderr, units=units,
        free=free, correlation=correlation, chisqr=chisqr, redchi=redchi, dof=dof, nfev=int(solution.nfev),
        success=bool(solution.success), message=str(solution.message), curve=curve,
        sigma_given=sigma is not None,
        start={
            n: _unreduce(v, kinds[n], e0_eV, spectrum.SI) * (conductance_unit if kinds[n] == "conductance" else 1.0)
            for n, v in start_values.items()
        },
    )


def _broad_first(model, V, y, weights, p, free, lower, upper, quantity, max_nfev) -> np.ndarray:
    """Starting point from a first fit with Γ held at 3 % of the gap.

    Peaks as sharp as Γ (S–I–S sum peaks are not smeared by temperature) that start
    further apart than their width give a flat χ² in their position; broadened, they
    overlap and the first fit finds where they are.  The second fit starts there with Γ
    free from the broad value, so the peaks sharpen while they stay in place.
    """
    energy = p.get("delta", p.get("delta_S", 1.0))
    held = [n for n in free if n != "dynes"]
    broad = dict(p)
    broad["dynes"] = max(p["dynes"], 0.03 * energy)

    def unpack(x):
        q = dict(broad)
        q.update(zip(held, (float(v) for v in x), strict=True))
        return q

    def residual(x):
        return (model.curve(V, unpack(x), quantity) - y) * weights

    def jac(x):
        return model.jacobian(V, unpack(x), quantity, held) * weights[:, None]

    index = [free.index(n) for n in held]
    first = least_squares(
        residual, np.array([p[n] for n in held]), jac=jac,
        bounds=([lower[i] for i in index], [upper[i] for i in index]), method="trf", x_scale="jac",
        xtol=1e-6, ftol=1e-6, max_nfev=max_nfev,
    )
    found = dict(zip(held, first.x, strict=True), dynes=broad["dynes"])
    return np.array([found[n] for n in free])


def _sigma_values(sigma: Any, spectrum: Spectrum) -> Any:
    """``sigma`` as numbers in the signal's unit (quantity strings converted)."""
    if isinstance(sigma, str):
        from fastspin.quantities import ureg

        if not spectrum.SI:
            raise ParameterError(f"fit: sigma = {sigma!r}: the data have no units, give a number")
        try:
            return float(ureg.Quantity(sigma).to(spectrum.signal_unit).magnitude)
        except Exception:
            raise ParameterError(f"fit: sigma = {sigma!r} is not in the signal unit {spectrum.signal_unit}") from None
    return sigma


def _reduced_unit(kind: str) -> str:
    return {"energy": "Delta0", "temperature": "Delta0/k_B", "ratio": "dimensionless", "conductance": "G"}[kind]


def _covariance(J: np.ndarray) -> np.ndarray:
    """(JᵀJ)⁻¹ through the SVD of J (stable for nearly degenerate directions)."""
    _, s, vt = np.linalg.svd(J, full_matrices=False)
    cutoff = np.finfo(float).eps * max(J.shape) * s[0]
    inverse = np.where(s > cutoff, 1.0 / np.where(s > cutoff, s, 1.0) ** 2, np.inf)
    return (vt.T * inverse) @ vt


def _scan_temperature(model, V, y, weights, p, names, quantity) -> dict[str, float]:
    """Start the temperatures at the best of six values 0.01..0.2 Δ (least χ²)."""
    energy = p.get("delta", p.get("delta_S", 1.0))
    best, best_chi = p, math.inf
    for factor in np.geomspace(0.01, 0.2, 6):
        trial = dict(p)
        for name in names:
            trial[name] = float(factor * energy)
        chi = float(np.sum(((model.curve(V, trial, quantity) - y) * weights) ** 2))
        if chi < best_chi:
            best, best_chi = trial, chi
    return best


def _curve_dataset(spectrum: Spectrum, fitted: np.ndarray, sigma: Any):
    import xarray as xr

    bias_attrs = {"long_name": "bias voltage", "units": spectrum.bias_unit or "Delta0/e"}
    signal_unit = spectrum.signal_unit or ("G_T" if spectrum.quantity == "dIdV" else "G_T*Delta0/e")
    label = "dI/dV" if spectrum.quantity == "dIdV" else "I"
    data_vars = {
        "data": ("V", spectrum.signal, {"units": signal_unit, "long_name": f"measured {label}"}),
        "fit": ("V", fitted, {"units": signal_unit, "long_name": f"best-fit {label}"}),
        "residual": ("V", spectrum.signal - fitted, {"units": signal_unit, "long_name": "data - fit"}),
    }
    if sigma is not None:
        sigma_values = np.broadcast_to(np.asarray(_sigma_values(sigma, spectrum), dtype=float), spectrum.signal.shape)
        data_vars["sigma"] = ("V", np.array(sigma_values), {"units": signal_unit, "long_name": "uncertainty"})
    return xr.Dataset(data_vars, coords={"V": ("V", spectrum.bias, bias_attrs)})


def plot_fit(result: FitResult, path: str | Path) -> Path:
    """Data, fit and residuals in two panels, saved as an image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ds = result.curve
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6, 5), gridspec_kw={"height_ratios": [3, 1]})
    unit = ds.data.attrs["units"]
    top.plot(ds.V, ds.data, ".", ms=2, color="0.5", label="data")
    top.plot(ds.V, ds.fit, "-", lw=1.2, color="C3", label=f"fit ({result.model}), reduced chi2 = {result.redchi:.3g}")
    top.set_ylabel(f"{ds.data.attrs['long_name'].split()[-1]} [{unit}]")
    top.legend(fontsize=8)
    bottom.plot(ds.V, ds.residual, ".", ms=2, color="C0")
    bottom.axhline(0.0, color="k", lw=0.5)
    bottom.set_ylabel(f"residual [{unit}]")
    bottom.set_xlabel(f"V [{ds.V.attrs['units']}]")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


