r"""Quantities with units: lab inputs in, SI outputs out, reduced units inside.

fastspin computes in reduced units (:mod:`fastspin.units`: ħ = e = k_B = 1, energies in
Δ0).  This module is the border to the laboratory, built on pint's application registry
(so pint-xarray's ``Dataset.pint.quantify()`` reads what it writes):

* a parameter accepts a quantity string (``"150 uV"``, ``"90 mK"``, ``"0.8 T"``,
  ``"200 ueV"``, ``"1.3 K"``) or a ``pint.Quantity``; :func:`to_reduced` divides it by
  the SI value of the parameter's declared unit (``"Delta0/e"`` → Δ0/e volts, …), which
  needs an energy scale Δ0 (:class:`EnergyScale`, from ``delta0=`` or a material preset);
* a frequency in Hz given for an angular frequency (declared unit Δ0/ħ, e.g. the
  precession frequency Ω) means f: Ω = 2π f (a value in rad/s is taken as Ω itself);
* a magnetic field B given for a Zeeman/exchange energy ``h`` (declared unit Δ0)
  becomes h = g μ_B B / 2, the shift of the spin-split DOS N0(E ± h) (Eq. (1) of
  Germanese et al., *Spontaneous symmetry breaking induced thermospin effect in
  superconducting tunnel junctions*); g = 2 (free electron) unless the scale or
  material states another value;
* :func:`dataset_to_SI` converts every output and coordinate to SI with a
  pint-parseable ``units`` attribute (A, V, K, J, W, S, rad/s, …).

Models with units of their own (meV, nm: ``magnon``, ``texture``) take quantity strings
too; those convert directly, with no Δ0 (a temperature ``T…`` declared as an energy k_B T
takes kelvin).  The conversions are products of pint's CODATA constants (exact e, k_B, h;
μ_B from CODATA 2022), so a converted value agrees with the hand-reduced value to
a few ulps (tested to 1e-12 relative).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pint


class QuantityError(ValueError):
    """A quantity that cannot be read or converted; callers add the parameter's allowed range
    and raise it as :class:`fastspin.model.ParameterError` (this module sits below the model
    framework and imports none of it)."""


#: the registry shared with pint-xarray
ureg = pint.get_application_registry()
#: pint's Quantity class of :data:`ureg`: ``Quantity(1.2, "K")``
Quantity = ureg.Quantity

#: the g-factor of the free electron, used unless a scale or material states another
DEFAULT_G_FACTOR = 2.0

#: tokens of fastspin's reduced unit strings and the pint expressions they stand for
_REDUCED_TOKENS = re.compile(r"(?<![A-Za-z0-9_])(Delta0|G_T|H_K|k_B|hbar|e)(?![A-Za-z0-9_])")

#: SI units written into ``units`` attrs, first match by dimensionality wins
_SI_UNITS = ("V", "A", "W", "K", "J", "S", "F", "rad/s", "s", "J*s", "1/J", "1/m^2", "1/m^3", "m", "dimensionless")


@dataclass(frozen=True)
class EnergyScale:
    """The reference gap Δ0 that turns lab quantities into fastspin's reduced units.

    ``delta0_eV``: Δ0 in eV; ``g_factor``: g of h = g μ_B B / 2; ``G_T_siemens``: the
    normal-state tunnel conductance (needed only to express currents in amperes);
    ``material``: the preset it came from, if any.
    """

    delta0_eV: float
    g_factor: float = DEFAULT_G_FACTOR
    G_T_siemens: float | None = None
    material: str | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.delta0_eV) and self.delta0_eV > 0):
            raise QuantityError(f"delta0 = {self.delta0_eV!r} eV; allowed: a finite energy > 0")
        if not (math.isfinite(self.g_factor) and self.g_factor > 0):
            raise QuantityError(f"g_factor = {self.g_factor!r}; allowed: a finite number > 0")
        if self.G_T_siemens is not None and not (math.isfinite(self.G_T_siemens) and self.G_T_siemens > 0):
            raise QuantityError(f"G_T = {self.G_T_siemens!r} S; allowed: a finite conductance > 0")

    def reduced_unit(self, unit: str, where: str = "unit") -> pint.Quantity:
        """One reduced ``unit`` (e.g. ``"G_T*Delta0/e"``) as an SI quantity."""
        def token(match: re.Match) -> str:
            name = match.group(1)
            if name == "Delta0":
                return f"({self.delta0_eV!r} * electron_volt)"
            if name == "G_T":
                if self.G_T_siemens is None:
                    raise QuantityError(
                        f"{where}: {unit!r} needs the tunnel conductance; give G_T, e.g. G_T='10 uS'"
                    )
                return f"({self.G_T_siemens!r} * siemens)"
            if name == "H_K":
                raise QuantityError(
                    f"{where}: {unit!r} is in units of the anisotropy field; build the magnet "
                    "with fastspin.dynamics.Macrospin.from_SI for SI inputs"
                )
            return {"k_B": "boltzmann_constant", "hbar": "hbar", "e": "elementary_charge"}[name]

        return ureg.parse_expression(_REDUCED_TOKENS.sub(token, unit))


def parse_energy(value: Any, name: str) -> float:
    """An energy (``"200 ueV"``, a Quantity, or a number in eV) in eV."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    quantity = _as_quantity(value, name)
    if quantity.check("[temperature]"):  # k_B T, for presets given as a gap temperature
        quantity = quantity * ureg.boltzmann_constant
    try:
        return float(quantity.to("eV").magnitude)
    except pint.DimensionalityError:
        raise QuantityError(f"{name} = {value!r} is not an energy; write e.g. '200 ueV'") from None


def parse_conductance(value: Any, name: str = "G_T") -> float:
    """A conductance (``"10 uS"``, ``"1/(10 kohm)"``, or a number in siemens) in S."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(_as_quantity(value, name).to("S").magnitude)
    except pint.DimensionalityError:
        raise QuantityError(f"{name} = {value!r} is not a conductance; write e.g. '10 uS'") from None


_ACTIVE: contextvars.ContextVar[EnergyScale | None] = contextvars.ContextVar("fastspin_scale", default=None)


def active_scale() -> EnergyScale | None:
    """The energy scale set by the innermost :func:`scale_context`, or None."""
    return _ACTIVE.get()


@contextlib.contextmanager
def scale_context(scale: EnergyScale | None) -> Iterator[EnergyScale | None]:
    """Within this block, quantity strings convert through ``scale`` (None: the enclosing one).

    :func:`fastspin.materials.energy_scale` builds a scale from ``delta0`` and/or a material.
    """
    token = _ACTIVE.set(scale if scale is not None else _ACTIVE.get())
    try:
        yield _ACTIVE.get()
    finally:
        _ACTIVE.reset(token)


def is_quantity_input(value: Any) -> bool:
    """A pint Quantity, or a string that is not one of the reduced forms "0.7 Tc"/"0.3 Delta0"."""
    if isinstance(value, pint.Quantity):
        return True
    if isinstance(value, str):
        from fastspin.units import _QUANTITY

        return _QUANTITY.match(value) is None
    return False


def is_Tc_string(value: str) -> bool:
    """A reduced string in units of Tc ("0.7 Tc"), valid for temperatures only."""
    from fastspin.units import _QUANTITY

    match = _QUANTITY.match(value)
    return match is not None and match.group(2) in ("Tc", "T_c")


def _as_quantity(value: Any, name: str) -> pint.Quantity:
    if isinstance(value, pint.Quantity):
        return value
    try:
        quantity = ureg.Quantity(value)
    except Exception:  # pint raises several unrelated types for unparseable text
        raise QuantityError(
            f"{name} = {value!r} is not a number or a quantity; write e.g. 0.35, '150 uV', '90 mK', '0.8 T'"
        ) from None
    if not isinstance(quantity, pint.Quantity):  # a bare number string
        quantity = ureg.Quantity(float(quantity), "dimensionless")
    return quantity


def to_reduced(value: Any, name: str, unit: str, where: str) -> float:
    """A quantity for the parameter ``name`` declared in ``unit``, as a number in that unit.

    Reduced units (containing Δ0) need an active :class:`EnergyScale`; ``h`` in Δ0 also
    takes a magnetic field, h = g μ_B B / 2.  One :class:`QuantityError` naming the
    parameter for an unknown unit, a wrong dimension or a missing scale.
    """
    quantity = _as_quantity(value, where)
    if not np.ndim(quantity.magnitude) == 0:
        raise QuantityError(f"{where} = {value!r}: give one value per entry")
    if _REDUCED_TOKENS.search(unit) is None:  # a model with units of its own (meV, nm, 1)
        target = ureg.parse_expression(unit if unit not in ("1", "") else "dimensionless")
        scale_factor = 1.0
        if name.startswith("T") and quantity.check("[temperature]") and target.check("[energy]"):
            quantity = quantity * ureg.boltzmann_constant  # a temperature declared as k_B T
    else:
        scale = active_scale()
        if scale is None:
            raise QuantityError(
                f"{where} = {value!r}: converting to {unit} needs the energy scale; "
                "give delta0='200 ueV' or material='Al_film' (see `fastspin materials`)"
            )
        target = scale.reduced_unit(unit, where)
        scale_factor = 1.0
        if name == "h" and unit == "Delta0" and quantity.check("[magnetic_field]"):
            quantity = quantity * ureg.bohr_magneton
            scale_factor = 0.5 * scale.g_factor
    if "hertz" in str(quantity.units) and unit.endswith("/hbar"):
        scale_factor *= 2.0 * math.pi  # a frequency f in Hz for an angular frequency Ω = 2π f
    try:
        return float((quantity / target).to("dimensionless").magnitude) * scale_factor
    except pint.DimensionalityError:
        field = " or a magnetic field (h = g mu_B B/2)" if name == "h" and unit == "Delta0" else ""
        wanted = ureg.Quantity(1.0, target.units if hasattr(target, "units") else target)
        raise QuantityError(
            f"{where} = {value!r} has the wrong dimension; expected {wanted.dimensionality}{field} "
            f"(e.g. {_example(target)})"
        ) from None


def _example(target: Any) -> str:
    return f"'1 {si_unit(target)}'"


def si_unit(quantity: Any) -> str:
    """The SI unit string (pint-parseable) fastspin writes for this dimensionality."""
    q = quantity if isinstance(quantity, pint.Quantity) else ureg.Quantity(1.0, quantity)
    for unit in _SI_UNITS:
        if q.check(ureg.parse_expression(unit).dimensionality if unit != "dimensionless" else {}):
            return unit
    return str(q.to_base_units().units)


def SI_factor(unit: str, scale: EnergyScale, where: str = "unit") -> tuple[float, str]:
    """(factor, SI unit) with value_SI = factor · value for a value in the reduced ``unit``."""
    if unit in ("1", ""):
        return 1.0, "dimensionless"
    quantity = scale.reduced_unit(unit, where) if _REDUCED_TOKENS.search(unit) else ureg.parse_expression(unit)
    target = si_unit(quantity)
    if target == "dimensionless":
        return float(quantity.to("dimensionless").magnitude), target
    return float(quantity.to(target).magnitude), target


def dataset_to_SI(ds: Any, scale: EnergyScale | None, model: Any = None) -> Any:
    """The Dataset of :func:`fastspin.evaluate` with every output and coordinate in SI.

    Variables get a pint-parseable ``units`` attr; scalar parameters kept as attrs
    become quantity strings (``"0.1 K"``); the scale is recorded in attrs
    ``delta0_eV``, ``g_factor`` and ``G_T_S``.  ``model``: the model instance whose
    declared parameter units the scalar attrs carry.
    """
    if scale is None:
        raise QuantityError("units='SI' needs the energy scale; give delta0='200 ueV' or material=")
    out = ds.copy()
    for name in list(out.variables):
        unit = out[name].attrs.get("units")
        if unit is None:
            continue
        factor, target = SI_factor(unit, scale, f"output {name!r}")
        attrs = {**out[name].attrs, "units": target, "reduced_units": unit}
        out[name] = out[name] * factor if name in out.data_vars else out[name].copy(data=out[name].values * factor)
        out[name].attrs = attrs
    if model is not None:
        for p in model.parameters:
            value = out.attrs.get(p.name)
            if isinstance(value, (int, float, np.floating)) and p.choices is None:
                factor, target = SI_factor(p.unit, scale, f"parameter {p.name!r}")
                out.attrs[p.name] = f"{float(value) * factor!r} {target}" if target != "dimensionless" else float(value)
    out.attrs.update(
        delta0_eV=scale.delta0_eV, g_factor=scale.g_factor, units_system="SI",
        **({"G_T_S": scale.G_T_siemens} if scale.G_T_siemens is not None else {}),
    )
    return out
