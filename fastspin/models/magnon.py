r"""``magnon``: thermal-magnon spin and heat transfer across a normal-metal / ferromagnetic-insulator interface.

Seed 001 (Bender & Tserkovnyak, *Interfacial spin and heat transfer between metals and
magnetic insulators*).  A normal metal N with spin accumulation μ' = μ' n' and electron
temperature T' touches a ferromagnetic insulator F with order parameter n, magnon
temperature T, magnon chemical potential μ and magnon gap ħΩ.  Magnons have the
quadratic dispersion ε_q = A q² above the gap (A = exchange stiffness), hence the
density of states g(ε) = √ε / (4π² A^{3/2}) per volume.

Computed (numerics in :mod:`fastspin.kernels.magnon`):

* the Bose integrals M_ab and N_ab (a, b = ±) of Eqs. (2)–(3);
* the spin-current density, Eqs. (1)–(2): its longitudinal part i·n and the two
  transverse parts along ê_dl = n×(n'×n)/|n'×n| (damping-like, ∝ g̃_r) and
  ê_fl = (n'×n)/|n'×n| (field-like, ∝ g̃_i); with the frame n = ẑ,
  n' = (sin θ, 0, cos θ) these are i_z, i_x and −i_y;
* the heat-current density out of N, Eq. (3);
* linear response in equilibrium at the magnon temperature T (T' = T, μ = μ' = 0),
  Eqs. (4)–(5): spin conductance g = 4∂_μM_++, spin Seebeck S = 4∂_TM_++, thermal
  conductance κ = 4∂_TN_++, spin Peltier Π = 4∂_μN_++ (= T S/ħ, Onsager);
  effective spin-mixing conductances g̃_r = (1 − 2n/s) g_r + 4π Σ_ab ∂_μ'M_ab
  (a/2 − b/2 + ab n·n') and g̃_i = (1 − n/s) g_i;
* the magnon torque coefficients of the generalized LLG equation,
  α'_r = g̃_r/(4π s̃ d_F), α'_i = g̃_i/(4π s̃ d_F), s̃ = s − n
  (:func:`magnon_torque_coefficients`, for the macrospin engine).

Units (this model's own, not Δ0: nothing here is superconducting):
ħ = k_B = 1, energies and temperatures (k_B T) in **meV** (1 meV ≙ 11.6045 K),
lengths in **nm**.  Spin densities in units of ħ per nm³, spin-mixing conductances
per nm² (the seed's g^{↑↓} per unit area, e²/h omitted), spin-current densities in
ħ per nm² per (ħ/meV), i.e. "meV/nm^2", heat-current densities in
"meV^2/(hbar*nm^2)".  The model is unit-covariant: any energy unit E and length
unit L may be used consistently in place of meV and nm.

Validity (the seed's): first order in n/s (the output ``n_magnon`` lets a user check
n/s ≪ 1), μ ≤ ħΩ (no magnon condensate), weak interfacial coupling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.kernels import magnon as kernel
from fastspin.model import Model, Output, Parameter, ParameterError, flat_block, register

#: unit strings of this model
ENERGY = "meV"
PER_AREA = "nm^-2"
SPIN_CURRENT = "meV/nm^2"
HEAT_CURRENT = "meV^2/(hbar*nm^2)"

_OUTPUT_COLUMNS = {
    "spin_current_long": kernel.OUT_SPIN_LONG,
    "spin_current_dl": kernel.OUT_SPIN_DL,
    "spin_current_fl": kernel.OUT_SPIN_FL,
    "heat_current": kernel.OUT_HEAT,
    "M_pp": kernel.OUT_M_PP,
    "M_mm": kernel.OUT_M_MM,
    "M_pm": kernel.OUT_M_PM,
    "M_mp": kernel.OUT_M_MP,
    "N_pp": kernel.OUT_N_PP,
    "N_mm": kernel.OUT_N_MM,
    "N_pm": kernel.OUT_N_PM,
    "N_mp": kernel.OUT_N_MP,
    "n_magnon": kernel.OUT_DENSITY,
    "g_r_tilde": kernel.OUT_G_R_TILDE,
    "g_i_tilde": kernel.OUT_G_I_TILDE,
    "spin_conductance": kernel.OUT_G,
    "spin_seebeck": kernel.OUT_SEEBECK,
    "thermal_conductance": kernel.OUT_KAPPA,
    "spin_peltier": kernel.OUT_PELTIER,
    "g_r_eff": kernel.OUT_G_R_EFF,
    "g_i_eff": kernel.OUT_G_I_EFF,
    "alpha_r_prime": kernel.OUT_ALPHA_R,
    "alpha_i_prime": kernel.OUT_ALPHA_I,
    "T_c": kernel.OUT_TC,
}

_PARAMETER_ORDER = ("g_r", "g_i", "s", "gap", "stiffness", "T", "T_e", "mu", "mu_s", "n_dot", "d_F")


@register
class Magnon(Model):
    """Magnon-mediated spin and heat transfer at an N/F interface (seed 001).

    See the module docstring for equations, units and validity.  Accuracy: every
    Bose integral to 1e-10 of the integral of its absolute integrand (tested against
    ``scipy.integrate.quad``); all outputs inherit that.
    """

    name = "magnon"
    reduced_units = False  # meV/eV units of their own: "0.7 Tc" strings are refused
    seed = "001"
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
        Parameter("n_dot", "1", 1.0, "relative orientation n . n'", low=-1.0, high=1.0),
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
        shape, values = flat_block(self, params, _PARAMETER_ORDER)
        if np.any(values["mu"] > values["gap"]):
            raise ParameterError("magnon: parameter 'mu' exceeds 'gap'; allowed: mu <= gap [meV]")
        table = kernel.magnon_block(*values.values())
        return {name: table[:, col].reshape(shape) for name, col in _OUTPUT_COLUMNS.items()}


def magnon_torque_coefficients(
    g_r: float | np.ndarray,
    g_i: float | np.ndarray,
    s: float | np.ndarray,
    gap: float | np.ndarray,
    stiffness: float | np.ndarray,
    T: float | np.ndarray,
    d_F: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(α'_r, α'_i) of the generalized LLG equation of seed 001, for the macrospin engine.

    (1 + α n×) ħ ṅ + n×H = (α'_i + α'_r n×)(μ'×n − ħṅ) with α'_{r,i} = g̃_{r,i}/(4π s̃ d_F),
    s̃ = s − n, g̃ the effective spin-mixing conductances of Eq. (4) in equilibrium at the
    magnon temperature T.  Units as in the model (meV, nm); the result is dimensionless.
    Accuracy 1e-10 relative (that of the Bose integrals).
    """
    values = {
        "g_r": g_r, "g_i": g_i, "s": s, "gap": gap, "stiffness": stiffness, "T": T,
        "T_e": T, "mu": 0.0, "mu_s": 0.0, "n_dot": 1.0, "d_F": d_F,
    }
    out = Magnon().evaluate_block(values)
    return out["alpha_r_prime"], out["alpha_i_prime"]


__all__ = [
    "Magnon",
    "magnon_torque_coefficients",
]
