"""Hypothesis fuzzing of what users type: malformed sweep specs and malformed
`fastspin.evaluate` calls.

Each generated input must either be accepted or be refused with a
:class:`~fastspin.model.ParameterError` whose message is one line naming the field;
any other exception counts as a traceback, any call over its time limit as a hang, and
any file left beside the spec as a leftover.  The totals are printed (run with -s) and
must all be zero.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep_cluster import BIN, child_env

import fastspin
from fastspin.cli import main
from fastspin.model import ParameterError
from fastspin.workflows.spec import load_spec

TIME_LIMIT = 10  # seconds per input: a hang, not a slow validation

BASE: dict[str, Any] = {
    "model": "toy_fermi",
    "axes": {"E": {"start": -1.0, "stop": 1.0, "num": 5}, "T": ["0.2 Tc", "0.5 Tc"]},
    "params": {"delay": 0.0},
    "run": {"block": {"E": 2}, "scheduler": "serial", "seed": 0, "workers": 1, "retries": 0},
}
#: every place a value can be replaced, as a path of keys
PATHS: list[tuple[str, ...]] = [
    ("model",), ("imports",), ("axes",), ("params",), ("run",),
    ("axes", "E"), ("axes", "T"), ("axes", "E", "start"), ("axes", "E", "stop"),
    ("axes", "E", "num"), ("axes", "E", "log"), ("params", "delay"),
    ("run", "block"), ("run", "block", "E"), ("run", "scheduler"), ("run", "seed"),
    ("run", "workers"), ("run", "retries"), ("run", "cluster"), ("run", "chunks"),
]


def deep(depth: int, leaf: Any = 1.0) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 9223372036854775807, 10**11, 10**7, 2**63, 1e11, 1e308]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["1 Tc", "-1 Tc", "nan", "inf", "0.3 Delta0", "1e-400", "\n", "tcp://", "slurm"]),
    st.lists(st.one_of(st.floats(), st.text(max_size=4), st.none()), max_size=4),
    st.lists(st.lists(st.floats(-2, 2), max_size=3), min_size=2, max_size=3),  # ragged / 2-D
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
    st.integers(min_value=50, max_value=3000).map(deep),
)


def set_path(spec: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = spec
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def delete_path(spec: dict[str, Any], path: tuple[str, ...]) -> None:
    node = spec
    for key in path[:-1]:
        node = node.get(key, {})
    if isinstance(node, dict):
        node.pop(path[-1], None)


@st.composite
def malformed_specs(draw) -> tuple[dict[str, Any], tuple[str, ...]]:
    import copy

    spec = copy.deepcopy(BASE)
    action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
    path = draw(st.sampled_from(PATHS))
    if action == "replace":
        set_path(spec, path, draw(GARBAGE))
    elif action == "delete":
        delete_path(spec, path)
    else:
        name = draw(st.text(min_size=1, max_size=8))
        parent = path[:-1] if len(path) > 1 else ()
        path = (*parent, name)
        set_path(spec, path, draw(GARBAGE))
    return spec, path


@dataclass
class Tally:
    tried: int = 0
    refused: int = 0
    accepted: int = 0
    tracebacks: list[str] = field(default_factory=list)
    hangs: int = 0
    bad_messages: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    def line(self, what: str) -> str:
        return (
            f"fuzz {what}: tried {self.tried}, refused {self.refused}, accepted {self.accepted}, "
            f"tracebacks {len(self.tracebacks)}, hangs {self.hangs}, "
            f"bad messages {len(self.bad_messages)}, leftovers {len(self.leftovers)}"
        )


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    def alarm(signum, frame):
        raise Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def names_field(message: str, keys: tuple[str, ...]) -> bool:
    """The message names one of the keys on the path (as a word), or the spec as a whole."""
    return any(
        re.search(rf"(?<![\w]){re.escape(form)}(?![\w])", message) or repr(key) in message
        for key in keys if key for form in (key, repr(key)[1:-1])
    ) or message.startswith("spec:")


def check(tally: Tally, call, keys: tuple[str, ...], label: str) -> None:
    tally.tried += 1
    try:
        _check(tally, call, keys, label)
    finally:
        left = [p.name for p in Path.cwd().iterdir()]
        if left:
            tally.leftovers.append(f"{label}: {left}")
            for p in Path.cwd().iterdir():
                shutil.rmtree(p) if p.is_dir() else p.unlink()


def _check(tally: Tally, call, keys: tuple[str, ...], label: str) -> None:
    try:
        with time_limit(TIME_LIMIT):
            call()
    except Hang:
        tally.hangs += 1
    except ParameterError as err:
        tally.refused += 1
        message = str(err)
        if "\n" in message or not message or not names_field(message, keys):
            tally.bad_messages.append(f"{label}: {message[:300]!r}")
    except RecursionError as err:  # noqa: B014  (reported like any other traceback)
        tally.tracebacks.append(f"{label}: RecursionError: {err}")
    except Exception as err:  # noqa: BLE001  (anything else is a traceback for the user)
        tally.tracebacks.append(f"{label}: {type(err).__name__}: {str(err)[:200]}")
    else:
        tally.accepted += 1


SPEC_TALLY = Tally()
EVAL_TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def empty_working_directory(tmp_path_factory):
    """Every fuzz input runs in an empty working directory that must stay empty."""
    folder = tmp_path_factory.mktemp("fuzz")
    # compile the models' kernels first: a cold Numba cache is not a hang
    for model, _ in EVAL_CALLS:
        fastspin.evaluate(model)
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(before)


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(malformed_specs())
def test_fuzz_malformed_specs(case):
    """load_spec, then (if refused) the whole sweep entry point, which must write nothing."""
    spec, path = case

    def validate_then_sweep() -> None:
        try:
            load_spec(spec)
        except ParameterError:
            fastspin.sweep(spec, "s.zarr", scheduler="serial")
            raise AssertionError("sweep accepted a spec that load_spec refused") from None

    check(SPEC_TALLY, validate_then_sweep, path, f"{path}")


EVAL_CALLS = [("toy_fermi", "E"), ("toy_fermi", "T"), ("toy_fermi", "delay"), ("sis", "V"),
              ("sis", "h"), ("sis", "T_S"), ("sis", "dynes"), ("sis", "delta_S")]
EVAL_GARBAGE = st.one_of(
    GARBAGE,
    st.builds(lambda v, m: np.ma.masked_array(v, mask=m), st.just([0.1, 0.2, 0.3]),
              st.lists(st.booleans(), min_size=3, max_size=3)),
    st.sampled_from([[[0.1, 0.2], [0.3]], [0.1, [0.2]], np.zeros((2, 2)), np.array([]),
                     np.array(["a", "b"]), complex(1, 1), b"0.3", object()]),
)


@settings(max_examples=50, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from(EVAL_CALLS), EVAL_GARBAGE)
def test_fuzz_malformed_evaluate_calls(call, value):
    model, name = call
    check(EVAL_TALLY, lambda: fastspin.evaluate(model, **{name: value}), (name,), f"{model}.{name}")


def test_fuzz_totals_are_zero():
    """Runs after the two fuzz tests (file order); prints the figures for the report."""
    if SPEC_TALLY.tried == 0 or EVAL_TALLY.tried == 0:
        pytest.skip("run together with the two fuzz tests")
    print()
    print(SPEC_TALLY.line("specs"))
    print(EVAL_TALLY.line("evaluate calls"))
    for tally in (SPEC_TALLY, EVAL_TALLY):
        assert tally.tracebacks == [] and tally.hangs == 0, tally.tracebacks
        assert tally.bad_messages == [] and tally.leftovers == [], (tally.bad_messages, tally.leftovers)
    assert SPEC_TALLY.tried >= 300 and EVAL_TALLY.tried >= 50
    assert SPEC_TALLY.refused >= 200  # most mutations really are malformed


TOML_CASES = [
    ('num = 5', 'num = 9223372036854775807'),
    ('num = 5', 'num = 1e11'),
    ('num = 5', 'num = 100000000000'),
    ('T = ["0.2 Tc", "0.5 Tc"]', 'T = [[0.1], [0.2, [0.3]]]'),
    ('T = ["0.2 Tc", "0.5 Tc"]', "T = " + "[" * 2000 + "]" * 2000),
    ('delay = 0.0', 'delay = "1 Tc"'),
    ('scheduler = "serial"', 'scheduler = "serial"\nnumba_cache_dir = "/tmp/evil"'),
    ('[run]', '[run'),
    ('num = 5', 'num = \x00'),
]
TOML = (
    'model = "toy_fermi"\n[axes]\nE = {start = -1.0, stop = 1.0, num = 5}\n'
    'T = ["0.2 Tc", "0.5 Tc"]\n[params]\ndelay = 0.0\n[run]\nscheduler = "serial"\n'
)


@pytest.mark.parametrize(("old", "new"), TOML_CASES, ids=[f"toml{i}" for i in range(len(TOML_CASES))])
def test_malformed_toml_through_the_cli(tmp_path, monkeypatch, old, new):
    """The CLI in-process: exit 2, one line, nothing left beside the spec."""
    spec = tmp_path / "spec.toml"
    spec.write_text(TOML.replace(old, new, 1))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", str(spec), "--out", str(tmp_path / "s.zarr")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastspin: error: "), result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["spec.toml"]


@pytest.mark.parametrize("case", [0, 4, 7])
def test_malformed_toml_through_real_processes(tmp_path, case):
    old, new = TOML_CASES[case]
    spec = tmp_path / "spec.toml"
    spec.write_text(TOML.replace(old, new, 1))
    process = subprocess.run(
        [str(BIN / "fastspin"), "run", str(spec), "--out", str(tmp_path / "s.zarr")],
        capture_output=True, text=True, env=child_env(), cwd=tmp_path, timeout=60,
    )
    assert process.returncode == 2
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastspin: error: "), process.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["spec.toml"]
    assert not list(Path("/tmp").glob(".s.zarr.tmp-*"))
