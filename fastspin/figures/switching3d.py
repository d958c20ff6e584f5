r"""Transport-driven 3-D switching: two switching-probability maps and the 3-D/tilt comparison.

* ``fis3d_switching_map.png`` - P_sw of the F island of Ojajärvi et al. (2020) in 3-D
  (model ``fis3d_switching``) over the bias V and the signed field h (h_angle = 0.5,
  dT = 0, other parameters the model defaults): the voltage-driven antidamping switches
  +ẑ → −ẑ for h·ẑ > 0 only.
* ``magnon_switching_map.png`` - P_sw of the YIG-like macrospin of Bender and
  Tserkovnyak (2015) (model ``magnon_switching``) over μ' and ΔT, with the closed-form
  threshold μ'_c(ΔT) drawn on top.  The P_sw edge lies right of μ'_c: just above it the
  instability grows at a rate ∝ μ' − μ'_c, slower than the run (8e4 ħ/meV) allows.
* ``fis3d_vs_tilt.png`` - P(cos θ) of the thermally driven island (Fig. 5 parameters,
  h tilted by 0.54 rad from −ẑ): the tilt-angle model's stationary density (Eq. (8),
  no sampling), the 3-D engine with the in-plane torques off (the axial limit: it must
  lie on the tilt curve) and with them on (τ_x, τ_y of Eq. (A5) and the reactive torque
  of Eqs. (A7)-(A8)).

Our choices (not from the papers): the grids, the ensemble sizes and run lengths below,
S = 10 and g_T = 100 in the comparison (so that the 3-D runs relax in ~10⁵ steps; the
stationary P(cos θ) of Eq. (8) does not depend on g_T at A0 = 0).  The maps are Monte
Carlo estimates with binomial errors (Wilson 95 % half-widths up to ≈ 0.1 at N = 64).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import fastspin
from fastspin.figures.style import save
from fastspin.physics import fis
from fastspin.physics.fis3d import fis3d_table
from fastspin.physics.tilt import TiltAngleModel
from fastspin.physics.torque_table import run_table_ensemble
from fastspin.references import BENDER_2015, OJAJARVI_2020
from fastspin.units import Tc

#: the thermally driven island of Fig. 5 of Ojajärvi et al. (2020), tilted field
COMPARISON = {"V": 0.0, "h": 0.3, "h_angle": math.pi - 0.54, "P": 1.0, "Omega": 0.5,
              "T_S": 0.5 * Tc, "T_F": 0.26 * Tc, "dynes": 1e-3}  # fmt: skip
COMPARISON_S = 10.0
COMPARISON_CONDUCTANCE = 100.0


def fis_map(V: np.ndarray, h: np.ndarray, n_trajectories: int = 64):
    """``fis3d_switching`` on the (V, h) grid at h_angle = 0.5, duration 600 ħ/Δ0 (seed 0)."""
    return fastspin.evaluate("fis3d_switching", V=list(V), h=list(h), h_angle=0.5,
                             n_trajectories=n_trajectories, duration=600.0)  # fmt: skip


def magnon_map(mu_s: np.ndarray, dT: np.ndarray, n_trajectories: int = 64):
    """``magnon_switching`` on the (μ', ΔT) grid, duration 8e4 ħ/meV, dt 4 (seed 0)."""
    return fastspin.evaluate("magnon_switching", mu_s=list(mu_s), dT=list(dT),
                             n_trajectories=n_trajectories, duration=8e4, dt=4.0)  # fmt: skip


def tilt_density() -> tuple[np.ndarray, np.ndarray]:
    """Stationary P(cos θ) of the tilt-angle model at :data:`COMPARISON` (Eq. (8))."""
    u = np.linspace(-1.0, 1.0, 61)
    p = COMPARISON
    tables = fis.dynamics_tables(u, p["V"], p["T_S"], p["T_F"], p["Omega"], p["h"],
                                 p["h_angle"], p["P"], p["dynes"])  # fmt: skip
    model = TiltAngleModel(COMPARISON_S, 0.0, p["Omega"], p["T_F"], u, tables["torque_z"],
                           tables["torque_noise"], conductance=COMPARISON_CONDUCTANCE)  # fmt: skip
    return model.stationary_density()


def engine_histogram(in_plane: bool, n_trajectories: int = 4000, n_steps: int = 3000,
                     seed: int = 0, n_bins: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Density of the final cos θ of the 3-D engine at :data:`COMPARISON` (dt = 0.05 ħ/Δ0)."""
    table = fis3d_table(S=COMPARISON_S, A0=0.0, conductance=COMPARISON_CONDUCTANCE,
                        in_plane=in_plane, **COMPARISON)  # fmt: skip
    r = run_table_ensemble(table, n_trajectories, seed, dt=0.05, n_steps=n_steps,
                           m0=(math.sqrt(1 - 0.49), 0.0, -0.7), n_bins=n_bins)  # fmt: skip
    return 0.5 * (r.bin_edges[1:] + r.bin_edges[:-1]), r.density()


def figures_switching3d(out_dir: str | os.PathLike = "figures", n_trajectories: int = 64) -> list[str]:
    """Draw the three figures (module docstring) into ``out_dir``; returns the PNG paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []

    V, h = np.linspace(0.0, 1.0, 11), np.linspace(-0.4, 0.4, 9)
    ds = fis_map(V, h, n_trajectories)
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    mesh = ax.pcolormesh(V, h, ds.switching_probability.values.T, vmin=0, vmax=1, shading="nearest")
    fig.colorbar(mesh, label="switching probability")
    ax.set_xlabel(r"$V$ [$\Delta_0/e$]")
    ax.set_ylabel(r"$h$ [$\Delta_0$] (signed, $\theta_h = 0.5$)")
    ax.set_title(f"{OJAJARVI_2020.short()}: 3-D island, P_sw in 600 ħ/Δ0", fontsize=9)
    fig.tight_layout()
    paths.append(save(fig, out_dir, "fis3d_switching_map.png"))

    mu_s, dT = np.linspace(0.0, 0.12, 13), np.linspace(-0.6, 0.6, 9)
    ds = magnon_map(mu_s, dT, n_trajectories)
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    mesh = ax.pcolormesh(mu_s, dT, ds.switching_probability.values.T, vmin=0, vmax=1,
                         shading="nearest")  # fmt: skip
    fig.colorbar(mesh, label="switching probability")
    ax.plot(ds.threshold_mu_s.values[0], dT, "w--", label=r"threshold $\mu'_c(\Delta T)$")
    ax.set_xlim(mu_s[0], mu_s[-1])
    ax.set_xlabel(r"$\mu'$ [meV]")
    ax.set_ylabel(r"$\Delta T = T_{\rm magnon} - T_e$ [meV]")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"{BENDER_2015.short()}: YIG-like magnet, P_sw in 8e4 ħ/meV", fontsize=9)
    fig.tight_layout()
    paths.append(save(fig, out_dir, "magnon_switching_map.png"))

    u, density = tilt_density()
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
    ax.plot(u, density, "k-", label="tilt model, Eq. (8) (Fokker-Planck)")
    for in_plane, style, label in ((False, "o", "3-D, in-plane torques off"),
                                   (True, "s", "3-D, all torques (A5), (A7)-(A8)")):
        centres, hist = engine_histogram(in_plane)
        ax.plot(centres, hist, style, ms=4, mfc="none", label=label)
    ax.set_xlabel(r"$\cos\theta$")
    ax.set_ylabel(r"$P(\cos\theta)$")
    ax.legend(fontsize=8)
    ax.set_title(f"{OJAJARVI_2020.short()}: 3-D engine vs tilt angle (4000 trajectories)", fontsize=9)
    fig.tight_layout()
    paths.append(save(fig, out_dir, "fis3d_vs_tilt.png"))
    return paths


__all__ = ["engine_histogram", "figures_switching3d", "fis_map", "magnon_map", "tilt_density"]
