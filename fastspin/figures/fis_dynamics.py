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


def distributions(T_F_over_Tc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P(cos θ)/max P for each T_F (Fig. 5(c)): returns (cos θ grid, array (n_T, n_grid))."""
    rows = []
    u = None
    for T_F in np.atleast_1d(T_F_over_Tc):
        u, density = tilt_model(float(T_F)).stationary_density()
        rows.append(density / density.max())
    return u, np.array(rows)


def linewidth_curve(T_F_over_Tc: np.ndarray) -> dict[str, np.ndarray]:
    """Fig. 5(d) against T_F: ``fwhm`` of S_xx (Δ0/ħ), ``mean_cos_theta`` = ⟨cos θ⟩ over
    the stationary density, ``cos_theta_star`` of the stable interior precession angle
    (NaN where none), ``n_peaks`` (local maxima of P above 10 % of the largest)."""
    from fastspin.figures.fis import precession_branches

    T_F_over_Tc = np.atleast_1d(np.asarray(T_F_over_Tc, dtype=float))
    out = {name: np.empty(T_F_over_Tc.size) for name in ("fwhm", "mean_cos_theta", "n_peaks")}
    for k, T_F in enumerate(T_F_over_Tc):
        model = tilt_model(float(T_F))
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


def fig5c(out_dir: Path, n_T: int, n_ensemble: int) -> str:
    """Fig. 5(c): map of P(cos θ)/max over (T_F, cos θ) and the curves at T_F_CURVES."""
    T_grid = np.linspace(*T_F_RANGE, n_T)
    u, density_map = distributions(T_grid)
    _, curves = distributions(np.array(T_F_CURVES))
    fig, (ax_map, ax_cut) = plt.subplots(1, 2, figsize=(11.0, 4.4))
    mesh = ax_map.pcolormesh(T_grid, u[::10], density_map[:, ::10].T, shading="nearest",
                             cmap="viridis")
    fig.colorbar(mesh, ax=ax_map, label=r"$P(\cos\theta)/\max P$")
    ax_map.set_xlabel(r"$T_F/T_c$")
    ax_map.set_ylabel(r"$\cos\theta$")
    colors = plt.cm.plasma(np.linspace(0.0, 0.9, len(T_F_CURVES)))
    for T_F, row, color in zip(T_F_CURVES, curves, colors, strict=True):
        style = "--" if T_F == T_F_BIMODAL else "-"
        ax_cut.plot(u, row, style, color=color, label=rf"$T_F = {T_F:g}\,T_c$")
        ax_map.axvline(T_F, color=color, lw=0.6, ls=style)
    if n_ensemble > 0:
        centres, hist = ensemble_density(T_F_ENSEMBLE, n_ensemble)
        model = tilt_model(T_F_ENSEMBLE)
        _, exact = model.stationary_density()
        ax_cut.plot(centres, hist / exact.max(), "o", ms=3.5, color="k",
                    label=rf"Eq. (8) ensemble, $T_F = {T_F_ENSEMBLE:g}\,T_c$ (N = {n_ensemble})")
        ax_cut.plot(u, exact / exact.max(), ":", color="k", lw=1.0)
    ax_cut.set_xlabel(r"$\cos\theta$")
    ax_cut.set_ylabel(r"$P(\cos\theta)/\max P$")
    ax_cut.legend(fontsize=7, loc="center", bbox_to_anchor=(0.55, 0.6))
    ax_cut.set_xlim(-1.0, 1.0)
    fig.suptitle(
        f"Fig. 5(c) of {_SEED}: S = {SPIN:g}, $T_S$ = 0.5 $T_c$, Ω = {OMEGA_FIG5:g} Δ0/ħ, V = 0, "
        "P = 1, h = −0.3 Δ0 ẑ\n(caption: +0.3 Δ0 ẑ; with Eq. (5) as printed the window needs "
        "−ẑ). Stationary Fokker-Planck density of Eq. (8); dashed: bimodal (caption: ≈ 0.31 $T_c$)",
        fontsize=9,
    )  # fmt: skip
    fig.tight_layout()
    return save(fig, out_dir, "fis_fig5c_distribution.png")


def fig5d(out_dir: Path, n_T: int) -> str:
    """Fig. 5(d): FWHM of S_xx, ⟨cos θ⟩ and cos θ* against T_F, dots at T_F_CURVES."""
    T_grid = np.linspace(*T_F_RANGE, n_T)
    curve = linewidth_curve(T_grid)
    dots = linewidth_curve(np.array(T_F_CURVES))
    fig, ax = plt.subplots(figsize=(6.8, 4.6))
    ax.semilogy(T_grid, curve["fwhm"], "k-", label=r"FWHM of $S_{xx}(\omega)$")
    ax.semilogy(T_F_CURVES, dots["fwhm"], "ko", ms=4)
    ax.set_xlabel(r"$T_F/T_c$")
    ax.set_ylabel(r"FWHM  [$\Delta_0/\hbar$]")
    twin = ax.twinx()
    twin.plot(T_grid, curve["mean_cos_theta"], "r-", label=r"$\langle\cos\theta\rangle$")
    twin.plot(T_F_CURVES, dots["mean_cos_theta"], "ro", ms=4)
    twin.plot(T_grid, curve["cos_theta_star"], "k--", lw=1.0, label=r"$\cos\theta^*$ (stable)")
    twin.set_ylabel(r"$\langle\cos\theta\rangle$, $\cos\theta^*$", color="r")
    twin.set_ylim(-1.05, 1.05)
    lines = ax.get_legend_handles_labels()
    twin_lines = twin.get_legend_handles_labels()
    ax.legend(lines[0] + twin_lines[0], lines[1] + twin_lines[1], fontsize=8, loc="lower left")
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


__all__ = ["distributions", "ensemble_density", "figures_fis_dynamics", "linewidth_curve",
           "tilt_model"]
