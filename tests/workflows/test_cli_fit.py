"""``fastspin fit`` and ``fastspin materials`` from the command line."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from fastspin.cli import main
from fastspin.physics import nis


@pytest.fixture
def spectrum_csv(tmp_path):
    V = np.linspace(-0.6, 0.6, 300)  # mV
    g = 10.0 * nis.conductance(V / 0.2, 1.0, 0.5, 1e-3, 0.3, 0.0431)
    g += np.random.default_rng(0).normal(0.0, 0.01, V.size)  # uS
    path = tmp_path / "spectrum.csv"
    np.savetxt(path, np.column_stack((V, g)), delimiter=",", header="V [mV], dIdV [uS]", comments="# ")
    return path


def test_fit_command_writes_dataset_and_plot(spectrum_csv, tmp_path):
    out, plot = tmp_path / "fit.nc", tmp_path / "fit.png"
    result = CliRunner().invoke(
        main, ["fit", str(spectrum_csv), "--model", "nis", "--vary", "delta,h,dynes,P,G_T",
               "--fix", "T=100 mK", "--sigma", "0.01 uS", "--out", str(out), "--plot", str(plot)],
    )
    assert result.exit_code == 0, result.output
    assert "reduced chi^2" in result.output and "(fixed)" in result.output
    ds = xr.open_dataset(out)
    assert ds.attrs["T"] == pytest.approx(0.1) and ds.attrs["delta_units"] == "eV"
    assert abs(ds.attrs["P"] - 0.3) <= 3 * ds.attrs["P_stderr"]
    assert set(ds.data_vars) >= {"data", "fit", "residual", "correlation"}
    assert plot.stat().st_size > 1000
    again = CliRunner().invoke(main, ["fit", str(spectrum_csv), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output  # never overwrites


def test_fit_command_bad_data_one_line_nonzero_exit(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("V [mV] I [nA]\n0.1 1.0\n0.2 nan\n0.3 2.0\n")
    result = CliRunner().invoke(main, ["fit", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "NaN" in lines[0]


def test_materials_command_lists_presets_with_sources():
    result = CliRunner().invoke(main, ["materials"])
    assert result.exit_code == 0
    for name in ("Al_bulk", "Al_film", "Al_EuS", "V", "Nb", "YIG_Pt", "CoFeB", "permalloy"):
        assert name in result.output
    assert result.output.count("source:") >= 20
    bad = CliRunner().invoke(main, ["materials", "Pb"])
    assert bad.exit_code == 2 and "allowed" in bad.output
