"""The shared convolution engine against scipy quad with breakpoints.

Stated accuracy (kernels/convolution.py): 1e-6 relative or 1e-9 absolute, whichever
is looser, for Dynes Γ in [1e-5, 1e-1] Δ0, T in [0.01 Tc, Tc], |eV| <= 4 Δ0.
"""

import itertools
import math

import numpy as np
import pytest

from fastspin.kernels import convolution as cv
from fastspin.physics.sis import sis_terms

from reference import TC, dynes_dos, fermi, graded, piecewise_quad, sis_spin_current

DELTA_S, DELTA_SM, H = 0.83, 0.97, 0.31


def within_stated_accuracy(value, reference):
    return abs(value - reference) <= max(1e-6 * abs(reference), 1e-9)


CASES = list(
    itertools.product(
        [1e-5, 1e-3, 1e-1],  # dynes
        [(0.01 * TC, 0.01 * TC), (0.7 * TC, 0.01 * TC), (TC, 0.3 * TC)],  # (T_S, T_Sm)
        [0.07, DELTA_S - (DELTA_SM - H), 1.2, -3.9, 4.0],  # V, incl. a matching peak
    )
)


@pytest.mark.parametrize(("dynes", "temps", "V"), CASES)
def test_sis_currents_match_quad(dynes, temps, V):
    T_S, T_Sm = temps
    terms = sis_terms(V, H, DELTA_S, DELTA_SM, T_S, T_Sm, dynes)[0]
    values, errors = cv.integrate(terms, 3)
    for out, spin in ((0, 1.0), (1, -1.0)):
        ref, ref_err = sis_spin_current(V, H, spin, DELTA_S, DELTA_SM, T_S, T_Sm, dynes)
        assert ref_err < 1e-10
        assert within_stated_accuracy(values[out], ref), (values[out], ref)
    heat = sum(sis_spin_current(V, H, s, DELTA_S, DELTA_SM, T_S, T_Sm, dynes, weight_power=1)[0] for s in (1, -1))
    assert within_stated_accuracy(values[2], heat), (values[2], heat)


@pytest.mark.parametrize("dynes", [1e-5, 1e-2])
def test_noise_and_derivative_modes_match_quad(dynes):
    """MODE_NOISE: ∫ N_a N_b [f_L(1-f_R) + f_R(1-f_L)], MODE_DERIVATIVE: ∫ ε² N_b (-f')."""
    T_L, T_R, mu_L = 0.2, 0.05, 0.6
    terms = cv.make_terms(2)
    t = terms[0]
    t[[cv.COL_COEFF, cv.COL_DELTA_A, cv.COL_SHIFT_A, cv.COL_DYNES_A]] = [1.0, 1.0, mu_L, dynes]
    t[[cv.COL_DELTA_B, cv.COL_SHIFT_B, cv.COL_DYNES_B]] = [0.9, 0.2, dynes]
    t[[cv.COL_MU_L, cv.COL_T_L, cv.COL_MU_R, cv.COL_T_R, cv.COL_MODE, cv.COL_OUT0]] = [
        mu_L, T_L, 0.0, T_R, cv.MODE_NOISE, 0
    ]
    d = terms[1]
    d[[cv.COL_COEFF, cv.COL_DELTA_B, cv.COL_SHIFT_B, cv.COL_DYNES_B]] = [1.0, 0.9, -0.3, dynes]
    d[[cv.COL_MU_L, cv.COL_T_L, cv.COL_MODE, cv.COL_OUT2]] = [0.0, T_L, cv.MODE_DERIVATIVE, 1]
    values, _ = cv.integrate(terms, 2)

    def noise(e):
        fl, fr = fermi(e - mu_L, T_L), fermi(e, T_R)
        return dynes_dos(e - mu_L, 1.0, dynes) * dynes_dos(e - 0.2, 0.9, dynes) * (fl * (1 - fr) + fr * (1 - fl))

    def second_moment(e):
        x = e / T_L
        minus_df = 1.0 / (4 * T_L * math.cosh(0.5 * x) ** 2) if abs(x) < 700 else 0.0
        return e * e * dynes_dos(e + 0.3, 0.9, dynes) * minus_df

    ref_noise, _ = piecewise_quad(noise, -10, 11, graded([mu_L - 1, mu_L + 1, -0.7, 1.1], dynes) + [0.0, mu_L])
    ref_moment, _ = piecewise_quad(second_moment, -9, 9, graded([-1.2, 0.6], dynes) + [0.0])
    assert within_stated_accuracy(values[0], ref_noise)
    assert within_stated_accuracy(values[1], ref_moment)


def test_breakpoints_cover_singularities_and_window():
    terms = sis_terms(0.5, 0.2, 1.0, 0.9, 0.1, 0.02, 1e-4)[0]
    points, scales = cv.breakpoints(terms)
    for p in (0.5 - 1.0, 0.5 + 1.0, 0.2 - 0.9, 0.2 + 0.9, -0.2 - 0.9, -0.2 + 0.9):
        assert np.min(np.abs(points - p)) < 1e-14
    assert points[0] == pytest.approx(0.0 - 40 * 0.1)
    assert points[-1] == pytest.approx(0.5 + 40 * 0.1)
    assert np.all(np.diff(points) > 0)
    assert np.isinf(scales[0]) and np.isinf(scales[-1])


def test_batch_serial_and_parallel_agree_exactly():
    V = np.linspace(-2, 2, 41)
    terms = sis_terms(V, 0.3, 0.9, 1.0, 0.3, 0.01, 1e-3)
    serial, _ = cv.integrate_term_batch(terms, 3, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL)
    parallel, _ = cv.integrate_term_batch_parallel(terms, 3, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL)
    np.testing.assert_array_equal(serial, parallel)


def _retarded_root(energy, delta, dynes):
    """√((E + iΓ)² − Δ²) on the retarded branch, continuous along E + iΓ."""
    z = energy + 1j * dynes
    return np.sqrt(z - delta) * np.sqrt(z + delta)


@pytest.mark.parametrize(
    ("delta", "dynes", "edge_sign", "level"),
    [(1.0, 1e-4, 1.0, 2), (0.83, 1e-5, -1.0, 4), (1.0, 1e-3, 1.0, 0), (0.4, 1e-1, -1.0, 0)],
)
def test_product_weights_integrate_dynes_dos_exactly(delta, dynes, edge_sign, level):
    """Closed forms: ∫ N0 dE = Re s and ∫ N0 E dE = Re[(z s + Δ² ln(z + s))/2 − iΓ s], s = √(z² − Δ²).

    The product rule must reproduce both to rounding (it is exact for polynomials of
    degree < PRODUCT_NODES times the Dynes DOS), and a smooth non-polynomial g to 1e-12.
    """
    half = delta * 0.5 ** (level + 1)
    edge = edge_sign * delta
    weights = cv.product_weights(delta, dynes, edge_sign, half)
    nodes = edge + half * np.polynomial.legendre.leggauss(cv.PRODUCT_NODES)[0]

    def first_moment(E):
        z = E + 1j * dynes
        s = _retarded_root(E, delta, dynes)
        return (z * s + delta**2 * np.log(z + s)) / 2 - 1j * dynes * s

    zeroth = (_retarded_root(edge + half, delta, dynes) - _retarded_root(edge - half, delta, dynes)).real
    first = (first_moment(edge + half) - first_moment(edge - half)).real
    assert weights.sum() == pytest.approx(zeroth, rel=1e-13)
    assert (weights * nodes).sum() == pytest.approx(first, rel=1e-13, abs=1e-15)
    # a Fermi factor whose poles are 2.5 half-widths away (the selection's clearance)
    temperature = cv.PRODUCT_CLEARANCE * half / math.pi
    reference, _ = piecewise_quad(
        lambda E: dynes_dos(E, delta, dynes) * fermi(E - edge, temperature),
        edge - half, edge + half, graded([edge], dynes),
    )
    product = (weights * np.array([fermi(x - edge, temperature) for x in nodes])).sum()
    assert product == pytest.approx(reference, rel=1e-11)


def test_product_panels_skip_coinciding_edges_and_keep_clearance():
    """A bias curve uses product panels at the DOS edges; a matching peak falls back to grading."""
    generic = cv.prepare_plan(sis_terms(0.37, H, DELTA_S, DELTA_SM, 0.7 * TC, 0.01 * TC, 1e-4)[0])
    chosen = cv.product_panels(generic, -20.0, 20.0)
    assert len(chosen) >= 4
    dos_table = generic[0]
    for factor, sign, level in chosen:
        edge = dos_table[factor, 1] + sign * dos_table[factor, 0]
        half = dos_table[factor, 0] * 0.5 ** (level + 1)
        for other in range(dos_table.shape[0]):
            if other != factor and dos_table[other, 0] > 0:
                for s in (-1, 1):
                    obstacle = dos_table[other, 1] + s * dos_table[other, 0]
                    assert abs(obstacle - edge) >= cv.PRODUCT_CLEARANCE * half
    # at V = Δ_S + Δ_Sm − h an S edge sits on an Sm edge: neither may get a product panel
    matching = DELTA_S + DELTA_SM - H
    plan = cv.prepare_plan(sis_terms(matching, H, DELTA_S, DELTA_SM, 0.7 * TC, 0.01 * TC, 1e-4)[0])
    edges = [plan[0][f, 1] + s * plan[0][f, 0] for f, s, _ in cv.product_panels(plan, -20.0, 20.0)]
    assert all(abs(e - (matching - DELTA_S)) > 1e-3 for e in edges)


def test_results_do_not_depend_on_the_weight_cache_history():
    """A weight set is a function of its key only: a cold cache, a warm one, and one that
    has wrapped around (more keys than PRODUCT_CACHE_SIZE) give bit-identical integrals."""
    curve = sis_terms(np.linspace(-3.0, 3.0, 41), H, DELTA_S, DELTA_SM, 0.7 * TC, 0.01 * TC, 1e-4)
    cold, _ = cv.integrate_term_batch_cached(curve, 3, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL, cv.new_weight_cache())
    cache = cv.new_weight_cache()
    # fill the cache past its size with other gaps, so the curve's keys are evicted and recomputed
    for delta in np.linspace(0.5, 1.0, cv.PRODUCT_CACHE_SIZE // 2 + 8):
        cv.integrate_term_batch_cached(
            sis_terms(np.array([0.3, 1.7]), H, delta, delta, 0.7 * TC, 0.01 * TC, 1e-4),
            3, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL, cache,
        )
    assert cache[2][0] > cv.PRODUCT_CACHE_SIZE
    wrapped, _ = cv.integrate_term_batch_cached(curve, 3, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL, cache)
    warm, _ = cv.integrate_term_batch_cached(curve, 3, cv.DEFAULT_RTOL, cv.DEFAULT_ATOL, cache)
    np.testing.assert_array_equal(cold, wrapped)
    np.testing.assert_array_equal(cold, warm)
