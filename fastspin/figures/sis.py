r"""Figures 1(b), 2(a)-(d) and 3(a)-(d) of Germanese et al. (2021) (S–I–Sm thermospin junction).

Everything is computed from :mod:`fastspin.physics.sis` (Eqs. (1)-(3) of the paper)
with the captions' parameters: T_S = 0.7 Tc, T_Sm = 0.01 Tc, h = 0, 0.1, 0.2, 0.3,
0.4 Δ0.  The captions do not give the Dynes parameter; we use Γ = 1e-3 Δ0, small
enough that the matching peaks at V_p^± = |Δ(T_S) − Δ(T_Sm) ± h| stand out and large
enough that they are resolved on the bias grids (the peak heights grow like
ln(1/Γ), so |I_s| at V_p^- is ~15 % larger at Γ = 1e-4).

The functions come in two kinds: data functions (:func:`peak_currents`,
:func:`merit_map`, :func:`seebeck_cuts`, :func:`matching_peak_voltages`,
:func:`threshold_line`), which the tests check against the statements of the
text, and ``fig_*`` functions which draw one PNG each.  :func:`figures_sis` draws
them all (``fastspin figures sis``).

Units: V in Δ0/e, h in Δ0, T in Tc on the axes, currents in G_T Δ0/e, conductances
in G_T.  Accuracy: that of the model (1e-6 relative on each current).
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import SymLogNorm

from fastspin.evaluation import evaluate
from fastspin.figures.style import cite, save
from fastspin.physics import sis as sis_model
from fastspin.physics.superconductor import gap
from fastspin.references import GERMANESE_2021
from fastspin.units import Tc

#: Caption parameters of Germanese et al. (2021) (Figs. 1-3).
T_S_CAPTION: float = 0.7 * Tc
T_SM_CAPTION: float = 0.01 * Tc
H_FIG1: float = 0.4
H_FIG2A: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4)
H_FIG3: float = 0.4
#: Dynes parameter of all figures (not given in the captions), in Δ0.
DYNES_FIGURES: float = 1e-3
#: T_S/Tc of the cuts of Fig. 2(c) and Figs. 3(c)-(d).
T_S_CUTS_SEEBECK: tuple[float, ...] = (0.7, 0.75, 0.8, 0.85, 0.9)
T_S_CUTS_SPIN: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)
#: Range of the (T_S, h) maps: T_S/Tc and h/Δ0 (h below the Chandrasekhar-Clogston 1/√2).
T_S_MAP_RANGE: tuple[float, float] = (0.1, 0.98)
H_MAP_RANGE: tuple[float, float] = (0.0, 0.7)

_AQUAMARINE = "#1bb5a0"
_H_COLORS = {0.0: "black", 0.1: "magenta", 0.2: "tab:blue", 0.3: "tab:purple", 0.4: _AQUAMARINE}


# -- data ---------------------------------------------------------------------------------


def _point(
    h: float, T_S: float, T_Sm: float, dynes: float,
    delta_S: float | None = None, delta_Sm: float | None = None,
) -> dict[str, float]:
    """One parameter point of the sis figures of merit; gaps self-consistent unless given."""
    return {
        "h": float(h),
        "T_S": float(T_S),
        "T_Sm": float(T_Sm),
        "dynes": float(dynes),
        "delta_S": float(gap(T_S, 0.0) if delta_S is None else delta_S),
        "delta_Sm": float(gap(T_Sm, h) if delta_Sm is None else delta_Sm),
    }


def matching_peak_voltages(
    h: float, T_S: float = T_S_CAPTION, T_Sm: float = T_SM_CAPTION
) -> tuple[float, float]:
    """(V_p^-, V_p^+) = |Δ(T_S) − [Δ(T_Sm, h) ∓ h]| in Δ0/e (Sec. III of Germanese et al. (2021)).

    For h = 0 both equal V_p = |Δ(T_S) − Δ(T_Sm)|.
    """
    point = _point(h, T_S, T_Sm, DYNES_FIGURES)
    inner = sis_model.inner_peak_voltage(point)
    outer = abs(point["delta_S"] - (point["delta_Sm"] + abs(point["h"])))
    return inner, outer


def threshold_line(T_S: np.ndarray, T_Sm: float = T_SM_CAPTION) -> np.ndarray:
    """h_t(T_S) with Δ(T_S) = Δ(T_Sm, h_t) − h_t: the dashed white line of Figs. 2-3.

    NaN where there is no root below h = 0.7 Δ0.
    """
    return np.array([sis_model.threshold_exchange_field(float(t), float(T_Sm)) for t in T_S])


def peak_currents(
    T_S: np.ndarray, h: np.ndarray, T_Sm: float = T_SM_CAPTION, dynes: float = DYNES_FIGURES
) -> dict[str, np.ndarray]:
    """Currents at the inner matching peak +V_p^- on broadcast (T_S, h) arrays.

    Returns ``V_peak_inner`` (Δ0/e), ``I_charge`` and ``I_spin`` at +V_p^- (G_T Δ0/e)
    and ``G_max`` = I_charge(V_p^-)/V_p^- (G_T; NaN where V_p^- = 0), as the sis_merit
    model defines them (Figs. 2(d), 3(c)-(d) of Germanese et al. (2021)), in one batched integration.
    """
    T_S, h = np.broadcast_arrays(np.asarray(T_S, float), np.asarray(h, float))
    delta_S = gap(T_S, 0.0)
    delta_Sm = gap(T_Sm, h)
    V_inner = np.empty(T_S.shape)
    for index in np.ndindex(T_S.shape):
        point = {"h": h[index], "delta_S": delta_S[index], "delta_Sm": delta_Sm[index]}
        V_inner[index] = sis_model.inner_peak_voltage(point)
    out = sis_model.sis_currents(V_inner, h, delta_S, delta_Sm, T_S, T_Sm, dynes)
    with np.errstate(invalid="ignore", divide="ignore"):
        G_max = np.where(V_inner > 0, out["I_charge"] / V_inner, np.nan)
    return {
        "V_peak_inner": V_inner,
        "I_charge": out["I_charge"],
        "I_spin": out["I_spin"],
        "G_max": G_max,
    }


def merit_map(
    T_S: np.ndarray, h: np.ndarray, T_Sm: float = T_SM_CAPTION, dynes: float = DYNES_FIGURES
) -> dict[str, np.ndarray]:
    """G0, G_max and I_s(V_p^-) on the grid h × T_S (arrays of shape (h.size, T_S.size)).

    G0 is :func:`fastspin.physics.sis.zero_bias_conductance` (numerical dI/dV at V = 0,
    as Fig. 2(b) of Germanese et al. (2021)); the peak quantities come from :func:`peak_currents`.
    Also returns the 1-D axes and ``h_threshold`` (the white line) over T_S.
    """
    T_S = np.asarray(T_S, float)
    h = np.asarray(h, float)
    T_grid, h_grid = np.meshgrid(T_S, h)
    delta_S, delta_Sm = gap(T_S, 0.0), gap(T_Sm, h)  # solved once per axis value
    G0 = np.empty(T_grid.shape)
    for i, j in np.ndindex(T_grid.shape):
        point = _point(h[i], T_S[j], T_Sm, dynes, delta_S[j], delta_Sm[i])
        G0[i, j] = sis_model.zero_bias_conductance(point)
    peaks = peak_currents(T_grid, h_grid, T_Sm, dynes)
    return {
        "T_S": T_S,
        "h": h,
        "G0": G0,
        "G_max": peaks["G_max"],
        "I_spin_peak": peaks["I_spin"],
        "h_threshold": threshold_line(T_S, T_Sm),
    }


def seebeck_cuts(
    T_S: np.ndarray, h: np.ndarray, T_Sm: float = T_SM_CAPTION, dynes: float = DYNES_FIGURES
) -> np.ndarray:
    """|V_S|(T_S, h) of Fig. 2(c), shape (T_S.size, h.size), in Δ0/e.

    :func:`fastspin.physics.sis.seebeck_voltage`: the first zero of I_q(V) > 0 when the
    junction is thermoactive at small bias (G0 < 0), NaN otherwise.
    """
    T_S = np.atleast_1d(np.asarray(T_S, float))
    h = np.atleast_1d(np.asarray(h, float))
    delta_S, delta_Sm = gap(T_S, 0.0), gap(T_Sm, h)
    out = np.empty((T_S.size, h.size))
    for i, j in np.ndindex(out.shape):
        point = _point(h[j], T_S[i], T_Sm, dynes, delta_S[i], delta_Sm[j])
        out[i, j] = sis_model.seebeck_voltage(point)
    return out


def _bias_grid(v_max: float, num: int, h_values, T_S: float, T_Sm: float) -> np.ndarray:
    """Uniform bias grid on [−v_max, v_max] plus ±V_p^± of every h (the peaks are sharp)."""
    extra = [v for field in h_values for v in matching_peak_voltages(field, T_S, T_Sm)]
    extra = np.array([v for v in extra if v < v_max])
    return np.unique(np.concatenate((np.linspace(-v_max, v_max, num), extra, -extra)))


def iv_curves(V: np.ndarray, h_values, T_S: float = T_S_CAPTION, T_Sm: float = T_SM_CAPTION,
              dynes: float = DYNES_FIGURES):
    """sis outputs on the grid V × h (xarray Dataset from :func:`fastspin.evaluate`)."""
    return evaluate("sis", V=np.asarray(V, float), h=list(h_values), T_S=T_S, T_Sm=T_Sm,
                             dynes=dynes)


# -- drawing ------------------------------------------------------------------------------


def _title(panel: str, text: str) -> str:
    return f"{cite(GERMANESE_2021, panel)}: {text}"


def _caption_line(T_S: float = T_S_CAPTION) -> str:
    return f"$T_S$ = {T_S / Tc:.2g} $T_c$, $T_{{Sm}}$ = {T_SM_CAPTION / Tc:.2g} $T_c$, Γ = {DYNES_FIGURES:g} Δ0"


def _save(fig, out_dir: Path, name: str) -> Path:
    return Path(save(fig, out_dir, name))


def fig1b(out_dir: str | os.PathLike) -> Path:
    """Fig. 1(b): I_q(V) for h = 0 and 0.4 Δ0 over a wide bias; inset: I_q and I_s at low bias."""
    out_dir = Path(out_dir)
    h_values = (0.0, H_FIG1)
    V = _bias_grid(3.0, 601, h_values, T_S_CAPTION, T_SM_CAPTION)
    ds = iv_curves(V, h_values)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for field in h_values:
        color = _H_COLORS[field]
        ax.plot(V, ds.I_charge.sel(h=field), color=color, label=f"$h_{{exc}}$ = {field:g} Δ0")
    ax.set_xlabel("V (Δ0/e)")
    ax.set_ylabel("$I_q$ ($G_T$ Δ0/e)")
    ax.set_title(_title("1(b)", "quasiparticle I-V") + "\n" + _caption_line(), fontsize=10)
    ax.legend(loc="upper left")
    ax.axhline(0, color="0.7", lw=0.5)
    inset = ax.inset_axes((0.56, 0.08, 0.41, 0.4))
    low = np.abs(V) <= 0.7
    for field in h_values:
        color = _H_COLORS[field]
        inset.plot(V[low], ds.I_charge.sel(h=field)[low], color=color)
        inset.plot(V[low], ds.I_spin.sel(h=field)[low], color=color, ls="--")
    inset.axhline(0, color="0.7", lw=0.5)
    inset.set_title("$I_q$ (solid), $I_s$ (dashed)", fontsize=8)
    inset.tick_params(labelsize=7)
    ax.indicate_inset_zoom(inset, edgecolor="0.4")
    return _save(fig, out_dir, "sis_fig1b_iv.png")


def fig2a(out_dir: str | os.PathLike) -> Path:
    """Fig. 2(a): I_q(V) for several h, with G0·V (h = 0.2), G_max·V, ±V_S and ±V_p^± (h = 0.4)."""
    out_dir = Path(out_dir)
    V = _bias_grid(0.8, 641, H_FIG2A, T_S_CAPTION, T_SM_CAPTION)
    ds = iv_curves(V, H_FIG2A)
    fig, ax = plt.subplots(figsize=(9.0, 4.8))
    for field in H_FIG2A:
        ax.plot(V, ds.I_charge.sel(h=field), color=_H_COLORS[field], label=f"$h_{{exc}}$ = {field:g} Δ0")
    # linear response for h = 0.2: I = G0 V
    G0 = sis_model.zero_bias_conductance(_point(0.2, T_S_CAPTION, T_SM_CAPTION, DYNES_FIGURES))
    v_lin = np.linspace(-0.06, 0.06, 3)
    ax.plot(v_lin, G0 * v_lin, color="darkviolet", ls="--", lw=1.5, label=f"$G_0V$, h = 0.2 ($G_0$ = {G0:.2f} $G_T$)")
    # nonlinear: G_max at the inner peak, Seebeck voltage and matching peaks for h = 0.4
    peak = peak_currents(np.array([T_S_CAPTION]), np.array([0.4]))
    v_in, v_out = matching_peak_voltages(0.4)
    v_line = np.linspace(-1.3 * v_in, 1.3 * v_in, 3)
    ax.plot(v_line, peak["G_max"][0] * v_line, color=_AQUAMARINE, ls=":", lw=2,
            label=f"$G_{{max}}V$, h = 0.4 ($G_{{max}}$ = {peak['G_max'][0]:.2f} $G_T$)")
    v_s = sis_model.seebeck_voltage(_point(0.4, T_S_CAPTION, T_SM_CAPTION, DYNES_FIGURES))
    ax.plot([-v_s, v_s], [0, 0], "o", mfc="none", mec="darkorange", mew=2, ms=8, label=f"±$V_S$ = ±{v_s:.3f} Δ0/e")
    I_04 = ds.I_charge.sel(h=0.4)
    for v, marker, name in ((v_in, "v", "$V_p^-$"), (v_out, "^", "$V_p^+$")):
        values = I_04.interp(V=[-v, v]).values
        ax.plot([-v, v], values, marker, color="0.25", ms=6, ls="none", label=f"±{name} = ±{v:.3f} Δ0/e")
    ax.axhline(0, color="0.7", lw=0.5)
    ax.set_xlabel("V (Δ0/e)")
    ax.set_ylabel("$I_q$ ($G_T$ Δ0/e)")
    ax.set_title(_title("2(a)", "$I_q(V)$ for several $h_{exc}$") + "\n" + _caption_line(), fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.tight_layout()
    return _save(fig, out_dir, "sis_fig2a_iv.png")


def _map_axes(T_S_over_Tc: np.ndarray, h: np.ndarray, data: np.ndarray, ax, *, norm=None, cmap="RdBu_r"):
    mesh = ax.pcolormesh(T_S_over_Tc, h, data, shading="nearest", norm=norm, cmap=cmap)
    ax.set_xlabel("$T_S$ / $T_c$")
    ax.set_ylabel("$h_{exc}$ (Δ0)")
    ax.set_xlim(T_S_over_Tc[0], T_S_over_Tc[-1])
    ax.set_ylim(h[0], h[-1])
    return mesh


def _white_line(ax, T_Sm: float = T_SM_CAPTION) -> None:
    """Dashed white line Δ(T_S) = Δ(T_Sm) − h on a (T_S/Tc, h) map."""
    T_fine = np.linspace(T_S_MAP_RANGE[0], T_S_MAP_RANGE[1], 80) * Tc
    ax.plot(T_fine / Tc, threshold_line(T_fine, T_Sm), color="white", ls="--", lw=1.8,
            label="Δ($T_S$) = Δ($T_{Sm}$) − $h_{exc}$")


def _signed_norm(data: np.ndarray, linthresh: float, cap: float) -> SymLogNorm:
    vmax = min(cap, float(np.nanmax(np.abs(data))))
    return SymLogNorm(linthresh=linthresh, vmin=-vmax, vmax=vmax, base=10)


def _map_grid(map_points: int) -> tuple[np.ndarray, np.ndarray]:
    T_S = np.linspace(*T_S_MAP_RANGE, map_points) * Tc
    h = np.linspace(*H_MAP_RANGE, map_points)
    return T_S, h


def _merit_map(out_dir: str | os.PathLike, merit: dict[str, np.ndarray], name: str,
               linthresh: float, label: str, panel: str, title: str, filename: str) -> Path:
    """A signed (T_S, h) map of one figure of merit with the threshold line Δ(T_S) = Δ(T_Sm) − h."""
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    mesh = _map_axes(merit["T_S"] / Tc, merit["h"], merit[name], ax,
                     norm=_signed_norm(merit[name], linthresh, 3.0))
    fig.colorbar(mesh, ax=ax, label=f"{label} ($G_T$), symlog")
    _white_line(ax)
    ax.legend(loc="upper left", fontsize=8, facecolor="0.6")
    ax.set_title(_title(panel, title) + f"\n$T_{{Sm}}$ = 0.01 $T_c$, Γ = {DYNES_FIGURES:g} Δ0",
                 fontsize=10)
    return _save(fig, Path(out_dir), filename)


def fig2b(out_dir: str | os.PathLike, merit: dict[str, np.ndarray]) -> Path:
    """Fig. 2(b): G0(T_S, h); blue thermoactive (G0 < 0), red dissipative; white threshold line."""
    return _merit_map(out_dir, merit, "G0", 1e-3, "$G_0$", "2(b)", "zero-bias conductance $G_0$",
                      "sis_fig2b_G0_map.png")


def fig2c(out_dir: str | os.PathLike, h: np.ndarray | None = None) -> Path:
    """Fig. 2(c): |V_S|(h) for several T_S."""
    h = np.linspace(0.0, 0.7, 29) if h is None else np.asarray(h, float)
    T_S = np.array(T_S_CUTS_SEEBECK) * Tc
    v_s = seebeck_cuts(T_S, h)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    colors = plt.cm.plasma(np.linspace(0.0, 0.85, T_S.size))
    for i, t in enumerate(T_S):
        ax.plot(h, np.abs(v_s[i]), "o-", ms=3, color=colors[i], label=f"$T_S$ = {t / Tc:g} $T_c$")
    ax.set_xlabel("$h_{exc}$ (Δ0)")
    ax.set_ylabel("|$V_S$| (Δ0/e)")
    ax.set_xlim(h[0], h[-1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title(_title("2(c)", "Seebeck voltage vs exchange field") + "\n$T_{Sm}$ = 0.01 $T_c$, "
                 f"Γ = {DYNES_FIGURES:g} Δ0", fontsize=10)
    return _save(fig, Path(out_dir), "sis_fig2c_seebeck.png")


def fig2d(out_dir: str | os.PathLike, merit: dict[str, np.ndarray]) -> Path:
    """Fig. 2(d): G_max = I_q(V_p^-)/V_p^- over (T_S, h); blue thermoactive, red dissipative."""
    return _merit_map(out_dir, merit, "G_max", 1e-2, "$G_{max}$", "2(d)",
                      "$G_{max} = I_q(V_p^-)/V_p^-$", "sis_fig2d_Gmax_map.png")


def _spin_components(out_dir: Path):
    V = _bias_grid(1.0, 801, (H_FIG3,), T_S_CAPTION, T_SM_CAPTION)
    return V, iv_curves(V, (H_FIG3,)).sel(h=H_FIG3)


def fig3a(out_dir: str | os.PathLike) -> Path:
    """Fig. 3(a): I_q split into I↑ and I↓, and I_s, for h = 0.4 Δ0."""
    V, ds = _spin_components(Path(out_dir))
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    ax.plot(V, ds.I_charge, color=_AQUAMARINE, lw=2, label="$I_q$")
    ax.plot(V, ds.I_up, color="tab:blue", label="$I_\\uparrow$")
    ax.plot(V, ds.I_down, color="yellowgreen", label="$I_\\downarrow$")
    ax.plot(V, ds.I_spin, color="darkorange", ls="--", label="$I_s$")
    ax.axhline(0, color="0.7", lw=0.5)
    ax.axvline(0, color="0.7", lw=0.5)
    ax.set_xlabel("V (Δ0/e)")
    ax.set_ylabel("current ($G_T$ Δ0/e)")
    ax.legend(fontsize=8)
    ax.set_title(_title("3(a)", f"spin components, $h_{{exc}}$ = {H_FIG3:g} Δ0") + "\n" + _caption_line(),
                 fontsize=10)
    return _save(fig, Path(out_dir), "sis_fig3a_spin_components.png")


def fig3b(out_dir: str | os.PathLike) -> Path:
    """Fig. 3(b): I_q, I_s and SGE(V) for h = 0.4 Δ0; yellow between ±V_S, violet outside."""
    V, ds = _spin_components(Path(out_dir))
    v_s = sis_model.seebeck_voltage(_point(H_FIG3, T_S_CAPTION, T_SM_CAPTION, DYNES_FIGURES))
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    ax.axvspan(-v_s, v_s, color="gold", alpha=0.3, lw=0, label="thermoactive ($|V| < V_S$)")
    ax.axvspan(V[0], -v_s, color="violet", alpha=0.25, lw=0, label="dissipative")
    ax.axvspan(v_s, V[-1], color="violet", alpha=0.25, lw=0)
    ax.plot(V, ds.I_charge, color=_AQUAMARINE, lw=2, label="$I_q$")
    ax.plot(V, ds.I_spin, color="darkorange", ls="--", label="$I_s$")
    ax.axhline(0, color="0.7", lw=0.5)
    ax.set_xlim(V[0], V[-1])
    ax.set_xlabel("V (Δ0/e)")
    ax.set_ylabel("current ($G_T$ Δ0/e)")
    right = ax.twinx()
    right.plot(V, ds.SGE, color="black", lw=1.2, label="SGE")
    right.set_ylabel("SGE = $I_s/(|I_\\uparrow| + |I_\\downarrow|)$")
    right.set_ylim(-1.1, 1.1)
    lines = ax.get_legend_handles_labels()
    extra = right.get_legend_handles_labels()
    ax.legend(lines[0] + extra[0], lines[1] + extra[1], fontsize=8, loc="lower right")
    ax.set_title(_title("3(b)", f"$I_q$, $I_s$ and SGE, $h_{{exc}}$ = {H_FIG3:g} Δ0, $V_S$ = {v_s:.3f} Δ0/e")
                 + "\n" + _caption_line(), fontsize=10)
    fig.tight_layout()
    return _save(fig, Path(out_dir), "sis_fig3b_sge.png")


def fig3c(out_dir: str | os.PathLike, merit: dict[str, np.ndarray]) -> Path:
    """Fig. 3(c): I_s(+V_p^-) over (T_S, h), white threshold line, black tanh estimate,
    coloured cuts of Fig. 3(d) and the dissipative zone (h below threshold) in violet."""
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    mesh = _map_axes(merit["T_S"] / Tc, merit["h"], merit["I_spin_peak"], ax, cmap="viridis")
    fig.colorbar(mesh, ax=ax, label="$I_s(V_p^-)$ ($G_T$ Δ0/e)")
    T_fine = np.linspace(T_S_MAP_RANGE[0], T_S_MAP_RANGE[1], 80) * Tc
    h_t = threshold_line(T_fine)
    ax.fill_between(T_fine / Tc, 0.0, np.where(np.isnan(h_t), H_MAP_RANGE[1], h_t), color="darkviolet",
                    alpha=0.25, lw=0, label="dissipative ($h_{exc} < h_t$)")
    _white_line(ax)
    tanh = [sis_model.threshold_exchange_field_tanh(t) for t in T_fine]
    ax.plot(T_fine / Tc, tanh, color="black", ls="--", lw=1.2, label="$h_t$ ≈ 1 − tanh[1.74√($T_c/T_S$ − 1)]")
    colors = plt.cm.autumn(np.linspace(0.0, 0.8, len(T_S_CUTS_SPIN)))
    for t, color in zip(T_S_CUTS_SPIN, colors, strict=True):
        ax.axvline(t, color=color, lw=1.2)
    ax.set_ylim(*H_MAP_RANGE)
    ax.legend(loc="upper left", fontsize=7, facecolor="0.6")
    ax.set_title(_title("3(c)", "spin current at $+V_p^-$") + f"\n$T_{{Sm}}$ = 0.01 $T_c$, Γ = {DYNES_FIGURES:g} Δ0",
                 fontsize=10)
    return _save(fig, Path(out_dir), "sis_fig3c_spin_map.png")


def fig3d(out_dir: str | os.PathLike, h: np.ndarray | None = None) -> Path:
    """Fig. 3(d): I_s(+V_p^-) vs h for the cuts of Fig. 3(c); dashed dissipative, solid thermoactive."""
    h = np.linspace(0.0, 0.7, 141) if h is None else np.asarray(h, float)
    T_S = np.array(T_S_CUTS_SPIN) * Tc
    I_s = peak_currents(T_S[:, None], h[None, :])["I_spin"]
    h_t = threshold_line(T_S)
    colors = plt.cm.autumn(np.linspace(0.0, 0.8, T_S.size))
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for i, t in enumerate(T_S):
        active = h >= h_t[i]
        # the dashed (dissipative) part runs up to the first thermoactive point
        dashed = ~active | (np.cumsum(active) == 1)
        ax.plot(h[dashed], I_s[i, dashed], color=colors[i], ls="--")
        ax.plot(h[active], I_s[i, active], color=colors[i], label=f"$T_S$ = {t / Tc:g} $T_c$")
    ax.set_xlabel("$h_{exc}$ (Δ0)")
    ax.set_ylabel("$I_s(V_p^-)$ ($G_T$ Δ0/e)")
    ax.set_xlim(h[0], h[-1])
    ax.legend(fontsize=8)
    ax.set_title(_title("3(d)", "spin current at $+V_p^-$ vs $h_{exc}$") + "\n(dashed: $h < h_t$, dissipative), "
                 f"$T_{{Sm}}$ = 0.01 $T_c$, Γ = {DYNES_FIGURES:g} Δ0", fontsize=10)
    return _save(fig, Path(out_dir), "sis_fig3d_spin_cuts.png")


def figures_sis(out_dir: str | os.PathLike = "figures", map_points: int = 28) -> list[Path]:
    """Draw Fig. 1(b), 2(a)-(d) and 3(a)-(d) of Germanese et al. (2021) into ``out_dir`` (created if needed).

    ``map_points`` sets the (T_S, h) grid of the maps of Figs. 2(b), 2(d) and 3(c).
    Returns the written PNG paths.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    merit = merit_map(*_map_grid(map_points))
    return [
        fig1b(out_dir),
        fig2a(out_dir),
        fig2b(out_dir, merit),
        fig2c(out_dir),
        fig2d(out_dir, merit),
        fig3a(out_dir),
        fig3b(out_dir),
        fig3c(out_dir, merit),
        fig3d(out_dir),
    ]


__all__ = [
    "figures_sis",
    "matching_peak_voltages",
    "merit_map",
    "peak_currents",
    "seebeck_cuts",
    "threshold_line",
    "iv_curves",
]
