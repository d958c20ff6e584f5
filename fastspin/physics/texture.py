r"""Thermally induced spin-transfer torques in a conducting ferromagnet.

Kohno et al. (Kohno, Hiraoka, Hatami & Bauer, *Microscopic calculation of
thermally-induced spin-transfer torques*).  s-d model with a parabolic band of mass m,
exchange splitting ±M (majority Fermi energy ε_F + M, minority ε_F − M), normal
impurities (broadening γ_n) and magnetic impurities (γ_m), chemical potential μ = ε_F
(the paper's low-temperature assumption).  Numerics in :mod:`fastspin.kernels.texture`.

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
(the paper works to lowest order in γ), k_B T ≪ ε_F − M.
"""

from __future__ import annotations

import numpy as np

from fastspin.kernels import texture as kernel
from fastspin.model import ParameterError

ENERGY = "eV"
CONDUCTIVITY = "hbar*e^2*n1/(2*m*eV)"
COEFF = "hbar^2*e*n1/(4*m*eV)"
COEFF_T = "hbar^2*e*n1/(4*m)"

#: output name -> column of the kernel's table
OUTPUT_COLUMNS = {
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

#: the parameters of :func:`texture_coefficients`, in the kernel's argument order
PARAMETER_ORDER = ("eps_F", "M", "T", "gamma_n", "gamma_m", "energy")


def check_band(
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


def texture_coefficients(shape: tuple[int, ...], values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every output of the ``texture`` model for flat, contiguous parameter arrays.

    ``values`` maps each name of :data:`PARAMETER_ORDER` to a 1-D float array; the
    results are reshaped to ``shape``.  One compiled loop.
    """
    check_band(values["eps_F"], values["M"], values["gamma_n"], values["gamma_m"], values["energy"])
    table = kernel.texture_block(*(values[name] for name in PARAMETER_ORDER))
    return {name: table[:, col].reshape(shape) for name, col in OUTPUT_COLUMNS.items()}


def energy_resolved(
    energy: float | np.ndarray,
    eps_F: float,
    M: float,
    gamma_n: float,
    gamma_m: float,
) -> dict[str, np.ndarray]:
    """σ_s(ε), σ_c(ε), β(ε), C(ε) and their ε-derivatives (= ε_F-derivatives).

    Eqs. (11), (38), (58), (61), (62) of Kohno et al., closed form, units of the module
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


__all__ = ["check_band", "energy_resolved", "texture_coefficients"]
