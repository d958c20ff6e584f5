"""Power spectra of simulated magnetization traces and their Lorentzian peaks.

Thermal FMR lines and spin-torque oscillator lines from ensembles of traces
(:func:`fastspin.physics.macrospin.run_ensemble` with ``trace_every``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fastspin.model import ParameterError
from fastspin.physics._ensemble import _finite


def trace_power_spectrum(
    traces: np.ndarray,
    step: float,
    *,
    component: int | None = 0,
    burn_in: float = 0.0,
    segment_length: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble power spectrum S(ω) of decimated traces (e.g. ``EnsembleResult.traces``).

    S(ω) = ∫ dτ e^{iωτ} ⟨δm(τ) δm(0)⟩ (two-sided convention, so ∫ S dω/2π over all ω
    is the variance of δm = m - ⟨m⟩), returned at ω = 2πk/T ≥ 0 (angular frequency in
    the inverse time unit of ``step``).  Estimator: Welch's method
    (:func:`scipy.signal.welch`, Hann window, 50 % overlap, mean removed per segment)
    on each trajectory after ``burn_in``, averaged over segments and trajectories.

    ``traces``: (N, n_t, 3) with ``component`` 0/1/2 for m_x/m_y/m_z, or (N, n_t) with
    ``component=None``; ``step``: time between samples; ``segment_length``: Welch
    segment duration T (default: the whole trace after burn-in).  Accuracy: unbiased
    up to the Hann spectral window, which broadens a Lorentzian of half width Γ by a
    relative O((2π/(TΓ))²) (choose T Γ ≫ 2π); statistical error of each frequency bin
    ≈ S/sqrt(number of trajectories × segments).
    """
    from scipy.signal import welch

    data = np.asarray(traces, dtype=float)
    if component is not None:
        if data.ndim != 3 or data.shape[2] != 3 or component not in (0, 1, 2):
            raise ParameterError("traces must be (N, n_t, 3) with component 0, 1 or 2")
        data = data[:, :, component]
    if data.ndim != 2:
        raise ParameterError("traces must be (N, n_t) (component=None) or (N, n_t, 3)")
    step = _finite("step", step, 0.0)
    if step <= 0:
        raise ParameterError(f"step = {step} must be > 0")
    start = int(math.ceil(_finite("burn_in", burn_in, 0.0) / step))
    data = data[:, start:]
    n_samples = data.shape[1]
    per_segment = n_samples if segment_length is None else int(round(segment_length / step))
    if per_segment < 8 or per_segment > n_samples:
        raise ParameterError(
            f"segment_length: {per_segment} samples per segment; allowed: 8 … {n_samples} "
            "(the samples after burn_in)"
        )
    frequency, density = welch(
        data, fs=1.0 / step, window="hann", nperseg=per_segment, detrend="constant",
        return_onesided=True, scaling="density", axis=-1,
    )  # fmt: skip
    # one-sided density per Hz, P(f) = 2 S(ω) (except at f = 0 and Nyquist, where P = S)
    spectrum = density.mean(axis=0) / 2.0
    spectrum[0] *= 2.0
    if per_segment % 2 == 0:
        spectrum[-1] *= 2.0
    return 2.0 * np.pi * frequency, spectrum


@dataclass(frozen=True)
class LorentzianPeak:
    """A fitted precession peak S(ω) = A Γ/((ω-ω0)² + Γ²) + A Γ/((ω+ω0)² + Γ²).

    ``amplitude`` A = ⟨δm²⟩ of a damped cosine correlation A e^{-Γ|τ|} cos ω0 τ;
    ``fwhm`` = 2Γ; ``errors`` are the least-squares standard errors of
    (centre, fwhm, amplitude).
    """

    centre: float
    fwhm: float
    amplitude: float
    errors: tuple[float, float, float]


def fit_lorentzian_peak(
    omega: np.ndarray,
    spectrum: np.ndarray,
    *,
    window: float = 5.0,
) -> LorentzianPeak:
    """Least-squares fit of :class:`LorentzianPeak` to a sampled spectrum (ω > 0).

    Starting values from the maximum and the half-maximum crossings; the fit uses the
    points within ``window`` × (half width at half maximum) of the maximum, weighted
    by the relative error of a periodogram average (σ ∝ S, iteratively reweighted with
    the fitted S: weighting with the noisy data itself would bias the fit low).  The fitted FWHM is the
    linewidth of the spectrum of :func:`trace_power_spectrum` (what an experiment
    reads off S_xx); accuracy set by the statistics of the input (see ``errors``).
    """
    from scipy.optimize import curve_fit

    omega = np.asarray(omega, dtype=float)
    spectrum = np.asarray(spectrum, dtype=float)
    if omega.shape != spectrum.shape or omega.ndim != 1 or omega.size < 5:
        raise ParameterError("omega and spectrum must be 1-D arrays of one length >= 5")
    peak = int(np.argmax(np.where(omega > 0, spectrum, -np.inf)))
    half = 0.5 * spectrum[peak]
    right = peak + int(np.argmax(spectrum[peak:] < half))
    left = peak - int(np.argmax(spectrum[peak::-1] < half))
    half_width = max(0.5 * (omega[right] - omega[left]), omega[1] - omega[0])
    keep = (np.abs(omega - omega[peak]) <= window * half_width) & (omega > 0)
    if keep.sum() < 5:
        raise ParameterError("fit_lorentzian_peak: fewer than 5 points in the fit window")

    def model(w, centre, gamma, amplitude):
        return amplitude * gamma * (1.0 / ((w - centre) ** 2 + gamma**2)
                                    + 1.0 / ((w + centre) ** 2 + gamma**2))

    values = (omega[peak], half_width, spectrum[peak] * half_width)
    weights = np.ones(int(keep.sum()))  # first pass unweighted, then σ ∝ fitted S
    for _ in range(3):
        values, covariance = curve_fit(
            model, omega[keep], spectrum[keep], p0=values, sigma=weights, absolute_sigma=False,
        )  # fmt: skip
        weights = model(omega[keep], *values)
    errors = np.sqrt(np.diag(covariance))
    return LorentzianPeak(
        centre=float(values[0]),
        fwhm=float(2.0 * abs(values[1])),
        amplitude=float(values[2]),
        errors=(float(errors[0]), float(2.0 * errors[1]), float(errors[2])),
    )


__all__ = [
    "LorentzianPeak",
    "fit_lorentzian_peak",
    "trace_power_spectrum",
]
