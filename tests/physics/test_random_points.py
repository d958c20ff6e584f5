"""Engine accuracy at random points of the whole stated box, matching peaks included.

The default tests check chosen points; these draw seeded random ones, with ~30 % placed
within ~30 Γ of a matching voltage or of an F Fermi step sitting on an S edge, where the
product panels must give way to grading.  Stated accuracy (kernels/convolution.py): 1e-6
relative or 1e-9 absolute against scipy quad with graded breakpoints (~5 s).
"""

import numpy as np
from test_fis import OUTPUTS, quad_reference

from fastspin.kernels import convolution as cv
from fastspin.physics.fis import fis_currents
from fastspin.physics.sis import sis_terms

from reference import TC, sis_spin_current


def error_over_tolerance(value: float, reference: float) -> float:
    return abs(value - reference) / max(1e-6 * abs(reference), 1e-9)


def test_sis_random_points_within_stated_accuracy():
    rng = np.random.default_rng(7)
    worst = 0.0
    for _ in range(150):
        dynes = 10 ** rng.uniform(-5, -1)
        T_S, T_Sm = rng.uniform(0.01, 1.0, 2) * TC
        h = rng.uniform(0.0, 0.7)
        delta_S, delta_Sm = rng.uniform(0.2, 1.0, 2)
        V = rng.uniform(-4.0, 4.0)
        if rng.random() < 0.3:
            V = delta_S + rng.choice([-1, 1]) * delta_Sm + rng.choice([-1, 1]) * h + rng.normal(0, 30 * dynes)
        values, _ = cv.integrate(sis_terms(V, h, delta_S, delta_Sm, T_S, T_Sm, dynes)[0], 3)
        for out, spin in ((0, 1.0), (1, -1.0)):
            reference = sis_spin_current(V, h, spin, delta_S, delta_Sm, T_S, T_Sm, dynes)[0]
            worst = max(worst, error_over_tolerance(values[out], reference))
    assert worst <= 1.0


def test_fis_random_points_within_stated_accuracy():
    rng = np.random.default_rng(11)
    worst = 0.0
    for _ in range(40):
        point = {
            "V": rng.uniform(-3, 3), "h": rng.uniform(-0.6, 0.6),
            "h_angle": rng.choice([0.0, np.pi, np.pi / 2, rng.uniform(0, np.pi)]),
            "P": rng.uniform(-0.9, 0.9), "theta": rng.uniform(0.05, 3.1), "Omega": rng.uniform(-2, 2),
            "T_S": rng.uniform(0.01, 1.0) * TC, "T_F": rng.uniform(0.01, 1.0) * TC,
            "dynes": 10 ** rng.uniform(-5, -1),
        }
        delta = rng.uniform(0.2, 1.0)
        if rng.random() < 0.3:  # an F Fermi step μ = V + Ω_σσ' on an S edge ±Δ ± h
            point["V"] = (rng.choice([-1, 1]) * delta + rng.choice([-1, 1]) * point["h"]
                          - 0.5 * rng.choice([-1, 1]) * point["Omega"] + rng.normal(0, 30 * point["dynes"]))
        result = fis_currents(**{k: np.array([v]) for k, v in point.items()}, delta=np.array([delta]))
        reference = quad_reference(**point, delta=delta)
        for name in OUTPUTS:
            worst = max(worst, error_over_tolerance(float(result[name][0]), reference[name]))
    assert worst <= 1.0
