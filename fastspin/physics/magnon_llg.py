r"""A magnetic insulator under a normal metal, driven by the interfacial magnon torques.

Bender and Tserkovnyak, "Interfacial spin and heat transfer between metals and magnetic
insulators", Phys. Rev. B 91, 140402(R) (2015): the generalized Landau-Lifshitz equation

    (1 + α n×) ħṅ + n×H = (α'_i + α'_r n×)(μ' × n − ħṅ),

with α'_{r,i} = g̃_{r,i}/(4π s̃ d_F) (:func:`fastspin.physics.magnon.magnon_currents`,
equilibrium coefficients at the magnon temperature T), s̃ = s − n, for a macrospin of total
spin S = s̃ V (units of ħ) with the field and the spin accumulation μ' = μ' ẑ along one axis
(the spin-Hall geometry with the field along the accumulation axis) and uniaxial
anisotropy K along ẑ.  Energy E = S (H u − K u²/2), u = n·ẑ, so the effective field is
H(u) = H − K u along ẑ.  Solving for ṅ ⊥ n with a = 1 + α'_i, b = α + α'_r:

    ħṅ = [a R − b n × R]/(a² + b²),   R = (H(u) + α'_i μ') ẑ × n + α'_r μ' (ẑ − u n),

i.e. the table fields of :mod:`fastspin.kernels.llg_table` (time in ħ/meV):

    ω(u) = [a (H(u) + α'_i μ') + b α'_r μ']/(a² + b²),
    p(u) = [a α'_r μ' − b (H(u) + α'_i μ')]/(a² + b²).

Noise: the bulk damping α relaxes to the magnon (lattice) temperature T = T_e + ΔT and the
interfacial spin pumping α'_r to the electron temperature T_e of the metal, so the
diffusion constant is c = (α T + α'_r T_e)/(S (a² + b²)): at ΔT = μ' = 0 the stationary law
is Boltzmann, exp(−E/T).  ΔT enters through α'_{r,i}(T) (the torque itself does not depend
on δT, as the paper notes) and through the two bath temperatures.

Derived outputs (closed forms of the model, tested against the simulated dynamics):

* threshold of the spin accumulation at which the state n = −ẑ loses stability
  (p(−1) = 0): μ'_c = b (H + K)/(a α'_r − b α'_i); above it the magnet switches to +ẑ
  when K > H (bistable), or precesses/switches for K = 0;
* FMR linewidth (half width, relaxation rate of the transverse components about −ẑ):
  Γ = −p(−1) at μ' = 0, = b (H + K)/(a² + b²); linearized in the damping:
  Γ ≈ (α + α'_r(T)) (H + K), so dΓ/dΔT ≈ (H + K) dα'_r/dT.

Units: meV, nm, ħ = k_B = 1 (as :mod:`fastspin.physics.magnon`); time in ħ/meV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fastspin.model import ParameterError
from fastspin.physics.magnon import PARAMETER_ORDER, magnon_currents
from fastspin.physics.torque_table import TorqueTable, run_table_ensemble


@dataclass(frozen=True)
class MagnonMacrospin:
    """YIG-like macrospin under a Pt-like metal (module docstring).  Defaults: YIG-like
    s = 7.6 ħ/nm³, gap 0.02 meV, stiffness 3 meV nm², d_F = 2 nm; Pt-like g_r = 5 nm⁻²,
    g_i = 0.5 nm⁻²; 300 K; field 0.01 meV (≈ 2.4 GHz), no anisotropy.

    ``volume`` (nm³) sets the total spin S = s̃ V; ``dT`` = T − T_e is the interfacial
    temperature difference (magnons hotter than electrons for dT > 0); ``mu_s`` is μ'.
    """

    g_r: float = 5.0
    g_i: float = 0.5
    s: float = 7.6
    gap: float = 0.02
    stiffness: float = 3.0
    d_F: float = 2.0
    volume: float = 4.0e5
    T_e: float = 25.85
    dT: float = 0.0
    mu_s: float = 0.0
    field: float = 0.01
    anisotropy: float = 0.0
    alpha: float = 1e-3

    def __post_init__(self) -> None:
        for name in ("g_r", "s", "stiffness", "d_F", "volume", "T_e"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ParameterError(f"{name} = {value!r}: must be finite and > 0")
        for name in ("g_i", "dT", "mu_s", "field", "anisotropy", "alpha", "gap"):
            if not math.isfinite(getattr(self, name)):
                raise ParameterError(f"{name} = {getattr(self, name)!r}: must be finite")
        if self.alpha < 0 or self.gap < 0:
            raise ParameterError("alpha, gap: must be >= 0")
        if self.T_e + self.dT <= 0:
            raise ParameterError(f"dT = {self.dT!r}: the magnon temperature T_e + dT must be > 0")

    @property
    def T_magnon(self) -> float:
        """Magnon temperature T_e + dT [meV]."""
        return self.T_e + self.dT

    def coefficients(self) -> dict[str, float]:
        """α'_r, α'_i (equilibrium at the magnon temperature), n, s̃ and S = s̃ V."""
        values = {"g_r": self.g_r, "g_i": self.g_i, "s": self.s, "gap": self.gap,
                  "stiffness": self.stiffness, "T": self.T_magnon, "T_e": self.T_magnon,
                  "mu": 0.0, "mu_s": 0.0, "n_dot_n_prime": 1.0, "d_F": self.d_F}  # fmt: skip
        out = magnon_currents((1,), {k: np.array([float(values[k])]) for k in PARAMETER_ORDER})
        n = float(out["n_magnon"][0])
        s_reduced = self.s - n
        return {
            "alpha_r_prime": float(out["alpha_r_prime"][0]),
            "alpha_i_prime": float(out["alpha_i_prime"][0]),
            "n_magnon": n,
            "s_reduced": s_reduced,
            "S": s_reduced * self.volume,
        }

    def fields(self, u: np.ndarray) -> dict[str, np.ndarray]:
        """The table fields ω, p, c (module docstring) at u = n·ẑ."""
        k = self.coefficients()
        a = 1.0 + k["alpha_i_prime"]
        b = self.alpha + k["alpha_r_prime"]
        norm = a * a + b * b
        h_eff = self.field - self.anisotropy * np.asarray(u, float) + k["alpha_i_prime"] * self.mu_s
        drive = k["alpha_r_prime"] * self.mu_s
        diffusion = (self.alpha * self.T_magnon + k["alpha_r_prime"] * self.T_e) / (k["S"] * norm)
        return {
            "precession": (a * h_eff + b * drive) / norm,
            "polar": (a * drive - b * h_eff) / norm,
            "diffusion": np.full(np.shape(u), diffusion),
        }

    def table(self, n_intervals: int = 16) -> TorqueTable:
        """:class:`TorqueTable` of the model (the fields are quadratic at most: exact)."""
        return TorqueTable.from_function(self.fields, n_intervals)

    def threshold_mu_s(self) -> float:
        """μ'_c = b (H + K)/(a α'_r − b α'_i): n = −ẑ is unstable for μ' > μ'_c (module docstring)."""
        k = self.coefficients()
        a = 1.0 + k["alpha_i_prime"]
        b = self.alpha + k["alpha_r_prime"]
        return b * (self.field + self.anisotropy) / (a * k["alpha_r_prime"] - b * k["alpha_i_prime"])

    def linewidth(self) -> dict[str, float]:
        """FMR half width about −ẑ at μ' = 0: exact Γ = b(H + K)/(a² + b²) and the linearized
        (α + α'_r)(H + K), in meV/ħ."""
        k = self.coefficients()
        a = 1.0 + k["alpha_i_prime"]
        b = self.alpha + k["alpha_r_prime"]
        return {"exact": b * (self.field + self.anisotropy) / (a * a + b * b),
                "linearized": b * (self.field + self.anisotropy)}  # fmt: skip


def ringdown_linewidth(
    model: MagnonMacrospin, n_trajectories: int, seed: int, *, dt: float, n_steps: int,
    tilt: float = 0.1, trace_every: int = 10, n_groups: int = 10,
) -> tuple[float, float]:
    """Linewidth Γ measured from the simulated dynamics, with its fit error.

    Every trajectory starts tilted by ``tilt`` (rad) from −ẑ with thermal noise on; the
    ensemble mean z(t) = ⟨n_x + i n_y⟩ rings down as e^{(−Γ ± iω)t} (regression theorem:
    the same Γ as the thermal FMR line in the linear regime), so Γ is minus the slope of a
    least-squares line through ln|z(t)|.  Error: jackknife over ``n_groups`` groups of
    trajectories.  Returns (Γ, standard error) in meV/ħ.
    """
    m0 = (math.sin(tilt), 0.0, -math.cos(tilt))
    result = run_table_ensemble(model.table(), n_trajectories, seed, dt=dt, n_steps=n_steps,
                                m0=m0, trace_every=trace_every)  # fmt: skip
    transverse = result.traces[:, :, 0] + 1j * result.traces[:, :, 1]
    times = result.trace_times

    def slope(rows: np.ndarray) -> float:
        return -np.polyfit(times, np.log(np.abs(transverse[rows].mean(axis=0))), 1)[0]

    everything = np.arange(n_trajectories)
    gamma = slope(everything)
    groups = np.array_split(everything, n_groups)
    leave_out = np.array([slope(np.setdiff1d(everything, g)) for g in groups])
    error = math.sqrt((n_groups - 1) / n_groups * np.sum((leave_out - leave_out.mean()) ** 2))
    return float(gamma), float(error)


__all__ = ["MagnonMacrospin", "ringdown_linewidth"]
