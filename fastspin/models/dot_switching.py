"""The ``dot_switching`` model: Monte Carlo switching of the spin-torque quantum dot.

Ludwig, Burmistrov, Gefen, Shnirman, *Strong non-equilibrium effects in spin torque
systems*: Eq. (43) with the Langevin terms of the Keldysh action Eq. (37) and the
kernels (D5)–(D6) (:mod:`fastspin.physics.dot_noise`).  Per grid point
``n_trajectories`` trajectories start exactly at the north pole (V_d at its charge
value, Eq. 55) and run for ``t_max`` (stochastic Heun, dt = 1/20 of the fastest
deterministic time, :func:`fastspin.physics.dot_noise.default_time_step`); a
trajectory has switched when cos θ ≤ ``u_switch``.  Outputs: the switching
probability with its Wilson 95 % interval, the mean switching time of the switched
trajectories with its standard error, the linearized prediction of that mean
(Eq. 50 and the pole noise; NaN where the north pole is stable), and the closed-form
pole quantities (rate of Eq. 50, OU cone ⟨sin²θ⟩, zero-frequency current noise and
Fano factor at the north pole).

Reproducibility: trajectory j at grid point i uses Philox (``run.seed``, stream i =
global C-order point index, trajectory j): stores are identical for any block shape
or worker count.  Outside a sweep the seed is ``options["seed"]`` (default 0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.model import Model, Output, Parameter, broadcast_block, stochastic_streams
from fastspin.physics import dot, dot_noise
from fastspin.references import LUDWIG_2017

_DOT = {p.name: p for p in dot.PARAMETERS}
_PHYSICS = ("Gamma_l_up", "Gamma_l_down", "Gamma_r", "B", "V", "T", "S", "C", "rho_d_up",
            "rho_d_down")


class DotSwitching(Model):
    name = "dot_switching"
    reference = LUDWIG_2017
    description = ("spin-torque quantum dot with the Keldysh noise of Eq. (37): Monte Carlo "
                   "switching probability and time from the north pole, pole noise")
    stochastic = True
    warmup_params = {"n_trajectories": 2, "t_max": 1.0}
    parameters = tuple(_DOT[name] for name in _PHYSICS) + (
        _DOT["distribution"],
        Parameter("t_max", "hbar/Delta0", 2000.0, "run length of every trajectory",
                  low=0.0, high=1e9, low_open=True),
        Parameter("u_switch", "1", 0.0, "switched when cos(theta) <= u_switch", low=-1.0,
                  high=1.0),
        Parameter("n_trajectories", "1", 200, "trajectories per grid point", low=1,
                  high=2**24, integer=True, sweepable=False),
    )
    outputs = (
        Output("switching_probability", "1", "fraction of trajectories with cos(theta) <= "
               "u_switch before t_max"),
        Output("switching_probability_low", "1", "Wilson 95 % interval, lower end"),
        Output("switching_probability_high", "1", "Wilson 95 % interval, upper end"),
        Output("mean_switch_time", "hbar/Delta0", "mean first-passage time of the switched "
               "trajectories (NaN if none)"),
        Output("mean_switch_time_error", "hbar/Delta0", "standard error of mean_switch_time"),
        Output("mean_switch_time_pred", "hbar/Delta0", "linearized prediction of the mean "
               "switching time (NaN where the north pole is stable)"),
        Output("rate_north", "Delta0/hbar", "relaxation rate at the north pole, Eq. (50); "
               "< 0 unstable"),
        Output("sin2_theta_ou", "1", "OU cone <sin^2 theta> = 2D'/lambda at a stable north pole"),
        Output("current_noise_north", "e^2*Delta0/hbar", "zero-frequency current noise at "
               "the north pole (D5-D6, spin-resolved double barrier)"),
        Output("fano_north", "1", "current_noise_north/(2|I|) (NaN at V = 0)"),
    )
    #: seconds per point at the defaults (200 trajectories, up to 2000 hbar/Delta0 each;
    #: stable points run the full t_max)
    cost_per_point = 60.0

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        names = [*_PHYSICS, "t_max", "u_switch", "n_trajectories"]
        shape, arrays = broadcast_block(self, params, names)
        distribution = str(params.get("distribution", "nonequilibrium"))
        seed, point_index = stochastic_streams(self, params, shape)
        out = {o.name: np.full(shape, math.nan) for o in self.outputs}
        for index in np.ndindex(shape):
            point = {name: float(arrays[name][index]) for name in _PHYSICS}
            point["distribution"] = distribution
            n = int(round(arrays["n_trajectories"][index]))
            u_switch = float(arrays["u_switch"][index])
            ens = dot_noise.langevin_ensemble(
                n, float(arrays["t_max"][index]), seed=seed, stream=int(point_index[index]),
                u_switch=u_switch, **point)
            ts = ens["t_switch"]
            done = ts[np.isfinite(ts)]
            out["switching_probability"][index] = done.size / n
            low, high = dot_noise.wilson_interval(done.size, n)
            out["switching_probability_low"][index] = float(low)
            out["switching_probability_high"][index] = float(high)
            if done.size > 0:
                out["mean_switch_time"][index] = done.mean()
            if done.size > 1:
                out["mean_switch_time_error"][index] = done.std(ddof=1) / math.sqrt(done.size)
            if distribution != "nonequilibrium":
                continue
            pole = dot_noise.pole_noise("north", **point)
            out["rate_north"][index] = pole["rate"]
            out["sin2_theta_ou"][index] = pole["sin2_theta_ou"]
            out["current_noise_north"][index] = pole["S_current"]
            out["fano_north"][index] = pole["fano"]
            if pole["rate"] < 0.0:
                pred = dot_noise.switching_time_prediction(u_switch=u_switch, **point)
                out["mean_switch_time_pred"][index] = pred["tau_mean"]
        return out
