"""The package layout: one home per concept, dependencies in one direction only.

The import graph is read from the source with ``ast`` (module-level and function-level
imports alike), so a cycle or a wrong-way import fails here before it can bite a user.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import fastspin
from fastspin.cli import main
from fastspin.registry import BUILTIN_MODELS, get_model_class, registered_models
from fastspin.workflows.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
#: installed package -> folder of the checkout (pyproject's package-dir)
FOLDERS = {"fastspin": ROOT / "fastspin", "fastspin.kernels": ROOT / "kernels",
           "fastspin.workflows": ROOT / "workflows"}


def module_files() -> dict[str, Path]:
    modules = {}
    for package, folder in FOLDERS.items():
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if package == "fastspin" and parts[0] in ("kernels", "workflows"):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join([package, *parts])] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """module -> the fastspin modules it imports anywhere in its source."""
    modules = module_files()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                           for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_graph_reader_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 40 and "fastspin.physics.fis" in graph["fastspin.models.fis"]
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph))}"


def test_kernels_import_nothing_outside_kernels():
    for module, targets in import_graph().items():
        if module.startswith("fastspin.kernels"):
            outside = {t for t in targets if not t.startswith("fastspin.kernels")}
            assert not outside, f"{module} imports {sorted(outside)}"


def test_physics_never_imports_models_workflows_or_figures():
    forbidden = ("fastspin.models", "fastspin.workflows", "fastspin.figures", "fastspin.registry",
                 "fastspin.cli")
    for module, targets in import_graph().items():
        if module.startswith("fastspin.physics"):
            bad = {t for t in targets if t.startswith(forbidden)}
            assert not bad, f"{module} imports {sorted(bad)}"


def test_models_package_imports_nothing_on_its_own():
    """Importing one model must not load the others (the registry is a table of names)."""
    code = ("import sys, fastspin.models.sis; "
            "print(sorted(m for m in sys.modules if m.startswith('fastspin.models.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['fastspin.models.sis']"


def test_every_figure_set_lives_under_figures():
    assert not list((ROOT / "fastspin").glob("*_figures.py"))
    from fastspin.figures import FIGURE_SETS

    for module, _ in FIGURE_SETS.values():
        assert module.startswith("fastspin.figures.")
        assert (ROOT / "fastspin" / "figures" / f"{module.rsplit('.', 1)[1]}.py").exists()


def test_no_comment_narrates_history():
    pattern = re.compile(r"issue [0-9]|issue #[0-9]|as before|DESIGN\.md", re.IGNORECASE)
    hits = [f"{path}:{n}" for folder in FOLDERS.values() for path in folder.rglob("*.py")
            for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert not hits, hits


def test_every_model_cites_authors_and_title():
    for name in BUILTIN_MODELS:
        reference = get_model_class(name).reference
        assert reference is not None and reference.authors and reference.title, name
        assert reference.title in reference.citation()
    result = CliRunner().invoke(main, ["models", "sis"])
    assert result.exit_code == 0
    assert "Germanese" in result.output and "thermospin effect" in result.output
    assert "seed" not in result.output


def test_evaluate_and_stores_cite_the_paper():
    ds = fastspin.evaluate("fis", V=[0.1, 0.2])
    assert "10.1103/PhysRevB.101.115406" in ds.attrs["reference_doi"]
    assert "Ojajärvi" in ds.attrs["reference"]


def test_the_old_module_paths_still_import():
    from fastspin.dynamics import Macrospin, TiltAngleModel, fit_lorentzian_peak
    from fastspin.fis import fis_currents
    from fastspin.physics import fis, macrospin, spectra, tilt
    from fastspin.superconductor import gap

    assert Macrospin is macrospin.Macrospin and TiltAngleModel is tilt.TiltAngleModel
    assert fit_lorentzian_peak is spectra.fit_lorentzian_peak and fis_currents is fis.fis_currents
    assert float(gap(0.0)) == pytest.approx(1.0, abs=1e-12)


def test_the_star_import_leaves_builtin_open_alone():
    namespace: dict = {}
    exec("from fastspin import *", namespace)
    assert "open" not in namespace and callable(fastspin.open)


# -- plugins: a third-party package registers models through entry points ------------------


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fastspin.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=dict(os.environ), timeout=300)


def test_a_plugin_package_shows_up_in_fastspin_models(tmp_path):
    """The session installed tests/plugin with pip; nothing imports it by name here."""
    assert "toy_fermi" in registered_models() and "toy_walk" in registered_models()
    result = _cli("models", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "toy_fermi" in result.stdout and "sis_merit" in result.stdout


def test_a_plugin_model_runs_in_a_sweep_without_any_imports_key(tmp_path):
    spec = tmp_path / "toy.toml"
    spec.write_text('model = "toy_fermi"\n[axes]\nE = [-1.0, 0.0, 1.0]\n[params]\nT = 0.5\n'
                    '[run]\nscheduler = "serial"\n')
    result = _cli("run", str(spec), "--out", str(tmp_path / "toy.zarr"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ds = fastspin.open(tmp_path / "toy.zarr")
    assert float(ds.occupation.sel(E=0.0)) == 0.5  # f(0) = 1/2 exactly
    assert abs(ds.occupation + ds.hole_occupation - 1.0).max() < 1e-15


def test_a_spec_with_an_imports_key_is_refused_with_one_line(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('model = "sis"\nimports = ["os"]\n[axes]\nV = [0.1]\n')
    with pytest.raises(fastspin.ParameterError, match="entry-point group 'fastspin.models'"):
        load_spec(spec)
    result = _cli("run", str(spec), "--out", str(tmp_path / "x.zarr"), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "imports" in lines[0] and "install" in lines[0]
    assert not (tmp_path / "x.zarr").exists()
