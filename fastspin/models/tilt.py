r"""The ``tilt`` model: stochastic tilt angle of the precessing magnet of Ojajärvi et al. (2020).

Eq. (8) of Ojajärvi et al. (2020) for u = cos θ,

.. math::

    -S\,\dot u = \tau_z(u) - S A_0 \Omega (1 - u^2) + \eta,\qquad
    \langle\eta(t)\eta(t')\rangle = 2\,[g_T D(u) + S A_0 T_F](1 - u^2)\,\delta(t - t'),

with the spin-transfer torque τ_z (Eq. (5)) and the torque noise D (Eq. (20)) of the
F/I/S junction from :func:`fastspin.physics.fis.dynamics_tables` (61 angles θ ∈ [0, π], cubic
splines; g_T = G_T ħ/e² = ``conductance``).  Per grid point the model reports

* a Monte Carlo ensemble (:func:`fastspin.physics.tilt.run_tilt_ensemble`): ``n_trajectories``
  trajectories from cos θ = ``u0`` for ``relaxation_times`` × τ_r, τ_r = 1/max|a0'(u)|
  the fastest deterministic relaxation time, with 100 Heun steps per τ_r; the mean, its
  standard error and the standard deviation of the final cos θ;
* the stationary Fokker-Planck mean ⟨cos θ⟩ (:meth:`fastspin.physics.tilt.TiltAngleModel.
  stationary_density`, O(h²) on 2001 nodes, no sampling error) - the ensemble mean
  converges to it when the run is long compared with all relaxation (and hopping) times;
* the FWHM of the dipole spectrum S_xx(ω) of Eq. (23)
  (:func:`fastspin.physics.tilt.spectrum_linewidth`; NaN if the peak search fails);
* with ``stationary_law`` = "both" (the default), the same mean and FWHM over the
  semiclassical law of Sec. V B, P ∝ exp(2S ∫ p* du) from the nonzero root of the
  cumulant generating function s̃_T (:class:`fastspin.physics.semiclassical.
  SemiclassicalTiltModel`, same 61 angles): ``mean_cos_theta_semiclassical`` −
  ``mean_cos_theta_fp`` is the non-Gaussian correction to the Fokker-Planck reference
  (zero to O((Ω/T)²) near equilibrium, large where Ω ≳ T or out of equilibrium).  The
  ensemble itself integrates Eq. (8), so it converges to the Fokker-Planck law;
  "fokker_planck" skips the semiclassical outputs (NaN).

Units (Ojajärvi et al. 2020): V in Δ0/e, h, Γ in Δ0, Ω and FWHM in Δ0/ħ, T in Δ0/k_B, S in ħ, A0
dimensionless.  Defaults: the thermally driven oscillator of Fig. 5(c)-(d) with the code's
sign h = −0.3 Δ0 ẑ (``h_angle`` = π; see :mod:`fastspin.figures.fis`).

Reproducibility: trajectory j at grid point i uses Philox (``run.seed``, stream i =
global C-order point index, trajectory j), as the ``macrospin`` model: stores are
identical for any block shape or worker count.  Outside a sweep the paper is
``options["seed"]`` (default 0).  Accuracy of the ensemble: Heun weak order 1 in dt
(O(1 %) of τ_r per step) plus the sampling error reported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from fastspin.model import Model, Output, Parameter, broadcast_block, stochastic_streams
from fastspin.models.fis import FISJunction
from fastspin.physics import fis
from fastspin.physics.semiclassical import SemiclassicalTiltModel
from fastspin.physics.tilt import TiltAngleModel, run_tilt_ensemble, spectrum_linewidth
from fastspin.references import OJAJARVI_2020
from fastspin.units import Tc

#: angles θ of the τ_z, D tables
N_TABLE = 61
#: Heun steps per fastest relaxation time 1/max|a0'|
STEPS_PER_RELAXATION = 100
#: choices of the ``stationary_law`` option
STATIONARY_LAWS = ("both", "fokker_planck")

_FIS = {p.name: p for p in FISJunction.parameters}
_FIG5 = {"V": 0.0, "h": 0.3, "h_angle": math.pi, "P": 1.0, "Omega": 0.5, "T_S": 0.5 * Tc,
         "T_F": 0.26 * Tc, "dynes": 1e-3}


class TiltAngle(Model):
    name = "tilt"
    reference = OJAJARVI_2020
    description = (
        "F/I/S junction: stochastic precession angle, Eq. (8) with fis torque/noise tables - "
        "ensemble and Fokker-Planck <cos theta>, S_xx linewidth (Eq. 23), and both over the "
        "semiclassical law of the Keldysh action (Sec. V B)"
    )
    stochastic = True
    warmup_params = {"n_trajectories": 2, "relaxation_times": 0.1}
    parameters = tuple(replace(_FIS[name], default=value) for name, value in _FIG5.items()) + (
        Parameter("S", "hbar", 100.0, "total spin of the magnet", low=0.0, high=1e12,
                  low_open=True),
        Parameter("A0", "1", 0.0, "intrinsic Gilbert damping", low=0.0, high=10.0),
        Parameter("conductance", "1", 1.0, "g_T = G_T hbar/e^2", low=0.0, high=1e6, low_open=True),
        Parameter("u0", "1", 0.0, "initial cos(theta) of every trajectory", low=-1.0, high=1.0),
        Parameter("relaxation_times", "1", 30.0, "run length in units of 1/max|a0'|",
                  low=0.0, high=1e5, low_open=True),
        Parameter("n_trajectories", "1", 1000, "trajectories per grid point", low=1, high=2**24,
                  integer=True, sweepable=False),
        Parameter("stationary_law", "1", "both",
                  "reference stationary law(s): 'fokker_planck' (Gaussian, Eq. 8) or 'both' "
                  "(also the semiclassical law of Sec. V B)", choices=STATIONARY_LAWS,
                  sweepable=False),
    )
    outputs = (
        Output("mean_cos_theta", "1", "ensemble mean of the final cos(theta)"),
        Output("mean_cos_theta_error", "1", "standard error of the ensemble mean"),
        Output("cos_theta_std", "1", "standard deviation of the final cos(theta)"),
        Output("mean_cos_theta_fp", "1", "stationary Fokker-Planck <cos(theta)>"),
        Output("fwhm", "Delta0/hbar", "FWHM of the dipole spectrum S_xx, Eq. (23)"),
        Output("mean_cos_theta_semiclassical", "1",
               "<cos(theta)> over the semiclassical law (root of s_T, Sec. V B)"),
        Output("fwhm_semiclassical", "Delta0/hbar",
               "FWHM of S_xx, Eq. (23), averaged over the semiclassical law"),
    )
    #: seconds per point at the defaults (torque tables, a 1000-trajectory ensemble and the
    #: semiclassical law, which adds ~30 %)
    cost_per_point = 0.26

    @staticmethod
    def model_at(point: Mapping[str, float]) -> TiltAngleModel:
        """The :class:`fastspin.physics.tilt.TiltAngleModel` of one grid point (scalars)."""
        theta = np.linspace(0.0, math.pi, N_TABLE)
        cos_theta = np.cos(theta)[::-1]
        tables = fis.dynamics_tables(
            cos_theta, point["V"], point["T_S"], point["T_F"], point["Omega"], point["h"],
            point["h_angle"], point["P"], point["dynes"],
        )  # fmt: skip
        return TiltAngleModel(
            point["S"], point["A0"], point["Omega"], point["T_F"], cos_theta, tables["torque_z"],
            tables["torque_noise"], conductance=point["conductance"],
        )  # fmt: skip

    @staticmethod
    def semiclassical_model_at(point: Mapping[str, float]) -> SemiclassicalTiltModel:
        """The semiclassical law of one grid point (:mod:`fastspin.physics.semiclassical`)."""
        cos_theta = np.cos(np.linspace(0.0, math.pi, N_TABLE))[::-1]
        return SemiclassicalTiltModel.from_junction(
            cos_theta, V=point["V"], T_S=point["T_S"], T_F=point["T_F"], Omega=point["Omega"],
            h=point["h"], h_angle=point["h_angle"], P=point["P"], dynes=point["dynes"],
            S=point["S"], A0=point["A0"], conductance=point["conductance"],
        )  # fmt: skip

    @staticmethod
    def time_step(model: TiltAngleModel) -> float:
        """dt = τ_r/100 with τ_r = 1/max|a0'(u)| on the model's grid."""
        drift0 = model.kernel_tables()[0]
        rate = float(np.max(np.abs(np.gradient(drift0, np.linspace(-1.0, 1.0, model.n_grid)))))
        return 1.0 / (STEPS_PER_RELAXATION * rate)

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        names = [p.name for p in self.parameters if p.choices is None]
        shape, arrays = broadcast_block(self, params, names)
        law = self.parameter("stationary_law").coerce(params.get("stationary_law", "both"), self.name)
        semiclassical = law == "both"
        seed, point_index = stochastic_streams(self, params, shape)
        out = {o.name: np.empty(shape) for o in self.outputs}
        for index in np.ndindex(shape):
            point = {name: float(a[index]) for name, a in arrays.items()}
            model = self.model_at(point)
            dt = self.time_step(model)
            n = int(round(point["n_trajectories"]))
            result = run_tilt_ensemble(
                model, n, seed, dt=dt,
                n_steps=max(1, int(round(point["relaxation_times"] * STEPS_PER_RELAXATION))),
                u0=point["u0"], stream=int(point_index[index]), n_bins=1,
            )  # fmt: skip
            final = result.final_u
            out["mean_cos_theta"][index] = final.mean()
            spread = final.std(ddof=1) if n > 1 else math.nan
            out["cos_theta_std"][index] = spread
            out["mean_cos_theta_error"][index] = spread / math.sqrt(n)
            u, density = model.stationary_density()
            out["mean_cos_theta_fp"][index] = np.trapezoid(u * density, u)
            out["fwhm"][index] = _linewidth(model)
            if semiclassical:
                law = self.semiclassical_model_at(point)
                u, density = law.stationary_density()
                out["mean_cos_theta_semiclassical"][index] = np.trapezoid(u * density, u)
                out["fwhm_semiclassical"][index] = _linewidth(law)
            else:
                out["mean_cos_theta_semiclassical"][index] = math.nan
                out["fwhm_semiclassical"][index] = math.nan
        return out


def _linewidth(model: TiltAngleModel) -> float:
    try:
        return spectrum_linewidth(model)
    except (ValueError, RuntimeError):  # no bracketed half maximum (e.g. Ω = 0)
        return math.nan
