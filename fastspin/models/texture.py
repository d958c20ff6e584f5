r"""``texture``: thermally induced spin-transfer torques in a conducting ferromagnet.

Seed 003 (Kohno, Hiraoka, Hatami & Bauer, *Microscopic calculation of
thermally-induced spin-transfer torques*).  s-d model with a parabolic band of mass m,
exchange splitting ±M (majority Fermi energy ε_F + M, minority ε_F − M), normal
impurities (broadening γ_n) and magnetic impurities (γ_m), chemical potential μ = ε_F
(the seed's low-temperature assumption).  Numerics in :mod:`fastspin.kernels.texture`.

Computed:

* energy-resolved, at ε = ``energy`` from μ: σ_s(ε) = (e²/m)(n_↑τ_↑ − n_↓τ_↓) (Eq. (61)),
  σ_c(ε) (with +), β(ε) (Eq. (62)), the clean-limit C(ε) of Eq. (38); lifetimes from
  Eq. (11) with the band densities of states ν_σ ∝ √(ε_F + ε + σM);
* full thermal integrals a = A_0, b = B_0 − C_0, a_T = A_1, b_T = B_1 − C_1 (Eqs. (42),
  (56)–(60)), the Fermi-sea constant c (Eq. (43)) and C_1;
* Mott forms a_T = (π²/3) T² da/dε_F, b_T = (π²/3) T² db/dε_F (Eqs. (65)–(66));
* thermal torques per unit ∇T (Eq. (57)): a_T/T (adiabatic) and b_T/T (dissipative);
  the naive Luttinger coefficient with the c-term, (b_T + c)/T (Eq. (45)/(47)), which
  diverges as c(0)/T for T → 0 (Nernst violation), next to the corrected b_T/T → 0;
  and both torques in an open circuit, where the internal field E = −S_c∇T adds
  −(a, b)·eT S_c (Sec. VIII; e T S_c = L_1/L_0 with L_n = ∫(−f')εⁿσ_c);
* effective β_T: closed circuit β + β'σ_s/σ_s' (Eq. (72)), open circuit
  β + β'(σ_s'/σ_s − σ_c'/σ_c)^{-1} (Eq. (74)), and the same two from the full integrals:
  b_T/a_T (closed, Eq. (22)) and (b_T − b L_1/L_0)/(a_T − a L_1/L_0) (open, with the
  internal field E = −S_c ∇T, L_n = ∫(−f')ε^n σ_c).

Units (this model's own; ħ = e = k_B = 1): every energy (ε_F, M, k_B T, γ_n, γ_m, ε)
in **eV**; γ_n = π n_i u_i² ν_1 and γ_m = (π/3) n_s u_s² S_imp² ν_1 are the broadenings
a band would have at 1 eV kinetic energy (ν_1 = one-spin DOS at 1 eV).  With
n_1 = (2m·1 eV)^{3/2}/(6π²ħ³): σ_s, σ_c in ħe²n_1/(2m·eV); a, b in
U = ħ²e n_1/(4m·eV); a_T, b_T, c in U·eV; torques per ∇T in U (per eV of k_B T).
The model is covariant: any energy unit may replace eV consistently.

Validity: ε_F > M (μ inside both spin bands; otherwise rejected), γ ≪ M, ε_F ± M
(the seed works to lowest order in γ), k_B T ≪ ε_F − M.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.kernels import texture as kernel
from fastspin.model import Model, Output, Parameter, ParameterError, flat_block, register

ENERGY = "eV"
CONDUCTIVITY = "hbar*e^2*n1/(2*m*eV)"
COEFF = "hbar^2*e*n1/(4*m*eV)"
COEFF_T = "hbar^2*e*n1/(4*m)"

_OUTPUT_COLUMNS = {
    "sigma_s": kernel.T_SIGMA_S,
    "sigma_c": kernel.T_SIGMA_C,
    "beta": kernel.T_BETA,
    "C_energy": kernel.T_C_ENERGY,
    "a": kernel.T_A,
    "b": kernel.T_B,
    "a_T": kernel.T_A_T,
    "b_T": kernel.T_B_T,
    "a_T_mott": kernel.T_A_T_MOTT,
    "b_T_mott": kernel.T_B_T_MOTT,
    "c": kernel.T_C_SEA,
    "C_1": kernel.T_C_1,
    "b_T_naive": kernel.T_B_T_NAIVE,
    "torque_T_adiabatic": kernel.T_TORQUE_AD,
    "torque_T_dissipative": kernel.T_TORQUE_DL,
    "torque_T_dissipative_naive": kernel.T_TORQUE_DL_NAIVE,
    "torque_T_adiabatic_open": kernel.T_TORQUE_AD_OPEN,
    "torque_T_dissipative_open": kernel.T_TORQUE_DL_OPEN,
    "beta_T_closed": kernel.T_BETA_T_CLOSED,
    "beta_T_open": kernel.T_BETA_T_OPEN,
    "beta_T_closed_full": kernel.T_BETA_T_CLOSED_FULL,
    "beta_T_open_full": kernel.T_BETA_T_OPEN_FULL,
}

_PARAMETER_ORDER = ("eps_F", "M", "T", "gamma_n", "gamma_m", "energy")


@register
class Texture(Model):
    """Thermal spin-transfer-torque coefficients of a conducting ferromagnet (seed 003).

    See the module docstring.  Accuracy: full thermal integrals to 1e-11 relative
    (a, b, c) or 1e-11 of the integral of the absolute integrand (a_T, b_T, C_1),
    tested against ``scipy.integrate.quad``; Mott/Sommerfeld forms are closed form.
    """

    name = "texture"
    reduced_units = False  # meV/eV units of their own: "0.7 Tc" strings are refused
    seed = "003"
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

        _check_band(
            worst("eps_F", np.min), worst("M", np.max), worst("gamma_n", np.min),
            worst("gamma_m", np.min), worst("energy", np.min),
        )

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """All outputs on arrays of one common shape (vectorised; one compiled loop)."""
        shape, values = flat_block(self, params, _PARAMETER_ORDER)
        _check_band(values["eps_F"], values["M"], values["gamma_n"], values["gamma_m"], values["energy"])
        table = kernel.texture_block(*values.values())
        return {name: table[:, col].reshape(shape) for name, col in _OUTPUT_COLUMNS.items()}


def _check_band(
    eps_f: float | np.ndarray,
    exchange: float | np.ndarray,
    gamma_n: float | np.ndarray,
    gamma_m: float | np.ndarray,
    energy: float | np.ndarray,
) -> None:
    """Raise ParameterError (naming the parameter and range) at the first bad element."""
    eps_f, exchange, gamma_n, gamma_m, energy = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (eps_f, exchange, gamma_n, gamma_m, energy))
    )
    below_edge = eps_f <= exchange
    if np.any(below_edge):
        k = np.flatnonzero(below_edge)[0]
        raise ParameterError(
            f"texture: parameter 'eps_F' = {eps_f.flat[k]:g} puts the Fermi level at or below the "
            f"minority spin band edge M = {exchange.flat[k]:g}; allowed: eps_F > M [eV]"
        )
    if np.any(gamma_n + gamma_m <= 0.0):
        raise ParameterError(
            "texture: parameters 'gamma_n' and 'gamma_m' are both 0 (infinite lifetimes); "
            "allowed: gamma_n >= 0, gamma_m >= 0, gamma_n + gamma_m > 0 [eV]"
        )
    outside = energy + eps_f - exchange <= 0.0
    if np.any(outside):
        k = np.flatnonzero(outside)[0]
        raise ParameterError(
            f"texture: parameter 'energy' = {energy.flat[k]:g} lies at or below the minority band "
            f"edge M - eps_F = {exchange.flat[k] - eps_f.flat[k]:g}; allowed: energy > M - eps_F [eV]"
        )


def energy_resolved(
    energy: float | np.ndarray,
    eps_F: float,
    M: float,
    gamma_n: float,
    gamma_m: float,
) -> dict[str, np.ndarray]:
    """σ_s(ε), σ_c(ε), β(ε), C(ε) and their ε-derivatives (= ε_F-derivatives).

    Eqs. (11), (38), (58), (61), (62) of seed 003, closed form, units of the module
    docstring.  ``energy`` may be an array (for plots of the energy-resolved model).
    """
    energies = np.atleast_1d(np.asarray(energy, dtype=float))
    row = np.empty(kernel.N_F)
    table = np.empty((energies.size, kernel.N_F))
    for i, e in enumerate(energies):
        kernel.spin_band_functions(float(e), eps_F, M, gamma_n, gamma_m, row)
        table[i] = row
    names = {
        "sigma_s": kernel.F_A, "dsigma_s": kernel.F_DA, "sigma_c": kernel.F_SC,
        "dsigma_c": kernel.F_DSC, "beta": kernel.F_BETA, "dbeta": kernel.F_DBETA, "C": kernel.F_C,
    }
    shape = np.shape(energy)
    return {k: table[:, c].reshape(shape) for k, c in names.items()}


__all__ = ["Texture", "energy_resolved"]
