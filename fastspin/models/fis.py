r"""The ``fis`` model: F/I/S junction with a precessing magnetization (Ojajärvi et al. 2020).

Time-averaged charge current (Eq. (3)), energy current into S (Eq. (4)), energy current
into F (Ė_F = I_c V − Ω τ_z − Ė_S), spin-transfer torque τ_z (Eq. (5)), the dissipative
transverse torques τ_x, τ_y (Eq. (A5)) and the torque-noise
correlator D (Eq. (20), integrand derived in :mod:`fastspin.physics.fis`), on the shared convolution
engine.  Parameters follow Fig. 1 of Ojajärvi et al. (2020): bias V, exchange field h of S at polar angle
``h_angle`` to the precession axis ẑ (0: +ẑ, π: −ẑ, π/2: x̂), F polarization P, cone angle
θ, precession frequency Ω, temperatures T_S, T_F, Dynes Γ and an optional fixed gap
(default self-consistent Δ(T_S, h)).

Units: see :mod:`fastspin.physics.fis`.  Accuracy: 1e-6 relative or 1e-9 absolute against scipy quad.

>>> import fastspin
>>> ds = fastspin.evaluate("fis", V=[0.2, 0.5], Omega=0.3, delta=0.0)   # normal state
>>> bool(abs(ds.I_charge - ds.V).max() < 1e-9)   # Ohm's law, I = G_T V, pumping cancels
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.model import Model, Output, Parameter, ParameterError
from fastspin.physics import fis
from fastspin.references import OJAJARVI_2020
from fastspin.units import T_MIN, Tc


class FISJunction(Model):
    """Ferromagnetic island / insulator / spin-split superconductor with precessing m (Ojajärvi et al. 2020)."""

    name = "fis"
    reference = OJAJARVI_2020
    description = (
        "F/I/S junction, precessing magnetization: charge, heat currents, spin torque and "
        "torque noise (Eqs. 3-5, A5, 20)"
    )
    parameters = (
        Parameter("V", "Delta0/e", 0.0, "bias voltage (mu_F - mu_S = eV)", low=-20.0, high=20.0),
        Parameter("h", "Delta0", 0.3, "spin-splitting field of S", low=-2.0, high=2.0),
        Parameter(
            "h_angle", "1", 0.0,
            "polar angle of h to the precession axis z (0: +z, pi: -z, pi/2: x), radians",
            low=0.0, high=math.pi,
        ),
        Parameter(
            "h_azimuth", "1", 0.0,
            "azimuth of h about z in the lab frame (splits the transverse torque into x, y), radians",
            low=0.0, high=2 * math.pi,
        ),
        Parameter("P", "1", 1.0, "spin polarization of the F density of states", low=-1.0, high=1.0),
        Parameter("theta", "1", math.pi / 8, "precession cone angle, radians", low=0.0, high=math.pi),
        Parameter("Omega", "Delta0/hbar", 0.1, "precession frequency (hbar*Omega)", low=-20.0, high=20.0),
        Parameter(
            "T_S", "Delta0/k_B", 0.1 * Tc, "temperature of S", low=T_MIN, high=3.0,
            temperature=True,
        ),
        Parameter(
            "T_F", "Delta0/k_B", 0.1 * Tc, "temperature of F", low=T_MIN, high=3.0,
            temperature=True,
        ),
        Parameter("dynes", "Delta0", 1e-4, "Dynes broadening of the S DOS", low=1e-7, high=0.5),
        Parameter(
            "delta", "Delta0", None, "fixed gap of S (default: self-consistent Delta(T_S, h))",
            low=0.0, high=3.0, optional=True,
        ),
    )
    outputs = (
        Output("I_charge", "G_T*Delta0/e", "charge current F -> S, Eq. (3)"),
        Output("heat_S", "G_T*Delta0^2/e^2", "energy current into S, Eq. (4)"),
        Output("heat_F", "G_T*Delta0^2/e^2", "energy current into F, Ic*V - Omega*tau_z - E_S"),
        Output("torque_z", "hbar*G_T*Delta0/e^2", "spin-transfer torque tau_z, Eq. (5)"),
        Output("torque_x", "hbar*G_T*Delta0/e^2", "dissipative transverse torque tau_x, Eq. (A5)"),
        Output("torque_y", "hbar*G_T*Delta0/e^2", "dissipative transverse torque tau_y, Eq. (A5)"),
        Output(
            "torque_noise", "hbar^2*G_T*Delta0/e^2",
            "torque-noise correlator D = -(1/8) d^2 s_T/dphi_q^2 csc^2(theta), Eq. (20)",
        ),
    )
    cost_per_point = 2.6e-5

    @classmethod
    def warmup(cls) -> None:
        fis.warmup()

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        out = fis.fis_currents(
            params["V"], params["h"], params["h_angle"], params["P"], params["theta"],
            params["Omega"], params["T_S"], params["T_F"], params["dynes"], params["delta"],
            parallel=bool(self.options.get("parallel", False)), h_azimuth=params["h_azimuth"],
        )
        return {o.name: out[o.name] for o in self.outputs}


class FISResponse(Model):
    """Linear response, FMR heat balance and oscillator thresholds of the F/I/S junction (Ojajärvi et al. 2020).

    Per point (equilibrium temperature T = T_S = T_F): G, G_th, α of Eq. (6); α̃, G̃ of
    Eqs. (14)–(15); α⁻_{2,0} of Eq. (A3); the onset voltage V_o and critical thermal bias δT_o
    of Sec. IV B; the FMR-induced V and δT per θ² of Eq. (16); and the largest λ S A0 that
    still refrigerates F (Fig. 4).  Functions and derivations in :mod:`fastspin.physics.fis`.
    """

    name = "fis_response"
    reference = OJAJARVI_2020
    description = (
        "F/I/S junction: linear response (Eq. 6), FMR coefficients and heat balance "
        "(Eqs. 14-16, Fig. 4), oscillator thresholds V_o, dT_o"
    )
    parameters = (
        Parameter(
            "T", "Delta0/k_B", 0.5 * Tc, "equilibrium temperature T_S = T_F", low=T_MIN, high=3.0,
            temperature=True,
        ),
        Parameter("h", "Delta0", 0.3, "spin-splitting field of S", low=-2.0, high=2.0),
        Parameter("h_angle", "1", math.pi, "polar angle of h to z, radians", low=0.0, high=math.pi),
        Parameter("P", "1", 1.0, "spin polarization of F", low=-1.0, high=1.0),
        Parameter("Omega", "Delta0/hbar", 0.1, "precession frequency (hbar*Omega), nonzero",
                  low=-20.0, high=20.0),
        Parameter("dynes", "Delta0", 1e-4, "Dynes broadening of the S DOS", low=1e-7, high=0.5),
        Parameter("S_A0", "hbar*G_T/e^2", 0.0, "Gilbert damping S*A0", low=0.0, high=1e6),
        Parameter("heating_fraction", "1", 0.0, "fraction lambda of Gilbert power heating F",
                  low=0.0, high=1.0),
        Parameter("delta", "Delta0", None, "fixed gap of S (default: self-consistent Delta(T, h))",
                  low=0.0, high=3.0, optional=True),
    )
    outputs = (
        Output("G", "G_T", "linear conductance, Eq. (6)"),
        Output("G_th", "G_T*Delta0/e^2", "linear thermal conductance (k_B = 1), Eq. (6)"),
        Output("alpha", "G_T*Delta0/e", "thermoelectric coefficient alpha, Eq. (6)"),
        Output("alpha_minus_20", "G_T/Delta0", "second-order coefficient alpha^-_{2,0}, Eq. (A3)"),
        Output("alpha_tilde", "G_T*Delta0/e", "FMR heat-pumping coefficient, Eq. (14)"),
        Output("G_tilde", "G_T", "FMR damping coefficient, Eq. (15)"),
        Output("V_onset", "Delta0/e", "onset voltage of voltage-driven oscillations (NaN if none)"),
        Output("dT_onset", "Delta0/k_B", "critical thermal bias dT_o (sgn(alpha) dT)"),
        Output("fmr_V_per_theta2", "Delta0/e", "FMR-induced open-circuit voltage / theta^2, Eq. (16)"),
        Output("fmr_dT_per_theta2", "Delta0/k_B", "FMR-induced T_S - T_F / theta^2, Eq. (16)"),
        Output("max_damping_refrigeration", "hbar*G_T/e^2",
               "largest lambda*S*A0 that still cools F (Fig. 4); negative: no cooling"),
    )
    cost_per_point = 3e-3

    @classmethod
    def check_consistency(cls, values: Mapping[str, Any]) -> None:
        omega = np.atleast_1d(values["Omega"])
        if np.any(omega == 0.0):
            raise ParameterError("fis_response: parameter 'Omega' must be nonzero; allowed: "
                                 "-20 <= Omega <= 20, Omega != 0 [Delta0/hbar]")

    @classmethod
    def warmup(cls) -> None:
        fis.warmup()

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        delta = fis.resolve_gap(params["T"], params["h"], params["delta"])
        results = {o.name: np.empty(np.shape(delta)) for o in self.outputs}
        for index in np.ndindex(np.shape(delta)):
            p = {k: float(params[k][index]) for k in
                 ("T", "h", "h_angle", "P", "Omega", "dynes", "S_A0", "heating_fraction")}
            values = fis.response_point(
                p["Omega"], p["T"], p["h"], p["h_angle"], p["P"], p["dynes"], float(delta[index]),
                p["S_A0"], p["heating_fraction"],
            )
            for name, value in values.items():
                results[name][index] = value
        return results
