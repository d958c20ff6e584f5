"""Power spectra of simulated 3-D macrospin traces (fastspin.physics.spectra:
trace_power_spectrum, fit_lorentzian_peak).

Thermal ferromagnetic resonance of an isotropic macrospin in a field h ẑ (no
anisotropy): the linearized Gilbert equation gives the transverse correlation
⟨m_x(τ) m_x(0)⟩ = (t/h) e^{-Γ|τ|} cos(ω0 τ), i.e. a Lorentzian S_xx peak at the Larmor
frequency ω0 = h/(1+α²) with FWHM 2Γ = 2αh/(1+α²) and area t/h (equipartition).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from fastspin.model import ParameterError
from fastspin.physics.macrospin import Macrospin, run_ensemble
from fastspin.physics.spectra import fit_lorentzian_peak, trace_power_spectrum


def test_thermal_fmr_lorentzian_at_larmor_frequency():
    """512 trajectories (8 jackknife groups of 64), traces of 900 with a burn-in of 100
    (≫ 1/Γ = 10), Welch segment T = 800: centre, FWHM and amplitude of the fitted peak
    within 4.5 group standard errors plus the deterministic biases: Hann window
    O((2π/TΓ)²) ≈ 0.6 % on the width, small-cone corrections O(t/h) = 0.2 %.
    Parseval: ∫ S dω/2π over both signs equals the sampled variance of m_x (2 %)."""
    alpha, h, t = 0.1, 1.0, 0.002
    dt, every = 0.02, 10
    spin = Macrospin(alpha=alpha, temperature=t, anisotropy=0.0, field=(0.0, 0.0, h))
    fits, parseval = [], []
    for group in range(8):
        result = run_ensemble(
            spin, 64, seed=5, first_trajectory=64 * group, dt=dt, n_steps=int(900 / dt),
            trace_every=every,
        )  # fmt: skip
        omega, spectrum = trace_power_spectrum(result.traces, dt * every, burn_in=100.0)
        peak = fit_lorentzian_peak(omega, spectrum)
        fits.append((peak.centre, peak.fwhm, peak.amplitude))
        x = result.traces[:, int(100 / (dt * every)) :, 0]
        variance = np.mean(np.var(x, axis=1))
        parseval.append(np.sum(spectrum) * (omega[1] - omega[0]) / math.pi / variance)
    fits = np.array(fits)
    mean = fits.mean(axis=0)
    error = fits.std(axis=0, ddof=1) / math.sqrt(len(fits))
    larmor = h / (1 + alpha**2)
    fwhm = 2 * alpha * h / (1 + alpha**2)
    assert abs(mean[0] - larmor) < 4.5 * error[0] + 0.002 * larmor
    assert abs(mean[1] - fwhm) < 4.5 * error[1] + 0.01 * fwhm
    assert abs(mean[2] - t / h) < 4.5 * error[2] + 0.005 * t / h
    assert np.mean(parseval) == pytest.approx(1.0, abs=0.02)
    # the statistics resolve the physics: widths known to a few per cent
    assert error[1] < 0.03 * fwhm


def test_spectrum_of_a_pure_cosine_and_bad_input():
    """A noiseless cos(ω0 τ) of amplitude 1 puts its variance 1/2 into the peak at ω0
    (Hann window: the bin nearest ω0 carries the maximum); bad shapes are refused."""
    step, w0 = 0.05, 2.0
    tau = np.arange(20000) * step
    trace = np.cos(w0 * tau)[None, :]
    omega, spectrum = trace_power_spectrum(trace, step, component=None)
    assert abs(omega[np.argmax(spectrum)] - w0) <= omega[1] - omega[0]
    assert np.sum(spectrum) * (omega[1] - omega[0]) / math.pi == pytest.approx(0.5, rel=1e-3)
    with pytest.raises(ParameterError, match="traces"):
        trace_power_spectrum(trace, step)  # 2-D traces need component=None
    with pytest.raises(ParameterError, match="step"):
        trace_power_spectrum(trace, 0.0, component=None)
    with pytest.raises(ParameterError, match="segment_length"):
        trace_power_spectrum(trace, step, component=None, segment_length=1e9)
