"""DOS kernels: Eq. (1) of seed 004 and the tilted form of seed 000."""

import mpmath
import numpy as np
import pytest

from fastspin.kernels.dos import (
    bcs_dos,
    bcs_dos_array,
    bcs_dos_derivative,
    ferromagnet_dos,
    spin_split_dos,
    spin_split_dos_tilted,
)

from reference import dynes_dos


@pytest.mark.parametrize("dynes", [1e-7, 1e-5, 1e-3, 1e-1])
def test_matches_complex_formula(dynes):
    rng = np.random.default_rng(3)
    energies = np.concatenate(
        [rng.uniform(-6, 6, 600), 0.93 + rng.normal(0, 10 * dynes, 300), -0.93 + rng.normal(0, dynes, 300)]
    )
    ours = bcs_dos_array(energies, 0.93, dynes)
    # 40-digit reference: the double-precision complex formula itself loses digits
    # to cancellation in z² − Δ² next to the edge, the kernel does not.
    mpmath.mp.dps = 40
    ref = np.array(
        [
            float(abs(mpmath.re(z / mpmath.sqrt(z * z - mpmath.mpf(0.93) ** 2))))
            for z in (mpmath.mpc(mpmath.mpf(float(e)), mpmath.mpf(dynes)) for e in energies)
        ]
    )
    np.testing.assert_allclose(ours, ref, rtol=1e-12)
    far = np.array([dynes_dos(e, 0.93, dynes) for e in energies[:100]])
    np.testing.assert_allclose(ours[:100], far, rtol=1e-9)


def test_limits_and_symmetries():
    # normal metal, far from the gap, BCS form without broadening
    assert bcs_dos(0.3, 0.0, 1e-3) == 1.0
    assert bcs_dos(200.0, 1.0, 1e-4) == pytest.approx(1.0, abs=2e-5)
    e = 1.7
    assert bcs_dos(e, 1.0, 1e-12) == pytest.approx(e / np.sqrt(e * e - 1), rel=1e-10)
    assert bcs_dos(0.2, 1.0, 1e-12) < 1e-10  # empty gap
    # particle-hole: N_sigma(E) = N_-sigma(-E)  (seed 004 below Eq. (1))
    for energy in (-1.3, -0.2, 0.7, 1.45):
        assert spin_split_dos(energy, 1.0, 0.3, 1.0, 1e-3) == pytest.approx(
            spin_split_dos(-energy, 1.0, 0.3, -1.0, 1e-3), rel=1e-14
        )


def test_tilted_form_reduces_and_sums():
    # h along +z: N_S,sigma(eps) = N0(eps - sigma h); along x both spins see the mean
    for energy in (-1.4, 0.5, 1.2):
        assert spin_split_dos_tilted(energy, 1.0, 0.3, 1.0, 1.0, 1e-3) == pytest.approx(bcs_dos(energy - 0.3, 1.0, 1e-3))
        assert spin_split_dos_tilted(energy, 1.0, 0.3, 1.0, -1.0, 1e-3) == pytest.approx(bcs_dos(energy + 0.3, 1.0, 1e-3))
        mean = 0.5 * (bcs_dos(energy - 0.3, 1.0, 1e-3) + bcs_dos(energy + 0.3, 1.0, 1e-3))
        for spin in (1.0, -1.0):
            assert spin_split_dos_tilted(energy, 1.0, 0.3, 0.0, spin, 1e-3) == pytest.approx(mean)
    assert ferromagnet_dos(0.4, 1.0) + ferromagnet_dos(0.4, -1.0) == 2.0


@pytest.mark.parametrize("energy", [-2.0, -1.0005, -0.4, 0.3, 0.999, 1.02, 3.0])
def test_derivative_matches_finite_difference(energy):
    step = 1e-7
    numeric = (bcs_dos(energy + step, 1.0, 1e-2) - bcs_dos(energy - step, 1.0, 1e-2)) / (2 * step)
    assert bcs_dos_derivative(energy, 1.0, 1e-2) == pytest.approx(numeric, rel=1e-6, abs=1e-8)
