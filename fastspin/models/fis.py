r"""The ``fis`` model: F/I/S junction with a precessing magnetization (seed 000).

Time-averaged charge current (Eq. (3)), energy current into S (Eq. (4)), energy current
into F (Ė_F = I_c V − Ω τ_z − Ė_S), spin-transfer torque τ_z (Eq. (5)), the dissipative
transverse torques τ_x, τ_y (Eq. (A5)) and the torque-noise
correlator D (Eq. (20), integrand derived in :mod:`fastspin.fis`), on the shared convolution
engine.  Parameters follow Fig. 1 of seed 000: bias V, exchange field h of S at polar angle
``h_angle`` to the precession axis ẑ (0: +ẑ, π: −ẑ, π/2: x̂), F polarization P, cone angle
θ, precession frequency Ω, temperatures T_S, T_F, Dynes Γ and an optional fixed gap
(default self-consistent Δ(T_S, h)).

Units: see :mod:`fastspin.fis`.  Accuracy: 1e-6 relative or 1e-9 absolute against scipy quad.

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

from fastspin.fis import fis_currents
from fastspin.model import Model, Output, Parameter, register
from fastspin.units import Tc


@register
class FISJunction(Model):
    """Ferromagnetic island / insulator / spin-split superconductor with precessing m (seed 000)."""

    name = "fis"
    seed = "000_c7ff3a23d70f00a8"
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
            "T_S", "Delta0/k_B", 0.1 * Tc, "temperature of S", low=0.0, high=3.0,
            low_open=True, temperature=True,
        ),
        Parameter(
            "T_F", "Delta0/k_B", 0.1 * Tc, "temperature of F", low=0.0, high=3.0,
            low_open=True, temperature=True,
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
    cost_per_point = 5e-4

    @classmethod
    def warmup(cls) -> None:
        """Compile (or load cached) kernels: one tiny evaluation."""
        fis_currents(np.array([0.1]), 0.3, 0.0, 0.5, 0.4, 0.1, 0.1, 0.1, 1e-3, 1.0)

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        out = fis_currents(
            params["V"], params["h"], params["h_angle"], params["P"], params["theta"],
            params["Omega"], params["T_S"], params["T_F"], params["dynes"], params["delta"],
            parallel=bool(self.options.get("parallel", False)), h_azimuth=params["h_azimuth"],
        )
        return {o.name: out[o.name] for o in self.outputs}
