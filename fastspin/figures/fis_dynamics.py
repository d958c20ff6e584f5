r"""Figures 5(c)-(d) of Ojajärvi et al. (2020): the thermally driven spin oscillator.

Ojajärvi et al. (2020): Ojajärvi, Heikkilä, Virtanen, PRB 101, 115406 (2020), Sec. V.  Caption of
Fig. 5(c)-(d): S = 100, T_S = 0.5 T_c, h = 0.3 Δ0 ẑ, P = 1, V = 0, Ω = 0.5 Δ0/ħ,
G_T = e²/ħ; (c) the distribution P(cos θ) normalized by its maximum, bimodal near
T_F ≈ 0.31 T_c; (d) the FWHM of the dipole spectrum S_xx(ω) (black), the mean
magnetization ⟨cos θ⟩ (red) and θ* (dashed) against T_F.

Everything is computed without Monte Carlo: the torque τ_z(cos θ) (Eq. (5)) and noise
D(cos θ) (Eq. (20)) tables come from :func:`fastspin.physics.fis.dynamics_tables`, the stationary
density of the Langevin equation (8) from
:meth:`fastspin.physics.tilt.TiltAngleModel.stationary_density` (zero-flux Fokker-Planck,
O(h²) on a 2001-point grid), the spectrum and its FWHM from Eq. (23) via
:func:`fastspin.physics.tilt.spectrum_linewidth`, and the deterministic precession angles
θ* from :func:`fastspin.figures.fis.precession_branches`.  Panel (c) overlays a small
ensemble of Eq. (8) (:func:`fastspin.physics.tilt.run_tilt_ensemble`) at one T_F as a check.

Beside that Gaussian (Fokker-Planck) law, both panels draw the paper's own method of
Sec. V B: P ∝ exp(2S ∫ p* du) from the nonzero root φ_q* = −ip* of the cumulant
generating function s̃_T (:class:`fastspin.physics.semiclassical.SemiclassicalTiltModel`,
the same 61 angles), and Eq. (23) averaged over it.

Sign (finding of :mod:`fastspin.physics.fis`, see :mod:`fastspin.figures.fis`): with Eq. (5) as
printed, the thermally driven window appears for h = −0.3 Δ0 ẑ (at T_F ≈ 0.25–0.31 T_c),
not for the caption's +0.3 Δ0 ẑ; the figures use h = −0.3 Δ0 ẑ and say so.

Found (tests/test_figures_fis_dynamics.py): ⟨cos θ⟩ rises monotonically from −0.99 at
T_F = 0.15 T_c to +0.99 at 0.5 T_c; a stable interior θ* exists for T_F ≈ 0.22–0.31 T_c
(cos θ* from −0.96 to −0.30); P(cos θ) is bimodal (second maximum 28 % of the first, at
cos θ = +1) at T_F = 0.2975 T_c, a little below the caption's ≈ 0.31 T_c, and jumps to
the θ = 0 pole above 0.30 T_c; the FWHM of S_xx falls from 6.0e-5 Δ0/ħ (0.15 T_c) to
4.5e-6 Δ0/ħ at 0.30 T_c (the phase-diffusion width 2D(θ*)/(S² sin²θ*) within 3 %), then
jumps to 6.6e-5 Δ0/ħ at 0.305 T_c and grows to 2.5e-4 Δ0/ħ at 0.5 T_c.

Semiclassical against Gaussian (tests/figures/test_figures_fis_dynamics.py): the maxima sit
at the same angles (p* = 0 where τ_z = 0); the two maxima have equal heights at
T_F = 0.29772 T_c (Gaussian: 0.29819 T_c); at T_F = 0.30 T_c the oscillating state
(cos θ = −0.434) has log-weight ln(P/max P) = −4.17 (Gaussian: −3.24), so ⟨cos θ⟩ = 0.700
(Gaussian: 0.459); at 0.5 T_c = T_S (equilibrium, Ω/2T = 0.88) the semiclassical law is
the Boltzmann law and the FWHM is 3.13e-4 Δ0/ħ (Gaussian: 2.52e-4, 19 % narrower).

Not in the caption (our choice): Dynes Γ = 1e-3 Δ0 (as Fig. 5(a)-(b) in
:mod:`fastspin.figures.fis`), the self-consistent gap Δ(T_S, h), S A0 = 0, the table grid
(61 angles), the T_F range 0.1–0.6 T_c.

Units: T in T_c on the axes; ω, FWHM in Δ0/ħ; P(cos θ) dimensionless (normalized by
its maximum in (c)).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from fastspin.figures.style import save
from fastspin.physics import fis
from fastspin.physics.semiclassical import SemiclassicalTiltModel
from fastspin.physics.tilt import (
    TiltAngleModel,
    run_tilt_ensemble,
    spectrum_linewidth,
)
from fastspin.references import OJAJARVI_2020
from fastspin.units import Tc

#: total spin S (units of ħ)
SPIN: float = 100.0
T_S_FIG5: float = 0.5 * Tc
OMEGA_FIG5: float = 0.5
H_FIELD: float = 0.3
#: polar angle of ĥ: π, i.e. h = −0.3 Δ0 ẑ (the sign with the window; caption: +ẑ)
H_ANGLE: float = math.pi
P_FIG5: float = 1.0
V_FIG5: float = 0.0
#: Dynes Γ (not in the caption), Δ0
DYNES_FIG5: float = 1e-3
#: g_T = G_T ħ/e² = 1 (caption: G_T = e²/ħ)
CONDUCTANCE: float = 1.0
#: angles of the torque/noise tables (θ from 0 to π)
N_TABLE: int = 61
#: T_F/T_c where the code's P(cos θ) is most clearly bimodal (caption: ≈ 0.31)
T_F_BIMODAL: float = 0.2975
#: T_F/T_c of the curves of panel (c) (dashed: T_F_BIMODAL)
T_F_CURVES: tuple[float, ...] = (0.15, 0.22, 0.26, 0.29, T_F_BIMODAL, 0.31, 0.35, 0.5)
T_F_RANGE: tuple[float, float] = (0.1, 0.6)
#: T_F/T_c of the ensemble overlay in (c): the oscillating state
T_F_ENSEMBLE: float = 0.26

_SEED = OJAJARVI_2020.short()
#: stationary laws: the paper's semiclassical one (root of s̃_T) and the Gaussian Fokker-Planck one
LAWS: tuple[str, ...] = ("semiclassical", "fokker_planck")


def tilt_model(T_F_over_Tc: float, n_grid: int = 2001) -> TiltAngleModel:
    """Eq. (8) of Ojajärvi et al. (2020) at the parameters of Fig. 5(c)-(d) and T_F = ``T_F_over_Tc`` T_c."""
    theta = np.linspace(0.0, math.pi, N_TABLE)
    cos_theta = np.cos(theta)[::-1]
    T_F = T_F_over_Tc * Tc
    tables = fis.dynamics_tables(
        cos_theta, V_FIG5, T_S_FIG5, T_F, OMEGA_FIG5, H_FIELD, H_ANGLE, P_FIG5, DYNES_FIG5,
    )  # fmt: skip
    return TiltAngleModel(
        SPIN, 0.0, OMEGA_FIG5, T_F, cos_theta, tables["torque_z"], tables["torque_noise"],
        conductance=CONDUCTANCE, n_grid=n_grid,
    )  # fmt: skip


def semiclassical_model(T_F_over_Tc: float, n_grid: int = 2001) -> SemiclassicalTiltModel:
    """The semiclassical law of Sec. V B at the parameters of Fig. 5(c)-(d) (same angles)."""
    theta = np.linspace(0.0, math.pi, N_TABLE)
    return SemiclassicalTiltModel.from_junction(
        np.cos(theta)[::-1], V=V_FIG5, T_S=T_S_FIG5, T_F=T_F_over_Tc * Tc, Omega=OMEGA_FIG5,
        h=H_FIELD, h_angle=H_ANGLE, P=P_FIG5, dynes=DYNES_FIG5, S=SPIN, A0=0.0,
        conductance=CONDUCTANCE, n_grid=n_grid,
    )  # fmt: skip


def law_model(T_F_over_Tc: float, law: str = "fokker_planck") -> TiltAngleModel:
    """The model whose ``stationary_density`` is the ``law`` (one of :data:`LAWS`) at T_F."""
    if law not in LAWS:
        raise ValueError(f"law must be one of {LAWS}, got {law!r}")
    return semiclassical_model(T_F_over_Tc) if law == "semiclassical" else tilt_model(T_F_over_Tc)


def distributions(T_F_over_Tc: np.ndarray, law: str = "fokker_planck") -> tuple[np.ndarray, np.ndarray]:
    """P(cos θ)/max P for each T_F (Fig. 5(c)) under ``law``: (cos θ grid, array (n_T, n_grid))."""
    rows = []
    u = None
    for T_F in np.atleast_1d(T_F_over_Tc):
        u, density = law_model(float(T_F), law).stationary_density()
        rows.append(density / density.max())
    return u, np.array(rows)


def linewidth_curve(T_F_over_Tc: np.ndarray, law: str = "fokker_planck") -> dict[str, np.ndarray]:
    """Fig. 5(d) against T_F: ``fwhm`` of S_xx (Δ0/ħ), ``mean_cos_theta`` = ⟨cos θ⟩ over
    the stationary density of ``law``, ``cos_theta_star`` of the stable interior precession
    angle (NaN where none), ``n_peaks`` (local maxima of P above 10 % of the largest)."""
    from fastspin.figures.fis import precession_branches

    T_F_over_Tc = np.atleast_1d(np.asarray(T_F_over_Tc, dtype=float))
    out = {name: np.empty(T_F_over_Tc.size) for name in ("fwhm", "mean_cos_theta", "n_peaks")}
    for k, T_F in enumerate(T_F_over_Tc):
        model = law_model(float(T_F), law)
        u, density = model.stationary_density()
        out["mean_cos_theta"][k] = np.trapezoid(u * density, u)
        out["fwhm"][k] = spectrum_linewidth(model)
        out["n_peaks"][k] = len(_peaks(density))
    branches = precession_branches(
        np.full(T_F_over_Tc.size, V_FIG5), T_F_over_Tc * Tc, OMEGA_FIG5, H_ANGLE, T_S=T_S_FIG5,
    )  # fmt: skip
    out["cos_theta_star"] = np.cos(branches["interior_stable"])
    return out


def _peaks(density: np.ndarray) -> np.ndarray:
    """Local maxima (ends included) above 10 % of the largest."""
    padded = np.concatenate([[-np.inf], density, [-np.inf]])
    inner = (padded[1:-1] > padded[:-2]) & (padded[1:-1] >= padded[2:])
    idx = np.nonzero(inner)[0]
    return idx[density[idx] > 0.1 * density.max()]


def ensemble_density(T_F_over_Tc: float = T_F_ENSEMBLE, n_trajectories: int = 4000,
                     n_bins: int = 40, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Histogram density of the final cos θ of an Eq. (8) ensemble started at cos θ = 0
    (3000 Heun steps of dt = 0.01/max|a0'|, as tests/test_tilt.py checks against the
    Fokker-Planck density).  Returns (bin centres, density)."""
    model = tilt_model(T_F_over_Tc)
    drift0 = model.kernel_tables()[0]
    dt = 0.01 / np.max(np.abs(np.gradient(drift0, np.linspace(-1.0, 1.0, model.n_grid))))
    result = run_tilt_ensemble(model, n_trajectories, seed=seed, dt=dt, n_steps=3000, u0=0.0,
                               n_bins=n_bins)
    centres = 0.5 * (result.bin_edges[1:] + result.bin_edges[:-1])
    return centres, result.density()


def second_maximum_log_weight(T_F_over_Tc: float, law: str = "fokker_planck") -> float:
    """ln(P at the second-highest local maximum / P at the highest) of ``law`` at T_F (NaN if one)."""
    u, density = law_model(T_F_over_Tc, law).stationary_density()
    log_density = np.log(density)
    padded = np.concatenate([[-np.inf], log_density, [-np.inf]])
    maxima = np.sort(log_density[(padded[1:-1] > padded[:-2]) & (padded[1:-1] >= padded[2:])])
    return float(maxima[-2] - maxima[-1]) if maxima.size > 1 else math.nan


def fig5c(out_dir: Path, n_T: int, n_ensemble: int) -> str:
    """Fig. 5(c): maps of P(cos θ)/max over (T_F, cos θ) for the semiclassical law (the
    paper's method) and the Gaussian Fokker-Planck law, and the curves at T_F_CURVES of
    both with the Eq. (8) ensemble."""
    T_grid = np.linspace(*T_F_RANGE, n_T)
    fig, axes = plt.subplots(1, 3, figsize=(15.5, 4.6))
    titles = {"semiclassical": "semiclassical: root of $\\tilde s_T$ (Sec. V B)",
              "fokker_planck": "Gaussian: Fokker-Planck of Eq. (8)"}
    u = None
    for ax_map, law in zip(axes[:2], LAWS, strict=True):
        u, density_map = distributions(T_grid, law)
        mesh = ax_map.pcolormesh(T_grid, u[::10], density_map[:, ::10].T, shading="nearest",
                                 cmap="viridis")
        fig.colorbar(mesh, ax=ax_map, label=r"$P(\cos\theta)/\max P$")
        ax_map.set_xlabel(r"$T_F/T_c$")
        ax_map.set_ylabel(r"$\cos\theta$")
        ax_map.set_title(titles[law], fontsize=9)
    ax_cut = axes[2]
    colors = plt.cm.plasma(np.linspace(0.0, 0.9, len(T_F_CURVES)))
    semiclassical = distributions(np.array(T_F_CURVES), "semiclassical")[1]
    gaussian = distributions(np.array(T_F_CURVES), "fokker_planck")[1]
    for T_F, row, fp_row, color in zip(T_F_CURVES, semiclassical, gaussian, colors, strict=True):
        ax_cut.plot(u, row, "-", color=color, label=rf"$T_F = {T_F:g}\,T_c$")
        ax_cut.plot(u, fp_row, ":", color=color, lw=1.0)
        for ax_map in axes[:2]:
            ax_map.axvline(T_F, color=color, lw=0.6, ls="--" if T_F == T_F_BIMODAL else "-")
    if n_ensemble > 0:
        centres, hist = ensemble_density(T_F_ENSEMBLE, n_ensemble)
        _, exact = tilt_model(T_F_ENSEMBLE).stationary_density()
        ax_cut.plot(centres, hist / exact.max(), "o", ms=3.5, color="k",
                    label=rf"Eq. (8) ensemble, $T_F = {T_F_ENSEMBLE:g}\,T_c$ (N = {n_ensemble})")
    ax_cut.plot([], [], "k-", label="semiclassical (paper)")
    ax_cut.plot([], [], "k:", label="Gaussian Fokker-Planck")
    ax_cut.set_xlabel(r"$\cos\theta$")
    ax_cut.set_ylabel(r"$P(\cos\theta)/\max P$")
    ax_cut.legend(fontsize=6.5, loc="center", bbox_to_anchor=(0.55, 0.6))
    ax_cut.set_xlim(-1.0, 1.0)
    fig.suptitle(
        f"Fig. 5(c) of {_SEED}: S = {SPIN:g}, $T_S$ = 0.5 $T_c$, Ω = {OMEGA_FIG5:g} Δ0/ħ, V = 0, "
        "P = 1, h = −0.3 Δ0 ẑ (caption: +0.3 Δ0 ẑ; with Eq. (5) as printed the window needs "
        "−ẑ).\nStationary law from the nonzero root of the cumulant generating function (the "
        "paper's method) beside the Gaussian Fokker-Planck law of Eq. (8) and its ensemble",
        fontsize=9,
    )  # fmt: skip
    fig.tight_layout()
    return save(fig, out_dir, "fis_fig5c_distribution.png")


def fig5d(out_dir: Path, n_T: int) -> str:
    """Fig. 5(d): FWHM of S_xx, ⟨cos θ⟩ (both laws) and cos θ* against T_F, dots at T_F_CURVES."""
    T_grid = np.linspace(*T_F_RANGE, n_T)
    curves = {law: linewidth_curve(T_grid, law) for law in LAWS}
    dots = linewidth_curve(np.array(T_F_CURVES), "semiclassical")
    fig, ax = plt.subplots(figsize=(7.2, 4.8))
    ax.semilogy(T_grid, curves["semiclassical"]["fwhm"], "k-",
                label=r"FWHM of $S_{xx}(\omega)$, semiclassical")
    ax.semilogy(T_grid, curves["fokker_planck"]["fwhm"], ":", color="0.4",
                label=r"FWHM, Gaussian Fokker-Planck")
    ax.semilogy(T_F_CURVES, dots["fwhm"], "ko", ms=4)
    ax.set_xlabel(r"$T_F/T_c$")
    ax.set_ylabel(r"FWHM  [$\Delta_0/\hbar$]")
    twin = ax.twinx()
    twin.plot(T_grid, curves["semiclassical"]["mean_cos_theta"], "r-",
              label=r"$\langle\cos\theta\rangle$, semiclassical")
    twin.plot(T_grid, curves["fokker_planck"]["mean_cos_theta"], "r:",
              label=r"$\langle\cos\theta\rangle$, Gaussian")
    twin.plot(T_F_CURVES, dots["mean_cos_theta"], "ro", ms=4)
    twin.plot(T_grid, curves["semiclassical"]["cos_theta_star"], "k--", lw=1.0,
              label=r"$\cos\theta^*$ (stable)")
    twin.set_ylabel(r"$\langle\cos\theta\rangle$, $\cos\theta^*$", color="r")
    twin.set_ylim(-1.05, 1.05)
    lines = ax.get_legend_handles_labels()
    twin_lines = twin.get_legend_handles_labels()
    ax.legend(lines[0] + twin_lines[0], lines[1] + twin_lines[1], fontsize=7, loc="lower left")
    ax.set_title(f"Fig. 5(d) of {_SEED}\nEq. (23) averaged over P(cos θ); G_T = e²/ħ, "
                 "h = −0.3 Δ0 ẑ (caption +ẑ)", fontsize=9)
    fig.tight_layout()
    return save(fig, out_dir, "fis_fig5d_linewidth.png")


def figures_fis_dynamics(out_dir: str | os.PathLike = "figures", n_T: int = 101,
                         n_ensemble: int = 4000) -> list[str]:
    """Draw Figs. 5(c) and 5(d) of Ojajärvi et al. (2020) into ``out_dir``; returns the PNG paths.

    ``n_T``: T_F points of the map and the curves; ``n_ensemble``: trajectories of the
    Eq. (8) check overlaid on (c) (0: none).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [fig5c(out_dir, n_T, n_ensemble), fig5d(out_dir, n_T)]


__all__ = ["LAWS", "distributions", "ensemble_density", "figures_fis_dynamics", "law_model",
           "linewidth_curve", "second_maximum_log_weight", "semiclassical_model", "tilt_model"]
