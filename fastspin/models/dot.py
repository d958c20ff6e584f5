"""Declaration of the ``dot`` model: a ferromagnetic quantum dot with a non-equilibrium
distribution.  The physics is in :mod:`fastspin.physics.dot`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.model import Model, Output
from fastspin.physics import dot
from fastspin.references import LUDWIG_2017


class DotModel(Model):
    """Ferromagnetic quantum dot with a non-equilibrium distribution (Ludwig et al.).

    Stationary outputs are the paper's closed forms (exact); the ``*_final`` outputs
    come from integrating Eq. (43) for ``t_settle`` from (θ_init, φ = 0, V_d_init)
    with the compiled Dormand–Prince integrator (rtol 1e-9).
    """

    name = "dot"
    reference = LUDWIG_2017
    description = ("ferromagnetic quantum dot between a fixed ferromagnet and a normal lead: "
                   "non-equilibrium distribution, spin torque, abrupt switching (Ludwig et al.)")
    parameters = dot.PARAMETERS
    outputs = (
        Output("V_sw", "Delta0/e", "voltage where the north pole turns unstable (Eq. 51; "
               "App. B linearised for distribution='equilibrium')"),
        Output("rate_north", "Delta0/hbar", "relaxation rate of a tilt at the north pole (Eq. 50); "
               "> 0 stable"),
        Output("rate_south", "Delta0/hbar", "relaxation rate of a tilt at the south pole (Eq. 50); "
               "> 0 stable"),
        Output("I_north", "e*Delta0/hbar", "stationary current at the north pole (Eq. 48)"),
        Output("I_south", "e*Delta0/hbar", "stationary current at the south pole (Eq. 49)"),
        Output("V_d0_north", "Delta0/e", "dot potential at the north pole (Eq. 55)"),
        Output("V_d0_south", "Delta0/e", "dot potential at the south pole (Eq. 56)"),
        Output("g_s", "e^2/hbar", "spin conductance g_s (Sec. III C)"),
        Output("cos_theta_eq58", "1", "persistent-precession cone of the strong-sink reading "
               "Eq. (58) (NaN: none); the full theory has none (Eq. 47)"),
        Output("I_s_eq58", "Delta0", "spin-torque current g_s V of the strong-sink reading"),
        Output("alpha_north", "1", "Gilbert coefficient alpha(0)"),
        Output("alpha_south", "1", "Gilbert coefficient alpha(pi)"),
        Output("cos_theta_final", "1", "cos theta after t_settle of the dynamics Eq. (43)"),
        Output("sin_theta_final", "1", "sin theta after t_settle (non-zero: persistent precession)"),
        Output("precession_frequency", "Delta0/hbar", "-dphi/dt after t_settle"),
        Output("V_d_final", "Delta0/e", "dot potential V_d after t_settle"),
        Output("I_final", "e*Delta0/hbar", "current I_l from the left lead after t_settle (Eq. 45)"),
        Output("F_d_up_mu", "1", "F_d^up(eps = mu) of the final state (Eq. 31)"),
        Output("F_d_down_mu", "1", "F_d^down(eps = mu) of the final state (Eq. 31)"),
    )
    cost_per_point = 1.5e-2

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        return dot.dot_block(params)
