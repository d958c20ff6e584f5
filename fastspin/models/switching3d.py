r"""Monte Carlo switching of magnets driven by their own transport torques (3-D engine).

Two sweepable stochastic models on :mod:`fastspin.kernels.llg_table`:

* ``fis3d_switching`` - the F island of Ojajärvi et al. (2020) in 3-D
  (:mod:`fastspin.physics.fis3d`: τ_z, in-plane τ_x/τ_y of Eq. (A5), reactive torque of
  Eqs. (A7)-(A8), Gilbert damping S·A0, Keldysh noise D of Eq. (20); precession closure
  ω(u) = Ω + K u), started at m = +ẑ (stable for Ω + K > 0; bistable for K > |Ω|),
  over (V, dT = T_S − T_F, h, ...);
* ``magnon_switching`` - a YIG-like macrospin under a Pt-like metal, the generalized LLG
  of Bender and Tserkovnyak (2015) (:mod:`fastspin.physics.magnon_llg`), started at
  n = −ẑ, over (mu_s = μ', dT = T_magnon − T_e, ...), with the closed-form μ' threshold
  and FMR linewidth as extra outputs.

Per grid point the torque table is built once and shared by all ``n_trajectories``
trajectories, integrated for ``duration`` with Heun steps ``dt`` (weak order 1: check
convergence in dt for quantitative times).  A trajectory has switched at its first time
with s·u < ``switch_level`` (s = the sign of the initial u; 0 = crossing the equator).
Outputs: P_sw = switched/N with its Wilson 95 % interval
(:func:`fastspin.physics.switching.wilson_interval`), the mean and the 10/50/90 %
quantiles of the first-switch times of the switched trajectories (NaN if none), the mean
final cos θ.

Reproducibility: trajectory j of grid point i uses Philox (``run.seed``, stream i = the
global C-order point index, trajectory j) as the ``macrospin`` model, so stores are
identical for any block shape or worker count, and a trajectory can be replayed with
:func:`fastspin.physics.torque_table.run_table_ensemble` (``table_at`` builds its table).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.model import (
    Model,
    Output,
    Parameter,
    ParameterError,
    broadcast_block,
    stochastic_streams,
)
from fastspin.physics.fis3d import fis3d_table
from fastspin.physics.magnon_llg import MagnonMacrospin
from fastspin.physics.switching import switching_summary
from fastspin.physics.torque_table import TorqueTable, run_table_ensemble
from fastspin.references import BENDER_2015, OJAJARVI_2020
from fastspin.units import T_MIN

_SWITCH_OUTPUTS = (
    Output("switching_probability", "1", "P_sw = switched trajectories / n_trajectories"),
    Output("switching_probability_low", "1", "lower end of the Wilson 95 % interval of P_sw"),
    Output("switching_probability_high", "1", "upper end of the Wilson 95 % interval of P_sw"),
    Output("n_switched", "1", "number of switched trajectories"),
    Output("mean_switch_time", "TIME", "mean first-switch time of the switched trajectories"),
    Output("switch_time_q10", "TIME", "10 % quantile of the first-switch times"),
    Output("switch_time_q50", "TIME", "median first-switch time"),
    Output("switch_time_q90", "TIME", "90 % quantile of the first-switch times"),
    Output("mean_final_cos_theta", "1", "ensemble mean of the final cos(theta)"),
)


def _outputs(time_unit: str) -> tuple[Output, ...]:
    return tuple(Output(o.name, time_unit if o.unit == "TIME" else o.unit, o.long_name)
                 for o in _SWITCH_OUTPUTS)


def _run_parameters(time_unit: str, dt: float, duration: float, n: int) -> tuple[Parameter, ...]:
    return (
        Parameter("dt", time_unit, dt, "Heun time step", low=0.0, high=1e6, low_open=True),
        Parameter("duration", time_unit, duration, "integration time per trajectory", low=0.0,
                  high=1e12, low_open=True),
        Parameter("switch_level", "1", 0.0, "switched when sign(u0)·cos(theta) < switch_level",
                  low=-1.0, high=1.0),
        Parameter("n_trajectories", "1", n, "trajectories per grid point", low=1, high=2**24,
                  integer=True, sweepable=False),
    )


def _check_steps(name: str, values: Mapping[str, Any]) -> None:
    steps = np.max(values["duration"]) / np.min(values["dt"])
    if steps > 1e8:
        raise ParameterError(f"{name}: parameters 'duration'/'dt' = {steps:g} steps; allowed: <= 1e8")


class _TableSwitching(Model):
    """Shared evaluate_block: one table per point, one ensemble per point."""

    stochastic = True
    #: initial cos θ of every trajectory
    u0 = 1.0

    @staticmethod
    def table_at(point: Mapping[str, float]) -> TorqueTable:  # pragma: no cover - abstract
        raise NotImplementedError

    def extra_outputs(self, point: Mapping[str, float]) -> dict[str, float]:
        """Outputs of one grid point beyond the switching statistics (none by default)."""
        return {}

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        names = [p.name for p in self.parameters]
        shape, arrays = broadcast_block(self, params, names)
        seed, point_index = stochastic_streams(self, params, shape)
        out = {o.name: np.empty(shape) for o in self.outputs}
        m0 = (math.sqrt(1.0 - self.u0**2), 0.0, self.u0)
        for index in np.ndindex(shape):
            point = {name: float(a[index]) for name, a in arrays.items()}
            table = self.table_at(point)
            n = int(round(point["n_trajectories"]))
            result = run_table_ensemble(
                table, n, seed, dt=point["dt"],
                n_steps=max(1, int(round(point["duration"] / point["dt"]))), m0=m0,
                stream=int(point_index[index]), switch_level=point["switch_level"], n_bins=1,
            )  # fmt: skip
            values = switching_summary(result.switch_time)
            values["mean_final_cos_theta"] = float(result.final_m[:, 2].mean())
            values.update(self.extra_outputs(point))
            for name, value in values.items():
                out[name][index] = value
        return out


class FIS3DSwitching(_TableSwitching):
    name = "fis3d_switching"
    reference = OJAJARVI_2020
    description = (
        "F/I/S island in 3-D under its full transport torque and Keldysh noise: Monte Carlo "
        "switching probability and times from m = +z (Ojajarvi et al. 2020, Eqs. (5), (8), "
        "(20), (A5)-(A8))"
    )
    warmup_params = {"n_trajectories": 2, "duration": 1.0}
    u0 = 1.0
    parameters = (
        Parameter("V", "Delta0/e", 0.0, "bias voltage", low=-20.0, high=20.0),
        Parameter("dT", "Delta0/k_B", 0.0, "thermal bias T_S - T_F", low=-10.0, high=10.0),
        Parameter("h", "Delta0", 0.3, "spin-splitting field of S", low=-2.0, high=2.0),
        Parameter("h_angle", "1", 0.5, "polar angle of h to z, radians", low=0.0, high=math.pi),
        Parameter("h_azimuth", "1", 0.0, "azimuth of h about z, radians", low=-math.pi,
                  high=math.pi),
        Parameter("P", "1", 1.0, "spin polarization of the F density of states", low=-1.0,
                  high=1.0),
        Parameter("Omega", "Delta0/hbar", 0.05, "precession frequency at the equator (field)",
                  low=-20.0, high=20.0),
        Parameter("anisotropy", "Delta0/hbar", 0.1, "uniaxial anisotropy K: omega(u) = Omega + K u",
                  low=-20.0, high=20.0),
        Parameter("T_F", "Delta0/k_B", "0.26 Tc", "temperature of the island", low=T_MIN,
                  high=10.0, temperature=True),
        Parameter("dynes", "Delta0", 1e-3, "Dynes broadening of the S DOS", low=1e-7, high=0.5),
        Parameter("S", "hbar", 20.0, "total spin of the island", low=0.0, high=1e12,
                  low_open=True),
        Parameter("A0", "1", 0.01, "intrinsic Gilbert damping", low=0.0, high=10.0),
        Parameter("conductance", "1", 10.0, "g_T = G_T hbar/e^2", low=0.0, high=1e6,
                  low_open=True),
        *_run_parameters("hbar/Delta0", 0.1, 2000.0, 256),
    )
    outputs = _outputs("hbar/Delta0")
    #: seconds per point at the defaults: the table (~2 s) and 256 × 20000 steps
    cost_per_point = 3.0

    @classmethod
    def check_consistency(cls, values: Mapping[str, Any]) -> None:
        _check_steps(cls.name, values)
        if np.any(np.asarray(values["T_F"]) + np.asarray(values["dT"]) < T_MIN):
            raise ParameterError(
                f"{cls.name}: parameter 'dT' makes T_S = T_F + dT < {T_MIN:.4g}; "
                f"allowed: dT >= {T_MIN:.4g} - T_F (T_S at least 0.01 Tc)"
            )

    @staticmethod
    def table_at(point: Mapping[str, float]) -> TorqueTable:
        """The torque table of one grid point (scalars)."""
        return fis3d_table(
            V=point["V"], T_S=point["T_F"] + point["dT"], T_F=point["T_F"],
            Omega=point["Omega"], h=point["h"], h_angle=point["h_angle"], P=point["P"],
            dynes=point["dynes"], S=point["S"], A0=point["A0"], conductance=point["conductance"],
            anisotropy=point["anisotropy"], h_azimuth=point["h_azimuth"],
        )  # fmt: skip


class MagnonSwitching(_TableSwitching):
    name = "magnon_switching"
    reference = BENDER_2015
    description = (
        "YIG-like macrospin under a Pt-like metal, generalized LLG with magnon torques "
        "alpha'_r, alpha'_i, spin accumulation mu' and interfacial dT: Monte Carlo switching "
        "from n = -z (Bender & Tserkovnyak 2015); units meV, nm, hbar/meV"
    )
    warmup_params = {"n_trajectories": 2, "duration": 1.0}
    u0 = -1.0
    parameters = (
        Parameter("g_r", "nm^-2", 5.0, "real part of the spin-mixing conductance per area",
                  low=0.0, low_open=True, high=1e6),
        Parameter("g_i", "nm^-2", 0.5, "imaginary part of the spin-mixing conductance per area",
                  low=-1e6, high=1e6),
        Parameter("s", "nm^-3", 7.6, "saturation spin density (hbar)", low=0.0, low_open=True,
                  high=1e6),
        Parameter("gap", "meV", 0.02, "magnon gap", low=0.0, high=1e3),
        Parameter("stiffness", "meV*nm^2", 3.0, "exchange stiffness", low=0.0, low_open=True,
                  high=1e6),
        Parameter("d_F", "nm", 2.0, "magnet thickness", low=0.0, low_open=True, high=1e6),
        Parameter("volume", "nm^3", 4.0e5, "magnet volume (total spin S = (s - n) V)", low=0.0,
                  low_open=True, high=1e15),
        Parameter("T_e", "meV", 25.85, "electron temperature of the metal", low=0.0,
                  low_open=True, high=1e4),
        Parameter("dT", "meV", 0.0, "interfacial temperature difference T_magnon - T_e",
                  low=-1e4, high=1e4),
        Parameter("mu_s", "meV", 0.0, "spin accumulation mu' along z", low=-1e3, high=1e3),
        Parameter("field", "meV", 0.01, "Zeeman energy H (hbar omega_0)", low=-1e3, high=1e3),
        Parameter("anisotropy", "meV", 0.02, "uniaxial anisotropy K (bistable for K > |H|)",
                  low=-1e3, high=1e3),
        Parameter("alpha", "1", 1e-3, "bulk Gilbert damping", low=0.0, high=10.0),
        *_run_parameters("hbar/meV", 3.0, 1.0e5, 256),
    )
    outputs = _outputs("hbar/meV") + (
        Output("threshold_mu_s", "meV", "mu' at which n = -z loses stability (closed form)"),
        Output("fmr_linewidth", "meV/hbar", "FMR half width about -z at mu' = 0 (closed form)"),
        Output("alpha_r_prime", "1", "interfacial damping alpha'_r at the magnon temperature"),
    )
    #: seconds per point at the defaults: 256 × 33000 steps
    cost_per_point = 1.5

    @classmethod
    def check_consistency(cls, values: Mapping[str, Any]) -> None:
        _check_steps(cls.name, values)
        if np.any(np.asarray(values["T_e"]) + np.asarray(values["dT"]) <= 0):
            raise ParameterError(f"{cls.name}: parameter 'dT' makes T_e + dT <= 0; allowed: dT > -T_e")

    @staticmethod
    def macrospin_at(point: Mapping[str, float]) -> MagnonMacrospin:
        """The :class:`MagnonMacrospin` of one grid point (scalars)."""
        names = ("g_r", "g_i", "s", "gap", "stiffness", "d_F", "volume", "T_e", "dT", "mu_s",
                 "field", "anisotropy", "alpha")  # fmt: skip
        return MagnonMacrospin(**{name: float(point[name]) for name in names})

    @classmethod
    def table_at(cls, point: Mapping[str, float]) -> TorqueTable:
        """The torque table of one grid point (scalars)."""
        return cls.macrospin_at(point).table()

    def extra_outputs(self, point: Mapping[str, float]) -> dict[str, float]:
        """Outputs of one grid point beyond the switching statistics (none by default)."""
        magnet = self.macrospin_at(point)
        return {
            "threshold_mu_s": magnet.threshold_mu_s(),
            "fmr_linewidth": magnet.linewidth()["exact"],
            "alpha_r_prime": magnet.coefficients()["alpha_r_prime"],
        }
