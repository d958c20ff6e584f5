"""The features of seed 004's Figs. 1-3 that the text states, checked on the numbers the
figures are drawn from (fastspin.figures.sis / fastspin.models.sis), plus the PNG output.

Parameters are the captions': T_S = 0.7 Tc, T_Sm = 0.01 Tc; Dynes Γ = 1e-3 Δ0.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner
from scipy.signal import find_peaks

import fastspin
from fastspin.figures import FIGURE_SETS
from fastspin.figures import sis as figs
from fastspin.physics.superconductor import gap
from fastspin.units import Tc

T_S = 0.7 * Tc
T_SM = 0.01 * Tc
DYNES = 1e-3
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _iv(V: np.ndarray, h_values) -> xr.Dataset:
    return fastspin.evaluate("sis", V=V, h=list(h_values), T_S=T_S, T_Sm=T_SM, dynes=DYNES)


@pytest.fixture(scope="module")
def spin_cuts() -> dict[str, np.ndarray]:
    """I_s(+V_p^-) over h (step 0.005 Δ0) for the T_S cuts of Fig. 3(d)."""
    h = np.round(np.arange(0.0, 0.7001, 0.005), 10)
    T_cuts = np.array(figs.T_S_CUTS_SPIN) * Tc
    return {"h": h, "T_S": T_cuts, "I_spin": figs.peak_currents(T_cuts[:, None], h[None, :])["I_spin"]}


# -- Fig. 1(b) / 2(a): matching peaks -------------------------------------------------------


@pytest.mark.parametrize("h, n_peaks", [(0.0, 2), (0.1, 4), (0.4, 4)])
def test_matching_peaks_two_at_zero_field_four_with_exchange_field(h: float, n_peaks: int) -> None:
    """Fig. 1(b)/2(a): the subgap I_q(V) has two antisymmetric peaks at ±V_p for h = 0,
    each doubled (±V_p^∓ = ±|Δ(T_S) − Δ(T_Sm) ± h|) for h ≠ 0."""
    step = 0.002
    delta_S, delta_Sm = float(gap(T_S, 0.0)), float(gap(T_SM, h))
    v_edge = delta_S + delta_Sm - h - 0.05  # below the sum-gap rise
    V_pos = np.arange(step / 2, v_edge, step)  # grid not aligned on the peaks
    V = np.concatenate((-V_pos[::-1], V_pos))
    current = _iv(V, [h]).I_charge.sel(h=h).values
    magnitude = np.abs(current)
    peaks, _ = find_peaks(magnitude, prominence=1e-3 * magnitude.max())
    assert peaks.size == n_peaks
    expected = sorted({*figs.matching_peak_voltages(h, T_S, T_SM)})
    assert len(expected) == n_peaks // 2
    found_positive = np.sort(V[peaks][V[peaks] > 0])
    found_negative = np.sort(-V[peaks][V[peaks] < 0])
    np.testing.assert_allclose(found_positive, expected, atol=step)
    np.testing.assert_allclose(found_negative, expected, atol=step)


def test_ohmic_at_large_bias_and_spin_polarisation_vanishes() -> None:
    """Fig. 1(b) text: I_q ∝ V with slope G_T at large V; Sec. IV: the spin polarisation
    I_s/I_q → 0 there.  I_s itself tends to h G_T/e, not 0: at T_Sm → 0,
    I_↑ − I_↓ → ½∫[N0(y + h) − N0(y − h)]dy over the Sm side of the window
    = −½∫_{−h}^{h}(N0 − 1)dy = h (the states missing from the split gap, h < Δ)."""
    V = np.array([8.0, 12.0])
    ds = _iv(V, [0.0, 0.4])
    slope = ds.I_charge / ds.V
    np.testing.assert_allclose(slope.values, 1.0, atol=0.02)
    split = ds.sel(h=0.4)
    assert np.all(np.abs(split.I_spin.values) < 0.06 * split.I_charge.values)
    np.testing.assert_allclose(split.I_spin.values, 0.4, atol=0.01)


# -- Fig. 2(b)-(d): where the junction is thermoelectric ------------------------------------


def test_negative_G0_and_Gmax_only_beyond_the_threshold_line() -> None:
    """Fig. 2(b),(d): G0 < 0 and G_max < 0 only where Δ(T_S) > Δ(T_Sm) − h (white line);
    just across the line the junction is thermoelectric, below it dissipative."""
    T_axis = np.array([0.5, 0.6, 0.7, 0.8, 0.9]) * Tc
    h_axis = np.array([0.02, 0.12, 0.22, 0.32, 0.42, 0.52, 0.62])
    merit = figs.merit_map(T_axis, h_axis)
    T_grid, h_grid = np.meshgrid(T_axis, h_axis)
    beyond = gap(T_grid, 0.0) > gap(T_SM, h_grid) - h_grid
    assert beyond.any() and (~beyond).any()
    assert np.all(merit["G0"][~beyond] > 0)
    assert np.all(merit["G_max"][~beyond] > 0)
    # first grid point across the line in every T_S column (0.5-0.9 Tc) is thermoelectric
    first_beyond = np.argmax(beyond, axis=0)
    columns = np.arange(T_axis.size)
    assert np.all(beyond.any(axis=0))
    assert np.all(merit["G0"][first_beyond, columns] < 0)
    assert np.all(merit["G_max"][first_beyond, columns] < 0)
    # the white line itself is h_t of the model
    h_t = figs.threshold_line(T_axis)
    np.testing.assert_allclose(gap(T_axis, 0.0), gap(T_SM, h_t) - h_t, atol=1e-8)


def test_seebeck_voltage_grows_with_field_and_falls_with_T_S() -> None:
    """Fig. 2(c): |V_S| grows monotonically with h and increases as T_S is lowered; there is
    no Seebeck voltage on the dissipative side of the threshold line."""
    T_cuts = np.array([0.7, 0.8, 0.9]) * Tc
    h = np.array([0.5, 0.6, 0.7])
    v_s = figs.seebeck_cuts(T_cuts, h)
    assert np.all(np.isfinite(v_s))
    assert np.all(np.diff(v_s, axis=1) > 0)
    assert np.all(np.diff(v_s, axis=0) < 0)
    # T_S = 0.9 Tc, h = 0.4 Δ0 < h_t ≈ 0.474 Δ0: dissipative, no V_S
    assert np.isnan(figs.seebeck_cuts([0.9 * Tc], [0.4])[0, 0])


# -- Fig. 3: spin currents -------------------------------------------------------------------


def test_spin_current_exceeds_charge_current_where_thermoactive() -> None:
    """Fig. 3(a),(b): where I_q V < 0 the two spin components flow opposite ways, so
    |I_s| > |I_q| and SGE = 1; the thermoactive window is |V| < V_S.  For h = 0 the
    junction is never thermoactive and I_s = 0."""
    V = np.linspace(-1.0, 1.0, 401)
    ds = _iv(V, [0.0, 0.4])
    active = ds.sel(h=0.4)
    thermoactive = (active.I_charge * active.V < 0).values
    assert thermoactive.sum() > 50
    assert np.all((active.I_up * active.I_down).values[thermoactive] < 0)
    assert np.all(np.abs(active.I_spin.values[thermoactive]) > np.abs(active.I_charge.values[thermoactive]))
    np.testing.assert_allclose(active.SGE.values[thermoactive], 1.0, atol=1e-12)
    v_s = figs.seebeck_cuts([T_S], [0.4])[0, 0]
    assert np.all(np.abs(V[thermoactive]) < v_s)
    assert np.all(thermoactive[(np.abs(V) < v_s - 0.01) & (V != 0)])
    # Fig. 3(a): the thermoactive component (I_σ V < 0) is I_down for V > 0, I_up for V < 0
    positive, negative = thermoactive & (V > 0), thermoactive & (V < 0)
    assert np.all(active.I_down.values[positive] < 0) and np.all(active.I_up.values[positive] > 0)
    assert np.all(active.I_up.values[negative] > 0) and np.all(active.I_down.values[negative] < 0)
    # Fig. 3(b): beyond V_S, first SGE = 1 (thermoactive spin component, smaller), then SGE < 1
    v_outer = figs.matching_peak_voltages(0.4, T_S, T_SM)[1]
    beyond = (V > v_s) & (V < v_outer)
    assert np.any(np.abs(active.SGE.values[beyond] - 1.0) < 1e-12)
    assert np.any(active.SGE.values[beyond] < 0.99)
    zero_field = ds.sel(h=0.0)
    assert np.all((zero_field.I_charge * zero_field.V).values >= 0)
    assert np.all(zero_field.I_spin.values == 0)


@pytest.mark.parametrize("T_over_Tc", [0.7, 0.8, 0.9])
def test_spin_current_at_inner_peak_is_maximal_at_threshold_field(spin_cuts, T_over_Tc: float) -> None:
    """Fig. 3(c),(d): at fixed T_S, I_s(V_p^-) is largest at h = Δ(T_Sm) − Δ(T_S) (within
    the 0.005 Δ0 grid step); the text's tanh estimate of h_t lies within 0.02 Δ0 of it."""
    i = figs.T_S_CUTS_SPIN.index(T_over_Tc)
    h = spin_cuts["h"]
    h_best = h[np.argmax(spin_cuts["I_spin"][i])]
    T = T_over_Tc * Tc
    h_t = float(gap(T_SM, 0.0) - gap(T, 0.0))
    assert float(gap(T_SM, h_t)) == pytest.approx(float(gap(T_SM, 0.0)), abs=1e-9)  # Δ(T_Sm) flat in h
    assert abs(h_best - h_t) <= 0.005 + 1e-12
    assert abs(figs.sis_model.threshold_exchange_field_tanh(T) - h_t) < 0.02


def test_maximum_spin_current_of_order_half(spin_cuts) -> None:
    """Sec. IV: the maximum thermospin current is of order 0.5 G_T Δ0/e, and it grows with T_S."""
    maxima = spin_cuts["I_spin"].max(axis=1)
    assert 0.3 < maxima.max() < 0.7
    assert np.all(np.diff(maxima) > 0)


# -- PNG output ------------------------------------------------------------------------------


def _assert_png(path) -> None:
    with open(path, "rb") as handle:
        assert handle.read(8) == PNG_SIGNATURE
    assert path.stat().st_size > 10_000


def test_single_figures_write_pngs(tmp_path) -> None:
    """One curve figure and one map figure (on a tiny 4x4 map) write labelled PNGs."""
    merit = figs.merit_map(np.array([0.5, 0.7, 0.8, 0.9]) * Tc, np.array([0.1, 0.3, 0.5, 0.65]))
    written = [figs.fig3a(tmp_path), figs.fig2b(tmp_path, merit)]
    for path in written:
        _assert_png(path)


def test_cli_figures_lists_sis_and_runs_the_set(tmp_path, monkeypatch) -> None:
    """`fastspin figures sis --out DIR` calls the sis set with DIR and prints the paths
    (the set itself replaced by a one-figure stand-in to keep the default run fast)."""
    from fastspin.cli import main

    assert "sis" in FIGURE_SETS
    monkeypatch.setattr(figs, "figures_sis", lambda out_dir: [figs.fig3a(out_dir)])
    result = CliRunner().invoke(main, ["figures", "sis", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "sis_fig3a_spin_components.png") in result.output
    _assert_png(tmp_path / "sis_fig3a_spin_components.png")
    bad = CliRunner().invoke(main, ["figures", "nosuchset"])
    assert bad.exit_code != 0
    assert "sis" in bad.output


@pytest.mark.slow
def test_cli_figures_sis_writes_all_pngs(tmp_path) -> None:
    """The full `fastspin figures sis` run writes the nine PNGs of Figs. 1(b), 2(a)-(d), 3(a)-(d)."""
    from fastspin.cli import main

    out = tmp_path / "figs"
    result = CliRunner().invoke(main, ["figures", "sis", "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.glob("*.png"))
    assert len(names) == 9
    for panel in ("1b", "2a", "2b", "2c", "2d", "3a", "3b", "3c", "3d"):
        assert any(name.startswith(f"sis_fig{panel}_") for name in names)
    for path in out.glob("*.png"):
        _assert_png(path)
