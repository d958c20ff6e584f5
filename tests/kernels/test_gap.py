"""Self-consistent gap Δ(T, h): independent Matsubara-sum reference, closed forms at
T → 0, the BCS Tc and the first-order (Chandrasekhar–Clogston) transition."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from fastspin.kernels import gap as gk
from fastspin.physics.superconductor import gap, gap_solutions
from fastspin.units import Tc

from reference import TC, fermi


def matsubara_residual(delta, T, h, n_terms=400_000):
    """ln(Tc/T) − 2πT Σ_n [1/ω_n − Re 1/√((ω_n + ih)² + Δ²)] with the 1/ω³ tail added."""
    n = np.arange(n_terms)
    omega = math.pi * T * (2 * n + 1)
    terms = 1 / omega - np.real(1 / np.sqrt((omega + 1j * h) ** 2 + delta**2))
    tail = (delta**2 - h**2) / (4 * math.pi**2 * T**2 * (2 * n_terms + 1) ** 2)
    return math.log(TC / T) - (2 * math.pi * T * terms.sum() + tail)


@pytest.mark.parametrize("t_over_tc", [0.1, 0.3, 0.5, 0.7, 0.9, 0.98])
def test_gap_matches_matsubara_reference(t_over_tc):
    T = t_over_tc * TC
    ref = brentq(matsubara_residual, 1e-6, 1.2, args=(T, 0.0), xtol=1e-13)
    assert float(gap(T, 0.0)) == pytest.approx(ref, abs=1e-8)


@pytest.mark.parametrize(("T", "h"), [(0.1, 0.5), (0.2, 0.3), (0.05, 0.62)])
def test_spin_split_gap_matches_matsubara(T, h):
    ours = float(gap(T, h))
    ref = brentq(matsubara_residual, ours - 0.02, min(ours + 0.02, 1.1), args=(T, h), xtol=1e-13)
    assert ours == pytest.approx(ref, abs=1e-8)


def test_thermal_integral_against_quad():
    for delta, T, h in [(0.9, 0.05, 0.95), (0.6, 0.2, 0.1), (1.0, 0.01, 0.7), (0.3, 0.5, 0.0)]:
        ref, _ = quad(
            lambda u, d=delta, t=T, hh=h: fermi(d * math.cosh(u) - hh, t) + fermi(d * math.cosh(u) + hh, t),
            0, 12, points=[math.acosh(max(h / delta, 1.0)) + 1e-12], limit=500, epsabs=1e-14,
        )
        assert gk.thermal_integral(delta, T, h) == pytest.approx(ref, abs=1e-11)


def test_condensation_energy_against_nested_quad():
    """The one-quadrature form equals the definition −2∫_0^Δ dΔ' Δ' g(Δ') (≈1e-13)."""
    cases = [(1.0, 1e-3, 0.0), (1.0, 0.01, 0.7), (0.6, 0.1, 0.68), (0.3, 0.4, 0.2), (0.05, 0.5, 0.0),
             (0.8, 0.0, 0.9), (0.8, 0.0, 0.3)]
    for delta, T, h in cases:
        ref, _ = quad(
            lambda d, t=T, hh=h: d * gk.gap_residual(d, t, hh), 0, delta,
            points=[h] if 0 < h < delta else None, limit=400, epsabs=1e-15, epsrel=1e-13,
        )
        assert gk.condensation_energy(delta, T, h) == pytest.approx(-2 * ref, abs=1e-12)


def test_first_order_field_has_sommerfeld_shift():
    """T ≪ Δ0: Ω_S − Ω_N = −Δ0²/2 + h² + π²T²/3 (normal-state Sommerfeld term, the
    superconductor's thermal part being ~e^{−(Δ0−h)/T}), so h_c = √(1/2 − π²T²/3)."""
    for T in (1e-3 * Tc, 0.02 * Tc):
        below, above = 0.69, 0.72
        for _ in range(40):
            mid = 0.5 * (below + above)
            below, above = (mid, above) if float(gap(T, mid)) > 0 else (below, mid)
        assert below == pytest.approx(math.sqrt(0.5 - math.pi**2 * T**2 / 3), abs=1e-9)


def test_zero_temperature_limits():
    assert float(gap(1e-3 * Tc, 0.0)) == pytest.approx(1.0, abs=1e-12)
    # Sarma branch at T = 0: Δ = √(Δ0(2h − Δ0)) (unstable), for 1/2 < h < 1
    for h in (0.6, 0.68, 0.8):
        assert float(gap(0.0, h, branch="sarma")) == pytest.approx(math.sqrt(2 * h - 1), abs=1e-9)
    # condensation energy −Δ0²/2 (ν0 per spin) at T = h = 0
    assert gk.condensation_energy(1.0, 1e-4, 0.0) == pytest.approx(-0.5, abs=1e-6)


def test_critical_temperature():
    assert float(gap(0.999 * Tc, 0.0)) > 0
    assert float(gap(1.001 * Tc, 0.0)) == 0.0
    # near Tc: Δ ≈ 3.0633 Tc √(1 − T/Tc)
    t = 0.999
    assert float(gap(t * Tc, 0.0)) == pytest.approx(3.0633 * Tc * math.sqrt(1 - t), rel=2e-3)


def test_first_order_transition_at_low_temperature():
    """Stable state jumps from Δ0 to 0 at h_c = Δ0/√2 (T → 0), with hysteresis."""
    T = 1e-3
    fields = np.linspace(0.69, 0.72, 61)
    stable = gap(T, fields)
    jump = np.nonzero(stable == 0)[0][0]
    h_c = 0.5 * (fields[jump - 1] + fields[jump])
    assert h_c == pytest.approx(1 / math.sqrt(2), abs=6e-4)
    assert np.all(stable[:jump] == pytest.approx(1.0, abs=1e-9))
    # metastable superconducting branch survives past h_c (up to h = Δ0)
    assert float(gap(T, 0.8, branch="metastable")) == pytest.approx(1.0, abs=1e-9)
    # and the normal state is metastable below h_c (for h > Δ0/2)
    assert float(gap(T, 0.65, branch="metastable")) == 0.0
    sol = gap_solutions(T, 0.65)
    assert len(sol["delta"]) == 2 and sol["is_minimum"].tolist() == [False, True]


def test_gap_accepts_tc_strings_and_rejects_bad_branch():
    assert float(gap("0.5 Tc", 0.0)) == pytest.approx(float(gap(0.5 * Tc, 0.0)))
    with pytest.raises(ValueError, match="branch"):
        gap(0.1, 0.0, branch="nope")
