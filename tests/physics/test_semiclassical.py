"""Semiclassical P(cos θ) from the nonzero root of s̃_T (Sec. V B of Ojajärvi et al. (2020))."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from fastspin.model import ParameterError
from fastspin.physics import fis
from fastspin.physics.semiclassical import SemiclassicalTiltModel, reduced_function
from fastspin.physics.tilt import dipole_spectrum, spectrum_linewidth
from fastspin.units import Tc

#: θ uniform, as the tables of the tilt model
U_TABLE = np.cos(np.linspace(0.0, math.pi, 31))[::-1]
JUNCTION = {"h": 0.3, "h_angle": 0.7, "P": 0.5, "dynes": 1e-3}


def _model(T_S, T_F, Omega, V=0.0, S=100.0, A0=0.0, table=U_TABLE, **junction):
    parameters = {**JUNCTION, **junction}
    return SemiclassicalTiltModel.from_junction(
        table, V=V, T_S=T_S, T_F=T_F, Omega=Omega, S=S, A0=A0, **parameters
    )


@pytest.mark.parametrize(
    ("T_over_Tc", "x", "A0", "junction"),
    [(0.5, 1.5, 0.0, {}), (0.2, 0.05, 0.0, {}), (0.8, 4.0, 0.0, {"h_angle": math.pi, "P": 1.0}),
     (0.3, 1.5, 0.02, {"h": 0.0})],
)
def test_equilibrium_root_is_omega_over_2T_and_law_is_boltzmann(T_over_Tc, x, A0, junction):
    """T_S = T_F, V = 0: the fluctuation symmetry makes p* = Ω/2T at every angle (to 1e-10),
    with or without Gilbert damping, and P(cos θ) = the Boltzmann law e^{S Ω cos θ/T}."""
    T = T_over_Tc * Tc
    Omega = 2.0 * x * T
    model = _model(T, T, Omega, A0=A0, S=40.0, **junction)
    np.testing.assert_allclose(model.root(), x, rtol=1e-10, atol=0)
    u, density = model.stationary_density()
    boltzmann = np.exp(model.S * Omega * (u - 1.0) / T)
    boltzmann /= np.trapezoid(boltzmann, u)
    np.testing.assert_allclose(density, boltzmann, rtol=1e-9)


def test_root_is_a_zero_of_the_cumulant_generating_function():
    """The root p* is a zero of s_T of Eq. (20) as computed independently by
    fis.cumulant_generating_function at φ_q = −ip* (complex source), out of equilibrium;
    and h(p) = s̃_T(−ip)/(p sin²θ) agrees with it at other p."""
    T_S, T_F, Omega, V = 0.5 * Tc, 0.3 * Tc, 0.4, 0.2
    model = _model(T_S, T_F, Omega, V=V)
    roots = model.root()
    for i in (3, 11, 20, 27):
        u = model.cos_theta[i]
        theta = math.acos(u)
        args = (V, JUNCTION["h"], JUNCTION["h_angle"], JUNCTION["P"], theta, Omega, T_S, T_F,
                JUNCTION["dynes"])
        scale = abs(fis.cumulant_generating_function(0, 0, 0, -0.5j * roots[i], 0, *args))
        at_root = fis.cumulant_generating_function(0, 0, 0, -1j * roots[i], 0, *args)
        assert abs(at_root) < 1e-6 * scale
        for p in (-0.7, 0.3, 2.0):
            s_t = fis.cumulant_generating_function(0, 0, 0, -1j * p, 0, *args)
            assert abs(s_t.imag) < 1e-9
            reduced = reduced_function(p, model.rates[i], u)
            assert s_t.real == pytest.approx(reduced * p * (1.0 - u * u), rel=1e-6, abs=1e-9)


def test_quadratic_expansion_is_eq8_torque_and_noise():
    """h(0) = 2τ_z/sin²θ and h'(0) = 4D: the Gaussian expansion gives the torque (Eq. (5)) and
    noise (Eq. (20)) of fis.dynamics_tables (independent engine tables; rel. 1e-6)."""
    T_S, T_F, Omega, V = 0.5 * Tc, 0.26 * Tc, 0.5, 0.1
    model = _model(T_S, T_F, Omega, V=V)
    tables = fis.dynamics_tables(model.cos_theta, V, T_S, T_F, Omega, **JUNCTION)
    np.testing.assert_allclose(model.tau_z, tables["torque_z"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.D, tables["torque_noise"], rtol=1e-6, atol=1e-9)
    # and the Gaussian law of the model is the Fokker-Planck density of Eq. (8)
    np.testing.assert_allclose(model.gaussian_root(), -tables["torque_z_per_sin2"] /
                               (2.0 * tables["torque_noise"]), rtol=1e-6)


def test_gaussian_exponent_at_omega_over_2T_1p5():
    """Equilibrium at Ω/2T = 1.5: only the spin-flip channels (|k| = 2) act at the poles, where
    p_G/p* = tanh(Ω/2T)/(Ω/2T) = 0.603 exactly; at θ = π/2 every channel has |k| = 1 and
    p_G/p* = tanh(Ω/4T)/(Ω/4T) = 0.847; in between, the ratio lies between 0.603 and 1."""
    T = 0.5 * Tc
    x = 1.5
    model = _model(T, T, 2.0 * x * T)
    ratio = model.gaussian_root() / model.root()
    pole = math.tanh(x) / x
    assert ratio[0] == pytest.approx(pole, rel=1e-9)
    assert ratio[-1] == pytest.approx(pole, rel=1e-9)
    equator = np.argmin(np.abs(model.cos_theta))
    assert abs(model.cos_theta[equator]) < 1e-15
    assert ratio[equator] == pytest.approx(math.tanh(x / 2) / (x / 2), rel=1e-9)
    assert np.all((ratio >= pole - 1e-12) & (ratio < 1.0))


@pytest.mark.parametrize("drive", [0.0, 0.5])
def test_gaussian_limit_scaling(drive):
    """Ω/T → 0 (and δT/T = drive·Ω/T): the Gaussian and semiclassical exponents differ
    relatively by O((Ω/T)²); the fitted exponent is 2 (equilibrium: the difference is
    (Ω/T)²/12 at leading order, from tanh(x)/x = 1 − x²/3 + … at the poles)."""
    T = 0.5 * Tc
    xs = np.array([0.01, 0.02, 0.04])
    differences, root_ratios = [], []
    for x in xs:
        model = _model(T * (1.0 + drive * x), T, x * T, table=U_TABLE[::3])
        _, exact = model.log_density(model.root())
        _, gaussian = model.log_density(model.gaussian_root())
        differences.append(np.max(np.abs(gaussian - exact)) / np.ptp(exact))
        root_ratios.append(np.max(np.abs(model.gaussian_root() / model.root() - 1.0)))
    slope = np.polyfit(np.log(xs), np.log(differences), 1)[0]
    assert slope == pytest.approx(2.0, abs=0.05 if drive else 0.005)
    if drive == 0.0:
        np.testing.assert_allclose(root_ratios, xs**2 / 12.0, rtol=1e-3)


def test_maxima_coincide_with_the_gaussian_law():
    """p* = 0 exactly where p_G = 0 (τ_z = 0): the two laws have their extrema at the same angles."""
    model = _model(0.5 * Tc, 0.26 * Tc, 0.5, h_angle=math.pi, P=1.0, table=np.cos(np.linspace(0, math.pi, 61))[::-1])
    exact, gaussian = model.root(), model.gaussian_root()
    assert np.array_equal(np.sign(exact[1:-1]), np.sign(gaussian[1:-1]))
    u, density = model.stationary_density()
    _, fp = model.gaussian_density()
    assert abs(u[np.argmax(density)] - u[np.argmax(fp)]) <= 2.0 / (model.n_grid - 1)


def test_linewidth_averages_eq23_over_the_semiclassical_law():
    """Eq. (23) over the semiclassical P: equal to an adaptive-quadrature average over the
    exact Boltzmann law in equilibrium at Ω/2T = 1.5 (rel. 1e-4 around the peak, the O(h²)
    accuracy of dipole_spectrum on its 2001-node grid)."""
    T = 0.5 * Tc
    Omega = 3.0 * T
    model = _model(T, T, Omega, S=10.0)
    from scipy.interpolate import CubicSpline

    noise = CubicSpline(model.cos_theta, model.D)
    kappa = model.S * Omega / T
    norm = (1.0 - math.exp(-2.0 * kappa)) / kappa

    def reference(w):
        def integrand(x):
            gamma = noise(x) / (model.S**2 * (1.0 - x * x))
            lorentz = sum(1.0 / ((w + sgn * Omega) ** 2 + gamma**2) for sgn in (1.0, -1.0))
            return 0.5 * noise(x) * lorentz * math.exp(kappa * (x - 1.0)) / norm

        return integrate.quad(integrand, -1.0, 1.0, epsabs=0, epsrel=1e-10, limit=400)[0]

    # around the peak (the far tails need the pole region finer than the 2001-node grid)
    for w in (Omega, Omega + 0.005, Omega - 0.01):
        assert float(dipole_spectrum(model, w)) == pytest.approx(reference(w), rel=1e-4)
    assert spectrum_linewidth(model) > 0


def test_bad_rates_are_refused():
    model = _model(0.5 * Tc, 0.5 * Tc, 0.1, table=U_TABLE[::6])
    with pytest.raises(ParameterError, match="rates"):
        SemiclassicalTiltModel(1.0, 0.0, 0.1, 0.1, model.cos_theta, model.tau_z, model.D,
                               rates=model.rates[:-1])
    with pytest.raises(ParameterError, match="rates"):
        SemiclassicalTiltModel(1.0, 0.0, 0.1, 0.1, model.cos_theta, model.tau_z, model.D,
                               rates=-model.rates)


def test_exponent_converges_as_h4_in_the_table_spacing():
    """The spline of p*(u) integrated exactly: the exponent 2S∫p* du on 61 angles is within
    1e-6 of its range of the 241-angle value at the Fig. 5(c) point T_F = 0.30 T_c, and the
    error falls by ≈ 16 per halving (O(h⁴))."""
    exponents = {}
    for n in (31, 61, 241):
        table = np.cos(np.linspace(0.0, math.pi, n))[::-1]
        model = _model(0.5 * Tc, 0.3 * Tc, 0.5, h_angle=math.pi, P=1.0, table=table)
        exponents[n] = model.log_density(model.root())[1]
    scale = np.ptp(exponents[241])
    coarse = np.max(np.abs(exponents[31] - exponents[241])) / scale
    fine = np.max(np.abs(exponents[61] - exponents[241])) / scale
    assert fine < 1e-6
    assert 10.0 < coarse / fine < 25.0
