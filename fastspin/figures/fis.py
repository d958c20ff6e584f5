r"""Figures 2(a)-(c), 3(a)-(b), 4 and 5(a)-(b) of Ojajärvi et al. (2020) (F/I/S junction, precessing magnet).

Ojajärvi, Manninen, Heikkilä and Virtanen, Phys. Rev. B 101, 115406 (2020).  Everything is computed by
:mod:`fastspin.physics.fis` (the ``fis`` model's functions); this module only chooses the captions'
parameters, grids, and draws.  Captions:

* Fig. 2: V = 0, θ = π/8, P = 1, |h| = 0.3 Δ0.  (a) pumped (differential) current at
  T_S = T_F = 0.1 T_c for h = −hẑ, hx̂, +hẑ; (b), (c) energy currents Ė_S, Ė_F at
  T = 0.6 T_c for h = −hẑ and +hẑ, with the linear response of Eq. (6) dashed.
* Fig. 3: FMR-induced temperature difference, Eq. (16), h = −0.3 Δ0 ẑ, P = 1,
  S A0 = 0.1 ħ G_T/e², Dynes Γ = 1e-3 Δ0; (a) λ = 0, (b) λ = 1.
* Fig. 4: largest Ω λ S A0 (in G_T Δ0/e²) that still refrigerates F, h = −0.3 Δ0 ẑ, P = 1,
  Γ = 1e-5 Δ0.
* Fig. 5: (a) τ_z over (V, θ) at Ω = 0.3 Δ0/ħ, T_S = T_F = 0.5 T_c, P = 1; (b) τ_z over
  (δT, θ) at Ω = 0.5 Δ0/ħ, T_S = 0.5 T_c, V = 0, S A0 = 0, with δT_o of Sec. IV B; stable
  (solid) and unstable (dashed) precession angles θ* from the torque balance of Eq. (8).

Not in the captions (our choice): Γ = 1e-4 Δ0 in Fig. 2 and 1e-3 Δ0 in Fig. 5; the gap is the
self-consistent Δ(T_S, h); the axis ranges and the colour scales.

Sign convention (finding of :mod:`fastspin.physics.fis`): with N_S,σ as printed below Eq. (5), the
torque-driven features of Fig. 5 appear for the opposite sign of h·ẑ from the captions.
Fig. 5(a)'s voltage window with 0 < θ* < π exists for h = +0.3 Δ0 ẑ (at −0.6 ≲ eV/Δ0 ≲ −0.36),
not for the caption's −0.3 Δ0 ẑ (θ = 0 stays the only stable state); Fig. 5(b)'s thermally
driven window exists for h = −0.3 Δ0 ẑ at δT = T_S − T_F ≈ 0.19–0.29 T_c (T_F ≈ 0.21–0.31 T_c,
as in the text's Fig. 5(c)), not for the caption's +0.3 Δ0 ẑ: there α < 0 and the text's
criterion sgn(α) δT > δT_o asks for T_F > T_S, where at Ω = 0.5 Δ0 the nonlinear torque never
destabilises θ = 0 (T_F up to 0.975 T_c).  So the code reproduces both panels of Fig. 5 with
h·ẑ reversed; both figures draw the feature sign next to the caption's sign.  The refrigeration sign of Figs. 3–4 (F cooled when α > 0, i.e. h·ẑ < 0) agrees with
the text.

Functions: data (:func:`pumped_current`, :func:`pumping_thresholds`, :func:`heat_currents`,
:func:`fmr_refrigeration_map`, :func:`max_damping_map`, :func:`torque_map`,
:func:`precession_branches`, :func:`thermal_onset_bias`) used by the tests, and ``fig*``
functions drawing one PNG each; :func:`figures_fis` draws them all (``fastspin figures fis``).

Units: Ω (ħΩ), V (eV), h, Γ, Δ in Δ0; T, δT in T_c on the axes; I_c in G_T Δ0/e;
Ė in G_T Δ0²/e²; τ_z in ħ G_T Δ0/e²; S A0 in ħ G_T/e².  Accuracy: that of :mod:`fastspin.physics.fis`
(1e-6 relative per current); θ* to 1e-10 in cos θ (Brent).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import SymLogNorm, TwoSlopeNorm

from fastspin.figures.style import save
from fastspin.physics import fis
from fastspin.references import OJAJARVI_2020
from fastspin.units import Tc

#: |h| of all figures, Δ0
H_FIELD: float = 0.3
#: polar angle of ĥ to ẑ: +ẑ, x̂, −ẑ
H_UP, H_X, H_DOWN = 0.0, 0.5 * math.pi, math.pi
P_FIGURES: float = 1.0
THETA_FIG2: float = math.pi / 8
T_FIG2A: float = 0.1 * Tc
T_FIG2BC: float = 0.6 * Tc
#: Dynes Γ of Fig. 2 (not in the caption), Δ0
DYNES_FIG2: float = 1e-4
DYNES_FIG3: float = 1e-3
S_A0_FIG3: float = 0.1
DYNES_FIG4: float = 1e-5
T_FIG5: float = 0.5 * Tc
OMEGA_FIG5A: float = 0.3
OMEGA_FIG5B: float = 0.5
#: Dynes Γ of Fig. 5 (not in the caption), Δ0
DYNES_FIG5: float = 1e-3
#: h·ẑ signs (polar angles) for which the code shows the torque features of Fig. 5(a), 5(b);
#: the captions print the opposite ones (see the module docstring)
H_ANGLE_FIG5A: float = H_UP
H_ANGLE_FIG5B: float = H_DOWN
#: axis ranges (our choice): Ω of Fig. 2(a), 2(b)-(c); Ω and T/T_c of Figs. 3-4; V of 5(a);
#: δT/T_c of 5(b) (T_F = T_S − δT from 0.95 T_c down to 0.05 T_c)
OMEGA_RANGE_FIG2A: tuple[float, float] = (-2.0, 2.0)
OMEGA_RANGE_FIG2BC: tuple[float, float] = (0.0, 1.6)
OMEGA_RANGE_FMR: tuple[float, float] = (0.01, 1.0)
T_RANGE_FMR: tuple[float, float] = (0.1, 1.0)
V_RANGE_FIG5A: tuple[float, float] = (-1.2, 1.2)
DT_RANGE_FIG5B: tuple[float, float] = (-0.45, 0.45)

_SEED = OJAJARVI_2020.short()
_H_LABEL = {H_DOWN: r"$\mathbf{h} = -h\hat z$", H_X: r"$\mathbf{h} = h\hat x$",
            H_UP: r"$\mathbf{h} = +h\hat z$"}
_H_COLOR = {H_DOWN: "tab:blue", H_X: "goldenrod", H_UP: "tab:red"}


# -- data: Fig. 2 ---------------------------------------------------------------------------


def _gap(T: float, h: float = H_FIELD) -> float:
    """Self-consistent Δ(T, h) of S, Δ0."""
    return float(fis.resolve_gap(T, h, np.nan))


def pumped_current(Omega: np.ndarray, h_angle: float, T: float = T_FIG2A) -> dict[str, np.ndarray]:
    """Pumped charge current I_c(Ω) (Eq. (3), V = 0, T_S = T_F = T) and dI_c/dΩ, Fig. 2(a).

    dI_c/dΩ by second-order finite differences on the given (sorted) Ω grid (NaN for one point).
    Units: I_c in G_T Δ0/e, dI_c/dΩ in G_T/e.
    """
    Omega = np.asarray(Omega, float)
    current = fis.fis_currents(0.0, H_FIELD, h_angle, P_FIGURES, THETA_FIG2, Omega, T, T,
                               DYNES_FIG2)["I_charge"]
    slope = np.gradient(current, Omega) if Omega.size > 1 else np.full_like(current, np.nan)
    return {"Omega": Omega, "I_charge": current, "dI_dOmega": slope}


def pumping_thresholds(T: float = T_FIG2A, theta: float = THETA_FIG2) -> tuple[float, float]:
    """Onsets of pumping at T → 0, "semiconductor picture" of Fig. 1(b) of Ojajärvi et al. (2020).

    The spin-flip channels (σ' = −σ) shift F by ±(1 + cos θ)Ω/2; a current flows once that
    shift reaches a gap edge of S, Δ − h or Δ + h, so |Ω| = 2(Δ ∓ h)/(1 + cos θ)
    (the text's |Ω| ≳ Δ ± h).  Returns (low, high) in Δ0.
    """
    delta = _gap(T)
    scale = 2.0 / (1.0 + math.cos(theta))
    return scale * (delta - H_FIELD), scale * (delta + H_FIELD)


def heat_currents(Omega: np.ndarray, h_angle: float, T: float = T_FIG2BC) -> dict[str, np.ndarray]:
    """Ė_S, Ė_F (Eq. (4), Ė_F = −Ω τ_z − Ė_S at V = 0) and their linear response, Fig. 2(b)-(c).

    Linear response from Eq. (6) at V = δT = 0: Ė_S = (α/2) sin²θ Ω and Ė_F = −Ė_S (the
    Gilbert-like term G sin²θ Ω²/4 of Ė_F is second order).  Units G_T Δ0²/e².
    """
    Omega = np.asarray(Omega, float)
    delta = _gap(T)
    out = fis.fis_currents(0.0, H_FIELD, h_angle, P_FIGURES, THETA_FIG2, Omega, T, T,
                           DYNES_FIG2, delta)
    alpha = fis.linear_response_coefficients(T, H_FIELD, h_angle, DYNES_FIG2, delta)["alpha"]
    linear_S = 0.5 * alpha * math.sin(THETA_FIG2) ** 2 * Omega
    return {"Omega": Omega, "heat_S": out["heat_S"], "heat_F": out["heat_F"],
            "heat_S_linear": linear_S, "heat_F_linear": -linear_S, "alpha": alpha}


# -- data: Figs. 3 and 4 ----------------------------------------------------------------------


def fmr_refrigeration_map(
    Omega: np.ndarray, T_over_Tc: np.ndarray, heating_fraction: float,
    S_A0: float = S_A0_FIG3, dynes: float = DYNES_FIG3,
) -> np.ndarray:
    """δT/θ² = (T_S − T_F)/θ² of Eq. (16) on the grid (T, Ω), Fig. 3 (h = −0.3 Δ0 ẑ, P = 1).

    Positive: F refrigerated.  Shape (len(T_over_Tc), len(Omega)), units Δ0/k_B.
    """
    result = np.empty((len(T_over_Tc), len(Omega)))
    for i, t in enumerate(T_over_Tc):
        T = float(t) * Tc
        delta = _gap(T)
        for j, omega in enumerate(Omega):
            result[i, j] = fis.fmr_response(float(omega), T, H_FIELD, H_DOWN, P_FIGURES, dynes,
                                            delta, S_A0, heating_fraction)["dT_per_theta2"]
    return result


def max_damping_map(
    Omega: np.ndarray, T_over_Tc: np.ndarray, dynes: float = DYNES_FIG4
) -> np.ndarray:
    """Ω × (largest λ S A0 that still refrigerates F) on the grid (T, Ω), Fig. 4.

    From :func:`fastspin.physics.fis.max_damping_for_refrigeration` (Eq. (16) at δT = 0), h = −0.3 Δ0 ẑ,
    P = 1.  Negative: no refrigeration at any damping.  Units G_T Δ0/e² (the caption's
    Ω λ e² S A0/(G_T Δ0)).  Shape (len(T_over_Tc), len(Omega)).
    """
    result = np.empty((len(T_over_Tc), len(Omega)))
    for i, t in enumerate(T_over_Tc):
        T = float(t) * Tc
        delta = _gap(T)
        for j, omega in enumerate(Omega):
            result[i, j] = float(omega) * fis.max_damping_for_refrigeration(
                float(omega), T, H_FIELD, H_DOWN, P_FIGURES, dynes, delta)
    return result


# -- data: Fig. 5 -----------------------------------------------------------------------------


def torque_map(
    V: np.ndarray, theta: np.ndarray, T_F: np.ndarray | float, Omega: float, h_angle: float,
    T_S: float = T_FIG5,
) -> np.ndarray:
    """τ_z (Eq. (5)) on the grid (θ, x) with x = V or T_F (whichever is an array), Fig. 5.

    Shape (len(theta), len(x)); units ħ G_T Δ0/e².  ``V`` and ``T_F`` broadcast along x.
    """
    delta = _gap(T_S)
    V = np.asarray(V, float)
    T_F = np.asarray(T_F, float)
    theta = np.asarray(theta, float)[:, None]
    return fis.fis_currents(V[None, ...], H_FIELD, h_angle, P_FIGURES, theta, Omega, T_S,
                            T_F[None, ...] if T_F.ndim else T_F, DYNES_FIG5, delta)["torque_z"]


def precession_branches(
    V: np.ndarray, T_F: np.ndarray, Omega: float, h_angle: float, T_S: float = T_FIG5,
    n_grid: int = 49,
) -> dict[str, np.ndarray]:
    """Fixed points of Eq. (8) (S A0 = 0) along a path (V_k, T_F,k), Fig. 5.

    From :func:`fastspin.physics.fis.precession_angles`.  Returns arrays over k: ``zero_stable``,
    ``pi_stable`` (bool), ``interior_stable``, ``interior_unstable`` (θ* in (0, π), NaN if
    none; the first one if several).
    """
    V, T_F = np.broadcast_arrays(np.asarray(V, float), np.asarray(T_F, float))
    delta = _gap(T_S)
    n = V.size
    out = {"zero_stable": np.zeros(n, bool), "pi_stable": np.zeros(n, bool),
           "interior_stable": np.full(n, np.nan), "interior_unstable": np.full(n, np.nan)}
    for k in range(n):
        for theta_star, stable in fis.precession_angles(
            float(V[k]), T_S, float(T_F[k]), Omega, H_FIELD, h_angle, P_FIGURES, DYNES_FIG5,
            delta, n_grid=n_grid,
        ):
            if theta_star == 0.0:
                out["zero_stable"][k] = stable
            elif theta_star == math.pi:
                out["pi_stable"][k] = stable
            else:
                key = "interior_stable" if stable else "interior_unstable"
                if np.isnan(out[key][k]):
                    out[key][k] = theta_star
    return out


def thermal_onset_bias(h_angle: float = H_ANGLE_FIG5B, Omega: float = OMEGA_FIG5B,
                       T_S: float = T_FIG5) -> dict[str, float]:
    """δT_o of Sec. IV B (linear response, S A0 = 0) and the nonlinear δT where θ = 0 turns unstable.

    ``dT_o`` from :func:`fastspin.physics.fis.critical_thermal_bias` at T = T_S, with the sign
    sgn(α) (the text's sgn(α) δT > δT_o); ``dT_nonlinear``: root of τ_z/sin²θ at θ → 0 with
    T_S fixed and T_F = T_S − δT (Brent, 1e-10), NaN if none between 0 and sgn(α)·0.95 T_S.
    Units Δ0/k_B.
    """
    from scipy.optimize import brentq

    delta = _gap(T_S)
    alpha = fis.linear_response_coefficients(T_S, H_FIELD, h_angle, DYNES_FIG5, delta)["alpha"]
    sign = math.copysign(1.0, alpha)
    dT_o = sign * fis.critical_thermal_bias(Omega, T_S, H_FIELD, h_angle, DYNES_FIG5, delta)

    def g(dT: float) -> float:
        return float(fis.torque_per_sin2(1.0, 0.0, T_S, T_S - dT, Omega, H_FIELD, h_angle,
                                         P_FIGURES, DYNES_FIG5, delta))

    end = sign * 0.95 * T_S
    nonlinear = brentq(g, 0.0, end, xtol=1e-10) if g(0.0) * g(end) < 0 else math.nan
    return {"dT_o": dT_o, "dT_nonlinear": nonlinear, "alpha": alpha}


# -- drawing ----------------------------------------------------------------------------------


def fig2a(out_dir: Path, n_curve: int) -> str:
    """Fig. 2(a): pumped current and dI_c/dΩ vs Ω for h = −hẑ, hx̂, +hẑ."""
    Omega = np.linspace(*OMEGA_RANGE_FIG2A, 2 * (n_curve // 2) + 1)
    fig, (ax_i, ax_d) = plt.subplots(2, 1, figsize=(6.6, 6.4), sharex=True)
    for h_angle in (H_DOWN, H_X, H_UP):
        data = pumped_current(Omega, h_angle)
        kw = dict(color=_H_COLOR[h_angle], label=_H_LABEL[h_angle])
        ax_i.plot(Omega, data["I_charge"], **kw)
        ax_d.plot(Omega, data["dI_dOmega"], **kw)
    low, high = pumping_thresholds()
    for ax in (ax_i, ax_d):
        for x in (-high, -low, low, high):
            ax.axvline(x, color="0.6", ls=":", lw=0.8)
        ax.axhline(0, color="0.7", lw=0.5)
    ax_i.set_ylabel(r"$I_c$ ($G_T\Delta_0/e$)")
    ax_d.set_ylabel(r"$dI_c/d\Omega$ ($G_T/e$)")
    ax_d.set_xlabel(r"$\hbar\Omega$ ($\Delta_0$)")
    ax_i.legend(fontsize=8, loc="upper left")
    ax_i.set_title(
        f"{_SEED}, Fig. 2(a): pumped current\n"
        f"$T_S=T_F$ = 0.1 $T_c$, V = 0, θ = π/8, P = 1, h = 0.3 Δ0, Γ = {DYNES_FIG2:g} Δ0\n"
        r"dotted: pumping onsets $|\hbar\Omega| = 2(\Delta\mp h)/(1+\cos\theta)$", fontsize=9)
    fig.tight_layout()
    return save(fig, out_dir, "fis_fig2a_pumped_current.png")


def fig2bc(out_dir: Path, n_curve: int, h_angle: float) -> str:
    """Fig. 2(b) (h = −hẑ) or 2(c) (h = +hẑ): Ė_S, Ė_F vs Ω with the linear response dashed."""
    panel = "2(b)" if h_angle == H_DOWN else "2(c)"
    Omega = np.linspace(*OMEGA_RANGE_FIG2BC, n_curve)
    data = heat_currents(Omega, h_angle)
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.plot(Omega, data["heat_S"], color="tab:blue", label=r"$\dot E_S$")
    ax.plot(Omega, data["heat_F"], color="tab:red", label=r"$\dot E_F$")
    ax.plot(Omega, data["heat_S_linear"], color="tab:blue", ls="--", lw=1, label="linear response")
    ax.plot(Omega, data["heat_F_linear"], color="tab:red", ls="--", lw=1)
    ax.axhline(0, color="0.6", lw=0.6)
    cooled = "F" if h_angle == H_DOWN else "S"
    ax.set_xlabel(r"$\hbar\Omega$ ($\Delta_0$)")
    ax.set_ylabel(r"energy current ($G_T\Delta_0^2/e^2$)")
    ax.set_title(
        f"{_SEED}, Fig. {panel}: energy currents, {_H_LABEL[h_angle]}\n"
        f"$T_S=T_F$ = 0.6 $T_c$, V = 0, θ = π/8, P = 1, h = 0.3 Δ0, Γ = {DYNES_FIG2:g} Δ0\n"
        f"α = {data['alpha']:+.3f} $G_T\\Delta_0/e$: {cooled} is cooled at small Ω > 0; "
        "dashed: linear response, Eq. (6)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    name = "fis_fig2b_heat_h_down.png" if h_angle == H_DOWN else "fis_fig2c_heat_h_up.png"
    return save(fig, out_dir, name)


def _fmr_grid(n_map: int) -> tuple[np.ndarray, np.ndarray]:
    return np.linspace(*OMEGA_RANGE_FMR, n_map), np.linspace(*T_RANGE_FMR, n_map)


def fig3(out_dir: Path, n_map: int, heating_fraction: float) -> str:
    """Fig. 3(a) (λ = 0) or 3(b) (λ = 1): FMR-induced δT/θ² over (Ω, T)."""
    Omega, T_over_Tc = _fmr_grid(n_map)
    dT = fmr_refrigeration_map(Omega, T_over_Tc, heating_fraction)
    panel = "3(a)" if heating_fraction == 0.0 else "3(b)"
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    norm = SymLogNorm(linthresh=1e-3, vmin=-10.0, vmax=10.0, base=10)
    mesh = ax.pcolormesh(Omega, T_over_Tc, np.clip(dT, -10, 10), cmap="RdBu_r", norm=norm,
                         shading="nearest")
    if np.nanmin(dT) < 0 < np.nanmax(dT):
        ax.contour(Omega, T_over_Tc, dT, levels=[0.0], colors="k", linewidths=1.2)
    fig.colorbar(mesh, ax=ax, label=r"$(T_S - T_F)/\theta^2$ ($\Delta_0/k_B$); > 0: F cooled")
    ax.set_xlabel(r"$\hbar\Omega$ ($\Delta_0$)")
    ax.set_ylabel(r"$T$ / $T_c$")
    ax.set_title(
        f"{_SEED},\nFig. {panel}: FMR refrigeration (Eq. 16), λ = {heating_fraction:g}\n"
        f"h = −0.3 Δ0 ẑ, P = 1, $SA_0$ = {S_A0_FIG3:g} ħ$G_T/e^2$, Γ = {DYNES_FIG3:g} Δ0; "
        "black: δT = 0", fontsize=9)
    fig.tight_layout()
    name = "fis_fig3a_fmr_lambda0.png" if heating_fraction == 0.0 else "fis_fig3b_fmr_lambda1.png"
    return save(fig, out_dir, name)


def fig4(out_dir: Path, n_map: int) -> str:
    """Fig. 4: Ω λ S A0 at which FMR refrigeration of F stops, over (Ω, T)."""
    Omega, T_over_Tc = _fmr_grid(n_map)
    limit = max_damping_map(Omega, T_over_Tc)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    shown = np.ma.masked_less_equal(limit, 0.0)
    ax.set_facecolor("0.85")
    mesh = ax.pcolormesh(Omega, T_over_Tc, shown, cmap="viridis", shading="nearest")
    if np.nanmin(limit) < 0 < np.nanmax(limit):
        ax.contour(Omega, T_over_Tc, limit, levels=[0.0], colors="k", linewidths=1.2)
    fig.colorbar(mesh, ax=ax, label=r"max $\Omega\,\lambda e^2 S A_0/(G_T\Delta_0)$")
    ax.set_xlabel(r"$\hbar\Omega$ ($\Delta_0$)")
    ax.set_ylabel(r"$T$ / $T_c$")
    ax.set_title(
        f"{_SEED},\nFig. 4: maximum damping for FMR refrigeration of F\n"
        f"h = −0.3 Δ0 ẑ, P = 1, Γ = {DYNES_FIG4:g} Δ0; grey: no refrigeration", fontsize=9)
    fig.tight_layout()
    return save(fig, out_dir, "fis_fig4_max_damping.png")


def _torque_panel(ax, x: np.ndarray, theta: np.ndarray, torque: np.ndarray,
                  branches: dict[str, np.ndarray], x_branches: np.ndarray):
    """Colour map of τ_z with arrows (sign of dθ/dt ∝ τ_z) and the θ* branches."""
    span = float(np.nanmax(np.abs(torque))) or 1.0
    mesh = ax.pcolormesh(x, theta, torque, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -span, span),
                         shading="nearest")
    step_x, step_t = max(1, len(x) // 9), max(1, len(theta) // 7)
    xs, ts = np.meshgrid(x[step_x // 2::step_x], theta[step_t // 2::step_t])
    direction = np.sign(torque[step_t // 2::step_t, step_x // 2::step_x])
    ax.quiver(xs, ts, np.zeros_like(xs), direction, color="0.25", pivot="middle",
              scale=30, width=0.004, headwidth=4)
    for key, style in (("interior_stable", "-"), ("interior_unstable", "--")):
        ax.plot(x_branches, branches[key], color="k", ls=style, lw=2)
    for key, level in (("zero_stable", 0.0), ("pi_stable", math.pi)):
        stable = np.where(branches[key], level, np.nan)
        unstable = np.where(~branches[key], level, np.nan)
        ax.plot(x_branches, stable, color="k", lw=4, solid_capstyle="butt")
        ax.plot(x_branches, unstable, color="k", lw=1.5, ls="--")
    ax.set_ylim(-0.05, math.pi + 0.05)
    ax.set_yticks([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4, math.pi],
                  ["0", "π/4", "π/2", "3π/4", "π"])
    ax.set_ylabel("θ")
    return mesh


def fig5a(out_dir: Path, n_map: int) -> str:
    """Fig. 5(a): τ_z over (V, θ) and θ*(V), for the code's feature sign and the caption's."""
    V = np.linspace(*V_RANGE_FIG5A, 2 * n_map + 1)
    theta = np.linspace(0.0, math.pi, n_map)
    V_branch = np.linspace(*V_RANGE_FIG5A, n_map + (n_map + 1) % 2)
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.8), sharey=True)
    for ax, h_angle, note in ((axes[0], H_ANGLE_FIG5A, "feature sign (code)"),
                              (axes[1], H_DOWN, "caption sign")):
        torque = torque_map(V, theta, T_FIG5, OMEGA_FIG5A, h_angle)
        branches = precession_branches(V_branch, T_FIG5, OMEGA_FIG5A, h_angle)
        mesh = _torque_panel(ax, V, theta, torque, branches, V_branch)
        fig.colorbar(mesh, ax=ax, label=r"$\tau_z$ ($\hbar G_T\Delta_0/e^2$)")
        ax.set_xlabel(r"$eV$ ($\Delta_0$)")
        ax.set_title(f"{_H_LABEL[h_angle]}: {note}", fontsize=9)
    axes[1].set_ylabel("")
    fig.suptitle(
        f"{_SEED}, Fig. 5(a): voltage-driven torque, ħΩ = {OMEGA_FIG5A:g} Δ0, "
        f"$T_S=T_F$ = 0.5 $T_c$, P = 1, h = 0.3 Δ0, Γ = {DYNES_FIG5:g} Δ0\n"
        "solid: stable θ*, dashed: unstable; arrows: sign of dθ/dt. With Eq. (5) as printed the "
        "0 < θ* < π window needs h = +hẑ (caption: −hẑ) and lies at V < 0", fontsize=9)
    fig.tight_layout()
    return save(fig, out_dir, "fis_fig5a_torque_voltage.png")


def fig5b(out_dir: Path, n_map: int) -> str:
    """Fig. 5(b): τ_z over (δT, θ), θ*(δT) and δT_o, for the code's feature sign and the caption's."""
    dT = np.linspace(*DT_RANGE_FIG5B, 2 * n_map + 1)
    theta = np.linspace(0.0, math.pi, n_map)
    dT_branch = np.linspace(*DT_RANGE_FIG5B, 2 * n_map + 1)
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.8), sharey=True)
    for ax, h_angle, note in ((axes[0], H_ANGLE_FIG5B, "feature sign (code)"),
                              (axes[1], H_UP, "caption sign")):
        torque = torque_map(0.0, theta, T_FIG5 - dT * Tc, OMEGA_FIG5B, h_angle)
        branches = precession_branches(0.0, T_FIG5 - dT_branch * Tc, OMEGA_FIG5B, h_angle)
        mesh = _torque_panel(ax, dT, theta, torque, branches, dT_branch)
        onset = thermal_onset_bias(h_angle)
        ax.axvline(onset["dT_o"] / Tc, color="tab:green", ls="--", lw=2,
                   label=rf"$\delta T$ = sgn(α)$\delta T_o$ = {onset['dT_o'] / Tc:+.3f} $T_c$")
        ax.legend(fontsize=8, loc="lower left")
        fig.colorbar(mesh, ax=ax, label=r"$\tau_z$ ($\hbar G_T\Delta_0/e^2$)")
        ax.set_xlabel(r"$\delta T = T_S - T_F$ ($T_c$)")
        ax.set_title(f"{_H_LABEL[h_angle]}: {note}", fontsize=9)
    axes[1].set_ylabel("")
    fig.suptitle(
        f"{_SEED}, Fig. 5(b): thermal torque, ħΩ = {OMEGA_FIG5B:g} Δ0, $T_S$ = 0.5 $T_c$, V = 0, "
        f"P = 1, $SA_0$ = 0, h = 0.3 Δ0, Γ = {DYNES_FIG5:g} Δ0\n"
        "solid: stable θ*, dashed: unstable; green: δT_o (Sec. IV B). With Eq. (5) as printed "
        "the window with 0 < θ* < π needs h = −hẑ (caption: +hẑ), at δT > 0", fontsize=9)
    fig.tight_layout()
    return save(fig, out_dir, "fis_fig5b_torque_thermal.png")


def figures_fis(out_dir: str | os.PathLike = "figures", n_curve: int = 241,
                n_map: int = 41) -> list[str]:
    """Draw Figs. 2(a)-(c), 3(a)-(b), 4 and 5(a)-(b) of Ojajärvi et al. (2020) into ``out_dir``.

    ``n_curve``: points per line of Fig. 2; ``n_map``: points per axis of the maps of
    Figs. 3-5 (the V and δT axes of Fig. 5 get 2 n_map + 1).  Returns the written PNG paths.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        fig2a(out_dir, n_curve),
        fig2bc(out_dir, n_curve, H_DOWN),
        fig2bc(out_dir, n_curve, H_UP),
        fig3(out_dir, n_map, 0.0),
        fig3(out_dir, n_map, 1.0),
        fig4(out_dir, n_map),
        fig5a(out_dir, n_map),
        fig5b(out_dir, n_map),
    ]


__all__ = [
    "figures_fis",
    "fmr_refrigeration_map",
    "heat_currents",
    "max_damping_map",
    "precession_branches",
    "pumped_current",
    "pumping_thresholds",
    "thermal_onset_bias",
    "torque_map",
]
