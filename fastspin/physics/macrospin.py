"""Stochastic macrospin dynamics: sLLG(S) ensembles of a single-domain magnet.

Public API
----------
* :class:`Waveform` - time dependence (constant, step, pulse, sine) of a field or current.
* :class:`Macrospin` - a macrospin in reduced units; :meth:`Macrospin.from_SI` converts
  SI inputs (M_s, V, K, T, α, current density, efficiency, thickness, fields).
* :class:`SwitchCriterion` - what counts as a switch (crossing a level or a full reversal).
* :func:`run_ensemble` - N independent trajectories of the stochastic LLG(S) equation
  (:mod:`fastspin.kernels.llg`): first-switching times, final states, time-averaged
  projections, streamed histograms, optional decimated traces.
* :func:`merge_results` - join ensemble blocks computed separately.
* :func:`switching_statistics` - switching counts on a block of parameter points (what
  a sweep block calls; integer counts add up over trajectory blocks).

Reduced units (see :mod:`fastspin.kernels.llg`): time in 1/(γ μ0 H_K), fields in
H_K = 2K/(μ0 M_s), temperature t = k_B T/(μ0 M_s H_K V) = 1/(2σ) with the barrier
σ = K V/(k_B T).

Reproducibility: every per-trajectory result is a pure function of (parameters,
``seed``, ``stream``, global trajectory index) - a block [first, first + n) of an
ensemble gives exactly the rows first … first + n - 1 of the whole ensemble, with
the serial or the ``parallel`` kernel and any thread count.  Histograms are integer
counts and add up exactly.  This is the contract a sweep block relies on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from fastspin.kernels import llg as _llg
from fastspin.model import ParameterError
from fastspin.physics._ensemble import (
    EnsembleSamples,
    _check_ensemble,
    _finite,
    _launch,
    _sample_fields,
    _trace_buffer,
    _vector,
)
from fastspin.units import BOLTZMANN, ELEMENTARY_CHARGE, GYROMAGNETIC_RATIO, HBAR, MU0

#: largest reduced temperature t = k_B T/(μ0 Ms H_K V) = 1/(2σ) :class:`Macrospin` accepts:
#: above it the barrier σ < 1/2 and m is not a bistable magnet; 300 or 4.2 there is a kelvin value
MAX_REDUCED_TEMPERATURE = 1.0

_WAVE_KINDS = {
    "constant": _llg.WAVE_CONSTANT,
    "step": _llg.WAVE_STEP,
    "pulse": _llg.WAVE_PULSE,
    "sine": _llg.WAVE_SINE,
}


@dataclass(frozen=True)
class Waveform:
    """Shape w(τ) of a time-dependent amplitude: value(τ) = dc + ac·w(τ).

    ``kind``: "constant" (w = 0, only the dc part acts), "step" (w = 1 for τ >= t0),
    "pulse" (w = 1 for t0 <= τ < t0 + width) or "sine" (w = sin(ω τ + phase)).
    Times in the unit of the equation (1/(γ μ0 H_K) for the macrospin).
    """

    kind: str = "constant"
    t0: float = 0.0
    width: float = 0.0
    omega: float = 0.0
    phase: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in _WAVE_KINDS:
            raise ParameterError(
                f"waveform kind = {self.kind!r} is not allowed; allowed: "
                + ", ".join(repr(k) for k in _WAVE_KINDS)
            )
        if self.kind == "pulse":
            _finite("pulse width", self.width, 0.0)
        for name in ("t0", "omega", "phase"):
            _finite(name, getattr(self, name))

    @classmethod
    def step(cls, t0: float) -> Waveform:
        """Switched on at t0 and held: 0 for t < t0, 1 after (reduced time units)."""
        return cls("step", t0=t0)

    @classmethod
    def pulse(cls, t0: float, width: float) -> Waveform:
        """A rectangular pulse: 1 for t0 <= t < t0 + width, else 0 (reduced time units)."""
        return cls("pulse", t0=t0, width=width)

    @classmethod
    def sine(cls, omega: float, phase: float = 0.0) -> Waveform:
        """sin(ω t + phase), ω in reduced angular-frequency units."""
        return cls("sine", omega=omega, phase=phase)

    def encode(self) -> np.ndarray:
        """The five kernel numbers (kind, t0, width, omega, phase)."""
        return np.array(
            [_WAVE_KINDS[self.kind], self.t0, self.width, self.omega, self.phase], dtype=float
        )

    def shape(self, tau: np.ndarray | float) -> np.ndarray:
        """w(τ) evaluated in NumPy (for plotting and checks)."""
        tau = np.asarray(tau, dtype=float)
        if self.kind == "step":
            return (tau >= self.t0).astype(float)
        if self.kind == "pulse":
            return ((tau >= self.t0) & (tau < self.t0 + self.width)).astype(float)
        if self.kind == "sine":
            return np.sin(self.omega * tau + self.phase)
        return np.zeros_like(tau)


@dataclass(frozen=True)
class ReducedUnits:
    """The SI values of the macrospin's reduced units (from :meth:`Macrospin.from_SI`)."""

    #: anisotropy field H_K = 2K/(μ0 M_s) in A/m (the field unit)
    H_K: float
    #: time unit 1/(γ μ0 H_K) in seconds
    time_s: float
    #: current density (A/m²) whose spin-torque field is one H_K (None without thickness)
    current_density: float | None
    #: barrier σ = K V/(k_B T)
    barrier: float

    def seconds(self, tau: np.ndarray | float) -> np.ndarray | float:
        """Reduced time → seconds."""
        return np.asarray(tau) * self.time_s


@dataclass(frozen=True)
class Macrospin:
    """A single-domain magnet for the stochastic LLG(S) kernel, in reduced units.

    Effective field (units of H_K), Gilbert form
    dm/dτ = -m × h_tot + α m × dm/dτ (:mod:`fastspin.kernels.llg`):

        h_tot = anisotropy·(m·n) n - demag∘m + field + field_ac·w_f(τ)
                + a(τ)/(1 + slonczewski_lambda·m·p) · [m × p + field_like·p] + h_th,

    a(τ) = stt + stt_ac·w_J(τ) (a > 0 pulls m towards the polarizer p).  The thermal
    field has ⟨h_th,i h_th,j⟩ = 2 α t δ_ij δ(τ-τ'), t = ``temperature`` =
    k_B T/(μ0 M_s H_K V) = 1/(2σ).

    Sign conventions: a field along +m lowers the energy of m (a field along −n
    larger than anisotropy − N_nn reverses m = +n); a > 0 pulls m towards p, a < 0
    pushes it away (to reverse m = +p, use a < 0, or a > 0 with p = −m, as the
    ``macrospin`` model does with p = −ẑ).  ``temperature`` is the reduced t, at most
    :data:`MAX_REDUCED_TEMPERATURE`; a temperature in kelvin goes to :meth:`from_SI`.
    """

    alpha: float
    temperature: float
    easy_axis: tuple[float, float, float] = (0.0, 0.0, 1.0)
    anisotropy: float = 1.0
    demag: tuple[float, float, float] = (0.0, 0.0, 0.0)
    field: tuple[float, float, float] = (0.0, 0.0, 0.0)
    field_ac: tuple[float, float, float] = (0.0, 0.0, 0.0)
    field_waveform: Waveform = Waveform()
    polarizer: tuple[float, float, float] = (0.0, 0.0, 1.0)
    stt: float = 0.0
    stt_ac: float = 0.0
    stt_waveform: Waveform = Waveform()
    field_like: float = 0.0
    slonczewski_lambda: float = 0.0

    def __post_init__(self) -> None:
        _finite("alpha", self.alpha, 0.0)
        if self.alpha <= 0.0:
            raise ParameterError(f"alpha = {self.alpha!r} is out of range; allowed: 0 < alpha")
        _finite("temperature", self.temperature, 0.0)
        if self.temperature > MAX_REDUCED_TEMPERATURE:
            raise ParameterError(
                f"temperature = {self.temperature!r} is out of range; allowed: 0 <= temperature <= "
                f"{MAX_REDUCED_TEMPERATURE:g} (reduced t = k_B T/(mu0 Ms H_K V)); for a temperature "
                "in kelvin use Macrospin.from_SI(T=...)"
            )
        _finite("anisotropy", self.anisotropy)
        for name in ("stt", "stt_ac", "field_like"):
            _finite(name, getattr(self, name))
        _finite("slonczewski_lambda", self.slonczewski_lambda, 0.0, 0.999)
        object.__setattr__(self, "easy_axis", _vector("easy_axis", self.easy_axis, unit=True))
        object.__setattr__(self, "polarizer", _vector("polarizer", self.polarizer, unit=True))
        for name in ("demag", "field", "field_ac"):
            object.__setattr__(self, name, _vector(name, getattr(self, name)))

    @property
    def barrier(self) -> float:
        """σ = anisotropy/(2 t) = K V/(k_B T) (inf at T = 0)."""
        return math.inf if self.temperature == 0.0 else self.anisotropy / (2.0 * self.temperature)

    def critical_stt(self) -> float:
        """Zero-temperature instability threshold a_c of m = +n with polarizer p = n.

        For the easy axis n along a coordinate axis (the demag tensor is diagonal in
        those axes), the field along n, λ = 0: linearizing the Gilbert equation about
        m = n gives transverse stiffnesses H_i = anisotropy - N_nn + h·n + N_ii + β a
        (i = the two transverse axes); the trace of the 2x2 linear map vanishes at
        a_c = -α (H_1 + H_2)/2 with β a included, i.e.

            a_c = -α [anisotropy - N_nn + h·n + (N_11 + N_22)/2] / (1 + α β).

        The state is unstable for a < a_c (a < 0 pushes m away from p).  Exact for the
        linearized dynamics (no small-α approximation).
        """
        n = np.array(self.easy_axis)
        axis = int(np.argmax(np.abs(n)))
        if not np.isclose(abs(n[axis]), 1.0) or not np.allclose(
            np.array(self.polarizer), n
        ):
            raise ParameterError("critical_stt needs easy_axis = polarizer = a coordinate axis")
        demag = np.array(self.demag)
        transverse = (demag.sum() - demag[axis]) / 2.0
        h_n = float(np.dot(n, self.field))
        stiffness = self.anisotropy - demag[axis] + h_n + transverse
        return -self.alpha * stiffness / (1.0 + self.alpha * self.field_like)

    def vector(self) -> np.ndarray:
        """The kernel parameter vector (layout ``fastspin.kernels.llg.P_*``)."""
        p = np.zeros(_llg.NPAR)
        p[_llg.P_ALPHA] = self.alpha
        p[_llg.P_TEMPERATURE] = self.temperature
        p[_llg.P_EASY_AXIS : _llg.P_EASY_AXIS + 3] = self.easy_axis
        p[_llg.P_ANISOTROPY] = self.anisotropy
        p[_llg.P_DEMAG : _llg.P_DEMAG + 3] = self.demag
        p[_llg.P_FIELD_DC : _llg.P_FIELD_DC + 3] = self.field
        p[_llg.P_FIELD_AC : _llg.P_FIELD_AC + 3] = self.field_ac
        p[_llg.P_FIELD_WAVE : _llg.P_FIELD_WAVE + 5] = self.field_waveform.encode()
        p[_llg.P_POLARIZER : _llg.P_POLARIZER + 3] = self.polarizer
        p[_llg.P_STT_DC] = self.stt
        p[_llg.P_STT_AC] = self.stt_ac
        p[_llg.P_STT_WAVE : _llg.P_STT_WAVE + 5] = self.stt_waveform.encode()
        p[_llg.P_FIELD_LIKE] = self.field_like
        p[_llg.P_LAMBDA] = self.slonczewski_lambda
        return p

    def with_(self, **changes) -> Macrospin:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    @classmethod
    def from_SI(
        cls,
        *,
        Ms: float,
        volume: float,
        K: float,
        T: float,
        alpha: float,
        thickness: float | None = None,
        current_density: float = 0.0,
        current_density_ac: float = 0.0,
        current_waveform: Waveform | None = None,
        efficiency: float = 1.0,
        field_T: Sequence[float] = (0.0, 0.0, 0.0),
        field_ac_T: Sequence[float] = (0.0, 0.0, 0.0),
        field_waveform: Waveform | None = None,
        demag_factors: Sequence[float] = (0.0, 0.0, 0.0),
        easy_axis: Sequence[float] = (0.0, 0.0, 1.0),
        polarizer: Sequence[float] = (0.0, 0.0, 1.0),
        field_like: float = 0.0,
        slonczewski_lambda: float = 0.0,
    ) -> tuple[Macrospin, ReducedUnits]:
        """Build a :class:`Macrospin` from SI inputs; returns it with its units.

        Ms [A/m], volume [m³], K [J/m³] (uniaxial, > 0), T [K], alpha, thickness [m] of
        the free layer (needed for spin torque), current densities [A/m²] (dc and the
        amplitude of ``current_waveform``), spin efficiency η, fields as μ0H [T],
        demag_factors N_ii (SI, trace 1 for an ellipsoid).

        H_K = 2K/(μ0 Ms); time unit 1/(γ μ0 H_K); t = k_B T/(μ0 Ms H_K V) = 1/(2σ);
        demag in H_K units = N·Ms/H_K; Slonczewski field a_J = ħ η J/(2 e μ0 Ms d)
        (A/m), so a = a_J/H_K; its zero-temperature critical current for p = n = z is
        J_c = (2 e α μ0 Ms d/(ħ η))(H_K - N_zz Ms + H_z) (for field_like = 0).

        Sign of the current: ``current_density`` J > 0 gives a = J/J_unit > 0 (for η > 0),
        the torque that pulls m towards ``polarizer`` p: the torque of electrons flowing
        from the polarizing layer into the free layer (conventional current from the
        free layer into the polarizer).  With m0 = p = +ẑ, J > 0 stabilizes and J < -J_c
        reverses.  Fields: ``field_T`` = μ0 H along the given direction (a field along −m
        reverses m).
        """
        Ms = _finite("Ms", Ms, 0.0)
        volume = _finite("volume", volume, 0.0)
        K = _finite("K", K, 0.0)
        if Ms <= 0 or volume <= 0 or K <= 0:
            raise ParameterError("Ms, volume and K must be > 0 (K sets the field unit H_K)")
        T = _finite("T", T, 0.0)
        efficiency = _finite("efficiency", efficiency)
        H_K = 2.0 * K / (MU0 * Ms)
        time_s = 1.0 / (GYROMAGNETIC_RATIO * MU0 * H_K)
        temperature = BOLTZMANN * T / (MU0 * Ms * H_K * volume)
        if current_density != 0.0 or current_density_ac != 0.0:
            if thickness is None or thickness <= 0 or efficiency == 0.0:
                raise ParameterError("spin torque needs thickness > 0 [m] and efficiency != 0")
        if thickness is not None and thickness > 0 and efficiency != 0.0:
            j_unit = 2.0 * ELEMENTARY_CHARGE * MU0 * Ms * thickness * H_K / (HBAR * efficiency)
        else:
            j_unit = None
        stt = current_density / j_unit if j_unit else 0.0
        stt_ac = current_density_ac / j_unit if j_unit else 0.0
        field_scale = 1.0 / (MU0 * H_K)
        spin = cls(
            alpha=alpha,
            temperature=temperature,
            easy_axis=tuple(easy_axis),
            anisotropy=1.0,
            demag=tuple(float(n) * Ms / H_K for n in demag_factors),
            field=tuple(float(b) * field_scale for b in field_T),
            field_ac=tuple(float(b) * field_scale for b in field_ac_T),
            field_waveform=field_waveform or Waveform(),
            polarizer=tuple(polarizer),
            stt=stt,
            stt_ac=stt_ac,
            stt_waveform=current_waveform or Waveform(),
            field_like=field_like,
            slonczewski_lambda=slonczewski_lambda,
        )
        barrier = K * volume / (BOLTZMANN * T) if T > 0 else math.inf
        return spin, ReducedUnits(H_K=H_K, time_s=time_s, current_density=j_unit, barrier=barrier)


@dataclass(frozen=True)
class SwitchCriterion:
    """When a trajectory counts as switched.

    With a = ``axis`` and s = sign(m0·a): "crossing" means s·(m·a) < ``threshold``
    (default 0: crossing the equator); "reversal" means s·(m·a) < -``threshold``
    (e.g. 0.9: a completed reversal).  The two differ by about a factor of 2 in mean
    time (the reversal includes the descent from the equator), so state which one you use.
    """

    kind: str = "crossing"
    threshold: float = 0.0
    axis: tuple[float, float, float] = (0.0, 0.0, 1.0)

    def __post_init__(self) -> None:
        if self.kind not in ("crossing", "reversal"):
            raise ParameterError(
                f"switch kind = {self.kind!r} is not allowed; allowed: 'crossing', 'reversal'"
            )
        _finite("threshold", self.threshold, -1.0, 1.0)
        object.__setattr__(self, "axis", _vector("switch axis", self.axis, unit=True))

    @property
    def level(self) -> float:
        """The level of s·(m·a) below which a trajectory has switched: ``threshold`` for
        "crossing", ``-threshold`` for "reversal" (see the class docstring)."""
        return self.threshold if self.kind == "crossing" else -self.threshold


@dataclass
class EnsembleResult(EnsembleSamples):
    """Per-trajectory results of :func:`run_ensemble` (row i = trajectory first + i).

    ``switch_time`` (reduced time, NaN = never), ``final_m`` (N, 3),
    ``mean_projection`` (time average of m·axis over the samples), ``histogram``
    (integer counts of m·axis over the samples, edges ``bin_edges``), ``traces``
    (N, n_trace, 3) or None, plus the bookkeeping needed to replay any trajectory.
    """

    switch_time: np.ndarray
    final_m: np.ndarray
    mean_projection: np.ndarray
    dt: float
    n_steps: int
    criterion: SwitchCriterion

    @property
    def n_trajectories(self) -> int:
        """Number of trajectories in the ensemble."""
        return int(self.switch_time.shape[0])

    @property
    def switched(self) -> np.ndarray:
        """Boolean per trajectory: switched at least once during the run."""
        return np.isfinite(self.switch_time)

    def switched_count(self, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """Number of trajectories whose first switch happened at or before each time.

        Integer counts: add them over blocks, divide by the total N for P_sw(t).
        """
        times = np.asarray(times, dtype=float)
        finite = np.sort(self.switch_time[np.isfinite(self.switch_time)])
        return np.searchsorted(finite, times, side="right").astype(np.int64)

    def switching_probability(self, times: Sequence[float] | np.ndarray) -> np.ndarray:
        """P_sw(t) = fraction of trajectories switched by t (first-passage sense)."""
        return self.switched_count(times) / self.n_trajectories

    def _summary(self) -> list[tuple[str, str]]:
        n, k = self.n_trajectories, int(self.switched.sum())
        last = self.first_trajectory + n - 1
        traces = "none" if self.traces is None else f"{self.traces.shape[1]} samples each"
        return [
            ("trajectories", f"{n} (#{self.first_trajectory}..{last}), seed {self.seed}, "
                             f"stream {self.stream}"),
            ("integration", f"{self.n_steps} steps of dt = {self.dt:g}"),
            ("switched", f"{k} of {n} (P_sw = {k / n:.4g})" if n else "0"),
            ("traces", traces),
        ]

    def __repr__(self) -> str:
        """One line of counts, never the arrays (they are attributes)."""
        return "EnsembleResult(" + "; ".join(f"{key} {value}" for key, value in self._summary()) + ")"

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><th style='text-align:left'>{escape(key)}</th><td>{escape(value)}</td></tr>"
                       for key, value in self._summary())
        return f"<b>EnsembleResult</b><table>{rows}</table>"


def run_ensemble(
    spin: Macrospin,
    n_trajectories: int,
    seed: int,
    *,
    dt: float,
    n_steps: int,
    m0: Sequence[float] = (0.0, 0.0, 1.0),
    first_trajectory: int = 0,
    stream: int = 0,
    criterion: SwitchCriterion | None = None,
    stop_at_switch: bool = False,
    crossing_correction: bool = True,
    sample_start: int | None = None,
    sample_every: int = 1,
    n_bins: int = 100,
    trace_every: int = 0,
    parallel: bool = False,
    n_tasks: int | None = None,
    precision: str = "double",
) -> EnsembleResult:
    """Run trajectories ``first_trajectory … first_trajectory + n_trajectories - 1``.

    The stochastic LLG(S) equation of ``spin`` (:class:`Macrospin`) is integrated with
    stochastic Heun (Stratonovich) for ``n_steps`` steps of ``dt`` (reduced time) from
    ``m0``.  Samples for ``mean_projection`` and the histogram are the states after
    steps k = sample_start, sample_start + sample_every, … (default: the last step
    only).  ``trace_every > 0`` stores m every that many steps (memory N·n_steps/
    trace_every·3 floats; otherwise memory is O(N)).  With ``stop_at_switch`` a
    trajectory ends at its first switch (``final_m`` is then the state after the
    switching step).

    ``crossing_correction`` (default on) also counts a switch when the path crossed the
    level between two steps, with the Brownian-bridge probability of the crossing
    (:func:`fastspin.kernels.llg.run_chunk`; the uniform comes from the trajectory's
    own Philox stream, so results stay a function of the seed); off, only the states
    after each step are tested (plain discrete monitoring, kept for comparison).

    Results depend only on (spin, dt, n_steps, m0, criterion, seed, stream, global
    trajectory index), never on the block split or on ``parallel``/``n_tasks``.
    ``parallel=True`` uses the ``prange`` kernel: use it only in a single process,
    not inside multi-threaded Dask workers.

    Weak accuracy: Heun is weak order 1, so averages carry an O(dt) bias.  Static
    averages (Boltzmann law, Langevin function) show none at the tests' resolution for
    dt = 0.02 and 0.01.  Escape times are more sensitive to discrete monitoring, which
    misses crossings between steps: without the crossing correction the mean first-
    passage time to the equator at σ = 4, α = 0.5, h = -0.15 comes out +2.5 % (± 0.7 %)
    high at dt = 0.01, and at σ = 3, α = 1 (to m_z = -1/2) +1.6 %.  With it the mean
    first-passage time at dt = 0.01 agrees with Brown's double integral within 1 % plus
    3 standard errors over σ = 3 … 10, α = 0.1 … 1, with and without a reversed axial
    field (``tests/physics/test_llg_first_passage.py``; +0.04 % ± 0.7 % at the point above).
    Check convergence in dt for other observables.

    ``precision="single"`` integrates a float32 state (the thermal field is drawn in
    float32 either way; outputs stay float64): twice the lanes per vector register and
    about 0.6 of the time per step (``bench/bench_heun_bound.py``).  Every statistical
    test of the double-precision engine (Boltzmann law, Langevin function, Brown's
    escape time, the first-passage box, the spin-torque threshold, the thermal FMR
    line) passes unchanged in single precision (``tests/physics/test_llg.py``,
    ``tests/physics/test_llg_first_passage.py``).  A trajectory differs from the double
    one by float32 rounding (about 1e-7 per step, a random walk along the path), far
    below the thermal noise; a long run at zero temperature loses digits, so
    deterministic dynamics should stay in double.
    """
    float_type = _float_type(precision)
    n_trajectories, dt, n_steps, sample_start = _check_ensemble(
        n_trajectories, seed, stream, first_trajectory, dt, n_steps, sample_start, sample_every,
        n_bins, trace_every,
    )  # fmt: skip
    criterion = criterion or SwitchCriterion()
    m0_vec = np.array(_vector("m0", m0, unit=True), dtype=float_type)

    switch_time = np.empty(n_trajectories)
    final_m = np.empty((n_trajectories, 3))
    mean_projection = np.empty(n_trajectories)
    histogram = np.zeros(n_bins, dtype=np.int64)
    traces, trace_times = _trace_buffer(n_trajectories, n_steps, trace_every, dt, (3,))
    args = (
        spin.vector(), m0_vec, np.uint64(seed), np.int64(stream), np.int64(first_trajectory),
        float(dt), np.int64(n_steps), np.array(criterion.axis), float(criterion.level),
        bool(stop_at_switch), bool(crossing_correction), np.int64(sample_start),
        np.int64(sample_every), switch_time, final_m, mean_projection, histogram, traces,
        np.int64(trace_every),
    )  # fmt: skip
    _launch(_llg.llg_ensemble, _llg.llg_ensemble_parallel, args, parallel, n_tasks)
    return EnsembleResult(
        switch_time=switch_time,
        final_m=final_m,
        mean_projection=mean_projection,
        **_sample_fields(histogram, traces, trace_times, trace_every, seed, stream, first_trajectory),
        dt=float(dt),
        n_steps=n_steps,
        criterion=criterion,
    )


def _float_type(precision: str) -> type:
    """The state's float type of ``precision`` ("double" or "single")."""
    types = {"double": np.float64, "single": np.float32}
    if precision not in types:
        raise ParameterError(f"precision must be 'double' or 'single', got {precision!r}")
    return types[precision]


def merge_results(blocks: Sequence[EnsembleResult]) -> EnsembleResult:
    """Join consecutive blocks of one ensemble into one result (sum of histograms).

    The blocks must share seed, stream, dt and n_steps and cover consecutive
    trajectory ranges in order.
    """
    if not blocks:
        raise ParameterError("merge_results needs at least one block")
    first = blocks[0]
    expected = first.first_trajectory
    for b in blocks:
        if (b.seed, b.stream, b.dt, b.n_steps) != (first.seed, first.stream, first.dt, first.n_steps):
            raise ParameterError("blocks differ in seed, stream, dt or n_steps")
        if b.first_trajectory != expected:
            raise ParameterError(
                f"blocks are not consecutive: expected first_trajectory {expected}, "
                f"got {b.first_trajectory}"
            )
        expected += b.n_trajectories
    traces = None
    if all(b.traces is not None for b in blocks):
        traces = np.concatenate([b.traces for b in blocks])
    return EnsembleResult(
        switch_time=np.concatenate([b.switch_time for b in blocks]),
        final_m=np.concatenate([b.final_m for b in blocks]),
        mean_projection=np.concatenate([b.mean_projection for b in blocks]),
        histogram=np.sum([b.histogram for b in blocks], axis=0),
        bin_edges=first.bin_edges,
        traces=traces,
        trace_times=first.trace_times,
        seed=first.seed,
        stream=first.stream,
        first_trajectory=first.first_trajectory,
        dt=first.dt,
        n_steps=first.n_steps,
        criterion=first.criterion,
    )


# ---------------------------------------------------------------------------------
# Parameter maps for sweep blocks
# ---------------------------------------------------------------------------------

_SCALAR_FIELDS = (
    "alpha", "temperature", "anisotropy", "stt", "stt_ac", "field_like", "slonczewski_lambda",
)  # fmt: skip
_VECTOR_FIELDS = ("easy_axis", "demag", "field", "field_ac", "polarizer")
_WAVEFORM_FIELDS = ("field_waveform", "stt_waveform")


def _with_parameters(base: Macrospin, values: dict[str, float]) -> Macrospin:
    """``base`` with named parameters replaced; names are Macrospin scalar fields,
    ``<vector>_x|y|z`` components (e.g. ``field_z``) or ``<waveform>.<attr>``
    (e.g. ``stt_waveform.width``)."""
    changes: dict[str, object] = {}
    for name, value in values.items():
        if name in _SCALAR_FIELDS:
            changes[name] = float(value)
        elif name[:-2] in _VECTOR_FIELDS and name[-2:] in ("_x", "_y", "_z"):
            key = name[:-2]
            vector = list(changes.get(key, getattr(base, key)))
            vector["xyz".index(name[-1])] = float(value)
            changes[key] = tuple(vector)
        elif "." in name and name.split(".")[0] in _WAVEFORM_FIELDS:
            key, attr = name.split(".", 1)
            wave = changes.get(key, getattr(base, key))
            if attr not in ("t0", "width", "omega", "phase"):
                raise ParameterError(f"{name}: waveform attribute must be t0, width, omega or phase")
            changes[key] = replace(wave, **{attr: float(value)})
        else:
            allowed = ", ".join(_SCALAR_FIELDS) + ", <vector>_x|y|z for " + ", ".join(
                _VECTOR_FIELDS
            ) + ", <waveform>.t0|width|omega|phase for " + ", ".join(_WAVEFORM_FIELDS)
            raise ParameterError(f"unknown macrospin parameter {name!r}; allowed: {allowed}")
    return replace(base, **changes)


def switching_statistics(
    base: Macrospin,
    params: dict[str, np.ndarray],
    n_trajectories: int,
    seed: int,
    *,
    first_trajectory: int = 0,
    streams: np.ndarray | None = None,
    time_grid: Sequence[float] | None = None,
    **run_kwargs,
) -> dict[str, np.ndarray]:
    """Switching statistics on a block of parameter points, for sweep blocks.

    ``params`` maps parameter names (see :func:`_with_parameters`: e.g. ``stt``,
    ``temperature``, ``field_z``, ``stt_waveform.width``) to arrays of one common
    shape; every point runs trajectories first_trajectory … + n_trajectories - 1 of
    :func:`run_ensemble` (``run_kwargs``: dt, n_steps, criterion, m0, …) with noise
    stream ``streams[point]`` (default 0 everywhere: common random numbers, which
    makes maps smooth but correlates their errors; a sweep should pass the global
    point index for independent points).

    Returns arrays of the block shape: ``n`` (trajectories), ``switched`` (integer
    count that switched during the run), ``switch_time_sum`` and ``switch_time_sq_sum``
    (sums of the first-switch times of those and of their squares, for mean and
    variance), ``final_projection_sum`` and ``final_projection_sq_sum`` (m·axis at the
    end) and,
    with ``time_grid``, ``switched_by_time`` (shape + (len(time_grid),), counts with
    first switch <= t).  All are sums: blocks of trajectories add up exactly (in any
    order for the integers).  P_sw = switched / n.
    """
    arrays = {name: np.asarray(value, dtype=float) for name, value in params.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    arrays = {name: np.broadcast_to(a, shape) for name, a in arrays.items()}
    if streams is None:
        streams = np.zeros(shape, dtype=np.int64)
    streams = np.broadcast_to(np.asarray(streams, dtype=np.int64), shape)
    out = {
        "n": np.full(shape, int(n_trajectories), dtype=np.int64),
        "switched": np.zeros(shape, dtype=np.int64),
        "switch_time_sum": np.zeros(shape),
        "switch_time_sq_sum": np.zeros(shape),
        "final_projection_sum": np.zeros(shape),
        "final_projection_sq_sum": np.zeros(shape),
    }
    if time_grid is not None:
        grid = np.asarray(time_grid, dtype=float)
        out["switched_by_time"] = np.zeros(shape + grid.shape, dtype=np.int64)
    for index in np.ndindex(shape):
        spin = _with_parameters(base, {name: a[index] for name, a in arrays.items()})
        result = run_ensemble(
            spin, n_trajectories, seed, first_trajectory=first_trajectory,
            stream=int(streams[index]), **run_kwargs,
        )  # fmt: skip
        switched = result.switched
        out["switched"][index] = int(switched.sum())
        times = result.switch_time[switched]
        out["switch_time_sum"][index] = float(times.sum())
        out["switch_time_sq_sum"][index] = float((times**2).sum())
        projection = result.final_m @ np.array(result.criterion.axis)
        out["final_projection_sum"][index] = float(projection.sum())
        out["final_projection_sq_sum"][index] = float((projection**2).sum())
        if time_grid is not None:
            out["switched_by_time"][index] = result.switched_count(grid)
    return out


__all__ = [
    "EnsembleResult",
    "Macrospin",
    "ReducedUnits",
    "SwitchCriterion",
    "Waveform",
    "merge_results",
    "run_ensemble",
    "switching_statistics",
]
