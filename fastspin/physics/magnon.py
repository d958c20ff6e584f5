r"""Thermal-magnon spin and heat transfer across a normal-metal / ferromagnetic-insulator interface.

Bender and Tserkovnyak (2015) (Bender & Tserkovnyak, *Interfacial spin and heat transfer between metals and
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
per nm² (the paper's g^{↑↓} per unit area, e²/h omitted), spin-current densities in
ħ per nm² per (ħ/meV), i.e. "meV/nm^2", heat-current densities in
"meV^2/(hbar*nm^2)".  The model is unit-covariant: any energy unit E and length
unit L may be used consistently in place of meV and nm.

Validity (the paper's): first order in n/s (the output ``n_magnon`` lets a user check
n/s ≪ 1), μ ≤ ħΩ (no magnon condensate), weak interfacial coupling.
"""

from __future__ import annotations

import numpy as np

from fastspin.kernels import magnon as kernel
from fastspin.model import ParameterError

#: unit strings of this model
ENERGY = "meV"
PER_AREA = "nm^-2"
SPIN_CURRENT = "meV/nm^2"
HEAT_CURRENT = "meV^2/(hbar*nm^2)"

#: output name -> column of the kernel's table
OUTPUT_COLUMNS = {
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

#: the parameters of :func:`magnon_currents`, in the kernel's argument order
PARAMETER_ORDER = ("g_r", "g_i", "s", "gap", "stiffness", "T", "T_e", "mu", "mu_s", "n_dot_n_prime", "d_F")


def magnon_currents(shape: tuple[int, ...], values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every output of the ``magnon`` model for flat, contiguous parameter arrays.

    ``values`` maps each name of :data:`PARAMETER_ORDER` to a 1-D float array (one
    entry per point); the results are reshaped to ``shape``.  One compiled loop.
    """
    if np.any(values["mu"] > values["gap"]):
        raise ParameterError("magnon: parameter 'mu' exceeds 'gap'; allowed: mu <= gap [meV]")
    table = kernel.magnon_block(*(values[name] for name in PARAMETER_ORDER))
    return {name: table[:, col].reshape(shape) for name, col in OUTPUT_COLUMNS.items()}


def magnon_torque_coefficients(
    g_r: float | np.ndarray,
    g_i: float | np.ndarray,
    s: float | np.ndarray,
    gap: float | np.ndarray,
    stiffness: float | np.ndarray,
    T: float | np.ndarray,
    d_F: float | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(α'_r, α'_i) of the generalized LLG equation of Bender and Tserkovnyak (2015), for the macrospin engine.

    (1 + α n×) ħ ṅ + n×H = (α'_i + α'_r n×)(μ'×n − ħṅ) with α'_{r,i} = g̃_{r,i}/(4π s̃ d_F),
    s̃ = s − n, g̃ the effective spin-mixing conductances of Eq. (4) in equilibrium at the
    magnon temperature T.  Units as in the model (meV, nm); the result is dimensionless.
    Accuracy 1e-10 relative (that of the Bose integrals).
    """
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (g_r, g_i, s, gap, stiffness, T, d_F)))
    shape = arrays[0].shape
    g_r, g_i, s, gap, stiffness, T, d_F = (np.ascontiguousarray(a).ravel() for a in arrays)
    values = {
        "g_r": g_r, "g_i": g_i, "s": s, "gap": gap, "stiffness": stiffness, "T": T,
        "T_e": T, "mu": np.zeros_like(T), "mu_s": np.zeros_like(T), "n_dot_n_prime": np.ones_like(T), "d_F": d_F,
    }
    out = magnon_currents(shape, values)
    return out["alpha_r_prime"], out["alpha_i_prime"]


__all__ = [
    "magnon_currents",
    "magnon_torque_coefficients",
]
