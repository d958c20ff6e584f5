"""``fastspin plot``: the README's main-job plot shows the thermoelectric (G0 < 0) region."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import fastspin
from fastspin.cli import main
from fastspin.figures.slice import draw_slice, select_slice
from fastspin.units import Tc

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sis_phase_diagram.toml"


@pytest.fixture(scope="module")
def phase_store(tmp_path_factory) -> Path:
    """The README main job (examples/sis_phase_diagram.toml) on a coarser 10 x 12 grid."""
    spec = tomllib.loads(EXAMPLE.read_text())
    spec["axes"]["T_S"]["num"] = 10
    spec["axes"]["h"]["num"] = 12
    spec["run"] = {"scheduler": "serial"}
    store = tmp_path_factory.mktemp("phase") / "sis_phase.zarr"
    fastspin.sweep(spec, store)
    return store


def test_main_job_plot_has_a_diverging_centred_scale_showing_g0_below_zero(phase_store):
    import matplotlib.pyplot as plt

    ds = fastspin.open(phase_store)
    g0 = select_slice(ds, "G0", {}).load()
    negative = g0.values < -0.05  # clearly thermoelectric: |G0| above 5 % of G_T
    assert negative.sum() >= 10  # the thermoelectric region exists on this grid
    fig, mesh = draw_slice(g0, "h")  # what `fastspin plot sis_phase.zarr --var G0 --x h` draws
    try:
        norm, cmap = mesh.norm, mesh.get_cmap()
        assert cmap.name == "RdBu_r"  # diverging
        assert norm.vmin == pytest.approx(-norm.vmax)  # centred on G0 = 0
        assert float(norm(0.0)) == pytest.approx(0.5)
        # visible: most G0 < 0 cells are clearly blue (below 0.4 on the 0..1 scale),
        # not washed out to the white centre by the resonance line's large values
        shade = np.asarray(norm(g0.values[negative]))
        assert np.mean(shade < 0.4) > 0.9, shade
        # the former default (linear, +-98th percentile of |G0|) left them near white
        limit = np.percentile(np.abs(g0.values), 98)
        assert np.mean((g0.values[negative] / limit + 1) / 2 < 0.4) < 0.9
        ax = fig.axes[0]
        assert ax.get_ylabel() == "T_S / T_c"  # temperatures relative to T_c
        # 0.05 .. 0.95 T_c with cell edges: up to 1.0 (in Delta0/k_B it would end at 0.57)
        assert max(ax.get_ylim()) == pytest.approx(1.0) and 0.95 * Tc < 0.6
    finally:
        plt.close(fig)


def test_plot_options_on_the_command_line(phase_store, tmp_path):
    runner = CliRunner()
    for extra in ([], ["--norm", "linear", "--robust"], ["--center", "0.5", "--no-robust"]):
        out = tmp_path / f"g0{len(extra)}.png"
        result = runner.invoke(main, ["plot", str(phase_store), "--var", "G0", "--x", "h",
                                      "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(main, ["plot", str(phase_store), "--var", "G0", "--norm", "log"])
    assert bad.exit_code == 2 and "symlog" in bad.output


def test_centre_option_moves_the_diverging_centre(phase_store):
    import matplotlib.pyplot as plt

    g0 = select_slice(fastspin.open(phase_store), "G0", {}).load()
    fig, mesh = draw_slice(g0, "h", center=0.5, norm="linear", robust=False)
    try:
        assert float(mesh.norm(0.5)) == pytest.approx(0.5)
    finally:
        plt.close(fig)
