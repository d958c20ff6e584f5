"""Units and conventions of fastspin.

Inside fastspin ħ = e = k_B = 1 and every energy is measured in units of Δ0, the
zero-temperature, zero-field BCS gap of the reference superconductor.  That covers
the quasiparticle energy E, the bias eV, the exchange field h, the precession
energy ħΩ, the temperature k_B T and the Dynes broadening Γ.

* Weak-coupling BCS:  T_c = (e^γ_E / π) Δ0 ≈ 0.566933 Δ0, so a temperature of
  ``0.7 Tc`` is ``0.7 * Tc`` in these units.  Every temperature parameter may also
  be given as the string ``"0.7 Tc"`` (see :func:`parse_quantity`).
* Currents are in units of G_T Δ0 / e, heat currents in G_T Δ0² / e², torques in
  ħ G_T Δ0 / e², where G_T is the normal-state tunnel conductance.

:class:`SIScale` converts to SI for a given Δ0 (e.g. aluminium, 200 µeV) and G_T.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Euler–Mascheroni constant.
EULER_GAMMA = 0.57721566490153286060651209
#: Weak-coupling BCS critical temperature in units of Δ0: Tc = e^γ/π · Δ0.
Tc: float = math.exp(EULER_GAMMA) / math.pi
#: The reference gap itself, for symmetry with ``Tc``.
Delta0: float = 1.0
#: Lowest temperature accepted by the models in Δ0 units whose results are integrals over
#: Fermi functions (sis, sis_merit, fis, fis_response): the convolution engine is held to
#: its stated accuracy for T >= 0.01 Tc, and below that the Fermi window (width ~T) is
#: narrower than what the quadrature and the finite-difference G0 of sis_merit resolve
#: (at T_S = 1e-20 the numerical G0 was off by 8 orders of magnitude).  For Δ ≈ Δ0 the
#: results at 0.01 Tc are already the T → 0 limit up to O((T/Δ)²) ≈ 3e-5.
T_MIN: float = 0.01 * Tc

# CODATA 2018 exact / recommended values: the one set fastspin uses.
#: elementary charge e [C] (CODATA 2018, exact)
ELEMENTARY_CHARGE = 1.602176634e-19
#: Boltzmann constant k_B [J/K] (CODATA 2018, exact)
BOLTZMANN = 1.380649e-23
#: reduced Planck constant ħ [J s] (CODATA 2018)
HBAR = 1.054571817e-34
#: vacuum permeability μ0 [N/A²] (CODATA 2018)
MU0 = 1.25663706212e-6
#: electron gyromagnetic ratio |γ| [rad/(s T)] (CODATA 2018)
GYROMAGNETIC_RATIO = 1.76085963023e11

_QUANTITY = re.compile(
    r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\*?\s*(Tc|T_c|Delta0|Δ0)?\s*$"
)


def parse_quantity(value: object, name: str = "value") -> float:
    """Turn a number or a string such as ``"0.7 Tc"`` or ``"0.3 Delta0"`` into Δ0 units.

    Raises ``ValueError`` naming ``name`` when the string is not of that form.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number, got a boolean {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        match = _QUANTITY.match(value)
        if match:
            number = float(match.group(1))
            unit = match.group(2)
            if unit in ("Tc", "T_c"):
                return number * Tc
            return number
    raise ValueError(
        f"{name}: cannot read {value!r} as a number; write e.g. 0.35, '0.7 Tc' or '0.3 Delta0'"
    )


@dataclass(frozen=True)
class SIScale:
    """Conversion from fastspin's reduced units to SI.

    Parameters
    ----------
    delta0_eV:
        Δ0 in electronvolts (aluminium: 200e-6).
    G_T_siemens:
        normal-state tunnel conductance G_T in siemens.
    """

    delta0_eV: float = 200e-6
    G_T_siemens: float = 1e-4

    @property
    def energy_J(self) -> float:
        """One Δ0 in joules."""
        return self.delta0_eV * ELEMENTARY_CHARGE

    @property
    def voltage_V(self) -> float:
        """The bias eV = Δ0 expressed in volts."""
        return self.delta0_eV

    @property
    def temperature_K(self) -> float:
        """k_B T = Δ0 expressed in kelvin."""
        return self.energy_J / BOLTZMANN

    @property
    def Tc_K(self) -> float:
        """The weak-coupling critical temperature in kelvin."""
        return Tc * self.temperature_K

    @property
    def frequency_rad_s(self) -> float:
        """ħΩ = Δ0 expressed as an angular frequency Ω in rad/s."""
        return self.energy_J / HBAR

    @property
    def current_A(self) -> float:
        """The current unit G_T Δ0 / e in amperes."""
        return self.G_T_siemens * self.delta0_eV

    @property
    def heat_current_W(self) -> float:
        """The heat-current unit G_T Δ0² / e² in watts."""
        return self.G_T_siemens * self.delta0_eV**2

    @property
    def torque_J(self) -> float:
        """The torque unit ħ G_T Δ0 / e² in joules (N·m)."""
        return HBAR * self.G_T_siemens * self.delta0_eV / ELEMENTARY_CHARGE

    def to_SI(self, value: Any, unit: str | None = None) -> Any:
        """Convert ``value`` given in the reduced ``unit`` string to SI.

        ``unit`` is one of the unit strings fastspin writes into ``attrs['units']``
        (default: the ``units`` attr of an ``xarray.DataArray`` ``value``).  A DataArray
        comes back with its ``units`` attr set to the SI unit (:data:`SI_UNIT_NAMES`,
        pint-parseable) and the reduced one kept in ``reduced_units``.
        """
        if unit is None:
            unit = getattr(value, "attrs", {}).get("units")
            if unit is None:
                raise ValueError("unit: give the reduced unit of a plain value, e.g. 'G_T*Delta0/e'")
        factors = {
            "Delta0": self.energy_J,
            "Delta0/e": self.voltage_V,
            "Delta0/k_B": self.temperature_K,
            "Delta0/hbar": self.frequency_rad_s,
            "G_T*Delta0/e": self.current_A,
            "G_T*Delta0^2/e^2": self.heat_current_W,
            "hbar*G_T*Delta0/e^2": self.torque_J,
            "G_T": self.G_T_siemens,
            "1": 1.0,
        }
        if unit not in factors:
            raise ValueError(f"unit: no SI conversion for {unit!r}; known: {sorted(factors)}")
        result = value * factors[unit]
        if hasattr(value, "attrs"):
            result.attrs = {**value.attrs, "units": SI_UNIT_NAMES[unit], "reduced_units": unit}
        return result


#: the SI unit (pint-parseable) of each reduced unit that :meth:`SIScale.to_SI` converts
SI_UNIT_NAMES = {
    "Delta0": "J",
    "Delta0/e": "V",
    "Delta0/k_B": "K",
    "Delta0/hbar": "rad/s",
    "G_T*Delta0/e": "A",
    "G_T*Delta0^2/e^2": "W",
    "hbar*G_T*Delta0/e^2": "J",
    "G_T": "S",
    "1": "dimensionless",
}


#: Aluminium with a 0.1 mS junction, the example of Germanese et al. (2021).
ALUMINIUM = SIScale(delta0_eV=200e-6, G_T_siemens=1e-4)
