"""The ``tilt`` sweep model (fastspin.models.tilt): Eq. (8) of seed 000 with the fis
torque/noise tables, Monte Carlo ensemble plus the stationary Fokker-Planck mean."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastspin
from fastspin.model import ParameterError
from fastspin.models.tilt import TiltAngle
from fastspin.workflows.store import open_store

OUTPUTS = [o.name for o in TiltAngle.outputs]


def _spec(block: dict[str, int]) -> dict:
    return {
        "model": "tilt",
        "axes": {"T_F": ["0.15 Tc", "0.26 Tc"], "V": [0.0, 0.05]},
        "params": {"n_trajectories": 400},
        "run": {"block": block, "seed": 3},
    }


def test_block_shapes_and_fokker_planck_agreement(tmp_path):
    """Stores with blocks 1x2 and 2x1 and fastspin.evaluate (options seed) are identical;
    the ensemble mean of cos θ equals the stationary Fokker-Planck mean within 4.5
    standard errors at every point (Fig. 5 parameters, oscillating state at 0.26 T_c)."""
    first = fastspin.sweep(_spec({"T_F": 1, "V": 2}), tmp_path / "a.zarr", scheduler="serial")
    second = fastspin.sweep(_spec({"T_F": 2, "V": 1}), tmp_path / "b.zarr", scheduler="serial")
    a, b = open_store(first.path), open_store(second.path)
    direct = fastspin.evaluate(TiltAngle(options={"seed": 3}), T_F=["0.15 Tc", "0.26 Tc"],
                               V=[0.0, 0.05], n_trajectories=400)
    for name in OUTPUTS:
        np.testing.assert_array_equal(a[name].values, b[name].values, err_msg=name)
        np.testing.assert_array_equal(a[name].values, direct[name].values, err_msg=name)
    deviation = np.abs(a.mean_cos_theta.values - a.mean_cos_theta_fp.values)
    assert np.all(deviation < 4.5 * a.mean_cos_theta_error.values), deviation
    # θ near π at 0.15 T_c, the oscillating state 0 < θ* < π at 0.26 T_c
    assert np.all(a.mean_cos_theta_fp.values[0] < -0.9)
    assert np.all((-0.9 < a.mean_cos_theta_fp.values[1]) & (a.mean_cos_theta_fp.values[1] < -0.3))


def test_equilibrium_boltzmann_limit():
    """V = 0, T_S = T_F = T: the fis tables obey the fluctuation-dissipation relation
    D = Γ(Ω/2)coth(Ω/2T) with τz = -ΓΩ sin²θ for Ω ≪ Δ, so P ∝ exp(κ cos θ) with
    κ = 2S tanh(Ω/2T) and ⟨cos θ⟩ = coth κ - 1/κ; the nonlinear-in-Ω corrections scale
    as Ω² (ratio of the deviations at Ω = 0.05 and 0.02: (5/2)² = 6.25 within 15 %)."""
    deviations = []
    for Omega, S in ((0.05, 12.0), (0.02, 30.0)):
        T = 0.3
        result = fastspin.evaluate("tilt", V=0.0, T_S=T, T_F=T, Omega=Omega, S=S, h=0.3,
                                   h_angle=0.0, n_trajectories=2)
        kappa = 2.0 * S * math.tanh(Omega / (2.0 * T))
        langevin = 1.0 / math.tanh(kappa) - 1.0 / kappa
        deviations.append(float(result.mean_cos_theta_fp) / langevin - 1.0)
    assert abs(deviations[1]) < 3e-4
    assert deviations[0] / deviations[1] == pytest.approx(6.25, rel=0.15)


@pytest.mark.parametrize(
    "params, match",
    [({"S": 0.0}, "S"), ({"A0": -1.0}, "A0"), ({"n_trajectories": 0}, "n_trajectories"),
     ({"u0": 1.5}, "u0"), ({"T_F": 0.0}, "T_F"), ({"h_angle": 4.0}, "h_angle")],
)
def test_bad_input_is_refused(params, match):
    with pytest.raises(ParameterError, match=match):
        fastspin.evaluate("tilt", **params)

