"""Declarations of the ``sis`` and ``sis_merit`` models: the S–I–Sm thermospin junction.

The physics (Eqs. (1)–(3), figures of merit) is in :mod:`fastspin.physics.sis`; these
classes declare the parameters, outputs and reference that ``fastspin.evaluate``,
sweeps and the CLI read, and map a block of points onto that API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.model import Model, Output, Parameter
from fastspin.physics import sis
from fastspin.references import GERMANESE_2021
from fastspin.units import Tc

_COMMON_PARAMETERS = (
    Parameter("h", "Delta0", 0.4, "exchange field in Sm", low=-2.0, high=2.0),
    Parameter(
        "T_S", "Delta0/k_B", 0.7 * Tc, "temperature of S (hot electrode)",
        low=0.0, high=3.0, low_open=True, temperature=True,
    ),
    Parameter(
        "T_Sm", "Delta0/k_B", 0.01 * Tc, "temperature of Sm (cold electrode)",
        low=0.0, high=3.0, low_open=True, temperature=True,
    ),
    Parameter("dynes", "Delta0", 1e-4, "Dynes broadening Γ of both DOS", low=1e-7, high=0.5),
    Parameter(
        "delta_S", "Delta0", None, "fixed gap of S (default: self-consistent Δ(T_S, 0))",
        low=0.0, high=3.0, optional=True,
    ),
    Parameter(
        "delta_Sm", "Delta0", None, "fixed gap of Sm (default: self-consistent Δ(T_Sm, h))",
        low=0.0, high=3.0, optional=True,
    ),
)




class SISJunction(Model):
    """S–I–Sm thermospin junction, Germanese et al. (2021): spin-resolved I(V) and heat currents.

    >>> import fastspin
    >>> ds = fastspin.evaluate("sis", V=[-0.3, 0.3], h=0.4, T_S="0.7 Tc", T_Sm="0.01 Tc")
    >>> bool(ds.I_charge[0] == -ds.I_charge[1])   # odd in V
    True
    """

    name = "sis"
    reference = GERMANESE_2021
    description = "S-I-Sm junction: spin-split Dynes DOS, spin-resolved charge and heat currents (Eqs. 1-2)"
    parameters = (
        Parameter("V", "Delta0/e", 0.0, "bias voltage, mu_S - mu_Sm = eV", low=-20.0, high=20.0),
        *_COMMON_PARAMETERS,
    )
    outputs = sis.SIS_OUTPUTS
    cost_per_point = 1.5e-5

    @classmethod
    def warmup(cls) -> None:
        sis.warmup()

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        delta_S, delta_Sm = sis.resolve_gaps(
            params["T_S"], params["T_Sm"], params["h"], params["delta_S"], params["delta_Sm"]
        )
        return sis.sis_currents(
            params["V"], params["h"], delta_S, delta_Sm, params["T_S"], params["T_Sm"],
            params["dynes"],
            parallel=bool(self.options.get("parallel", False)),
            fold=bool(self.options.get("particle_hole_folding", True)),
        )




class SISMerit(Model):
    """Thermoelectric figures of merit of the S–I–Sm junction (Germanese et al. (2021), Figs. 2–3).

    Maps over (T_S, h) as in Fig. 2(b)–(d) and Fig. 3(c): zero-bias conductance G0
    (numerically, from the closed form behind Eq. (3) and from Eq. (3) itself with the
    misprinted f_Sm corrected to f_S), Seebeck voltage V_S,
    inner matching-peak voltage V_p⁻, G_max = I(V_p⁻)/V_p⁻, spin current at V_p⁻,
    and the threshold field h_t (numerical and the tanh estimate).
    """

    name = "sis_merit"
    reference = GERMANESE_2021
    description = "S-I-Sm thermoelectric figures of merit: G0 (Eq. 3), V_S, V_p-, Gmax, Is(V_p-), h_t"
    parameters = _COMMON_PARAMETERS
    outputs = (
        Output("G0", "G_T", "zero-bias conductance dI/dV (numerical)"),
        Output("G0_closed_form", "G_T", "zero-bias conductance, closed form of Eq. (3)"),
        Output("G0_eq3", "G_T", "approximant Eq. (3) with f_S(E, T_S) (printed: f_Sm, a misprint)"),
        Output("V_seebeck", "Delta0/e", "Seebeck voltage, I_charge(V_S) = 0 (NaN if dissipative)"),
        Output("V_peak_inner", "Delta0/e", "inner matching-peak voltage |Delta_S - (Delta_Sm - h)|"),
        Output("G_max", "G_T", "conductance at the inner peak, I(V_p-)/V_p-"),
        Output("I_spin_peak", "G_T*Delta0/e", "spin current at +V_p-"),
        Output("h_threshold", "Delta0", "threshold field: Delta(T_S) = Delta(T_Sm, h) - h"),
        Output("h_threshold_tanh", "Delta0", "threshold field, tanh estimate of the text"),
    )
    cost_per_point = 1.7e-2

    @classmethod
    def warmup(cls) -> None:
        sis.warmup()

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        delta_S, delta_Sm = sis.resolve_gaps(
            params["T_S"], params["T_Sm"], params["h"], params["delta_S"], params["delta_Sm"]
        )
        results = {o.name: np.empty(np.shape(delta_S)) for o in self.outputs}
        for index in np.ndindex(np.shape(delta_S)):
            point = {
                "h": float(params["h"][index]),
                "T_S": float(params["T_S"][index]),
                "T_Sm": float(params["T_Sm"][index]),
                "dynes": float(params["dynes"][index]),
                "delta_S": float(delta_S[index]),
                "delta_Sm": float(delta_Sm[index]),
            }
            for name, value in sis.figures_of_merit(point).items():
                results[name][index] = value
        return results
