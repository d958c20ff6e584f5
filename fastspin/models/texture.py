"""Declaration of the ``texture`` model: thermally induced spin-transfer torques in a
conducting ferromagnet.  Physics, units and validity are in :mod:`fastspin.physics.texture`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.model import Model, Output, Parameter, flat_block
from fastspin.physics import texture
from fastspin.physics.texture import COEFF, COEFF_T, CONDUCTIVITY, ENERGY
from fastspin.references import KOHNO_2016


class Texture(Model):
    """Thermal spin-transfer-torque coefficients of a conducting ferromagnet (Kohno et al.).

    See the module docstring.  Accuracy: full thermal integrals to 1e-11 relative
    (a, b, c) or 1e-11 of the integral of the absolute integrand (a_T, b_T, C_1),
    tested against ``scipy.integrate.quad``; Mott/Sommerfeld forms are closed form.
    """

    name = "texture"
    reduced_units = False  # meV/eV units of their own: "0.7 Tc" strings are refused
    reference = KOHNO_2016
    description = (
        "thermally induced spin-transfer torques a, b, a_T, b_T, Mott forms and beta_T "
        "of a parabolic-band s-d ferromagnet (Kohno et al.); energies in eV"
    )
    cost_per_point = 5e-5
    parameters = (
        Parameter("eps_F", ENERGY, 3.0, "Fermi energy (chemical potential) from the band centre; must exceed M", low=0.0, low_open=True),
        Parameter("M", ENERGY, 1.0, "s-d exchange splitting: spin bands at eps_F +/- M", low=0.0, low_open=True),
        Parameter("T", ENERGY, 0.025, "temperature k_B T", low=0.0, low_open=True),
        Parameter("gamma_n", ENERGY, 0.05, "normal-impurity broadening pi n_i u_i^2 nu(1 eV), Eq. (11)", low=0.0),
        Parameter("gamma_m", ENERGY, 0.005, "magnetic-impurity broadening (pi/3) n_s u_s^2 S^2 nu(1 eV), Eq. (11)", low=0.0),
        Parameter("energy", ENERGY, 0.0, "energy from mu for the energy-resolved outputs; above M - eps_F"),
    )
    outputs = (
        Output("sigma_s", CONDUCTIVITY, "spin conductivity sigma_s(energy), Eq. (61)"),
        Output("sigma_c", CONDUCTIVITY, "charge conductivity sigma_c(energy), Sec. VIII"),
        Output("beta", "1", "dissipative correction beta(energy), Eq. (62)"),
        Output("C_energy", COEFF, "Fermi-sea function C(energy), Eq. (38), clean limit"),
        Output("a", COEFF, "electrical torque coefficient a = A_0, Eq. (56)"),
        Output("b", COEFF, "electrical beta-term coefficient b = B_0 - C_0, Eq. (56)"),
        Output("a_T", COEFF_T, "thermal torque coefficient a_T = A_1, Eqs. (57), (60)"),
        Output("b_T", COEFF_T, "thermal beta-term coefficient b_T = B_1 - C_1, Eqs. (57), (60)"),
        Output("a_T_mott", COEFF_T, "Mott form (pi^2/3) T^2 da/deps_F, Eq. (65)"),
        Output("b_T_mott", COEFF_T, "Mott form (pi^2/3) T^2 db/deps_F, Eq. (65)"),
        Output("c", COEFF_T, "Fermi-sea constant c = int f C, Eq. (43)"),
        Output("C_1", COEFF_T, "C_1 = int (-f') eps C (equals T dc/dT)"),
        Output("b_T_naive", COEFF_T, "naive Luttinger coefficient B_1 - C_1 + c, Eq. (45)"),
        Output("torque_T_adiabatic", COEFF, "thermal torque per grad T: a_T/T, Eq. (57)"),
        Output("torque_T_dissipative", COEFF, "thermal beta-torque per grad T: b_T/T, Eq. (57) (-> 0 as T -> 0)"),
        Output("torque_T_dissipative_naive", COEFF, "naive (b_T + c)/T, Eqs. (45)-(47) (diverges as T -> 0)"),
        Output("torque_T_adiabatic_open", COEFF, "open circuit (j = 0): (a_T - a e T S_c)/T, Sec. VIII"),
        Output("torque_T_dissipative_open", COEFF, "open circuit (j = 0): (b_T - b e T S_c)/T, Sec. VIII"),
        Output("beta_T_closed", "1", "closed-circuit beta_T, Eq. (72)"),
        Output("beta_T_open", "1", "open-circuit beta_T, Eq. (74)"),
        Output("beta_T_closed_full", "1", "closed-circuit beta_T = b_T/a_T from the full integrals"),
        Output("beta_T_open_full", "1", "open-circuit beta_T from the full integrals"),
    )


    @classmethod
    def check_consistency(cls, values: Mapping[str, Any]) -> None:
        """ε_F > M (μ above the minority band edge), γ_n + γ_m > 0, energy above the edge."""
        def worst(name: str, pick: Any) -> float:
            return float(pick(np.asarray(values[name], float)))

        texture.check_band(
            worst("eps_F", np.min), worst("M", np.max), worst("gamma_n", np.min),
            worst("gamma_m", np.min), worst("energy", np.min),
        )

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """All outputs on arrays of one common shape (vectorised; one compiled loop)."""
        shape, values = flat_block(self, params, texture.PARAMETER_ORDER)
        return texture.texture_coefficients(shape, values)
