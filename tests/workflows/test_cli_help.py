"""Small things a newcomer reads: the figures help, plan's numbers, star import."""

from __future__ import annotations

from click.testing import CliRunner

from fastspin.cli import main
from fastspin.figures import FIGURE_SETS


def test_figures_help_lists_every_set_in_full():
    text = CliRunner().invoke(main, ["figures", "--help"]).output
    listed = " ".join(text.split())  # click rewraps the paragraph
    for name in FIGURE_SETS:
        assert f" {name}," in listed or f" {name}." in listed, name
    assert "(e.g." not in text and "``" not in text and ":mod:" not in text


def test_plan_prints_integers_as_integers(tmp_path):
    spec = tmp_path / "m.toml"
    spec.write_text(
        'model = "macrospin"\n[axes]\na_j = [0.01, 0.03]\n'
        "[params]\nn_trajectories = 16\npulse_width = 5.0\nrelax_time = 2.0\nsigma = 40.0\n"
    )
    result = CliRunner().invoke(main, ["plan", str(spec)])
    assert result.exit_code == 0, result.output
    assert "n_trajectories fixed = 16\n" in result.output
    assert "sigma      fixed = 40\n" in result.output and "512.0" not in result.output
    assert "timed on" in result.output


def test_star_import_keeps_the_builtin_open():
    namespace: dict = {}
    exec("from fastspin import *", namespace)
    assert "open" not in namespace and "sweep" in namespace
