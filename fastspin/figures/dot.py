"""Figures of the ferromagnetic quantum dot (Ludwig et al.), reproduced from simulation.

:func:`figures_dot` writes

* ``dot_fig2.png``: Fig. 2 of the paper, the occupation n_d^σ(ε) = (1 − F_d^σ(ε))/2
  of the dot distribution Eq. (31) (:func:`fastspin.physics.dot.dot_distribution`):
  four shifted Fermi steps per spin, at the lead potentials V and 0 shifted by V_d0
  and split by the precession (B_∓).
* ``dot_fig3.png``: Fig. 3(a)-(b) of the paper.  The bias is swept up from 0 to
  2 V_sw and back down; at every V the Langevin equations (Eq. 43 with the noise of
  the Keldysh action Eq. 37, :func:`fastspin.physics.dot_noise.voltage_sweep_langevin`)
  run for ``t_settle`` from the state the previous V left behind, starting exactly
  at the north pole: the physical noise, not a kick, moves the magnetization off an
  unstable pole.  Markers are the settled cos θ0 and current I; lines are the
  paper's stationary solutions (poles, stability from Eq. (50), V_sw from Eq. (51),
  currents from Eqs. (48)-(49)): solid stable, dotted unstable, dashed V_sw.
* ``dot_equilibrium.png``: the same down-sweep with the enforced equilibrium of
  App. B, which shows the persistent-precession window (sin θ0 ≠ 0) that the
  non-equilibrium distribution removes.
"""

from __future__ import annotations

import math
import os

import numpy as np

from fastspin.figures.style import cite, save
from fastspin.physics import dot as d
from fastspin.physics import dot_noise as dn
from fastspin.references import LUDWIG_2017

#: the Fig. 3 scenario: Γ_l^↓ > Γ_l^↑, B > 0, g^↑↑ + g^↓↓ > g^↑↓ + g^↓↑ (ρ_d^↓ > ρ_d^↑)
FIG3_PARAMETERS = dict(Gamma_l_up=0.2, Gamma_l_down=1.0, Gamma_r=1.0, B=1.0, S=500.0, C=50.0,
                       rho_d_up=20.0, rho_d_down=30.0)


def _rates(ps: dict) -> tuple:
    return ps["Gamma_l_up"], ps["Gamma_l_down"], ps["Gamma_r"]


def _rhos(ps: dict) -> tuple:
    return ps["rho_d_up"], ps["rho_d_down"]


#: lead temperature of the noisy Fig. 3 sweep [Delta0/k_B]
FIG3_TEMPERATURE = 0.05


def fig3_sweeps(n_points: int = 40, t_settle: float = 4000.0,
                distribution: str = "nonequilibrium") -> tuple[dict, dict]:
    """Noiseless up- and down-sweeps of V over [0, 2 V_sw] (a 0.02 rad kick off exact poles).

    The down-sweep starts from the state the up-sweep ended in.  See
    :func:`fastspin.physics.dot.voltage_sweep`; used for the App. B comparison.
    """
    ps = FIG3_PARAMETERS
    v_sw = float(d.switching_voltage(*_rates(ps), ps["B"]))
    up = np.linspace(0.0, 2.0 * v_sw, n_points)
    sweep_up = d.voltage_sweep(up, t_settle=t_settle, theta_start=0.02,
                               distribution=distribution, **ps)
    sweep_down = d.voltage_sweep(up[::-1], t_settle=t_settle,
                                 theta_start=float(sweep_up["theta"][-1]),
                                 distribution=distribution, **ps)
    return sweep_up, sweep_down


def fig3_sweeps_langevin(n_points: int = 40, t_settle: float = 4000.0,
                         seed: int = 0) -> tuple[dict, dict]:
    """The up- and down-sweeps of V over [0, 2 V_sw] behind Fig. 3, with the physical noise.

    Langevin dynamics with the noise of Eq. (37) at T = :data:`FIG3_TEMPERATURE`
    (:func:`fastspin.physics.dot_noise.voltage_sweep_langevin`); the up-sweep starts
    exactly at the north pole, the down-sweep from the state the up-sweep ended in
    (RNG seed ``seed + 1``).
    """
    ps = dict(FIG3_PARAMETERS, T=FIG3_TEMPERATURE)
    v_sw = float(d.switching_voltage(*_rates(ps), ps["B"]))
    up = np.linspace(0.0, 2.0 * v_sw, n_points)
    sweep_up = dn.voltage_sweep_langevin(up, t_settle, seed=seed, theta_start=0.0, **ps)
    sweep_down = dn.voltage_sweep_langevin(up[::-1], t_settle, seed=seed + 1,
                                           theta_start=float(sweep_up["theta"][-1]), **ps)
    return sweep_up, sweep_down


#: the Fig. 2 state: a tilted, precessing magnetization under bias
FIG2_STATE = dict(theta0=1.0, B0=1.0, V=3.0, T=0.05)


def fig2_distribution(energies: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """n_d^σ(ε) = (1 − F_d^σ(ε))/2 of Eq. (31) at :data:`FIG2_STATE` (V_d0 from Eq. 54)."""
    ps = FIG3_PARAMETERS
    st = FIG2_STATE
    eps = np.linspace(-2.0, 4.5, 1301) if energies is None else np.asarray(energies, float)
    vd0 = d.dot_potential(st["theta0"], st["B0"], V=st["V"], **ps)
    out = {"energy": eps, "Vd0": np.asarray(vd0)}
    for name, sigma in (("n_up", 1), ("n_down", -1)):
        f = d.dot_distribution(eps, sigma, st["theta0"], st["B0"], vd0, st["V"], *_rates(ps),
                               st["T"])
        out[name] = 0.5 * (1.0 - f)
    return out


def figures_dot(out_dir: str, n_points: int = 40, t_settle: float = 4000.0) -> list[str]:
    """Write the quantum-dot figures into ``out_dir``; return the PNG paths."""
    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    ps = FIG3_PARAMETERS
    v_sw = float(d.switching_voltage(*_rates(ps), ps["B"]))
    sweep_up, sweep_down = fig3_sweeps_langevin(n_points, t_settle)
    g_north = float(d.pole_conductance("north", *_rates(ps), *_rhos(ps)))
    g_south = float(d.pole_conductance("south", *_rates(ps), *_rhos(ps)))

    paths = []
    fd = fig2_distribution()
    st = FIG2_STATE
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(fd["energy"], fd["n_up"], label="n_d^↑(ε)")
    ax.plot(fd["energy"], fd["n_down"], "--", label="n_d^↓(ε)")
    vd0 = float(fd["Vd0"])
    for level, text in ((st["V"] - vd0, "V − V_d0"), (-vd0, "−V_d0")):
        ax.axvline(level, color="gray", lw=0.8, ls=":")
        ax.text(level, 1.02, text, ha="center", fontsize=7)
    ax.set_xlabel("ε  [Delta0]")
    ax.set_ylabel("n_d^σ(ε) = (1 − F_d^σ)/2")
    ax.legend(fontsize=8)
    ax.set_title(f"{cite(LUDWIG_2017, '2')}: dot distribution Eq. (31) "
                 f"(θ0={st['theta0']}, B0={st['B0']}, V={st['V']}, T={st['T']})", fontsize=8)
    fig.tight_layout()
    paths.append(save(fig, out_dir, "dot_fig2.png"))

    fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(10, 4))
    below = np.linspace(0.0, v_sw, 2)
    above = np.linspace(v_sw, 2.0 * v_sw, 2)
    stable = dict(color="tab:red", lw=2)
    unstable = dict(color="tab:blue", lw=2, ls=":")
    ax_a.plot(below, [1, 1], **stable, label="stable (Eq. 50)")
    ax_a.plot(above, [-1, -1], **stable)
    ax_a.plot(above, [1, 1], **unstable, label="unstable")
    ax_a.plot(below, [-1, -1], **unstable)
    ax_a.plot([v_sw, v_sw], [-1, 1], color="tab:purple", ls="--", label="V_sw (Eq. 51)")
    ax_a.plot(sweep_up["V"], sweep_up["cos_theta"], "^", color="k", mfc="none",
              label="simulation, V up")
    ax_a.plot(sweep_down["V"], sweep_down["cos_theta"], "v", color="tab:green", ms=4,
              label="simulation, V down")
    ax_a.set_xlabel("V  [Delta0/e]")
    ax_a.set_ylabel("cos θ0")
    ax_a.set_title("(a) stationary cos θ0")
    ax_a.legend(fontsize=7, loc="center left")

    ax_b.plot(below, g_north * below, **stable, label="G_N V (Eq. 48)")
    ax_b.plot(above, g_north * above, **unstable)
    ax_b.plot(above, g_south * above, color="tab:orange", lw=2, label="G_S V (Eq. 49)")
    ax_b.plot(below, g_south * below, color="tab:orange", lw=2, ls=":")
    ax_b.axvline(v_sw, color="tab:purple", ls="--")
    ax_b.plot(sweep_up["V"], sweep_up["I"], "^", color="k", mfc="none", label="simulation, V up")
    ax_b.plot(sweep_down["V"], sweep_down["I"], "v", color="tab:green", ms=4,
              label="simulation, V down")
    ax_b.set_xlabel("V  [Delta0/e]")
    ax_b.set_ylabel("I  [e Delta0/hbar]")
    ax_b.set_title("(b) stationary current I = I_l = I_r")
    ax_b.legend(fontsize=7)
    fig.suptitle(f"{cite(LUDWIG_2017, '3')}: non-equilibrium dot, abrupt north→south switching "
                 f"(Γ_l↑={ps['Gamma_l_up']}, Γ_l↓={ps['Gamma_l_down']}, Γ_r={ps['Gamma_r']}, "
                 f"B={ps['B']}; Langevin noise of Eq. 37, T={FIG3_TEMPERATURE})", fontsize=9)
    fig.tight_layout()
    paths.append(save(fig, out_dir, "dot_fig3.png"))

    # App. B: enforced equilibrium restores persistent precession
    v_eq = float(d.equilibrium_switching_voltage(*_rates(ps), ps["B"], ps["S"], *_rhos(ps)))
    grid = np.linspace(1.2, 0.8, 81) * v_eq
    eq_down = d.voltage_sweep(grid, t_settle=5.0 * t_settle, theta_start=math.pi - 0.02,
                              distribution="equilibrium", **ps)
    neq_down = d.voltage_sweep(grid, t_settle=5.0 * t_settle, theta_start=math.pi - 0.02, **ps)
    fig, (ax_c, ax_d) = plt.subplots(1, 2, figsize=(10, 4))
    ax_c.plot(eq_down["V"], eq_down["cos_theta"], "o-", ms=3, label="enforced equilibrium (App. B)")
    ax_c.plot(neq_down["V"], neq_down["cos_theta"], "s-", ms=3, label="non-equilibrium (Eq. 31)")
    ax_c.set_ylabel("cos θ0")
    ax_d.plot(eq_down["V"], eq_down["sin_theta"], "o-", ms=3, label="enforced equilibrium")
    ax_d.plot(neq_down["V"], neq_down["sin_theta"], "s-", ms=3, label="non-equilibrium")
    ax_d.set_ylabel("sin θ0  (≠ 0: persistent precession)")
    for ax in (ax_c, ax_d):
        ax.set_xlabel("V  [Delta0/e]  (swept down from the south pole)")
        ax.axvline(v_sw, color="tab:purple", ls="--", lw=1, label="V_sw (Eq. 51)")
        ax.axvline(v_eq, color="tab:gray", ls="--", lw=1,
                   label="north unstable, App. B (linearised B1)")
        ax.legend(fontsize=7)
    fig.suptitle(f"{LUDWIG_2017.short()}, App. B: persistent precession only with an enforced equilibrium "
                 "distribution", fontsize=9)
    fig.tight_layout()
    paths.append(save(fig, out_dir, "dot_equilibrium.png"))
    return paths


__all__ = ["FIG2_STATE", "FIG3_PARAMETERS", "FIG3_TEMPERATURE", "fig2_distribution", "fig3_sweeps",
           "fig3_sweeps_langevin", "figures_dot"]
