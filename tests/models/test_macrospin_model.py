"""The ``macrospin`` sweep model (fastspin.models.macrospin): Monte Carlo switching
statistics keyed on (run.seed, global point index, trajectory).

Physics: the zero-temperature spin-torque threshold a_c = α(1 + h)/(1 + αβ)
(:meth:`fastspin.dynamics.Macrospin.critical_stt`, p → -p) separates P_sw = 0 from
P_sw = 1 for a long pulse at a negligible thermal field; reproducibility: stores are
identical for any block shape and worker count, and any point or trajectory can be
replayed from (seed, point index, trajectory) with :func:`fastspin.dynamics.run_ensemble`.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import fastspin
from fastspin.model import ParameterError
from fastspin.models.macrospin import MacrospinSwitching, wilson_error
from fastspin.physics.macrospin import Macrospin, run_ensemble
from fastspin.workflows.store import open_store, read_root_attrs

OUTPUTS = [o.name for o in MacrospinSwitching.outputs]


def small_spec(block: dict[str, int], seed: int = 11) -> dict:
    """3 x 2 points around the threshold a_c = 0.05 at σ = 5 and 10 (thermal activation
    matters: intermediate P_sw, so the comparison sees the random numbers)."""
    return {
        "model": "macrospin",
        "axes": {"a_j": [0.04, 0.08, 0.12], "sigma": [5.0, 10.0]},
        "params": {"alpha": 0.05, "pulse_width": 40.0, "relax_time": 5.0, "dt": 0.05,
                   "n_trajectories": 24, "criterion": "crossing"},
        "run": {"block": block, "seed": seed},
    }


def _arrays(path) -> dict[str, np.ndarray]:
    dataset = open_store(path)
    return {name: dataset[name].values for name in OUTPUTS}


def _assert_identical(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    for name in OUTPUTS:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_identical_for_block_shapes_workers_and_evaluate(tmp_path):
    """Same (seed, point, trajectory) -> same numbers: serial runs with blocks 1x2 and
    3x1, an embedded two-worker cluster, and fastspin.evaluate with options seed."""
    by_point = fastspin.sweep(small_spec({"a_j": 1, "sigma": 2}), tmp_path / "a.zarr",
                              scheduler="serial")
    by_sigma = fastspin.sweep(small_spec({"a_j": 3, "sigma": 1}), tmp_path / "b.zarr",
                              scheduler="serial")
    two_workers = fastspin.sweep(small_spec({"a_j": 1, "sigma": 1}), tmp_path / "c.zarr",
                                 workers=2)
    reference = _arrays(by_point.path)
    _assert_identical(reference, _arrays(by_sigma.path))
    _assert_identical(reference, _arrays(two_workers.path))
    spec = small_spec({"a_j": 1, "sigma": 1})
    direct = fastspin.evaluate(MacrospinSwitching(options={"seed": 11}), **spec["axes"],
                               **spec["params"])
    _assert_identical(reference, {name: direct[name].values for name in OUTPUTS})
    # the numbers are random (intermediate P_sw somewhere) and another seed changes them
    p = reference["switching_probability"]
    assert np.any((p > 0) & (p < 1))
    other = fastspin.sweep(small_spec({"a_j": 3, "sigma": 2}, seed=12), tmp_path / "d.zarr",
                           scheduler="serial")
    assert not np.array_equal(_arrays(other.path)["n_switched"], reference["n_switched"])
    # physics: more spin torque, more switching (summed over σ: 48 trajectories each)
    switched = reference["n_switched"].sum(axis=1)
    assert switched[0] < switched[2]
    # error bar: the Wilson score half-width of k = n_switched out of 24 (never 0)
    np.testing.assert_allclose(reference["switching_probability_error"],
                               wilson_error(reference["n_switched"], 24), rtol=1e-14)
    assert np.all(reference["switching_probability_error"] > 0)


def test_probability_jumps_across_the_critical_spin_torque():
    """σ = 1e5 (t = 5e-6: activation over the barrier left near a_c, σ(1 - a/a_c)² ≥ 250,
    is impossible): a pulse of 3000 switches nobody at 0.95 a_c and everybody at
    1.05 a_c, with a_c = α(1 + h)/(1 + αβ) from Macrospin.critical_stt; above a_c the
    switching time falls with a_j (the instability growth rate ∝ a_j - a_c)."""
    alpha, h, beta = 0.1, 0.2, 0.5
    a_c = -Macrospin(alpha=alpha, temperature=0.0, field=(0, 0, h), field_like=beta).critical_stt()
    assert a_c == pytest.approx(alpha * (1 + h) / (1 + alpha * beta), rel=1e-14)
    ratios = np.array([0.95, 1.05, 2.0])
    result = fastspin.evaluate(
        "macrospin", a_j=list(ratios * a_c), sigma=1e5, alpha=alpha, h=h, field_like=beta,
        pulse_width=3000.0, relax_time=0.0, dt=0.05, n_trajectories=16, criterion="reversal",
    )  # fmt: skip
    p = result.switching_probability.values
    assert p.tolist() == [0.0, 1.0, 1.0]
    assert np.isnan(result.mean_switch_time.values[0])  # nobody switched: NaN, not 0
    times = result.mean_switch_time.values
    assert times[2] < times[1] < 3000.0
    # mean final m_z: +1 below threshold (precession cone relaxes), reversed above
    assert result.mean_final_m_z.values[0] > 0.99 and result.mean_final_m_z.values[1] < -0.9



@pytest.mark.parametrize("psi", [math.pi / 4, math.pi / 6])
def test_stoner_wohlfarth_astroid_with_a_tilted_field(psi):
    """No current, field h at angle ψ from -ẑ (h_angle = π - ψ), σ = 1e5: the zero-
    temperature reversal field is the Stoner-Wohlfarth astroid
    h_sw = (cos^{2/3}ψ + sin^{2/3}ψ)^{-3/2} (0.5 at 45°): P_sw = 0 at 0.97 h_sw and 1 at
    1.03 h_sw; the final m_z is cos θ of the energy minimum e(θ) = -cos²θ/2 - h cos(θ - θ_h)
    reached by descending from θ = 0 (metastable, resp. reversed), within 1e-3 (thermal spread at
    t = 5e-6 and the residual of a relaxation over 400 time units)."""
    from scipy.optimize import brentq

    h_sw = (math.cos(psi) ** (2 / 3) + math.sin(psi) ** (2 / 3)) ** -1.5
    theta_h = math.pi - psi
    fields = np.array([0.97, 1.03]) * h_sw
    result = fastspin.evaluate(
        "macrospin", h=list(fields), h_angle=theta_h, sigma=1e5, alpha=1.0, a_j=0.0,
        pulse_width=0.0, relax_time=400.0, dt=0.02, n_trajectories=16,
    )  # fmt: skip
    assert result.switching_probability.values.tolist() == [0.0, 1.0]
    for h, m_z in zip(fields, result.mean_final_m_z.values, strict=True):
        # the minimum reached by descending from θ = 0: the first zero of e'(θ) with
        # e'' > 0 (metastable below h_sw; above it the only minimum, the reversed state)
        def slope(t, h=h):
            return math.sin(t) * math.cos(t) + h * math.sin(t - theta_h)

        grid = np.linspace(0.0, math.pi, 20001)
        values = np.array([slope(t) for t in grid])
        first = int(np.flatnonzero((values[:-1] < 0) & (values[1:] >= 0))[0])
        theta_min = brentq(slope, grid[first], grid[first + 1], xtol=1e-13)
        assert m_z == pytest.approx(math.cos(theta_min), abs=1e-3)

def test_seed_in_store_and_point_replayable(tmp_path):
    """run.seed is recorded; the stored counts of grid point i equal run_ensemble with
    seed = run.seed, stream = i (exact integer count, times to rounding), and a single
    trajectory j replays as first_trajectory = j."""
    spec = small_spec({"a_j": 2, "sigma": 1}, seed=11)
    result = fastspin.sweep(spec, tmp_path / "s.zarr", scheduler="serial")
    attrs = read_root_attrs(result.path)
    assert attrs["sweep_seed"] == 11
    stored_spec = attrs["fastspin_spec"]
    stored_spec = json.loads(stored_spec) if isinstance(stored_spec, str) else stored_spec
    assert stored_spec["run"]["seed"] == 11
    dataset = open_store(result.path)
    i_a, i_sigma = 2, 1  # a_j = 0.12, sigma = 10
    point_index = int(np.ravel_multi_index((i_a, i_sigma), (3, 2)))
    point = {**spec["params"], "a_j": 0.12, "sigma": 10.0, "h": 0.0, "h_angle": 0.0,
             "field_like": 0.0}
    spin = MacrospinSwitching.spin_at(point)
    kwargs = dict(dt=0.05, n_steps=MacrospinSwitching.n_steps(point), m0=(0, 0, 1),
                  criterion=MacrospinSwitching.criterion_for("crossing"))
    ensemble = run_ensemble(spin, 24, seed=11, stream=point_index, **kwargs)
    stored = dataset.isel(a_j=i_a, sigma=i_sigma)
    assert int(stored.n_switched) == int(ensemble.switched.sum())
    assert 0 < int(stored.n_switched) <= 24
    switched_times = ensemble.switch_time[ensemble.switched]
    assert float(stored.mean_switch_time) == pytest.approx(switched_times.mean(), rel=1e-13)
    assert float(stored.mean_final_m_z) == pytest.approx(ensemble.final_m[:, 2].mean(), rel=1e-12)
    j = int(np.flatnonzero(ensemble.switched)[0])
    single = run_ensemble(spin, 1, seed=11, stream=point_index, first_trajectory=j, **kwargs)
    assert single.switch_time[0] == ensemble.switch_time[j]
    np.testing.assert_array_equal(single.final_m[0], ensemble.final_m[j])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -0.1}, "alpha"),
        ({"alpha": 0.0}, "alpha"),
        ({"sigma": 0.0}, "sigma"),
        ({"n_trajectories": 0}, "n_trajectories"),
        ({"n_trajectories": 2.5}, "n_trajectories"),
        ({"n_trajectories": [4, 8]}, "cannot be swept"),
        ({"criterion": "flip"}, "criterion"),
        ({"precision": "half"}, "precision"),
        ({"dt": 0.0}, "dt"),
        ({"pulse_width": -1.0}, "pulse_width"),
        ({"pulse_width": 1e6, "dt": 1e-3}, "steps"),
        ({"current": 1.0}, "unknown parameter"),
    ],
)
def test_bad_input_is_refused(params, match):
    with pytest.raises(ParameterError, match=match):
        fastspin.evaluate("macrospin", **params)


def test_direct_block_call_checks_ranges():
    """evaluate_block called without Model.validate still refuses out-of-range values."""
    model = MacrospinSwitching()
    grid = {p.name: np.full((2,), float(p.default)) for p in model.parameters
            if p.choices is None}
    grid["criterion"] = "reversal"
    grid["precision"] = "double"
    grid["alpha"] = np.array([0.01, -1.0])
    with pytest.raises(ParameterError, match="alpha"):
        model.evaluate_block(grid)
    assert math.isfinite(MacrospinSwitching.cost_per_point)


def test_single_precision_reaches_the_engine_and_agrees():
    """``precision = "single"`` integrates a float32 state: the same noise gives final
    states that differ by float32 rounding (so not bit-identical, which shows the option
    reaches the engine) and P_sw within its standard error of the double run."""
    common = dict(a_j=[0.04, 0.08], sigma=5.0, alpha=0.05, pulse_width=40.0, relax_time=5.0,
                  dt=0.05, n_trajectories=200, criterion="crossing")
    double = fastspin.evaluate("macrospin", **common)
    single = fastspin.evaluate("macrospin", **common, precision="single")
    assert not np.array_equal(single["mean_final_m_z"].values, double["mean_final_m_z"].values)
    np.testing.assert_allclose(single["mean_final_m_z"].values, double["mean_final_m_z"].values, atol=0.05)
    p = double["switching_probability"].values
    assert 0.0 < p.min() and p.max() < 1.0  # intermediate P_sw: the comparison sees the noise
    error = np.sqrt(p * (1 - p) / 200)
    assert np.all(np.abs(single["switching_probability"].values - p) <= 4.5 * error)
