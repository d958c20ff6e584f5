"""A ferromagnetic quantum dot between a fixed ferromagnet and a normal lead, with the
strongly non-equilibrium dot distribution of Ludwig, Burmistrov, Gefen and Shnirman,
*Strong non-equilibrium effects in spin torque systems*.

Physics (equation numbers of that paper; the reading of the garbled PDF text is
written out in :mod:`fastspin.kernels.dot`):

* the dot distribution F_d^σ(ε), Eq. (31): four shifted Fermi steps;
* conductances g_l(θ), g̃_l(θ), g_s, g_r (Sec. III C) and the Gilbert coefficient
  α(θ) = (g̃_l(θ) + g̃_r)/S;
* the spin-torque current I_s, Eq. (44), and the charge currents I_l, I_r,
  Eqs. (45)–(46), with their non-equilibrium terms, or the enforced-equilibrium
  currents of App. B (``distribution="equilibrium"``);
* the equations of motion Eq. (43) for (θ, φ, V_d), integrated by a compiled
  adaptive Dormand–Prince 5(4) scheme from any initial state;
* stationary states and stability: only the poles are stationary (Eq. 47), their
  stability is set by Eq. (50), the north pole switches to the south pole at V_sw
  (Eq. 51), the pole currents are Ohmic with the conductances of Eqs. (48)–(49) and
  the dot potential is Eqs. (54)–(56).

Units (the paper's, ħ = |e| = k_B = 1): every energy (Γ, B, V, T) is in one energy
unit, written "Delta0" as everywhere in fastspin (there is no superconductor here:
any energy scale works, the equations are homogeneous in it); times in ħ/Delta0,
S in ħ, ρ_d^σ in 1/Delta0, C in e²/Delta0, conductances in e²/ħ, charge currents in
e·Delta0/ħ, the spin-torque current I_s in Delta0 (ħ per unit time ħ/Delta0).

The exchange M0 of the dot enters the paper's results only through S (≈ half the
number of dot states within M0) and ρ_d^σ (the DOS at μ ∓ M0/2), and as the largest
energy scale; it is therefore not a separate parameter.  The deterministic currents
do not depend on T (they are energy integrals of differences of shifted steps);
T enters F_d^σ(ε) and the output ``F_d_up_mu``/``F_d_down_mu``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from fastspin.kernels import dot as kdot
from fastspin.model import Parameter, ParameterError, validate_parameters

#: the dot distributions: Eq. (31) of Ludwig et al. or the enforced equilibrium of App. B
DISTRIBUTIONS = ("nonequilibrium", "equilibrium")

#: default integrator tolerances (local error per step, max norm)
RTOL = 1e-9
ATOL = 1e-12
MAX_STEPS = 50_000_000

#: the parameters packed for the kernels, in the slots ``kdot.P_*``
_PACKED = {
    kdot.P_GAMMA_L_UP: "Gamma_l_up", kdot.P_GAMMA_L_DOWN: "Gamma_l_down",
    kdot.P_GAMMA_R: "Gamma_r", kdot.P_B: "B", kdot.P_V: "V", kdot.P_S: "S", kdot.P_C: "C",
    kdot.P_RHO_UP: "rho_d_up", kdot.P_RHO_DOWN: "rho_d_down",
}
_PACKED_NAMES = tuple(_PACKED[slot] for slot in range(kdot.N_PARAMS))
#: the slots the conductances depend on: Γ_l↑, Γ_l↓, Γ_r, ρ_d↑, ρ_d↓
_CONDUCTANCE_SLOTS = [kdot.P_GAMMA_L_UP, kdot.P_GAMMA_L_DOWN, kdot.P_GAMMA_R, kdot.P_RHO_UP, kdot.P_RHO_DOWN]

#: the declared parameters of the dot (name, unit, default, allowed range), read by the
#: ``dot`` model and used here to check every keyword argument
PARAMETERS: tuple[Parameter, ...] = (
    Parameter("Gamma_l_up", "Delta0", 0.2, "level width Γ_l^↑ from the fixed-ferromagnet lead",
              low=0.0),
    Parameter("Gamma_l_down", "Delta0", 1.0, "level width Γ_l^↓ from the fixed-ferromagnet lead",
              low=0.0),
    Parameter("Gamma_r", "Delta0", 1.0, "level width Γ_r from the normal (sink) lead",
              low=0.0, low_open=True),
    Parameter("B", "Delta0", 1.0, "magnetic field B along z (energy λB of the paper)"),
    Parameter("V", "Delta0/e", 1.0, "bias V on the fixed-ferromagnet lead (right lead grounded)"),
    Parameter("T", "Delta0/k_B", 0.05, "lead temperature (enters F_d only)", low=0.0,
              low_open=True, temperature=True),
    Parameter("S", "hbar", 500.0, "total spin S of the dot (~ half the states within M0)",
              low=0.0, low_open=True),
    Parameter("C", "e^2/Delta0", 50.0, "dot capacitance C", low=0.0, low_open=True),
    Parameter("rho_d_up", "1/Delta0", 20.0, "dot density of states ρ_d^↑", low=0.0,
              low_open=True),
    Parameter("rho_d_down", "1/Delta0", 30.0, "dot density of states ρ_d^↓", low=0.0,
              low_open=True),
    Parameter("distribution", "1", "nonequilibrium",
              "dot distribution: Eq. (31) or the enforced equilibrium of App. B",
              sweepable=False, choices=DISTRIBUTIONS),
    Parameter("theta_init", "rad", math.pi / 2,
              "initial polar angle θ of the simulation (0 and π are stationary even if unstable)",
              low=0.0, high=math.pi),
    Parameter("Vd_init", "Delta0/e", 0.0, "initial dot potential V_d of the simulation"),
    Parameter("t_settle", "hbar/Delta0", 4000.0, "simulated time before the final state is read",
              low=0.0, low_open=True),
)


# -- input checks ------------------------------------------------------------------------
def _parameter(name: str) -> Parameter:
    for p in PARAMETERS:
        if p.name == name:
            return p
    raise ParameterError(f"dot: unknown parameter {name!r}")


def _checked(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array, checked against the declared range of ``name``."""
    return _parameter(name).check_array(value, "dot")


def _distribution(distribution: str) -> bool:
    """True for the enforced equilibrium of App. B."""
    if distribution not in DISTRIBUTIONS:
        raise ParameterError(f"dot: parameter 'distribution' = {distribution!r} is not allowed; "
                             f"allowed: {', '.join(repr(d) for d in DISTRIBUTIONS)}")
    return distribution == "equilibrium"


def _resolve(params: Mapping[str, Any]) -> dict[str, Any]:
    """Scalar parameters with defaults filled in, validated (ParameterError)."""
    values = validate_parameters("dot", PARAMETERS, params)
    for name, v in values.items():
        if isinstance(v, np.ndarray):
            raise ParameterError(f"dot: parameter {name!r} must be a single value here")
    return values


def _pack(values: Mapping[str, Any]) -> np.ndarray:
    return np.array([float(values[n]) for n in _PACKED_NAMES])


# -- stationary analysis (closed forms of the paper) --------------------------------------
def gamma_sums(Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any) -> tuple[np.ndarray, np.ndarray]:
    """(Γ_Σ, Γ_Δ) = ((Γ_l^↑ + Γ_l^↓)/2 + Γ_r, (Γ_l^↑ − Γ_l^↓)/2), after Eqs. (40) and (44)."""
    gu = _checked("Gamma_l_up", Gamma_l_up)
    gd = _checked("Gamma_l_down", Gamma_l_down)
    gr = _checked("Gamma_r", Gamma_r)
    return 0.5 * (gu + gd) + gr, 0.5 * (gu - gd)


def switching_voltage(Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any, B: Any) -> np.ndarray:
    """Switching voltage V_sw = −(Γ_Σ² − Γ_Δ²) B / (2 Γ_r Γ_Δ), Eq. (51) of Ludwig et al.

    Exact; [Delta0/e].  At V_sw the bracket of Eq. (50) changes sign: for
    Γ_l^↓ > Γ_l^↑ and B > 0 the north pole is stable below V_sw and the south pole
    above.  ±inf when Γ_Δ = 0 (no switching).  Broadcasts over arrays.
    """
    gs, gd = gamma_sums(Gamma_l_up, Gamma_l_down, Gamma_r)
    gr = _checked("Gamma_r", Gamma_r)
    b = _checked("B", B)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(gs**2 - gd**2) * b / (2.0 * gr * gd)


def _conductances(theta: Any, Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any,
                  rho_d_up: Any, rho_d_down: Any):
    """Vectorised (g_l(θ), g̃_l(θ), g_s, g_r), Sec. III C of Ludwig et al. [e²/ħ]; exact."""
    gu = _checked("Gamma_l_up", Gamma_l_up)
    gd = _checked("Gamma_l_down", Gamma_l_down)
    gr = _checked("Gamma_r", Gamma_r)
    ru = _checked("rho_d_up", rho_d_up)
    rd = _checked("rho_d_down", rho_d_down)
    c2 = np.cos(0.5 * np.asarray(theta, float)) ** 2
    s2 = 1.0 - c2
    g_uu, g_dd, g_ud, g_du = 2 * ru * gu, 2 * rd * gd, 2 * ru * gd, 2 * rd * gu
    g_l = 0.25 * (c2 * (g_uu + g_dd) + s2 * (g_ud + g_du))
    g_l_tilde = 0.25 * (s2 * (g_uu + g_dd) + c2 * (g_ud + g_du))
    g_s = 0.25 * (g_uu - g_dd - g_ud + g_du)
    g_r = 0.5 * (ru + rd) * gr
    return g_l, g_l_tilde, g_s, g_r


def conductances(theta: Any, Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any,
                 rho_d_up: Any, rho_d_down: Any) -> dict[str, np.ndarray]:
    """g_l(θ), g̃_l(θ), g_s, g_r = g̃_r of Sec. III C of Ludwig et al., in e²/ħ; exact.

    g_l^{σσ'} = 2ρ_d^σ Γ_l^{σ'}, g_r^{σσ'} = 2ρ_d^σ Γ_r; g_s = (ρ_d^↑ + ρ_d^↓) Γ_Δ.
    """
    g_l, g_lt, g_s, g_r = _conductances(theta, Gamma_l_up, Gamma_l_down, Gamma_r,
                                        rho_d_up, rho_d_down)
    return {"g_l": g_l, "g_l_tilde": g_lt, "g_s": g_s, "g_r": g_r}


def gilbert_damping(theta: Any, S: Any, Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any,
                    rho_d_up: Any, rho_d_down: Any) -> np.ndarray:
    """α(θ) = (g̃_l(θ) + g̃_r)/S, the Gilbert coefficient of Eq. (41) of Ludwig et al.; exact."""
    s = _checked("S", S)
    _, g_lt, _, g_r = _conductances(theta, Gamma_l_up, Gamma_l_down, Gamma_r, rho_d_up,
                                    rho_d_down)
    return (g_lt + g_r) / s


def _pole_cos(pole: str) -> float:
    if pole not in ("north", "south"):
        raise ParameterError(f"dot: pole = {pole!r} is not allowed; allowed: 'north', 'south'")
    return 1.0 if pole == "north" else -1.0


def pole_relaxation_rate(pole: str, V: Any, Gamma_l_up: Any, Gamma_l_down: Any,
                         Gamma_r: Any, B: Any, S: Any, rho_d_up: Any, rho_d_down: Any,
                         distribution: str = "nonequilibrium") -> np.ndarray:
    """Linear relaxation rate λ of δθ at a pole, δθ̇ = −λ δθ  [Delta0/ħ]; exact.

    Non-equilibrium, Eq. (50) of Ludwig et al.:

        λ = cosθ0 α(θ0)/(1 + α²(θ0)) [B + 2Γ_ΔΓ_r V/(Γ_Σ² − Γ_Δ²)].

    Enforced equilibrium (linearising Eq. B1 about the pole, V_d at its Kirchhoff
    value V_d = g_l V/(g_l + g_r); the V_d dynamics decouple at linear order):

        λ = cosθ0 [α B + g_s (V − V_d)/S]/(1 + α²).

    λ > 0: the pole is stable.
    """
    c0 = _pole_cos(pole)
    theta0 = 0.0 if c0 > 0 else math.pi
    equilibrium = _distribution(distribution)
    v = _checked("V", V)
    b = _checked("B", B)
    alpha = gilbert_damping(theta0, S, Gamma_l_up, Gamma_l_down, Gamma_r, rho_d_up, rho_d_down)
    if equilibrium:
        g_l, _, g_s, g_r = _conductances(theta0, Gamma_l_up, Gamma_l_down, Gamma_r, rho_d_up,
                                         rho_d_down)
        v_left = g_r * v / (g_l + g_r)
        return c0 * (alpha * b + g_s * v_left / _checked("S", S)) / (1.0 + alpha**2)
    gs, gd = gamma_sums(Gamma_l_up, Gamma_l_down, Gamma_r)
    gr = _checked("Gamma_r", Gamma_r)
    return c0 * alpha / (1.0 + alpha**2) * (b + 2.0 * gd * gr * v / (gs**2 - gd**2))


def pole_conductance(pole: str, Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any,
                     rho_d_up: Any, rho_d_down: Any,
                     distribution: str = "nonequilibrium") -> np.ndarray:
    """Stationary conductance I/V at a pole  [e²/ħ]; exact.

    Non-equilibrium, Eqs. (48)–(49) of Ludwig et al.: two spin channels, each a series
    connection of g_l^{σσ'} and g_r^{σσ'} (σ' = σ at the north pole, σ̄ at the south):

        G_N = Σ_σ g_l^{σσ} g_r^{σσ}/(g_l^{σσ} + g_r^{σσ}),
        G_S = Σ_σ g_l^{σσ̄} g_r^{σσ̄}/(g_l^{σσ̄} + g_r^{σσ̄}).

    Enforced equilibrium (App. B, pole: no pumping): one equilibrated node,

        G = 4 g_l(θ0) g_r/(g_l(θ0) + g_r).
    """
    c0 = _pole_cos(pole)
    equilibrium = _distribution(distribution)
    gu = _checked("Gamma_l_up", Gamma_l_up)
    gd = _checked("Gamma_l_down", Gamma_l_down)
    gr = _checked("Gamma_r", Gamma_r)
    ru = _checked("rho_d_up", rho_d_up)
    rd = _checked("rho_d_down", rho_d_down)
    if equilibrium:
        g_l, _, _, g_r = _conductances(0.0 if c0 > 0 else math.pi, gu, gd, gr, ru, rd)
        return 4.0 * g_l * g_r / (g_l + g_r)
    up_partner, down_partner = (gu, gd) if c0 > 0 else (gd, gu)
    total = 0.0
    for rho, gamma_left in ((ru, up_partner), (rd, down_partner)):
        g_left = 2.0 * rho * gamma_left
        g_right = 2.0 * rho * gr
        total = total + g_left * g_right / (g_left + g_right)
    return np.asarray(total)


def pole_dot_potential(pole: str, V: Any, Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any,
                       C: Any, rho_d_up: Any, rho_d_down: Any,
                       distribution: str = "nonequilibrium") -> np.ndarray:
    """Stationary dot potential V_d0 at a pole [Delta0/e]; exact.

    Non-equilibrium, Eqs. (55)–(56) of Ludwig et al. (charge neutrality, Eq. 53):

        V_d0(0) = V/(C + ρ↑ + ρ↓) [ρ↑Γ_l^↑/(Γ_l^↑ + Γ_r) + ρ↓Γ_l^↓/(Γ_l^↓ + Γ_r)],
        V_d0(π) = V/(C + ρ↑ + ρ↓) [ρ↑Γ_l^↓/(Γ_l^↓ + Γ_r) + ρ↓Γ_l^↑/(Γ_l^↑ + Γ_r)].

    Enforced equilibrium: the Kirchhoff node value V_d = g_l(θ0) V/(g_l(θ0) + g_r).
    """
    c0 = _pole_cos(pole)
    equilibrium = _distribution(distribution)
    v = _checked("V", V)
    gu = _checked("Gamma_l_up", Gamma_l_up)
    gd = _checked("Gamma_l_down", Gamma_l_down)
    gr = _checked("Gamma_r", Gamma_r)
    c = _checked("C", C)
    ru = _checked("rho_d_up", rho_d_up)
    rd = _checked("rho_d_down", rho_d_down)
    if equilibrium:
        g_l, _, _, g_r = _conductances(0.0 if c0 > 0 else math.pi, gu, gd, gr, ru, rd)
        return g_l * v / (g_l + g_r)
    a_up, a_dn = (gu, gd) if c0 > 0 else (gd, gu)
    return v / (c + ru + rd) * (ru * a_up / (a_up + gr) + rd * a_dn / (a_dn + gr))


def equilibrium_switching_voltage(Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any, B: Any,
                                  S: Any, rho_d_up: Any, rho_d_down: Any) -> np.ndarray:
    """Voltage at which the north pole loses stability under enforced equilibrium [Delta0/e].

    Derived here from the linearised Eq. (B1) of Ludwig et al. (zero of
    :func:`pole_relaxation_rate` with ``distribution="equilibrium"``):

        V_e = −α(0) S B (g_l(0) + g_r)/(g_s g_r).

    Because g̃_l(0) = g_l(π) and g̃_l(π) = g_l(0), the south pole becomes stable at
    the same voltage.  Exact.
    """
    _checked("S", S)
    b = _checked("B", B)
    g_l, g_lt, g_s, g_r = _conductances(0.0, Gamma_l_up, Gamma_l_down, Gamma_r, rho_d_up,
                                        rho_d_down)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -(g_lt + g_r) * b * (g_l + g_r) / (g_s * g_r)


# -- the strong-sink approximation (Sec. V of the paper) ---------------------------------
def dot_distribution_strong_sink(energy: Any, sigma: int, theta0: float, B0: float, Vd0: float,
                                 T: float) -> np.ndarray:
    """F_d^σ(ε) ≈ cos²(θ0/2) F(ε − σB_− + V_d0) + sin²(θ0/2) F(ε − σ̄B_+ + V_d0), Eq. (57)
    of Ludwig et al.: Eq. (31) without the left-lead steps (Γ_r ≫ Γ_l^σ).

    It differs from Eq. (31) by at most 2(Γ_σ(θ0) − Γ_r)/Γ_σ(θ0) (tested); the paper
    shows that dropping these steps, small in height but of weight ∝ V, is what
    wrongly predicts persistent precession (Eq. 58).
    """
    if sigma not in (1, -1):
        raise ParameterError(f"dot: sigma = {sigma!r} is not allowed; allowed: +1, -1")
    _checked("T", T)
    e = np.asarray(energy, dtype=float)
    c2 = math.cos(0.5 * theta0) ** 2
    s2 = 1.0 - c2
    b_minus, b_plus = B0 * s2, B0 * c2
    return (c2 * np.tanh((e - sigma * b_minus + Vd0) / (2.0 * T))
            + s2 * np.tanh((e + sigma * b_plus + Vd0) / (2.0 * T)))


def strong_sink_precession(V: Any, Gamma_l_up: Any, Gamma_l_down: Any, Gamma_r: Any, B: Any,
                           S: Any, rho_d_up: Any, rho_d_down: Any) -> dict[str, np.ndarray]:
    """The persistent-precession cone that the strong-sink reading, Eq. (58) of Ludwig et al.,
    predicts: θ̇ = −sinθ[−α(θ)φ̇ + g_s V/S] with φ̇ = −B and I_s ≈ g_s V.

    θ̇ = 0 with sin θ0 ≠ 0 needs α(θ0)B + g_s V/S = 0; α(θ) = (g̃_l(θ) + g_r)/S is linear
    in u = cos θ, g̃_l = [(P + A) + u(A − P)]/8 with P = g^↑↑ + g^↓↓, A = g^↑↓ + g^↓↑, so

        cos θ0 = [−8(g_s V/B + g_r) − (P + A)]/(A − P),

    NaN where |cos θ0| > 1 or A = P (no cone).  The cone is stable (Eq. 58 linearized)
    when (A − P)B < 0.  Returns ``cos_theta`` and ``I_s`` = g_s V [Delta0].  Exact.
    """
    gu = _checked("Gamma_l_up", Gamma_l_up)
    gd = _checked("Gamma_l_down", Gamma_l_down)
    gr = _checked("Gamma_r", Gamma_r)
    ru = _checked("rho_d_up", rho_d_up)
    rd = _checked("rho_d_down", rho_d_down)
    _checked("S", S)
    v = _checked("V", V)
    b = _checked("B", B)
    parallel = 2 * ru * gu + 2 * rd * gd
    anti = 2 * ru * gd + 2 * rd * gu
    g_s = (ru + rd) * 0.5 * (gu - gd)
    g_r = 0.5 * (ru + rd) * gr
    with np.errstate(divide="ignore", invalid="ignore"):
        u = (-8.0 * (g_s * v / b + g_r) - (parallel + anti)) / (anti - parallel)
    u = np.where(np.abs(u) <= 1.0, u, np.nan)
    return {"cos_theta": u, "I_s": g_s * v, "stable": (anti - parallel) * b < 0.0}


# -- distribution and currents (compiled kernels) -----------------------------------------
def dot_distribution(energy: Any, sigma: int, theta0: float, B0: float, Vd0: float,
                     V: float, Gamma_l_up: float, Gamma_l_down: float, Gamma_r: float,
                     T: float) -> np.ndarray:
    """F_d^σ(ε) of Eq. (31) of Ludwig et al. on an array of energies (μ = 0); exact to rounding.

    ``sigma`` = +1 (↑) or −1 (↓).  F = 1 − 2n; for V = 0 and B0 = 0 (then V_d0 = 0 by
    Eq. 54) it is the lead distribution tanh(ε/2T).
    """
    if sigma not in (1, -1):
        raise ParameterError(f"dot: sigma = {sigma!r} is not allowed; allowed: +1, -1")
    for name, value in (("Gamma_l_up", Gamma_l_up), ("Gamma_l_down", Gamma_l_down),
                        ("Gamma_r", Gamma_r), ("T", T), ("V", V), ("B", B0)):
        _checked(name, value)
    e = np.ascontiguousarray(np.asarray(energy, dtype=float).ravel())
    out = kdot.dot_distribution_array(e, float(sigma), float(theta0), float(B0), float(Vd0),
                                      float(V), float(Gamma_l_up), float(Gamma_l_down),
                                      float(Gamma_r), float(T))
    return out.reshape(np.shape(energy))


def dot_potential(theta0: float, B0: float, **params: Any) -> float:
    """Charge-neutral dot potential V_d0(θ0, B0) of Eq. (54) of Ludwig et al. [Delta0/e]; exact."""
    v = _resolve(params)
    return kdot.dot_potential(float(theta0), float(B0), v["V"], v["Gamma_l_up"],
                              v["Gamma_l_down"], v["Gamma_r"], v["C"], v["rho_d_up"],
                              v["rho_d_down"])


def dot_currents(theta: float, phidot: float, Vd: float, theta0: float, B0: float,
                 Vd0: float, **params: Any) -> dict[str, float]:
    """Spin-torque and charge currents of Ludwig et al. at one state.

    I_s (Eq. 44) [Delta0], I_l (Eq. 45) and I_r (Eq. 46) [e·Delta0/ħ], for the
    instantaneous (θ, φ̇, V_d) and the distribution parameters (θ0, B0, V_d0) of
    Eq. (31); with ``distribution="equilibrium"`` the App. B currents.  Exact.
    """
    v = _resolve(params)
    equilibrium = _distribution(v["distribution"])
    I_s, I_l, I_r = kdot.dot_currents(float(theta), float(phidot), float(Vd), float(theta0),
                                      float(B0), float(Vd0), _pack(v), equilibrium)
    return {"I_s": I_s, "I_l": I_l, "I_r": I_r}


# -- dynamics ------------------------------------------------------------------------------
def simulate(times: Any, theta_init: float = math.pi / 2, phi_init: float = 0.0,
             Vd_init: float = 0.0, rtol: float = RTOL, atol: float = ATOL,
             **params: Any) -> dict[str, np.ndarray]:
    """Integrate Eq. (43) of Ludwig et al. from (θ, φ, V_d) at ``times[0]``.

    Compiled adaptive Dormand–Prince 5(4) (:func:`fastspin.kernels.dot.integrate_dot`)
    with local error ≤ atol + rtol·|y| per step; agrees with scipy's DOP853 at
    rtol 1e-12 to better than 1e-6 rad / 1e-6 Delta0/e over 600 ħ/Delta0 (tested).
    The distribution follows the instantaneous state (closure in
    :mod:`fastspin.kernels.dot`).  Returns arrays ``t``, ``theta``, ``phi``, ``Vd``,
    and along the trajectory ``thetadot``, ``phidot``, ``Vd0`` (the distribution's
    potential, NaN for equilibrium), ``I_s``, ``I_l``, ``I_r``; ``n_steps``.
    """
    v = _resolve(params)
    equilibrium = _distribution(v["distribution"])
    t = np.ascontiguousarray(np.asarray(times, dtype=float).ravel())
    if t.size < 2 or np.any(np.diff(t) <= 0):
        raise ParameterError("dot: times must be at least two increasing values")
    if not 0.0 <= theta_init <= math.pi:
        raise ParameterError(f"dot: theta_init = {theta_init:g} is out of range; "
                             "allowed: 0 <= theta_init <= 3.14159 [rad]")
    p = _pack(v)
    y0 = np.array([theta_init, phi_init, Vd_init], dtype=float)
    states, n_steps = kdot.integrate_dot(y0, t, p, equilibrium, rtol, atol, MAX_STEPS)
    out: dict[str, np.ndarray] = {"t": t, "theta": states[:, 0], "phi": states[:, 1],
                                  "Vd": states[:, 2]}
    extra = np.empty((t.size, 6))
    for i in range(t.size):
        th, vd = states[i, 0], states[i, 2]
        thd, phd, b0, vd0 = kdot.closure(th, vd, p, equilibrium)
        I_s, I_l, I_r = kdot.dot_currents(th, phd, vd, th, b0, vd0, p, equilibrium)
        extra[i] = thd, phd, vd0, I_s, I_l, I_r
    for j, name in enumerate(("thetadot", "phidot", "Vd0", "I_s", "I_l", "I_r")):
        out[name] = extra[:, j]
    out["n_steps"] = np.asarray(n_steps)
    return out


def _growth_is_unstable(p: np.ndarray, equilibrium: bool, tilt: float, t_probe: float) -> bool:
    """Does a tilt ``tilt`` off the north pole grow during ``t_probe``?  (V_d started at
    the value the distribution sets, so no RC transient.)"""
    _, _, _, vd0 = kdot.closure(tilt, 0.0, p, equilibrium)
    if equilibrium:
        g_l, _, _, g_r = kdot.conductances(tilt, *p[_CONDUCTANCE_SLOTS])
        vd0 = g_l * p[kdot.P_V] / (g_l + g_r)
    y0 = np.array([tilt, 0.0, vd0])
    states, _ = kdot.integrate_dot(y0, np.array([0.0, t_probe]), p, equilibrium, 1e-11,
                                   1e-14, MAX_STEPS)
    return bool(states[1, 0] > tilt)


def switching_voltage_simulated(rel_tol: float = 1e-4, tilt: float = 1e-3,
                                **params: Any) -> float:
    """The voltage at which the north pole turns unstable, found by simulating Eq. (43).

    Bisection on V of "a tilt of ``tilt`` rad off the north pole grows during
    t_probe = 50/(α(0)|B|) + 50 C/(4(g_l + g_r))" (several relaxation times of θ and
    of V_d).  The search runs towards V of sign −sign(Γ_Δ B) (the only side on which a
    torque can destabilise the pole), doubling from |V| = |B| until unstable, then
    bisects to a relative width ``rel_tol``.  Works for both ``distribution`` choices.
    [Delta0/e]
    """
    v = _resolve(params)
    equilibrium = _distribution(v["distribution"])
    gamma_delta = 0.5 * (v["Gamma_l_up"] - v["Gamma_l_down"])
    if gamma_delta == 0.0 or v["B"] == 0.0:
        raise ParameterError("dot: switching needs Gamma_l_up != Gamma_l_down and B != 0")
    direction = -math.copysign(1.0, gamma_delta * v["B"])
    p = _pack(v)
    alpha0 = kdot.gilbert_damping(0.0, v["S"], *p[_CONDUCTANCE_SLOTS])
    g_l, _, _, g_r = kdot.conductances(0.0, *p[_CONDUCTANCE_SLOTS])
    t_probe = 50.0 / (alpha0 * abs(v["B"])) + 50.0 * v["C"] / (4.0 * (g_l + g_r))

    def unstable(voltage: float) -> bool:
        p[kdot.P_V] = voltage
        return _growth_is_unstable(p, equilibrium, tilt, t_probe)

    lo, hi = 0.0, direction * abs(v["B"])
    for _ in range(60):
        if unstable(hi):
            break
        lo, hi = hi, 2.0 * hi
    else:  # pragma: no cover - unreachable for admissible parameters
        raise RuntimeError("dot: no switching found up to |V| = 2^60 |B|")
    while abs(hi - lo) > rel_tol * abs(hi):
        mid = 0.5 * (lo + hi)
        if unstable(mid):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def voltage_sweep(voltages: Any, t_settle: float = 4000.0, tilt: float = 0.02,
                  theta_start: float = 0.02, **params: Any) -> dict[str, np.ndarray]:
    """Quasi-static V sweep of the dynamics (Fig. 3 of Ludwig et al. from simulation).

    For each V in ``voltages`` (in the given order) the state left by the previous
    point is tilted at least ``tilt`` rad off an exact pole (the small kick thermal
    fluctuations would give; an exact pole never moves) and Eq. (43) is integrated for
    ``t_settle``.  Returns ``V``, ``theta``, ``cos_theta``, ``sin_theta``, ``Vd``,
    ``I`` (= I_l, equal to I_r once settled), ``I_r``, ``thetadot`` and ``phidot``
    of the final states.
    """
    v = _resolve(params)
    equilibrium = _distribution(v["distribution"])
    volts = np.asarray(voltages, dtype=float).ravel()
    for value in volts:
        _checked("V", value)
    p = _pack(v)
    n = volts.size
    keys = ("theta", "Vd", "I", "I_r", "thetadot", "phidot")
    res = {k: np.empty(n) for k in keys}
    theta, vd = theta_start, float(v["Vd_init"])
    for i, voltage in enumerate(volts):
        p[kdot.P_V] = voltage
        theta = min(max(theta, tilt), math.pi - tilt)
        states, _ = kdot.integrate_dot(np.array([theta, 0.0, vd]), np.array([0.0, t_settle]),
                                       p, equilibrium, RTOL, ATOL, MAX_STEPS)
        theta, vd = float(states[1, 0]), float(states[1, 2])
        thd, phd, b0, vd0 = kdot.closure(theta, vd, p, equilibrium)
        _, I_l, I_r = kdot.dot_currents(theta, phd, vd, theta, b0, vd0, p, equilibrium)
        for key, val in zip(keys, (theta, vd, I_l, I_r, thd, phd), strict=True):
            res[key][i] = val
    res["V"] = volts
    res["cos_theta"] = np.cos(res["theta"])
    res["sin_theta"] = np.sin(res["theta"])
    return res


def dot_block(params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Every output of the ``dot`` model on arrays of one common shape.

    Stationary outputs are the closed forms of Eqs. (47)–(56) (exact); the ``*_final``
    outputs come from integrating Eq. (43) for ``t_settle`` from (θ_init, φ = 0,
    V_d_init) with the compiled Dormand–Prince integrator (rtol 1e-9).
    """
    distribution = params["distribution"]
    equilibrium = _distribution(distribution)
    arrays = {n: np.asarray(params[n], dtype=float) for n in _PACKED_NAMES}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()),
                                *(np.shape(params[n]) for n in
                                  ("T", "theta_init", "Vd_init", "t_settle")))
    arrays = {n: np.broadcast_to(a, shape) for n, a in arrays.items()}
    gu, gd, gr = arrays["Gamma_l_up"], arrays["Gamma_l_down"], arrays["Gamma_r"]
    b, volt, s, c = arrays["B"], arrays["V"], arrays["S"], arrays["C"]
    ru, rd = arrays["rho_d_up"], arrays["rho_d_down"]
    out: dict[str, np.ndarray] = {}
    if equilibrium:
        out["V_sw"] = equilibrium_switching_voltage(gu, gd, gr, b, s, ru, rd)
    else:
        out["V_sw"] = switching_voltage(gu, gd, gr, b)
    for pole in ("north", "south"):
        out[f"rate_{pole}"] = pole_relaxation_rate(pole, volt, gu, gd, gr, b, s, ru, rd,
                                                   distribution)
        out[f"I_{pole}"] = pole_conductance(pole, gu, gd, gr, ru, rd, distribution) * volt
        out[f"V_d0_{pole}"] = pole_dot_potential(pole, volt, gu, gd, gr, c, ru, rd,
                                                 distribution)
    out["g_s"] = _conductances(0.0, gu, gd, gr, ru, rd)[2]
    sink = strong_sink_precession(volt, gu, gd, gr, b, s, ru, rd)
    out["cos_theta_eq58"] = sink["cos_theta"]
    out["I_s_eq58"] = sink["I_s"]
    out["alpha_north"] = gilbert_damping(0.0, s, gu, gd, gr, ru, rd)
    out["alpha_south"] = gilbert_damping(math.pi, s, gu, gd, gr, ru, rd)

    packed = np.ascontiguousarray(np.stack([arrays[n].ravel() for n in _PACKED_NAMES], axis=1))
    theta_init = np.ascontiguousarray(
        np.broadcast_to(_checked("theta_init", params["theta_init"]), shape).ravel())
    vd_init = np.ascontiguousarray(
        np.broadcast_to(_checked("Vd_init", params["Vd_init"]), shape).ravel())
    t_settle = np.ascontiguousarray(
        np.broadcast_to(_checked("t_settle", params["t_settle"]), shape).ravel())
    temperature = np.broadcast_to(_checked("T", params["T"]), shape).ravel()
    final = kdot.settle_block(theta_init, vd_init, t_settle, packed, equilibrium, RTOL,
                              ATOL, MAX_STEPS)
    theta = final[:, 0]
    out["cos_theta_final"] = np.cos(theta).reshape(shape)
    out["sin_theta_final"] = np.sin(theta).reshape(shape)
    out["precession_frequency"] = (-final[:, 4]).reshape(shape)
    out["V_d_final"] = final[:, 2].reshape(shape)
    out["I_final"] = final[:, 5].reshape(shape)
    f_up = np.zeros(theta.size)
    f_dn = np.zeros(theta.size)
    if not equilibrium:
        for i in range(theta.size):
            p = packed[i]
            _, _, b0, vd0 = kdot.closure(theta[i], final[i, 2], p, False)
            args = (theta[i], b0, vd0, p[kdot.P_V], p[kdot.P_GAMMA_L_UP], p[kdot.P_GAMMA_L_DOWN],
                    p[kdot.P_GAMMA_R], temperature[i])
            f_up[i] = kdot.dot_distribution(0.0, 1.0, *args)
            f_dn[i] = kdot.dot_distribution(0.0, -1.0, *args)
    out["F_d_up_mu"] = f_up.reshape(shape)
    out["F_d_down_mu"] = f_dn.reshape(shape)
    return {k: np.broadcast_to(np.asarray(val, dtype=float), shape).copy()
            for k, val in out.items()}


__all__ = [
    "DISTRIBUTIONS",
    "PARAMETERS",
    "dot_block",
    "conductances",
    "dot_currents",
    "dot_distribution",
    "dot_distribution_strong_sink",
    "dot_potential",
    "equilibrium_switching_voltage",
    "gamma_sums",
    "gilbert_damping",
    "pole_conductance",
    "pole_dot_potential",
    "pole_relaxation_rate",
    "simulate",
    "strong_sink_precession",
    "switching_voltage",
    "switching_voltage_simulated",
    "voltage_sweep",
]
