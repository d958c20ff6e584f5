"""The ``tilt`` model's semiclassical reference law (Sec. V B of Ojajärvi et al. (2020))."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastspin
from fastspin.model import ParameterError


def test_semiclassical_mean_is_the_boltzmann_mean_where_fokker_planck_is_not():
    """T_S = T_F, V = 0 at Ω/2T = 1.5: the semiclassical ⟨cos θ⟩ is the Langevin function
    coth κ − 1/κ, κ = SΩ/T, of the Boltzmann law (to the O(h²) trapezoid error, 1e-5);
    the Gaussian Fokker-Planck mean of the same tables is visibly off (non-Gaussian correction)."""
    T, Omega, S = 0.1, 0.3, 2.0
    ds = fastspin.evaluate("tilt", V=0.0, T_S=T, T_F=T, Omega=Omega, S=S, h=0.3, h_angle=0.0,
                           n_trajectories=2)
    kappa = S * Omega / T
    boltzmann = 1.0 / math.tanh(kappa) - 1.0 / kappa
    assert float(ds.mean_cos_theta_semiclassical) == pytest.approx(boltzmann, rel=1e-5)
    assert abs(float(ds.mean_cos_theta_fp) - boltzmann) > 1e-2
    assert float(ds.fwhm_semiclassical) > 0


def test_fokker_planck_only_and_bad_choice():
    ds = fastspin.evaluate("tilt", n_trajectories=2, relaxation_times=0.1,
                           stationary_law="fokker_planck")
    assert np.isnan(float(ds.mean_cos_theta_semiclassical))
    assert np.isnan(float(ds.fwhm_semiclassical))
    assert np.isfinite(float(ds.mean_cos_theta_fp))
    with pytest.raises(ParameterError, match="stationary_law"):
        fastspin.evaluate("tilt", n_trajectories=2, stationary_law="gaussian")
