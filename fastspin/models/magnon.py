"""Declaration of the ``magnon`` model: thermal-magnon spin and heat transfer across a
normal-metal / ferromagnetic-insulator interface.  Physics, units and validity are in
:mod:`fastspin.physics.magnon`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.model import Model, Output, Parameter, ParameterError, flat_block
from fastspin.physics import magnon
from fastspin.physics.magnon import ENERGY, HEAT_CURRENT, PER_AREA, SPIN_CURRENT
from fastspin.references import BENDER_2015


class Magnon(Model):
    """Magnon-mediated spin and heat transfer at an N/F interface (Bender and Tserkovnyak 2015).

    See the module docstring for equations, units and validity.  Accuracy: every
    Bose integral to 1e-10 of the integral of its absolute integrand (tested against
    ``scipy.integrate.quad``); all outputs inherit that.
    """

    name = "magnon"
    reduced_units = False  # meV/eV units of their own: "0.7 Tc" strings are refused
    reference = BENDER_2015
    description = (
        "thermal-magnon spin/heat currents across a normal-metal/ferromagnetic-insulator "
        "interface (Bender & Tserkovnyak); units meV, nm, hbar = k_B = 1"
    )
    cost_per_point = 1e-4
    parameters = (
        Parameter("g_r", PER_AREA, 1.0, "real part of the T = 0 spin-mixing conductance per area", low=0.0),
        Parameter("g_i", PER_AREA, 0.1, "imaginary part of the T = 0 spin-mixing conductance per area"),
        Parameter("s", "nm^-3", 10.0, "saturation spin density of F (units of hbar)", low=0.0, low_open=True),
        Parameter("gap", ENERGY, 0.01, "magnon gap hbar*Omega", low=0.0),
        Parameter(
            "stiffness", "meV*nm^2", 5.0,
            "exchange stiffness A of the magnon dispersion eps_q = A q^2", low=0.0, low_open=True,
        ),
        Parameter("T", ENERGY, 25.85, "magnon temperature k_B T", low=0.0, low_open=True),
        Parameter("T_e", ENERGY, 25.85, "electron temperature k_B T' in N", low=0.0, low_open=True),
        Parameter("mu", ENERGY, 0.0, "magnon chemical potential (must be <= gap)"),
        Parameter("mu_s", ENERGY, 0.0, "spin accumulation mu' = mu_+ - mu_- along n'"),
        Parameter("n_dot_n_prime", "1", 1.0, "relative orientation n . n'", low=-1.0, high=1.0),
        Parameter("d_F", "nm", 10.0, "ferromagnet thickness (for alpha')", low=0.0, low_open=True),
    )
    outputs = (
        Output("spin_current_long", SPIN_CURRENT, "spin-current density i.n into F, Eqs. (1)-(2)"),
        Output("spin_current_dl", SPIN_CURRENT, "transverse spin current along n x (n' x n)/|n' x n|, Eqs. (1)-(2)"),
        Output("spin_current_fl", SPIN_CURRENT, "transverse spin current along (n' x n)/|n' x n|, Eq. (1)"),
        Output("heat_current", HEAT_CURRENT, "heat-current density out of N, Eq. (3)"),
        Output("M_pp", SPIN_CURRENT, "Bose integral M_++ of Eq. (2)"),
        Output("M_mm", SPIN_CURRENT, "Bose integral M_-- of Eq. (2)"),
        Output("M_pm", SPIN_CURRENT, "Bose integral M_+- of Eq. (2)"),
        Output("M_mp", SPIN_CURRENT, "Bose integral M_-+ of Eq. (2)"),
        Output("N_pp", HEAT_CURRENT, "Bose integral N_++ of Eq. (3)"),
        Output("N_mm", HEAT_CURRENT, "Bose integral N_-- of Eq. (3)"),
        Output("N_pm", HEAT_CURRENT, "Bose integral N_+- of Eq. (3)"),
        Output("N_mp", HEAT_CURRENT, "Bose integral N_-+ of Eq. (3)"),
        Output("n_magnon", "nm^-3", "thermal magnon density n at (T, mu)"),
        Output("g_r_tilde", PER_AREA, "(1 - 2n/s) g_r at the actual magnon state, Eq. (1)"),
        Output("g_i_tilde", PER_AREA, "(1 - n/s) g_i at the actual magnon state, Eq. (1)"),
        Output("spin_conductance", PER_AREA, "magnon spin conductance g = 4 dM_++/dmu (equilibrium at T)"),
        Output("spin_seebeck", PER_AREA, "spin Seebeck coefficient S = 4 dM_++/dT (units k_B/nm^2)"),
        Output("thermal_conductance", "meV/(hbar*nm^2)", "magnon thermal conductance kappa = 4 dN_++/dT"),
        Output("spin_peltier", "meV/(hbar*nm^2)", "spin Peltier coefficient Pi = 4 dN_++/dmu (= T S/hbar)"),
        Output("g_r_eff", PER_AREA, "effective real spin-mixing conductance of Eq. (4), equilibrium at T"),
        Output("g_i_eff", PER_AREA, "effective imaginary spin-mixing conductance (1 - n/s) g_i of Eq. (4)"),
        Output("alpha_r_prime", "1", "magnon torque coefficient alpha'_r = g_r_eff/(4 pi (s-n) d_F)"),
        Output("alpha_i_prime", "1", "magnon torque coefficient alpha'_i = g_i_eff/(4 pi (s-n) d_F)"),
        Output("T_c", ENERGY, "Bloch-law Curie temperature: gapless magnon density equals s"),
    )


    @classmethod
    def check_consistency(cls, values: Mapping[str, Any]) -> None:
        """μ ≤ ħΩ for every combination (otherwise magnons would condense)."""
        mu = np.max(np.asarray(values["mu"], float))
        gap = np.min(np.asarray(values["gap"], float))
        if mu > gap:
            raise ParameterError(
                f"magnon: parameter 'mu' = {mu:g} exceeds the magnon gap 'gap' = {gap:g}; "
                "allowed: mu <= gap [meV] (a larger mu means a magnon condensate)"
            )

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """All outputs on arrays of one common shape (vectorised; one compiled loop)."""
        shape, values = flat_block(self, params, magnon.PARAMETER_ORDER)
        return magnon.magnon_currents(shape, values)
