r"""The shared tunnelling-convolution engine.

Every transport model in fastspin reduces to integrals of the form

.. math::

    J_o = \sum_{k \in \text{terms}} c_k \int d\varepsilon\,
          (\varepsilon - w_k)^{n}\, N_{a,k}(\varepsilon - s_{a,k})\, N_{b,k}(\varepsilon - s_{b,k})\,
          F_k(\varepsilon)

where each N is a Dynes-broadened BCS DOS (:func:`fastspin.kernels.dos.bcs_dos`, with
Δ = 0 giving a normal metal or a ferromagnet, whose constant 1 + σP goes into c_k;
``COL_DERIV_B`` = 1 replaces N_b by its energy derivative),
the weight power n is 0, 1 or 2 (charge, energy and second-moment currents), and the
occupation factor F_k is one of

* ``MODE_DIFFERENCE``: f(ε − μ_L, T_L) − f(ε − μ_R, T_R)  (currents, Eq. (2) of Germanese et al. (2021),
  Eqs. (3)–(5) of Ojajärvi et al. (2020));
* ``MODE_NOISE``: f_L(1 − f_R) + f_R(1 − f_L)  (symmetrised noise, Eq. (20) of Ojajärvi et al. (2020));
* ``MODE_FORWARD``: f_L(1 − f_R)  (one-directional rates, counting statistics);
* ``MODE_DERIVATIVE``: −∂f/∂ε (ε − μ_L, T_L)  (linear-response coefficients).

*Exponential counting weight* (``COL_KAPPA_RE``, ``COL_KAPPA_IM``): a term with a complex
rate κ = κ_re + iκ_im ≠ 0 replaces the power weight by e^{κ(ε − w_k)} and writes the real
part of its integral into ``COL_OUT0`` and the imaginary part into ``COL_OUT1``
(``COL_OUT2`` is ignored).  κ = 0 (what :func:`make_terms` leaves) means no exponential,
so tables without these columns set have no exponential weight.  This is the ε-dependence
e^{±i(ξ_S − ξ_F)ε} of the counting fields of Eq. (20) of Ojajärvi et al. (2020).  The integrand then
decays as e^{−r|ε|} with r = 1/T − |κ_re| (per side for ``MODE_FORWARD``: 1/T_L − κ_re
above, 1/T_R + κ_re below); the window below is widened to 40/r past the steps.  The
caller must keep r > 0 (the integral diverges otherwise; :mod:`fastspin.physics.fis` rejects such
sources); r is floored at 1e-3/T here so the window stays finite.  Oscillation e^{iκ_im ε}
is resolved by the adaptive bisection: tested for |κ_im| up to 20/T (the stated accuracy
below holds there, ``tests/test_fis.py``).

A *term table* (one row per term, columns named by the ``COL_*`` constants) describes
the whole integrand; a term adds its n = 0, 1, 2 moments into the outputs named in
``COL_OUT0..COL_OUT2`` (−1 = not wanted).  Models build term tables; this module owns
all the numerics, so every model shares one compiled engine.

Numerics
--------
* Breakpoints at every DOS singularity s ± Δ of every term.  Fermi steps, which are
  analytic in |Im ε| < πT, get panel edges only where the panels around them are wider
  than a few k_B T (:func:`_place_fermi_steps`).
* Product integration at the DOS edges (:func:`product_panels`, :func:`product_weights`):
  next to an edge e of one DOS factor N the integrand is N(ε)·g(ε) with g smooth as long
  as every other singularity (other DOS edges, Fermi poles μ ± iπT) is far away.  One
  20-node panel [e − δ, e + δ], δ = Δ/2^(L+1) ≥ 16 Γ the largest with all of them at
  least 2.5 δ away, integrates N exactly against the interpolant of g (weights from
  Legendre moments of N, computed once per (Δ, Γ, edge, L) and cached for a whole batch
  and, in :func:`integrate_batch`, per thread across calls).  It replaces the 6–10
  graded panels an edge needs otherwise.  Edges that coincide with another singularity
  (matching peaks, S–I–S at V = 0) and DOS derivatives keep the grading below.
* Panels next to any other DOS singularity are graded geometrically (ratio 8) outward
  from a first panel of width Γ (the Dynes broadening), on both sides: the (E − Δ)^(−1/2)
  edge, and the ∝ 1/(E − E0) product of two coinciding edges, become smooth on each
  panel, so Gauss–Kronrod converges fast without clipping the DOS.  Next to a product
  panel the grading starts at 2δ.
* Each distinct DOS factor and Fermi function is evaluated once per node
  (:func:`prepare_plan`), in one unit-stride loop over the nodes of many panels at once
  (all initial Kronrod panels; the product panels of one DOS factor; both halves of a
  bisection), which LLVM vectorises: every kernel in the loop is branch-free, and
  ``error_model="numpy"`` drops the per-division ZeroDivisionError check (no
  denominator here vanishes for Γ > 0).
* The window is cut from the Fermi factors: [min μ − 40 T_max, max μ + 40 T_max], where
  every occupation factor above is below e^(−40) ≈ 4e−18 (40/r instead of 40 T for
  terms with an exponential weight, see above).
* Every other panel is integrated with the 15-point Gauss–Kronrod rule (QUADPACK's error
  estimate); the panel with the largest error relative to the requested tolerance is
  bisected until every output meets |error| ≤ max(rtol·|J_o|, atol).  Product panels are
  accurate a priori (to ~1e-13 of ∫|N g|, see :func:`product_weights`) and never bisected.

Accuracy (tested against scipy.integrate.quad with breakpoints, ``tests/test_convolution.py``):
with the defaults rtol = 1e-5, atol = 1e-10 (applied to QUADPACK's error estimate,
which for these integrands overstates the true error by 10³–10⁶) the result agrees with the reference to 1e-6 relative or 1e-9 absolute (in
the units of c_k·energy^(n+1)), whichever is looser, for Dynes Γ from 1e-5 to 1e-1 Δ0,
T from 0.01 Tc to Tc and |eV| up to 4 Δ0; the observed worst error over that box is
below 1e-9 relative (``bench/bench_sis.py`` prints it).
"""

from __future__ import annotations

import math
import threading

import numpy as np
from numba import njit, prange

from fastspin.kernels.distributions import fermi_pair_of_ratio
from fastspin.kernels.dos import bcs_dos, bcs_dos_derivative

# -- term-table layout -------------------------------------------------------------
COL_COEFF = 0
COL_DELTA_A = 1
COL_SHIFT_A = 2
COL_DYNES_A = 3
COL_DELTA_B = 4
COL_SHIFT_B = 5
COL_DYNES_B = 6
COL_MU_L = 7
COL_T_L = 8
COL_MU_R = 9
COL_T_R = 10
COL_MODE = 11
COL_WEIGHT_SHIFT = 12
COL_OUT0 = 13
COL_OUT1 = 14
COL_OUT2 = 15
#: 1 = use dN_b/dε instead of N_b (closed-form zero-bias conductances)
COL_DERIV_B = 16
#: complex rate κ of the exponential weight e^{κ(ε − w)}; κ ≠ 0 writes Re → OUT0, Im → OUT1
COL_KAPPA_RE = 17
COL_KAPPA_IM = 18
N_COLUMNS = 19

MODE_DIFFERENCE = 0
MODE_NOISE = 1
MODE_FORWARD = 2
MODE_DERIVATIVE = 3

#: Fermi tails are cut this many k_B T past the outermost step (e^-40 ≈ 4e-18).
WINDOW_IN_T = 40.0
#: geometric grading ratio of the panels next to a DOS singularity
GRADING_RATIO = 8.0
# grading levels per side are capped: 8^24 ≈ 5e21 covers Γ = 1e-14 Δ up to any window
_MAX_LEVELS = 24
#: Gauss–Legendre nodes of a product-integration panel (see :func:`product_weights`)
PRODUCT_NODES = 20
#: a product panel of half-width δ needs every other singularity ≥ this many δ from its centre
PRODUCT_CLEARANCE = 2.5
#: product panels narrower than this many Dynes Γ save nothing over grading: not used
PRODUCT_MIN_WIDTH_IN_DYNES = 16.0
#: product panel half-widths are Δ/2, Δ/4, …: this many levels at most
PRODUCT_LEVELS = 24
#: weight sets kept per batch (keys: Δ, Γ, edge sign, level)
PRODUCT_CACHE_SIZE = 64
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(PRODUCT_NODES)
#: chunks of :func:`integrate_term_batch_parallel` (each computes its own product weights)
_PARALLEL_CHUNKS = 32
#: default tolerances of the integrators
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-10
DEFAULT_MAX_PANELS = 6000

# 15-point Kronrod / 7-point Gauss nodes and weights (QUADPACK qk15).
_XGK = np.array(
    [
        0.991455371120812639206854697526329,
        0.949107912342758524526189684047851,
        0.864864423359769072789712788640926,
        0.741531185599394439863864773280788,
        0.586087235467691130294144845693013,
        0.405845151377397166906606412076961,
        0.207784955007898467600689403773245,
        0.000000000000000000000000000000000,
    ]
)
_WGK = np.array(
    [
        0.022935322010529224963732008058970,
        0.063092092629978553290700663189204,
        0.104790010322250183839876322541518,
        0.140653259715525918745189590510238,
        0.169004726639267902826583426598550,
        0.190350578064785409913256402421014,
        0.204432940075298892414161999234649,
        0.209482141084727828012999174891714,
    ]
)
_WG = np.array(
    [
        0.129484966168869693270611432679082,
        0.279705391489276667901467771423780,
        0.381830050505118944950369775488975,
        0.417959183673469387755102040816327,
    ]
)


def make_terms(n_terms: int) -> np.ndarray:
    """An empty term table: zero coefficients, normal DOS, no outputs."""
    terms = np.zeros((n_terms, N_COLUMNS))
    terms[:, COL_T_L] = 1.0
    terms[:, COL_T_R] = 1.0
    terms[:, COL_OUT0 : COL_OUT2 + 1] = -1.0
    return terms


# columns of the integer plan computed once per table by :func:`prepare_plan`
_P_DOS_A, _P_DOS_B, _P_OCC, _P_OUT0, _P_OUT1, _P_OUT2 = range(6)


@njit(cache=True, nogil=True, error_model="numpy")
def _find_row(table: np.ndarray, n: int, row: np.ndarray) -> int:
    """Index of ``row`` among the first ``n`` rows of ``table``, or -1."""
    for i in range(n):
        same = True
        for c in range(row.size):
            if table[i, c] != row[c]:
                same = False
                break
        if same:
            return i
    return -1


@njit(cache=True, nogil=True, error_model="numpy")
def prepare_plan(terms: np.ndarray):
    """Deduplicate the factors of a term table once per integral.

    Returns ``(dos_table, occ_table, plan, coeff, weight_shift, kappa, fermi_table,
    occ_fermi)``: the distinct DOS factors (Δ, shift, Γ, derivative flag), the distinct
    occupation factors (mode, μ_L, T_L, μ_R, T_R), for every active term the indices of
    its two DOS factors, its occupation factor, its three output slots and its rate κ
    (n, 2); then the distinct Fermi functions (μ, T, 1 if 1 − f is needed) and, per
    occupation factor, the indices of its two (−1: none).  At each node the
    integrand then evaluates every distinct factor once, whatever the order of the
    rows (fis tables share f_S and N_S across many (σ, σ′) channels).
    """
    n = terms.shape[0]
    dos_table = np.empty((2 * n, 4))
    occ_table = np.empty((n, 5))
    plan = np.empty((n, 6), dtype=np.int64)
    coeff = np.empty(n)
    weight_shift = np.empty(n)
    kappa = np.empty((n, 2))
    n_dos = 0
    n_occ = 0
    n_active = 0
    row_dos = np.empty(4)
    row_occ = np.empty(5)
    for k in range(n):
        if terms[k, COL_COEFF] == 0.0:
            continue
        for side in range(2):
            if side == 0:
                row_dos[0] = terms[k, COL_DELTA_A]
                row_dos[1] = terms[k, COL_SHIFT_A]
                row_dos[2] = terms[k, COL_DYNES_A]
                row_dos[3] = 0.0
            else:
                row_dos[0] = terms[k, COL_DELTA_B]
                row_dos[1] = terms[k, COL_SHIFT_B]
                row_dos[2] = terms[k, COL_DYNES_B]
                row_dos[3] = 1.0 if terms[k, COL_DERIV_B] != 0.0 else 0.0
            index = _find_row(dos_table, n_dos, row_dos)
            if index < 0:
                dos_table[n_dos] = row_dos
                index = n_dos
                n_dos += 1
            plan[n_active, _P_DOS_A + side] = index
        row_occ[0] = terms[k, COL_MODE]
        row_occ[1] = terms[k, COL_MU_L]
        row_occ[2] = terms[k, COL_T_L]
        row_occ[3] = terms[k, COL_MU_R]
        row_occ[4] = terms[k, COL_T_R]
        index = _find_row(occ_table, n_occ, row_occ)
        if index < 0:
            occ_table[n_occ] = row_occ
            index = n_occ
            n_occ += 1
        plan[n_active, _P_OCC] = index
        plan[n_active, _P_OUT0] = int(terms[k, COL_OUT0])
        plan[n_active, _P_OUT1] = int(terms[k, COL_OUT1])
        plan[n_active, _P_OUT2] = int(terms[k, COL_OUT2])
        coeff[n_active] = terms[k, COL_COEFF]
        weight_shift[n_active] = terms[k, COL_WEIGHT_SHIFT]
        kappa[n_active, 0] = terms[k, COL_KAPPA_RE]
        kappa[n_active, 1] = terms[k, COL_KAPPA_IM]
        n_active += 1
    # the distinct Fermi functions (μ, T) behind the occupation factors: fis tables share
    # f_S(ε) across all four (σ, σ') channels, so this saves 3 of 8 exponentials per node
    # (μ, T, complement needed: 1.0 unless only MODE_DIFFERENCE factors use it)
    fermi_table = np.zeros((2 * n_occ, 3))
    occ_fermi = np.full((n_occ, 2), -1, dtype=np.int64)
    n_fermi = 0
    row_fermi = np.empty(2)
    for i in range(n_occ):
        mode = int(occ_table[i, 0])
        for side in range(2):
            if side == 1 and mode == MODE_DERIVATIVE:
                continue
            row_fermi[0] = occ_table[i, 1 + 2 * side]
            row_fermi[1] = occ_table[i, 2 + 2 * side]
            index = _find_row(fermi_table[:, :2], n_fermi, row_fermi)
            if index < 0:
                fermi_table[n_fermi, :2] = row_fermi
                index = n_fermi
                n_fermi += 1
            if mode != MODE_DIFFERENCE:
                fermi_table[index, 2] = 1.0
            occ_fermi[i, side] = index
    return (
        dos_table[:n_dos],
        occ_table[:n_occ],
        plan[:n_active],
        coeff[:n_active],
        weight_shift[:n_active],
        kappa[:n_active],
        fermi_table[:n_fermi],
        occ_fermi,
    )


@njit(cache=True, nogil=True, error_model="numpy")
def integrand_nodes(
    energies: np.ndarray,
    plan_tuple,
    scratch_dos: np.ndarray,
    scratch_occ: np.ndarray,
    out: np.ndarray,
    out_singular: np.ndarray,
    singular_factor: int,
) -> None:
    """All terms' n = 0, 1, 2 moments at every energy of ``energies`` into ``out``.

    ``out`` has shape (n_out, ≥ len(energies)); its first len(energies) columns are
    overwritten.  Each distinct DOS and occupation factor of the plan
    (:func:`prepare_plan`) is evaluated for all nodes in one unit-stride inner loop,
    which LLVM vectorises (the kernels are branch-free and compiled with
    ``error_model="numpy"``, so a division carries no ZeroDivisionError check): the
    callers pass the nodes of many panels at once to keep these loops long.

    Product integration (``singular_factor`` ≥ 0, an index into the plan's DOS table):
    that factor is left out (taken as 1), and the terms containing it go to
    ``out_singular`` instead of ``out``, ready to be weighted by
    :func:`product_weights`.  With ``singular_factor`` = −1 (the plain rule) pass
    ``out`` twice.
    """
    dos_table, occ_table, plan, coeff, weight_shift, kappa, fermi_table, occ_fermi = plan_tuple
    n_nodes = energies.size
    n_occ = occ_table.shape[0]
    n_fermi = fermi_table.shape[0]
    for i in range(dos_table.shape[0]):
        if i == singular_factor:
            for j in range(n_nodes):
                scratch_dos[i, j] = 1.0
            continue
        delta = dos_table[i, 0]
        shift = dos_table[i, 1]
        dynes = dos_table[i, 2]
        if dos_table[i, 3] != 0.0:
            for j in range(n_nodes):
                scratch_dos[i, j] = bcs_dos_derivative(energies[j] - shift, delta, dynes)
        else:
            for j in range(n_nodes):
                scratch_dos[i, j] = bcs_dos(energies[j] - shift, delta, dynes)
    # each distinct Fermi function once, with its complement 1 − f = f(−x) from the same
    # exponential (full relative precision in both tails, as kernels.distributions.fermi):
    # rows n_occ.. of scratch_occ hold f, rows n_occ + n_fermi.. hold 1 − f.  x = (ε − μ)·β
    # with β = 1/T taken once: a multiplication per node instead of a division (the
    # divider is what bounds these loops); x then differs from (ε − μ)/T by ≤ 1 ulp.
    for i in range(n_fermi):
        mu = fermi_table[i, 0]
        beta = 1.0 / fermi_table[i, 1]
        if fermi_table[i, 2] != 0.0:
            for j in range(n_nodes):
                occupied, empty = fermi_pair_of_ratio((energies[j] - mu) * beta)
                scratch_occ[n_occ + i, j] = occupied
                scratch_occ[n_occ + n_fermi + i, j] = empty
        else:  # only differences use it: no complement
            for j in range(n_nodes):
                scratch_occ[n_occ + i, j] = fermi_pair_of_ratio((energies[j] - mu) * beta)[0]
    for i in range(n_occ):
        mode = int(occ_table[i, 0])
        f_l = n_occ + occ_fermi[i, 0]
        f_r = n_occ + occ_fermi[i, 1]
        c_l = f_l + n_fermi
        c_r = f_r + n_fermi
        if mode == MODE_DIFFERENCE:
            for j in range(n_nodes):
                scratch_occ[i, j] = scratch_occ[f_l, j] - scratch_occ[f_r, j]
        elif mode == MODE_DERIVATIVE:  # −∂f/∂ε = f(1 − f)/T
            inverse_t = 1.0 / occ_table[i, 2]
            for j in range(n_nodes):
                scratch_occ[i, j] = scratch_occ[f_l, j] * scratch_occ[c_l, j] * inverse_t
        elif mode == MODE_FORWARD:
            for j in range(n_nodes):
                scratch_occ[i, j] = scratch_occ[f_l, j] * scratch_occ[c_r, j]
        else:  # MODE_NOISE
            for j in range(n_nodes):
                scratch_occ[i, j] = (
                    scratch_occ[f_l, j] * scratch_occ[c_r, j] + scratch_occ[f_r, j] * scratch_occ[c_l, j]
                )
    out[:, :n_nodes] = 0.0
    out_singular[:, :n_nodes] = 0.0
    for k in range(plan.shape[0]):
        ia = plan[k, _P_DOS_A]
        ib = plan[k, _P_DOS_B]
        io = plan[k, _P_OCC]
        o0 = plan[k, _P_OUT0]
        o1 = plan[k, _P_OUT1]
        o2 = plan[k, _P_OUT2]
        c = coeff[k]
        w = weight_shift[k]
        target = out_singular if (ia == singular_factor or ib == singular_factor) else out
        kappa_re = kappa[k, 0]
        kappa_im = kappa[k, 1]
        if kappa_re != 0.0 or kappa_im != 0.0:  # exponential weight: Re → o0, Im → o1
            for j in range(n_nodes):
                x = energies[j] - w
                base = c * scratch_dos[ia, j] * scratch_dos[ib, j] * scratch_occ[io, j] * math.exp(kappa_re * x)
                target[o0, j] += base * math.cos(kappa_im * x)
                target[o1, j] += base * math.sin(kappa_im * x)
            continue
        if o0 >= 0:
            for j in range(n_nodes):
                target[o0, j] += c * scratch_dos[ia, j] * scratch_dos[ib, j] * scratch_occ[io, j]
        if o1 >= 0:
            for j in range(n_nodes):
                target[o1, j] += c * scratch_dos[ia, j] * scratch_dos[ib, j] * scratch_occ[io, j] * (energies[j] - w)
        if o2 >= 0:
            for j in range(n_nodes):
                weight = energies[j] - w
                target[o2, j] += c * scratch_dos[ia, j] * scratch_dos[ib, j] * scratch_occ[io, j] * weight * weight


@njit(cache=True, nogil=True, error_model="numpy")
def _kronrod_nodes(a: np.ndarray, b: np.ndarray, count: int, nodes: np.ndarray) -> None:
    """The 15 Kronrod nodes of the panels [a[m], b[m]], m < count, node-major.

    Node j of panel m goes to nodes[j·count + m] (j = 0..14 in increasing order), so that
    :func:`_kronrod_rules` runs unit-stride loops over the panels.
    """
    for m in range(count):
        centre = 0.5 * (a[m] + b[m])
        half = 0.5 * (b[m] - a[m])
        nodes[7 * count + m] = centre
        for j in range(7):
            dx = half * _XGK[j]
            nodes[j * count + m] = centre - dx
            nodes[(14 - j) * count + m] = centre + dx


@njit(cache=True, nogil=True, error_model="numpy")
def _kronrod_rules(
    a: np.ndarray, b: np.ndarray, count: int, values: np.ndarray, result: np.ndarray, error: np.ndarray
) -> None:
    """15-point Gauss–Kronrod rule with QUADPACK's error estimate on ``count`` panels at once.

    ``values`` (n_out, ·) holds the integrand at the nodes of :func:`_kronrod_nodes`;
    ``result[m, o]`` and ``error[m, o]`` receive panel m's integral and error estimate
    (QUADPACK qk15: resasc·min(1, (200 |K − G|/resasc)^1.5), floored by rounding).
    """
    for o in range(values.shape[0]):
        f = values[o]
        for m in range(count):  # the loops over j unroll; this one vectorises
            centre_value = f[7 * count + m]
            kronrod = _WGK[7] * centre_value
            gauss = _WG[3] * centre_value
            for j in range(7):
                pair = f[j * count + m] + f[(14 - j) * count + m]
                kronrod += _WGK[j] * pair
                if j % 2 == 1:
                    gauss += _WG[j // 2] * pair
            mean = 0.5 * kronrod
            resasc = _WGK[7] * abs(centre_value - mean)
            for j in range(7):
                resasc += _WGK[j] * (abs(f[j * count + m] - mean) + abs(f[(14 - j) * count + m] - mean))
            half = 0.5 * (b[m] - a[m])
            kronrod *= half
            resasc *= abs(half)
            err = abs(kronrod - gauss * half)
            scaled = 200.0 * err / resasc if resasc != 0.0 else 0.0
            if resasc != 0.0 and err != 0.0:
                err = resasc * min(1.0, scaled * math.sqrt(scaled))
            # floor from rounding, as in QUADPACK
            result[m, o] = kronrod
            error[m, o] = max(err, 50.0 * 2.22e-16 * abs(kronrod))


@njit(cache=True, nogil=True, error_model="numpy")
def breakpoints(terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted breakpoints and their grading scales for a term table.

    DOS singularities s ± Δ get the term's Dynes Γ as scale; the window ends get +inf
    (no grading).  Points outside the window are dropped, coincident points merged
    (keeping the smallest scale).  The Fermi steps are then placed by
    :func:`_place_fermi_steps`.
    """
    n = terms.shape[0]
    points = np.empty(4 * n + 2)
    scales = np.empty(4 * n + 2)
    steps = np.empty((2 * n, 2))
    lo = np.inf
    hi = -np.inf
    m = 0
    n_steps = 0
    for k in range(n):
        row = terms[k]
        if row[COL_COEFF] == 0.0:
            continue
        mode = int(row[COL_MODE])
        t_max = row[COL_T_L] if mode == MODE_DERIVATIVE else max(row[COL_T_L], row[COL_T_R])
        mu_lo = row[COL_MU_L] if mode == MODE_DERIVATIVE else min(row[COL_MU_L], row[COL_MU_R])
        mu_hi = row[COL_MU_L] if mode == MODE_DERIVATIVE else max(row[COL_MU_L], row[COL_MU_R])
        # decay rates of the integrand below and above the steps (module docstring)
        kappa_re = row[COL_KAPPA_RE]
        rate_lo = rate_hi = 1.0 / t_max
        if kappa_re != 0.0:
            if mode == MODE_FORWARD:
                rate_lo = max(1.0 / row[COL_T_R] + kappa_re, 1e-3 / t_max)
                rate_hi = max(1.0 / row[COL_T_L] - kappa_re, 1e-3 / t_max)
            else:
                rate_lo = rate_hi = max(1.0 / t_max - abs(kappa_re), 1e-3 / t_max)
        lo = min(lo, mu_lo - WINDOW_IN_T / rate_lo)
        hi = max(hi, mu_hi + WINDOW_IN_T / rate_hi)
        for col_delta, col_shift, col_dynes in (
            (COL_DELTA_A, COL_SHIFT_A, COL_DYNES_A),
            (COL_DELTA_B, COL_SHIFT_B, COL_DYNES_B),
        ):
            delta = row[col_delta]
            if delta > 0.0:
                scale = max(row[col_dynes], 1e-14 * delta)
                points[m] = row[col_shift] - delta
                scales[m] = scale
                points[m + 1] = row[col_shift] + delta
                scales[m + 1] = scale
                m += 2
        steps[n_steps, 0] = row[COL_MU_L]
        steps[n_steps, 1] = row[COL_T_L]
        n_steps += 1
        if mode != MODE_DERIVATIVE:
            steps[n_steps, 0] = row[COL_MU_R]
            steps[n_steps, 1] = row[COL_T_R]
            n_steps += 1
    if n_steps == 0:
        return np.empty(0), np.empty(0)
    points[m] = lo
    scales[m] = np.inf
    points[m + 1] = hi
    scales[m + 1] = np.inf
    m += 2
    hard_points, hard_scales = _merge_sorted(points[:m], scales[:m], lo, hi)
    return _place_fermi_steps(hard_points, hard_scales, steps[:n_steps])


@njit(cache=True, nogil=True, error_model="numpy")
def _merge_sorted(points: np.ndarray, scales: np.ndarray, lo: float, hi: float):
    """``points`` sorted, those outside [lo, hi] dropped, coincident ones merged (smallest scale)."""
    order = np.argsort(points)
    out_points = np.empty(points.size)
    out_scales = np.empty(points.size)
    count = 0
    for idx in order:
        x = points[idx]
        if x < lo or x > hi:
            continue
        if count > 0 and abs(x - out_points[count - 1]) <= 1e-13 * max(1.0, abs(x)):
            out_scales[count - 1] = min(out_scales[count - 1], scales[idx])
            continue
        out_points[count] = x
        out_scales[count] = scales[idx]
        count += 1
    return out_points[:count], out_scales[:count]


#: a Fermi step needs no panel edge inside an interval of at most this half-width (in
#: k_B T): its poles μ ± iπT then lie at Bernstein-ellipse parameter ρ ≥ 2.5 of that
#: panel wherever the step sits in it, so the 15-point rule converges as ρ^(−30)
FERMI_FREE_HALF_WIDTH_IN_T = 4.0
#: an isolated step is the centre of one panel of this half-width (in k_B T): ρ = 3.4
FERMI_PANEL_HALF_WIDTH_IN_T = 2.0


@njit(cache=True, nogil=True, error_model="numpy")
def _place_fermi_steps(points: np.ndarray, scales: np.ndarray, steps: np.ndarray):
    """Breakpoints ``points`` (sorted, with scales) plus the panel edges the Fermi steps need.

    A Fermi factor f((ε − μ)/T) is analytic in the strip |Im ε| < πT, so a step is not a
    singularity to cut at but a feature to resolve.  Steps are placed coldest first:

    * a step inside an interval of half-width ≤ 4 T (between breakpoints placed so far)
      needs nothing: the interval's panels resolve it;
    * a step with no breakpoint within 4 T becomes the centre of one panel
      [μ − 2T, μ + 2T], graded outward from there (next edges at μ ± 16 T, as when
      grading from μ itself with scale 2T);
    * otherwise μ itself is a breakpoint with grading scale 2T.
    """
    order = np.argsort(steps[:, 1])
    out_points = np.empty(points.size + 2 * steps.shape[0])
    out_scales = np.empty(points.size + 2 * steps.shape[0])
    out_points[: points.size] = points
    out_scales[: points.size] = scales
    m = points.size
    lo = points[0]
    hi = points[-1]
    for idx in order:
        mu = steps[idx, 0]
        temperature = steps[idx, 1]
        if mu <= lo or mu >= hi:
            continue
        left = lo
        right = hi
        for i in range(m):
            x = out_points[i]
            if x <= mu:
                left = max(left, x)
            if x >= mu:
                right = min(right, x)
        if 0.5 * (right - left) <= FERMI_FREE_HALF_WIDTH_IN_T * temperature:
            continue
        near = FERMI_FREE_HALF_WIDTH_IN_T * temperature
        if mu - left > near and right - mu > near:
            half = FERMI_PANEL_HALF_WIDTH_IN_T * temperature
            for side in (-1.0, 1.0):
                out_points[m] = mu + side * half
                out_scales[m] = (GRADING_RATIO - 1.0) * half
                m += 1
        else:
            out_points[m] = mu
            out_scales[m] = FERMI_PANEL_HALF_WIDTH_IN_T * temperature
            m += 1
    return _merge_sorted(out_points[:m], out_scales[:m], lo, hi)


@njit(cache=True, nogil=True, error_model="numpy")
def initial_panels(points: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Panel edges graded geometrically towards every breakpoint with a finite scale."""
    # at most MAX_LEVELS graded edges from each end of every interval, plus its end
    edges = np.empty(points.size * (2 * _MAX_LEVELS + 1) + 1)
    n = 0
    if points.size == 0:
        return edges[:0]
    edges[0] = points[0]
    n = 1
    right_side = np.empty(_MAX_LEVELS)
    for i in range(points.size - 1):
        x0 = points[i]
        x1 = points[i + 1]
        mid = 0.5 * (x0 + x1)
        step = scales[i]
        level = 0
        while x0 + step < mid and level < _MAX_LEVELS:
            edges[n] = x0 + step
            n += 1
            level += 1
            step *= GRADING_RATIO
        step = scales[i + 1]
        n_right = 0
        while x1 - step > mid and n_right < _MAX_LEVELS:
            right_side[n_right] = x1 - step
            n_right += 1
            step *= GRADING_RATIO
        for j in range(n_right - 1, -1, -1):
            if right_side[j] > edges[n - 1]:
                edges[n] = right_side[j]
                n += 1
        edges[n] = x1
        n += 1
    return edges[:n]


# -- product integration next to DOS edges ------------------------------------------------


@njit(cache=True, nogil=True, error_model="numpy")
def product_weights(delta: float, dynes: float, edge_sign: float, half_width: float) -> np.ndarray:
    r"""Product-integration weights for the Dynes DOS on a panel centred at a gap edge.

    Returns w_k, k < n = ``PRODUCT_NODES``, such that

    .. math::

        \int_{e-\delta}^{e+\delta} N_0(E; \Delta, \Gamma)\, g(E)\, dE
        \approx \sum_k w_k\, g(e + \delta t_k),\qquad e = \pm\Delta,

    with t_k the Gauss–Legendre nodes; exact for polynomial g of degree < n.  For g
    analytic in a disc of radius ``PRODUCT_CLEARANCE``·δ about e the error is below
    ~1e-13 of ∫|N0 g| (Chebyshev/Bernstein-ellipse bound ρ^(−n), ρ ≈ 4.8).

    w_k = δ W_k Σ_j (2j + 1)/2 P_j(t_k) m_j, with the Legendre moments
    m_j = ∫_{−1}^{1} N0(e + δt) P_j(t) dt computed once here (the Lagrange basis of the
    Gauss nodes in Legendre form).  The moments are integrated with 20-point
    Gauss–Legendre on sub-panels graded by 4 from width Γ at the edge, which resolves
    the (E − Δ)^(−1/2) edge to ≈1e-15 relative (``tests/test_convolution.py`` checks
    m_0 against the closed form Re √((E + iΓ)² − Δ²)).  Requires δ ≤ Δ/2 (the other edge
    −e stays outside) — :func:`product_panels` guarantees it.
    """
    n = _GL_NODES.size
    edge = edge_sign * delta
    moments = np.zeros(n)
    first = max(dynes, 1e-14 * delta) / half_width
    for side in (-1.0, 1.0):
        lo = 0.0
        hi = min(first, 1.0)
        while lo < 1.0:
            centre = 0.5 * (lo + hi)
            half = 0.5 * (hi - lo)
            for k in range(n):
                t = side * (centre + half * _GL_NODES[k])
                weight = half * _GL_WEIGHTS[k] * bcs_dos(edge + half_width * t, delta, dynes)
                p_previous = 1.0
                p_current = t
                moments[0] += weight
                moments[1] += weight * t
                for j in range(1, n - 1):
                    p_next = ((2 * j + 1) * t * p_current - j * p_previous) / (j + 1)
                    moments[j + 1] += weight * p_next
                    p_previous = p_current
                    p_current = p_next
            lo = hi
            hi = min(4.0 * hi, 1.0)
    weights = np.zeros(n)
    for k in range(n):
        t = _GL_NODES[k]
        total = 0.5 * moments[0] + 1.5 * t * moments[1]
        p_previous = 1.0
        p_current = t
        for j in range(1, n - 1):
            p_next = ((2 * j + 1) * t * p_current - j * p_previous) / (j + 1)
            total += 0.5 * (2 * j + 3) * p_next * moments[j + 1]
            p_previous = p_current
            p_current = p_next
        weights[k] = half_width * _GL_WEIGHTS[k] * total
    return weights


@njit(cache=True, nogil=True, error_model="numpy")
def new_weight_cache():
    """An empty cache of product weights: (keys (C, 4), weights (C, n), [count])."""
    return (
        np.full((PRODUCT_CACHE_SIZE, 4), np.nan),
        np.zeros((PRODUCT_CACHE_SIZE, PRODUCT_NODES)),
        np.zeros(1, dtype=np.int64),
    )


@njit(cache=True, nogil=True, error_model="numpy")
def _cached_weights(cache, delta: float, dynes: float, edge_sign: float, level: int) -> np.ndarray:
    """:func:`product_weights` for the panel of half-width Δ/2^(level+1), memoised per batch.

    The weights depend only on (Δ, Γ, edge sign, level), not on where the edge sits, so a
    whole bias curve reuses a few sets.  Round-robin replacement when full; a recomputed
    set is bit-identical, so results never depend on the order of points in a batch.
    """
    keys, table, count = cache
    for i in range(min(count[0], keys.shape[0])):  # only the slots filled so far
        if keys[i, 0] == delta and keys[i, 1] == dynes and keys[i, 2] == edge_sign and keys[i, 3] == level:
            return table[i]
    slot = count[0] % keys.shape[0]
    count[0] += 1
    table[slot] = product_weights(delta, dynes, edge_sign, delta * 0.5 ** (level + 1))
    keys[slot, 0] = delta
    keys[slot, 1] = dynes
    keys[slot, 2] = edge_sign
    keys[slot, 3] = level
    return table[slot]


@njit(cache=True, nogil=True, error_model="numpy")
def product_panels(plan_tuple, lo: float, hi: float):
    """The DOS edges that get a product-integration panel, and its half-width level.

    Returns an int array (m, 3): DOS-factor index, edge sign (±1), level L (half-width
    δ = Δ/2^(L+1)).  An edge e = s ± Δ of a DOS factor qualifies when the factor is a DOS
    (not its derivative) that no term multiplies by itself, and every other singularity of
    the integrand — the edges of every other DOS factor, the Fermi poles μ ± iπT of every
    occupation factor, the window ends — lies at least ``PRODUCT_CLEARANCE``·δ from e
    (and |κ|δ ≤ 2 for an exponential counting weight e^(κε), see ``COL_KAPPA_RE``); δ
    is the largest Δ/2^(L+1) allowed, and at least ``PRODUCT_MIN_WIDTH_IN_DYNES``·Γ.
    Product panels never overlap (each edge is an obstacle to the others, and δ ≤ Δ/2).
    """
    dos_table, occ_table, plan, kappa = plan_tuple[0], plan_tuple[1], plan_tuple[2], plan_tuple[5]
    n_dos = dos_table.shape[0]
    # an exponential counting weight e^(κε) must be a low-degree polynomial on the panel
    # (|κ|δ ≤ 2): treat it as an obstacle at distance 2·PRODUCT_CLEARANCE/|κ|
    kappa_reach = np.inf
    for k in range(kappa.shape[0]):
        magnitude = math.hypot(kappa[k, 0], kappa[k, 1])
        if magnitude > 0.0:
            kappa_reach = min(kappa_reach, 2.0 * PRODUCT_CLEARANCE / magnitude)
    chosen = np.empty((2 * n_dos, 3), dtype=np.int64)
    m = 0
    for i in range(n_dos):
        delta = dos_table[i, 0]
        if delta <= 0.0 or dos_table[i, 3] != 0.0:
            continue
        squared = False
        for k in range(plan.shape[0]):
            if plan[k, _P_DOS_A] == i and plan[k, _P_DOS_B] == i:
                squared = True
        if squared:
            continue
        for edge_sign in (-1.0, 1.0):
            edge = dos_table[i, 1] + edge_sign * delta
            clearance = min(edge - lo, hi - edge, kappa_reach)
            for j in range(n_dos):
                if j != i and dos_table[j, 0] > 0.0:
                    for other_sign in (-1.0, 1.0):
                        clearance = min(clearance, abs(dos_table[j, 1] + other_sign * dos_table[j, 0] - edge))
            for o in range(occ_table.shape[0]):
                pole = math.pi * occ_table[o, 2]
                clearance = min(clearance, math.sqrt((occ_table[o, 1] - edge) ** 2 + pole * pole))
                if int(occ_table[o, 0]) != MODE_DERIVATIVE:
                    pole = math.pi * occ_table[o, 4]
                    clearance = min(clearance, math.sqrt((occ_table[o, 3] - edge) ** 2 + pole * pole))
            smallest = PRODUCT_MIN_WIDTH_IN_DYNES * dos_table[i, 2]
            half_width = 0.5 * delta
            for level in range(PRODUCT_LEVELS):
                if half_width < smallest:
                    break
                if PRODUCT_CLEARANCE * half_width <= clearance:
                    chosen[m, 0] = i
                    chosen[m, 1] = int(edge_sign)
                    chosen[m, 2] = level
                    m += 1
                    break
                half_width *= 0.5
    return chosen[:m]


@njit(cache=True, nogil=True, error_model="numpy")
def _product_rule(
    half_width: float, weights: np.ndarray, smooth: np.ndarray, singular: np.ndarray, start: int,
    result: np.ndarray,
) -> None:
    """∫ over a product panel of all outputs from the integrand at its Gauss–Legendre nodes
    (columns start.. of ``smooth``/``singular``, see :func:`integrand_nodes`): product
    weights for the terms that contain the panel's DOS factor, plain Gauss–Legendre for
    the others (smooth there by construction)."""
    n = _GL_NODES.size
    for o in range(result.size):
        total = 0.0
        for k in range(n):
            total += weights[k] * singular[o, start + k] + half_width * _GL_WEIGHTS[k] * smooth[o, start + k]
        result[o] = total


@njit(cache=True, nogil=True, error_model="numpy")
def _grow(array: np.ndarray, capacity: int) -> np.ndarray:
    out = np.empty(capacity)
    out[: array.size] = array
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _grow2(array: np.ndarray, capacity: int) -> np.ndarray:
    out = np.empty((capacity, array.shape[1]))
    out[: array.shape[0]] = array
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def integrate_terms_counted(
    terms: np.ndarray, n_out: int, rtol: float, atol: float, max_panels: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """:func:`integrate_terms_cached` with a fresh weight cache; also returns the panel count."""
    return integrate_terms_cached(terms, n_out, rtol, atol, max_panels, new_weight_cache())


@njit(cache=True, nogil=True, error_model="numpy")
def _with_product_panels(points, scales, centres, half_widths):
    """Breakpoints with each product panel [c − δ, c + δ] as one interval.

    Points inside a panel (its own edge) are dropped, and so are points within rounding
    (1e-12 δ) of a panel end, which would leave a zero-width panel; the panel ends get the
    grading scale 2δ, so :func:`initial_panels` leaves the panel whole and grades outward
    from 2δ.
    """
    n_prod = centres.size
    out_points = np.empty(points.size + 2 * n_prod)
    out_scales = np.empty(points.size + 2 * n_prod)
    m = 0
    for i in range(points.size):
        inside = False
        for q in range(n_prod):
            if abs(points[i] - centres[q]) < half_widths[q] * (1.0 + 1e-12):
                inside = True
        if not inside:
            out_points[m] = points[i]
            out_scales[m] = scales[i]
            m += 1
    for q in range(n_prod):
        for side in (-1.0, 1.0):
            out_points[m] = centres[q] + side * half_widths[q]
            out_scales[m] = 2.0 * half_widths[q]
            m += 1
    order = np.argsort(out_points[:m])
    return out_points[:m][order], out_scales[:m][order]


@njit(cache=True, nogil=True, error_model="numpy")
def integrate_terms_cached(
    terms: np.ndarray, n_out: int, rtol: float, atol: float, max_panels: int, weight_cache
) -> tuple[np.ndarray, np.ndarray, int]:
    """Integrate a term table: (values, error estimates, panels used), each of length n_out.

    Accuracy: each output meets |error| ≤ max(rtol·|value|, atol) unless ``max_panels``
    is exhausted (then the returned error estimate says by how much it is missed).
    See the module docstring for the tested accuracy.  ``weight_cache``
    (:func:`new_weight_cache`) may be shared by the points of a batch.
    """
    points, scales = breakpoints(terms)
    values = np.zeros(n_out)
    errors = np.zeros(n_out)
    if points.size < 2:
        return values, errors, 0
    plan_tuple = prepare_plan(terms)
    dos_table = plan_tuple[0]
    chosen = product_panels(plan_tuple, points[0], points[-1])
    n_prod = chosen.shape[0]
    centres = np.empty(n_prod)
    half_widths = np.empty(n_prod)
    for q in range(n_prod):
        factor = chosen[q, 0]
        centres[q] = dos_table[factor, 1] + chosen[q, 1] * dos_table[factor, 0]
        half_widths[q] = dos_table[factor, 0] * 0.5 ** (chosen[q, 2] + 1)
    if n_prod > 0:
        points, scales = _with_product_panels(points, scales, centres, half_widths)
    edges = initial_panels(points, scales)
    n_panels = edges.size - 1
    # which initial panel is which product panel (-1: Gauss–Kronrod).  A product panel's
    # middle is its centre; a sliver next to its end (a breakpoint that coincides with the
    # end to rounding) has its middle near c ± δ and stays Gauss–Kronrod, so no product
    # panel is counted twice
    product_of = np.full(n_panels, -1, dtype=np.int64)
    for p in range(n_panels):
        middle = 0.5 * (edges[p] + edges[p + 1])
        for q in range(n_prod):
            if abs(middle - centres[q]) < 0.5 * half_widths[q]:
                product_of[p] = q
    n_kronrod = 0
    for p in range(n_panels):
        if product_of[p] < 0:
            n_kronrod += 1
    # one integrand call evaluates the nodes of many panels (long, vectorised loops):
    # all Kronrod panels at once, the product panels of each DOS factor at once, and
    # both halves of each bisection
    n_nodes = max(15 * n_kronrod, _GL_NODES.size * n_prod, 30)
    scratch_dos = np.empty((dos_table.shape[0], n_nodes))
    # occupation factors, then each Fermi function and its complement (integrand_nodes)
    scratch_occ = np.empty((plan_tuple[1].shape[0] + 2 * plan_tuple[6].shape[0], n_nodes))
    nodes = np.empty(n_nodes)
    work = np.empty((n_out, n_nodes))
    work_singular = np.empty((n_out, n_nodes))
    # start small and grow: most integrals need ~1.5x their initial panels
    capacity = min(max(2 * n_panels + 64, 128), max(max_panels, n_panels + 1))
    pa = np.empty(capacity)
    pb = np.empty(capacity)
    pval = np.empty((capacity, n_out))
    perr = np.empty((capacity, n_out))
    fixed = np.zeros(capacity, dtype=np.bool_)
    for p in range(n_panels):
        pa[p] = edges[p]
        pb[p] = edges[p + 1]
    if n_kronrod > 0:
        kronrod_panels = np.empty(n_kronrod, dtype=np.int64)
        m = 0
        for p in range(n_panels):
            if product_of[p] < 0:
                kronrod_panels[m] = p
                m += 1
        kronrod_a = pa[kronrod_panels]
        kronrod_b = pb[kronrod_panels]
        _kronrod_nodes(kronrod_a, kronrod_b, n_kronrod, nodes)
        integrand_nodes(nodes[: 15 * n_kronrod], plan_tuple, scratch_dos, scratch_occ, work, work, -1)
        kronrod_values = np.empty((n_kronrod, n_out))
        kronrod_errors = np.empty((n_kronrod, n_out))
        _kronrod_rules(kronrod_a, kronrod_b, n_kronrod, work, kronrod_values, kronrod_errors)
        pval[kronrod_panels] = kronrod_values
        perr[kronrod_panels] = kronrod_errors
    n_gl = _GL_NODES.size
    done_factor = np.zeros(dos_table.shape[0], dtype=np.bool_)
    for q0 in range(n_prod):
        factor = chosen[q0, 0]
        if done_factor[factor]:
            continue
        done_factor[factor] = True
        m = 0
        for p in range(n_panels):
            q = product_of[p]
            if q >= 0 and chosen[q, 0] == factor:
                for k in range(n_gl):
                    nodes[n_gl * m + k] = centres[q] + half_widths[q] * _GL_NODES[k]
                m += 1
        integrand_nodes(nodes[: n_gl * m], plan_tuple, scratch_dos, scratch_occ, work, work_singular, factor)
        m = 0
        for p in range(n_panels):
            q = product_of[p]
            if q >= 0 and chosen[q, 0] == factor:
                weights = _cached_weights(
                    weight_cache, dos_table[factor, 0], dos_table[factor, 2], float(chosen[q, 1]), chosen[q, 2]
                )
                _product_rule(half_widths[q], weights, work, work_singular, n_gl * m, pval[p])
                fixed[p] = True
                for o in range(n_out):
                    # a-priori accurate (see product_weights); rounding floor as for Kronrod
                    perr[p, o] = 50.0 * 2.22e-16 * abs(pval[p, o])
                m += 1
    for p in range(n_panels):
        for o in range(n_out):
            values[o] += pval[p, o]
            errors[o] += perr[p, o]
    tol = np.empty(n_out)
    halves_a = np.empty(2)
    halves_b = np.empty(2)
    halves_value = np.empty((2, n_out))
    halves_error = np.empty((2, n_out))
    while True:
        done = True
        for o in range(n_out):
            tol[o] = max(rtol * abs(values[o]), atol)
            if errors[o] > tol[o]:
                done = False
        if done or n_panels + 1 > max(max_panels, edges.size):
            break
        if n_panels + 1 > capacity:
            capacity = min(2 * capacity, max(max_panels, edges.size))
            pa = _grow(pa, capacity)
            pb = _grow(pb, capacity)
            pval = _grow2(pval, capacity)
            perr = _grow2(perr, capacity)
            grown = np.zeros(capacity, dtype=np.bool_)
            grown[: fixed.size] = fixed
            fixed = grown
        # bisect the panel with the largest error relative to the tolerance
        worst = -1
        worst_ratio = -1.0
        for p in range(n_panels):
            if fixed[p]:
                continue
            ratio = 0.0
            for o in range(n_out):
                ratio = max(ratio, perr[p, o] / tol[o])
            if ratio > worst_ratio:
                worst_ratio = ratio
                worst = p
        if worst < 0:
            break
        a = pa[worst]
        b = pb[worst]
        mid = 0.5 * (a + b)
        if mid <= a or mid >= b:  # cannot bisect further in double precision
            break
        for o in range(n_out):
            values[o] -= pval[worst, o]
            errors[o] -= perr[worst, o]
        pb[worst] = mid
        pa[n_panels] = mid
        pb[n_panels] = b
        fixed[n_panels] = False
        halves_a[0] = a
        halves_b[0] = mid
        halves_a[1] = mid
        halves_b[1] = b
        _kronrod_nodes(halves_a, halves_b, 2, nodes)
        integrand_nodes(nodes[:30], plan_tuple, scratch_dos, scratch_occ, work, work, -1)
        _kronrod_rules(halves_a, halves_b, 2, work, halves_value, halves_error)
        pval[worst] = halves_value[0]
        perr[worst] = halves_error[0]
        pval[n_panels] = halves_value[1]
        perr[n_panels] = halves_error[1]
        for o in range(n_out):
            values[o] += pval[worst, o] + pval[n_panels, o]
            errors[o] += perr[worst, o] + perr[n_panels, o]
        n_panels += 1
    # exact final sums (the running sums above only steer the refinement)
    for o in range(n_out):
        values[o] = 0.0
        errors[o] = 0.0
    for p in range(n_panels):
        for o in range(n_out):
            values[o] += pval[p, o]
            errors[o] += perr[p, o]
    return values, errors, n_panels


@njit(cache=True, nogil=True, error_model="numpy")
def _integrate_batch_range(
    term_batch: np.ndarray, start: int, stop: int, n_out: int, rtol: float, atol: float,
    values: np.ndarray, errors: np.ndarray, weight_cache,
) -> None:
    """Points start..stop−1 of a batch, sharing one product-weight cache."""
    for i in range(start, stop):
        v, e, _ = integrate_terms_cached(term_batch[i], n_out, rtol, atol, DEFAULT_MAX_PANELS, weight_cache)
        values[i] = v
        errors[i] = e


@njit(cache=True, nogil=True, error_model="numpy")
def integrate_term_batch_cached(
    term_batch: np.ndarray, n_out: int, rtol: float, atol: float, weight_cache
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`integrate_term_batch` with a caller-owned weight cache (:func:`new_weight_cache`).

    A cache may be reused across calls (the weights depend on their key only) but not
    shared between threads running at the same time.
    """
    values = np.empty((term_batch.shape[0], n_out))
    errors = np.empty((term_batch.shape[0], n_out))
    _integrate_batch_range(term_batch, 0, term_batch.shape[0], n_out, rtol, atol, values, errors, weight_cache)
    return values, errors


@njit(cache=True, nogil=True, error_model="numpy")
def integrate_term_batch(
    term_batch: np.ndarray, n_out: int, rtol: float, atol: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`integrate_terms_cached` over a stack of term tables (n_points, n_terms, N_COLUMNS).

    The serial loop for whole bias curves and sweep blocks: one compiled call, no
    Python overhead per point, and the product weights of each (Δ, Γ) computed once.
    """
    return integrate_term_batch_cached(term_batch, n_out, rtol, atol, new_weight_cache())


@njit(cache=True, nogil=True, error_model="numpy", parallel=True)
def integrate_term_batch_parallel(
    term_batch: np.ndarray, n_out: int, rtol: float, atol: float
) -> tuple[np.ndarray, np.ndarray]:
    """``prange`` variant of :func:`integrate_term_batch` for single-process runs.

    Bit-identical to the serial kernel: each point is independent and a product-weight
    set does not depend on which chunk computed it.  Never call it from several Dask
    threads of one process: Numba's threading layer aborts on concurrent entry.
    """
    n_points = term_batch.shape[0]
    values = np.empty((n_points, n_out))
    errors = np.empty((n_points, n_out))
    # fixed chunking (not tied to the thread count, which Numba cannot cache): each chunk
    # shares one weight cache, and prange balances the chunks over the threads
    n_chunks = min(n_points, _PARALLEL_CHUNKS)
    for chunk in prange(n_chunks):
        start = chunk * n_points // n_chunks
        stop = (chunk + 1) * n_points // n_chunks
        _integrate_batch_range(term_batch, start, stop, n_out, rtol, atol, values, errors, new_weight_cache())
    return values, errors


_thread_caches = threading.local()


def thread_weight_cache():
    """This Python thread's product-weight cache (:func:`new_weight_cache`), kept across calls.

    Compiled callers that integrate on their own (a model's fused block kernel) take it
    from here, as :func:`integrate_batch` does: never share one between threads.
    """
    cache = getattr(_thread_caches, "weights", None)
    if cache is None:
        cache = _thread_caches.weights = new_weight_cache()
    return cache


def integrate_batch(
    term_batch: np.ndarray, n_out: int, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
    parallel: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """What models call for a stack of term tables: serial or ``prange``-parallel.

    The serial path keeps one product-weight cache per Python thread across calls, so
    point-by-point use (root finding, loops over evaluate) computes each weight set
    once.  Results do not depend on the cache's history.
    """
    if parallel:
        return integrate_term_batch_parallel(term_batch, n_out, rtol, atol)
    return integrate_term_batch_cached(term_batch, n_out, rtol, atol, thread_weight_cache())


def integrate(
    terms: np.ndarray,
    n_out: int,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> tuple[np.ndarray, np.ndarray]:
    """One term table from Python (checks the table shape); see :func:`integrate_terms_cached`."""
    terms = np.ascontiguousarray(terms, dtype=np.float64)
    if terms.ndim != 2 or terms.shape[1] != N_COLUMNS:
        raise ValueError(f"terms: expected shape (n, {N_COLUMNS}), got {terms.shape}")
    if not math.isfinite(rtol) or rtol <= 0:
        raise ValueError("rtol: must be > 0")
    values, errors = integrate_batch(terms[None], n_out, rtol, atol)
    return values[0], errors[0]
