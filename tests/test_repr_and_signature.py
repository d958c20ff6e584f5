"""What a notebook user sees: the real signature of fastspin.sweep, short reprs."""

from __future__ import annotations

import inspect

import numpy as np

import fastspin
from fastspin.physics.macrospin import Macrospin, run_ensemble
from fastspin.workflows import sweep as sweep_module


def test_sweep_has_the_real_signature_and_docstring():
    public = inspect.signature(fastspin.sweep)
    implementation = inspect.signature(sweep_module.sweep)
    assert list(public.parameters) == list(implementation.parameters)
    for name, parameter in public.parameters.items():
        other = implementation.parameters[name]
        assert (parameter.kind, parameter.default) == (other.kind, other.default), name
    assert "in_process" in fastspin.sweep.__doc__ and "resumed" in fastspin.sweep.__doc__


def test_ensemble_result_repr_is_short_and_counts_right():
    spin = Macrospin(alpha=0.5, temperature=0.25)  # sigma = 2: many switch
    result = run_ensemble(spin, 300, seed=1, dt=0.05, n_steps=200, trace_every=10)
    text = repr(result)
    k = int(np.isfinite(result.switch_time).sum())
    assert len(text) < 300 and "\n" not in text and "array(" not in text
    assert "300 (#0..299)" in text and f"{k} of 300" in text
    html = result._repr_html_()
    assert html.startswith("<b>EnsembleResult</b><table>") and "seed 1" in html


def test_sweep_result_repr_counts_blocks(tmp_path):
    spec = {"model": "sis", "axes": {"V": [0.1, 0.2, 0.3]}, "run": {"block": {"V": 1}}}
    result = fastspin.sweep(spec, tmp_path / "s.zarr", in_process=True)
    assert "computed 3 of 3 blocks" in repr(result) and "[0, 1, 2]" not in repr(result)
