"""Meservey–Tedrow integrals against scipy quad, and the spectrum fit: accuracy, coverage, bad data."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import xarray as xr
from scipy.integrate import quad

from fastspin import fit
from fastspin.kernels.dos import bcs_dos, bcs_dos_derivative
from fastspin.model import ParameterError
from fastspin.physics import nis
from fastspin.units import BOLTZMANN, ELEMENTARY_CHARGE


def _minus_fermi_derivative(E: float, x: float, T: float) -> float:
    return 1.0 / (4.0 * T * math.cosh((E - x) / (2.0 * T)) ** 2)


def _fermi(E: float, T: float) -> float:
    return 0.5 * (1.0 - math.tanh(E / (2.0 * T)))


def _reference(kind: int, x: float, delta: float, dynes: float, T: float) -> float:
    """scipy quad with breakpoints at the gap edges ±Δ, over the Fermi window (±40 T)."""
    lo, hi = min(x, 0.0) - 40 * T, max(x, 0.0) + 40 * T
    points = [p for p in (-delta, delta) if lo < p < hi]
    if kind == nis.KIND_B:
        f = lambda E: bcs_dos(E, delta, dynes) * _minus_fermi_derivative(E, x, T)  # noqa: E731
    elif kind == nis.KIND_DB:
        f = lambda E: bcs_dos_derivative(E, delta, dynes) * _minus_fermi_derivative(E, x, T)  # noqa: E731
    else:
        f = lambda E: bcs_dos(E, delta, dynes) * (_fermi(E - x, T) - _fermi(E, T))  # noqa: E731
    return quad(f, lo, hi, points=points, limit=2000, epsabs=1e-15, epsrel=1e-12)[0]


@pytest.mark.parametrize("kind", [nis.KIND_B, nis.KIND_DB, nis.KIND_K])
@pytest.mark.parametrize(("dynes", "T"), [(1e-3, 0.043), (1e-4, 0.2), (3e-2, 0.01)])
def test_smeared_dos_matches_quad(kind, dynes, T):
    """B, B' and K to the engine's stated accuracy: 1e-6 relative or 1e-9 absolute."""
    x = np.array([-1.7, -0.6, 0.0, 0.4, 0.97, 1.0, 1.03, 2.5])
    ours = nis.smeared_dos(x, 1.0, dynes, T, kind)
    for xi, value in zip(x, ours, strict=True):
        ref = _reference(kind, float(xi), 1.0, dynes, T)
        assert abs(value - ref) <= max(1e-6 * abs(ref), 1e-9), (kind, xi, value, ref)


def test_current_derivative_is_conductance():
    """dI/dV of nis.current equals nis.conductance (central difference, O(δ²) = 1e-8)."""
    V = np.linspace(-2.0, 2.0, 41)
    args = (1.0, 0.35, 2e-3, 0.4, 0.08)
    step = 1e-4
    numeric = (nis.current(V + step, *args) - nis.current(V - step, *args)) / (2 * step)
    assert np.allclose(numeric, nis.conductance(V, *args), rtol=1e-6, atol=1e-7)


def test_conductance_symmetries_and_normal_limit():
    """(h, P) -> (-h, -P) leaves G unchanged; P = 0 gives an even G; G -> 1 far above the gap."""
    V = np.linspace(-3.0, 3.0, 61)
    g = nis.conductance(V, 1.0, 0.3, 1e-3, 0.5, 0.05)
    assert np.allclose(g, nis.conductance(V, 1.0, -0.3, 1e-3, -0.5, 0.05), rtol=1e-12)
    even = nis.conductance(V, 1.0, 0.3, 1e-3, 0.0, 0.05)
    assert np.allclose(even, even[::-1], rtol=1e-12)
    far = nis.conductance(np.array([40.0]), 1.0, 0.3, 1e-3, 0.5, 0.05)[0]
    assert far == pytest.approx(1.0 + 0.5 / 40.0**2, rel=2e-3)  # BCS tail 1 + Δ²/2E², averaged


def test_sis_conductance_is_derivative_of_sis_current():
    from fastspin.physics.sis import sis_currents

    V = np.linspace(0.05, 2.5, 25)
    args = (0.3, 1.0, 0.9, 0.1, 0.05, 1e-2)  # h, Δ_S, Δ_Sm, T_S, T_Sm, Γ
    step = 1e-5  # central-difference truncation ~ step² I''' / 6 < 1e-7 relative at Γ = 1e-2

    def current(bias):
        return sis_currents(bias, *args, rtol=1e-11, atol=1e-15)["I_charge"]

    numeric = (current(V + step) - current(V - step)) / (2 * step)
    assert np.allclose(fit._sis_conductance(V, *args), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("quantity", ["dIdV", "I"])
def test_meservey_tedrow_jacobian_matches_central_differences(quantity):
    model = fit.MeserveyTedrow()
    V = np.linspace(-2.0, 2.0, 81)
    p = {"delta": 1.0, "h": 0.4, "dynes": 2e-3, "P": 0.3, "T": 0.06, "G_T": 1.7}
    J = model.jacobian(V, p, quantity, model.names())
    for column, name in enumerate(model.names()):
        step = 1e-4 * max(abs(p[name]), 1e-2)
        up, down = dict(p), dict(p)
        up[name] += step
        down[name] -= step
        numeric = (model.curve(V, up, quantity) - model.curve(V, down, quantity)) / (2 * step)
        scale = np.max(np.abs(numeric))
        assert np.max(np.abs(J[:, column] - numeric)) <= 2e-3 * scale, name


# -- fits --------------------------------------------------------------------------

AL_EUS = {"delta": 0.2e-3, "h": 0.1e-3, "dynes": 0.2e-6, "P": 0.3, "T": 0.1, "G_T": 10e-6}


def _al_eus_spectrum(seed: int, n: int = 1000, noise_S: float = 1e-8):
    """An Al/EuS-like Meservey–Tedrow dI/dV in mV and uS with Gaussian noise."""
    V = np.linspace(-0.6e-3, 0.6e-3, n)
    T_reduced = AL_EUS["T"] * BOLTZMANN / (ELEMENTARY_CHARGE * AL_EUS["delta"])
    clean = AL_EUS["G_T"] * nis.conductance(
        V / AL_EUS["delta"], 1.0, AL_EUS["h"] / AL_EUS["delta"], AL_EUS["dynes"] / AL_EUS["delta"],
        AL_EUS["P"], T_reduced,
    )
    noisy = clean + np.random.default_rng(seed).normal(0.0, noise_S, n)
    return xr.DataArray(
        noisy * 1e6, dims="V", coords={"V": ("V", V * 1e3, {"units": "mV"})}, attrs={"units": "uS"}
    )


def test_al_eus_fit_recovers_every_parameter_within_two_sigma():
    data = _al_eus_spectrum(seed=17)
    result = fit.fit_spectrum(data, model="nis", sigma="0.01 uS")
    assert result.success
    assert result.units == {"delta": "eV", "h": "eV", "dynes": "eV", "P": "dimensionless", "T": "K", "G_T": "S"}
    for name, truth in AL_EUS.items():
        assert abs(result.values[name] - truth) <= 2 * result.stderr[name], (name, result.values[name])
    assert 0.85 < result.redchi < 1.15
    ds = result.to_dataset()
    assert np.allclose(ds.residual, ds.data - ds.fit)
    assert ds.correlation.shape == (6, 6) and np.allclose(np.diag(ds.correlation), 1.0)


def _coverage(n_spectra: int, n_points: int):
    truth = {"delta": 1.0, "h": 0.5, "dynes": 1e-3, "P": 0.3, "T": 0.05, "G_T": 1.0}
    V = np.linspace(-3.0, 3.0, n_points)
    clean = nis.conductance(V, 1.0, 0.5, 1e-3, 0.3, 0.05)
    sigma = 2e-3
    inside, redchi = [], []
    for seed in range(n_spectra):
        noisy = clean + np.random.default_rng(seed).normal(0.0, sigma, n_points)
        result = fit.fit_spectrum((V, noisy), model="nis", sigma=sigma)
        inside.append([abs(result.values[k] - v) <= result.stderr[k] for k, v in truth.items()])
        redchi.append(result.redchi)
    return np.array(inside), float(np.mean(redchi))


def test_fit_coverage_small():
    """20 seeded spectra: pooled 1-sigma coverage 68 +- 13 % (3 binomial sigma of 120), <chi2_r> = 1 +- 0.1."""
    inside, mean_redchi = _coverage(20, 200)
    assert abs(inside.mean() - 0.683) <= 0.13
    assert abs(mean_redchi - 1.0) <= 0.1


@pytest.mark.slow
def test_fit_coverage_100_spectra():
    """100 seeded 1000-point spectra: each parameter's 1-sigma interval holds the truth in 68 +- 8 %."""
    inside, mean_redchi = _coverage(100, 1000)
    coverage = inside.mean(axis=0)
    assert np.all(np.abs(coverage - 0.683) <= 0.08), coverage
    assert abs(mean_redchi - 1.0) <= 0.1


@pytest.mark.slow
def test_al_eus_fit_speed():
    """The 1000-point, 6-parameter fit in <= 2 s on one core with a warm cache."""
    data = _al_eus_spectrum(seed=3)
    fit.fit_spectrum(data, sigma="0.01 uS")
    start = time.perf_counter()
    fit.fit_spectrum(data, sigma="0.01 uS")
    assert time.perf_counter() - start <= 2.0


def _sis_fit_pulls(dynes: float, n_points: int, seed: int) -> dict[str, float]:
    """(fit - truth)/stderr of an S-I-Sm dI/dV fit from the default start (T_Sm fixed)."""
    model = fit.SpinSplitSIS()
    truth = {"delta_S": 1.0, "delta_Sm": 0.7, "h": 0.2, "dynes": dynes, "T_S": 0.25, "T_Sm": 0.25, "G_T": 1.0}
    V = np.linspace(-2.5, 2.5, n_points)
    sigma = 5e-3
    noisy = model.curve(V, truth, "dIdV") + np.random.default_rng(seed).normal(0.0, sigma, V.size)
    result = fit.fit_spectrum((V, noisy), model="sis", sigma=sigma, fixed={"T_Sm": 0.25})
    assert 0.8 < result.redchi < 1.2
    return {name: (result.values[name] - truth[name]) / result.stderr[name] for name in result.free}


def test_sis_fit_recovers_parameters():
    """S-I-Sm with one spin-split side, from the default start (peaks sampled at ~Gamma)."""
    pulls = _sis_fit_pulls(dynes=3e-2, n_points=200, seed=1)
    assert all(abs(z) <= 3.0 for z in pulls.values()), pulls


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sis_fit_sharp_peaks(seed):
    pulls = _sis_fit_pulls(dynes=1e-2, n_points=500, seed=seed)
    assert all(abs(z) <= 3.0 for z in pulls.values()), pulls


def test_fixed_parameters_and_current_data(tmp_path):
    """I(V) from a text file with units in the header; T fixed as a quantity string."""
    V = np.linspace(-0.6e-3, 0.6e-3, 400)
    T_reduced = 0.1 * BOLTZMANN / (ELEMENTARY_CHARGE * 0.2e-3)
    current_A = 10e-6 * 0.2e-3 * nis.current(V / 0.2e-3, 1.0, 0.5, 1e-3, 0.3, T_reduced)
    noise = np.random.default_rng(2).normal(0.0, 2e-12, V.size)
    path = tmp_path / "iv.txt"
    np.savetxt(path, np.column_stack((V * 1e3, (current_A + noise) * 1e9)), header="V [mV]  I [nA]")
    result = fit.fit_spectrum(path, fixed={"T": "100 mK"}, sigma="2 pA")
    assert result.quantity == "I" and "T" not in result.free
    assert result.values["T"] == pytest.approx(0.1, rel=1e-12)
    for name, truth in {"delta": 0.2e-3, "h": 0.1e-3, "P": 0.3, "G_T": 10e-6}.items():
        assert abs(result.values[name] - truth) <= 3 * result.stderr[name], name


def test_plot_writes_an_image(tmp_path):
    result = fit.fit_spectrum(_al_eus_spectrum(seed=1, n=200), sigma="0.01 uS")
    path = fit.plot_fit(result, tmp_path / "fit.png")
    assert path.stat().st_size > 1000


# -- bad data: one clear line each ---------------------------------------------------


def _error_line(data, **kwargs) -> str:
    with pytest.raises(ParameterError) as info:
        fit.fit_spectrum(data, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_bad_data_each_gives_one_line(tmp_path):
    V = np.linspace(-3.0, 3.0, 50)
    g = nis.conductance(V, 1.0, 0.3, 1e-3, 0.2, 0.05)
    with_nan = g.copy()
    with_nan[7] = np.nan
    assert "NaN" in _error_line((V, with_nan)) and "row 7" in _error_line((V, with_nan))
    shuffled = V.copy()
    shuffled[[3, 4]] = shuffled[[4, 3]]
    assert "not sorted" in _error_line((shuffled, g))
    repeated = V.copy()
    repeated[10] = repeated[9]
    assert "repeated bias" in _error_line((repeated, g))
    assert "more points than parameters" in _error_line((V[:5], g[:5]))
    path = tmp_path / "bad_units.csv"
    np.savetxt(path, np.column_stack((V, g)), delimiter=",", header="V [mK], dIdV [uS]")
    assert "not a voltage" in _error_line(path)
    path.write_text("V [mV], dIdV [bananas]\n" + "\n".join(f"{a},{b}" for a, b in zip(V, g, strict=True)))
    assert "not a unit" in _error_line(path)
    path.write_text("V [mV], dIdV [kg]\n" + "\n".join(f"{a},{b}" for a, b in zip(V, g, strict=True)))
    assert "neither a conductance" in _error_line(path)
    assert "both varied and fixed" in _error_line((V, g), vary=["T"], fixed={"T": 0.05})


def test_csv_with_header_units_is_read(tmp_path):
    V = np.linspace(-0.6, 0.6, 300)  # mV
    g = 10.0 * nis.conductance(V / 0.2, 1.0, 0.5, 1e-3, 0.3, 0.0431)  # uS
    path = tmp_path / "spectrum.csv"
    np.savetxt(path, np.column_stack((V, g)), delimiter=",", header="bias (mV), dI/dV (uS)", comments="")
    spectrum = fit.load_spectrum(path)
    assert (spectrum.bias_unit, spectrum.signal_unit, spectrum.quantity) == ("mV", "uS", "dIdV")
    result = fit.fit_spectrum(path)
    assert result.values["delta"] == pytest.approx(0.2e-3, rel=1e-6)
