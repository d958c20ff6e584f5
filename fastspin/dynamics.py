"""Stochastic magnetization dynamics: macrospin sLLG(S) ensembles and the tilt-angle
Langevin equation of seed 000.

Public API
----------
* :class:`Waveform` - time dependence (constant, step, pulse, sine) of a field or current.
* :class:`Macrospin` - a macrospin in reduced units; :meth:`Macrospin.from_SI` converts
  SI inputs (M_s, V, K, T, α, current density, efficiency, thickness, fields).
* :class:`SwitchCriterion` - what counts as a switch (crossing a level or a full reversal).
* :func:`run_ensemble` - N independent trajectories of the stochastic LLG(S) equation
  (:mod:`fastspin.kernels.llg`): first-switching times, final states, time-averaged
  projections, streamed histograms, optional decimated traces.
* :class:`TiltAngleModel` and :func:`run_tilt_ensemble` - Eq. (8) of seed 000 with
  user-supplied τz(cos θ) and D(cos θ) tables (:mod:`fastspin.kernels.tilt`), e.g. the
  ``torque_z`` and ``torque_noise`` outputs of the ``fis`` model;
  :meth:`TiltAngleModel.stationary_density` gives P(cos θ) without simulation.
* :func:`dipole_spectrum`, :func:`spectrum_linewidth` - S_xx(ω) of Eq. (23) of seed 000
  and its FWHM, averaged over the stationary P(cos θ).
* :func:`trace_power_spectrum`, :func:`fit_lorentzian_peak` - S(ω) of a component of
  simulated traces (Welch, ensemble-averaged) and its fitted Lorentzian centre/FWHM
  (thermal FMR, spin-torque oscillators).
* :func:`merge_results` - join ensemble blocks computed separately.
* :func:`switching_statistics` - switching counts on a block of parameter points (what
  a sweep block calls; integer counts add up over trajectory blocks).

Reduced units of the macrospin (see :mod:`fastspin.kernels.llg`): time in
1/(γ μ0 H_K), fields in H_K = 2K/(μ0 M_s), temperature t = k_B T/(μ0 M_s H_K V) =
1/(2σ) with the barrier σ = K V/(k_B T).  The tilt-angle equation uses the seed's units
(ħ = k_B = 1, energies in Δ0, time in ħ/Δ0).

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
from fastspin.kernels import tilt as _tilt
from fastspin.model import ParameterError

# CODATA 2018
MU0 = 1.25663706212e-6  # N/A^2
#: largest reduced temperature t = k_B T/(μ0 Ms H_K V) = 1/(2σ) :class:`Macrospin` accepts:
#: above it the barrier σ < 1/2 and m is not a bistable magnet; 300 or 4.2 there is a kelvin value
MAX_REDUCED_TEMPERATURE = 1.0
GYROMAGNETIC_RATIO = 1.76085963023e11  # rad/(s T), electron |γ|
BOLTZMANN = 1.380649e-23  # J/K
HBAR = 1.054571817e-34  # J s
ELEMENTARY_CHARGE = 1.602176634e-19  # C

_WAVE_KINDS = {
    "constant": _llg.WAVE_CONSTANT,
    "step": _llg.WAVE_STEP,
    "pulse": _llg.WAVE_PULSE,
    "sine": _llg.WAVE_SINE,
}


def _finite(name: str, value: float, low: float = -math.inf, high: float = math.inf) -> float:
    value = float(value)
    if not math.isfinite(value) or value < low or value > high:
        lo = "" if low == -math.inf else f"{low:g} <= "
        hi = "" if high == math.inf else f" <= {high:g}"
        raise ParameterError(f"{name} = {value!r} is out of range; allowed: {lo}{name}{hi}")
    return value


def _vector(name: str, value: Sequence[float], unit: bool = False) -> tuple[float, float, float]:
    array = np.asarray(value, dtype=float)
    if array.shape != (3,) or not np.all(np.isfinite(array)):
        raise ParameterError(f"{name} must be a finite 3-vector, got {value!r}")
    if unit:
        norm = float(np.linalg.norm(array))
        if norm == 0.0:
            raise ParameterError(f"{name} must be a non-zero 3-vector (it is normalized)")
        array = array / norm
    return (float(array[0]), float(array[1]), float(array[2]))


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
        return cls("step", t0=t0)

    @classmethod
    def pulse(cls, t0: float, width: float) -> Waveform:
        return cls("pulse", t0=t0, width=width)

    @classmethod
    def sine(cls, omega: float, phase: float = 0.0) -> Waveform:
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
    time (DESIGN.md), so state which one you use.
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
        return self.threshold if self.kind == "crossing" else -self.threshold


def _histogram_edges(n_bins: int) -> np.ndarray:
    return np.linspace(-1.0, 1.0, n_bins + 1)


@dataclass
class EnsembleResult:
    """Per-trajectory results of :func:`run_ensemble` (row i = trajectory first + i).

    ``switch_time`` (reduced time, NaN = never), ``final_m`` (N, 3),
    ``mean_projection`` (time average of m·axis over the samples), ``histogram``
    (integer counts of m·axis over the samples, edges ``bin_edges``), ``traces``
    (N, n_trace, 3) or None, plus the bookkeeping needed to replay any trajectory.
    """

    switch_time: np.ndarray
    final_m: np.ndarray
    mean_projection: np.ndarray
    histogram: np.ndarray
    bin_edges: np.ndarray
    traces: np.ndarray | None
    trace_times: np.ndarray | None
    seed: int
    stream: int
    first_trajectory: int
    dt: float
    n_steps: int
    criterion: SwitchCriterion

    @property
    def n_trajectories(self) -> int:
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

    def density(self) -> np.ndarray:
        """The histogram normalized to a probability density on [-1, 1]."""
        widths = np.diff(self.bin_edges)
        return self.histogram / (self.histogram.sum() * widths)


def _check_ensemble(
    n_trajectories, seed, stream, first_trajectory, dt, n_steps, sample_start, sample_every,
    n_bins, trace_every,
) -> tuple[int, float, int, int]:
    """Validate the arguments every Langevin ensemble shares (one message naming the bad one).

    Returns (n_trajectories, dt, n_steps, sample_start) with sample_start defaulting to
    the final step.
    """
    n_trajectories = int(n_trajectories)
    if n_trajectories < 1:
        raise ParameterError(f"n_trajectories = {n_trajectories} must be >= 1")
    if not (0 <= seed < 2**64):
        raise ParameterError(f"seed = {seed} must be an integer in [0, 2^64)")
    if not (0 <= stream < 2**32):
        raise ParameterError(f"stream = {stream} must be an integer in [0, 2^32)")
    if first_trajectory < 0 or first_trajectory + n_trajectories > 2**32:
        raise ParameterError("trajectory indices must lie in [0, 2^32)")
    dt = _finite("dt", dt, 0.0)
    if dt <= 0:
        raise ParameterError(f"dt = {dt} must be > 0")
    n_steps = int(n_steps)
    if n_steps < 1:
        raise ParameterError(f"n_steps = {n_steps} must be >= 1")
    if sample_every < 1:
        raise ParameterError(f"sample_every = {sample_every} must be >= 1")
    if n_bins < 1:
        raise ParameterError(f"n_bins = {n_bins} must be >= 1")
    if trace_every < 0:
        raise ParameterError(f"trace_every = {trace_every} must be >= 0")
    sample_start = n_steps if sample_start is None else int(sample_start)
    return n_trajectories, dt, n_steps, sample_start


def _trace_buffer(
    n_trajectories: int, n_steps: int, trace_every: int, dt: float, state_shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Trace array (trajectory, sample, *state_shape) and its times; empty when not traced."""
    if trace_every > 0:
        n_trace = n_steps // trace_every + 1
        return np.empty((n_trajectories, n_trace, *state_shape)), np.arange(n_trace) * trace_every * dt
    return np.empty((0, 0, *state_shape)), None


def _launch(serial_kernel, parallel_kernel, args: tuple, parallel: bool, n_tasks: int | None) -> None:
    """Run an ensemble kernel serially, or its ``prange`` twin over ``n_tasks`` chunks
    (default: one per Numba thread; the results do not depend on it)."""
    if parallel:
        import numba

        parallel_kernel(*args, np.int64(n_tasks or numba.get_num_threads()))
    else:
        serial_kernel(*args)


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
    sample_start: int | None = None,
    sample_every: int = 1,
    n_bins: int = 100,
    trace_every: int = 0,
    parallel: bool = False,
    n_tasks: int | None = None,
) -> EnsembleResult:
    """Run trajectories ``first_trajectory … first_trajectory + n_trajectories - 1``.

    The stochastic LLG(S) equation of ``spin`` (:class:`Macrospin`) is integrated with
    stochastic Heun (Stratonovich) for ``n_steps`` steps of ``dt`` (reduced time) from
    ``m0``.  Samples for ``mean_projection`` and the histogram are the states after
    steps k = sample_start, sample_start + sample_every, … (default: the last step
    only).  ``trace_every > 0`` stores m every that many steps (memory N·n_steps/
    trace_every·3 floats; otherwise memory is O(N)).  With ``stop_at_switch`` a
    trajectory ends at its first switch (``final_m`` is then the state at the
    switch).

    Results depend only on (spin, dt, n_steps, m0, criterion, seed, stream, global
    trajectory index), never on the block split or on ``parallel``/``n_tasks``.
    ``parallel=True`` uses the ``prange`` kernel: use it only in a single process,
    not inside multi-threaded Dask workers.

    Weak accuracy: Heun is weak order 1, so averages carry an O(dt) bias.  Static
    averages (Boltzmann law, Langevin function) show none at the tests' resolution for
    dt = 0.02 and 0.01.  Escape times are more sensitive: at σ = 3, α = 1 the mean
    first-passage time comes out about +5.6 %, +3.5 %, +2.4 % (± 0.5 %) high at
    dt = 0.04, 0.02, 0.01, extrapolating to Brown's value as dt → 0
    (``test_escape_time_weak_convergence_in_dt``).  Check convergence in dt for
    quantitative rates.
    """
    n_trajectories, dt, n_steps, sample_start = _check_ensemble(
        n_trajectories, seed, stream, first_trajectory, dt, n_steps, sample_start, sample_every,
        n_bins, trace_every,
    )  # fmt: skip
    criterion = criterion or SwitchCriterion()
    m0_vec = np.array(_vector("m0", m0, unit=True))

    switch_time = np.empty(n_trajectories)
    final_m = np.empty((n_trajectories, 3))
    mean_projection = np.empty(n_trajectories)
    histogram = np.zeros(n_bins, dtype=np.int64)
    traces, trace_times = _trace_buffer(n_trajectories, n_steps, trace_every, dt, (3,))
    args = (
        spin.vector(), m0_vec, np.uint64(seed), np.int64(stream), np.int64(first_trajectory),
        float(dt), np.int64(n_steps), np.array(criterion.axis), float(criterion.level),
        bool(stop_at_switch), np.int64(sample_start), np.int64(sample_every), switch_time,
        final_m, mean_projection, histogram, traces, np.int64(trace_every),
    )  # fmt: skip
    _launch(_llg.llg_ensemble, _llg.llg_ensemble_parallel, args, parallel, n_tasks)
    return EnsembleResult(
        switch_time=switch_time,
        final_m=final_m,
        mean_projection=mean_projection,
        histogram=histogram,
        bin_edges=_histogram_edges(n_bins),
        traces=traces if trace_every > 0 else None,
        trace_times=trace_times,
        seed=int(seed),
        stream=int(stream),
        first_trajectory=int(first_trajectory),
        dt=float(dt),
        n_steps=n_steps,
        criterion=criterion,
    )


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
# Tilt-angle Langevin equation, Eq. (8) of seed 000
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TiltAngleModel:
    """Eq. (8) of seed 000 for u = cos θ, with τz(u) and D(u) given as tables.

        -S du/dt = τz(u) - S A0 Ω (1 - u²) + η,
        ⟨η(t)η(t')⟩ = 2 [D(u) + S A0 T] (1 - u²) δ(t - t').

    Units of the seed: ħ = k_B = 1, energies (Ω, T, τz) in Δ0, D in Δ0² ħ/Δ0 = ħΔ0,
    time in ħ/Δ0; S is the total spin in units of ħ.  Torque tables from the ``fis``
    model are in ħ G_T Δ0/e², i.e. multiply them by g_T = G_T ħ/e² first
    (``conductance``).  The stochastic calculus is the isothermal (Hänggi) one that
    gives the seed's Boltzmann law in equilibrium; see :mod:`fastspin.kernels.tilt`.

    ``cos_theta`` is an increasing grid covering [-1, 1]; ``tau_z`` and ``D`` are
    resampled by cubic splines onto a uniform grid of ``n_grid`` points (D + S A0 T
    must stay >= 0).
    """

    S: float
    A0: float
    Omega: float
    T: float
    cos_theta: np.ndarray
    tau_z: np.ndarray
    D: np.ndarray
    conductance: float = 1.0
    n_grid: int = 2001

    def __post_init__(self) -> None:
        _finite("S", self.S, 0.0)
        if self.S <= 0:
            raise ParameterError(f"S = {self.S} must be > 0")
        _finite("A0", self.A0, 0.0)
        _finite("Omega", self.Omega)
        _finite("T", self.T, 0.0)
        grid = np.asarray(self.cos_theta, dtype=float)
        tau = np.asarray(self.tau_z, dtype=float)
        D = np.asarray(self.D, dtype=float)
        if grid.ndim != 1 or grid.size < 4 or tau.shape != grid.shape or D.shape != grid.shape:
            raise ParameterError("cos_theta, tau_z and D must be 1-D arrays of one length >= 4")
        if not (np.all(np.diff(grid) > 0) and grid[0] <= -1.0 and grid[-1] >= 1.0):
            raise ParameterError("cos_theta must increase and cover [-1, 1]")
        if not (np.all(np.isfinite(tau)) and np.all(np.isfinite(D))):
            raise ParameterError("tau_z and D tables must be finite")
        if self.n_grid < 11:
            raise ParameterError(f"n_grid = {self.n_grid} must be >= 11")
        object.__setattr__(self, "cos_theta", grid)
        object.__setattr__(self, "tau_z", tau)
        object.__setattr__(self, "D", D)
        if np.any(self.conductance * D + self.S * self.A0 * self.T < -1e-14):
            raise ParameterError("D + S A0 T must be >= 0 everywhere (noise strength)")

    @classmethod
    def equilibrium(
        cls, S: float, A0: float, Omega: float, T: float, Gamma: float = 0.0, n_table: int = 201
    ) -> TiltAngleModel:
        """Equilibrium torques τz = -Γ Ω (1 - u²), D = Γ T (plus the A0 damping)."""
        u = np.linspace(-1.0, 1.0, n_table)
        return cls(S, A0, Omega, T, u, -Gamma * Omega * (1.0 - u**2), np.full_like(u, Gamma * T))

    def kernel_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(a0, c, c') on the uniform grid: a0 = A0Ω(1-u²) - τz/S, c = (D + S A0 T)/S²."""
        from scipy.interpolate import CubicSpline

        u = np.linspace(-1.0, 1.0, self.n_grid)
        tau = CubicSpline(self.cos_theta, self.conductance * self.tau_z)
        D = CubicSpline(self.cos_theta, self.conductance * self.D)
        drift0 = self.A0 * self.Omega * (1.0 - u**2) - tau(u) / self.S
        c = np.maximum(D(u) + self.S * self.A0 * self.T, 0.0) / self.S**2
        dc = D(u, 1) / self.S**2
        return drift0, c, dc


    def stationary_density(self) -> tuple[np.ndarray, np.ndarray]:
        """Stationary Fokker-Planck density P(cos θ) of Eq. (8), without simulation.

        Zero-flux solution of ∂t P = -∂u[a0 P] + ∂u[B ∂u P] (the calculus of
        :mod:`fastspin.kernels.tilt`): P(u) ∝ exp(∫_0^u a0/B du'), with a0 and
        B = c (1 - u²) from :meth:`kernel_tables`; the exponent is accumulated by the
        trapezoidal rule on the uniform grid (a0/B at the poles by linear extrapolation
        from the interior nodes), and P is normalized by the trapezoidal rule.  Error O(h²), h = 2/(n_grid - 1):
        relative 1e-5 for n_grid = 2001 on smooth tables (tests/test_tilt.py).
        Needs τz ∝ sin²θ near the poles for a finite density there.
        Returns (u grid, P on it).
        """
        drift0, c, _ = self.kernel_tables()
        u = np.linspace(-1.0, 1.0, self.n_grid)
        # a0/B = [a0/(1 - u²)]/c, regular at the poles for τz ∝ (1 - u²): evaluate it on
        # the interior nodes, extrapolate linearly to the poles, interpolate to midpoints
        ratio = np.empty_like(u)
        ratio[1:-1] = drift0[1:-1] / (1.0 - u[1:-1] ** 2) / c[1:-1]
        ratio[0] = 2.0 * ratio[1] - ratio[2]
        ratio[-1] = 2.0 * ratio[-2] - ratio[-3]
        exponent = np.zeros_like(u)
        exponent[1:] = np.cumsum(0.5 * (ratio[1:] + ratio[:-1]) * np.diff(u))
        density = np.exp(exponent - exponent.max())
        density /= np.trapezoid(density, u)
        return u, density


@dataclass
class TiltEnsembleResult:
    """Per-trajectory results of :func:`run_tilt_ensemble` (row i = trajectory first + i).

    ``final_u`` = cos θ at the end, ``mean_u`` its time average over the samples,
    ``histogram`` integer counts of cos θ over the samples (edges ``bin_edges``),
    ``traces`` (N, n_trace) or None.
    """

    final_u: np.ndarray
    mean_u: np.ndarray
    histogram: np.ndarray
    bin_edges: np.ndarray
    traces: np.ndarray | None
    trace_times: np.ndarray | None
    seed: int
    stream: int
    first_trajectory: int

    def density(self) -> np.ndarray:
        """The histogram normalized to a probability density of cos θ on [-1, 1]."""
        return self.histogram / (self.histogram.sum() * np.diff(self.bin_edges))


def run_tilt_ensemble(
    model: TiltAngleModel,
    n_trajectories: int,
    seed: int,
    *,
    dt: float,
    n_steps: int,
    u0: float = 1.0,
    first_trajectory: int = 0,
    stream: int = 0,
    sample_start: int | None = None,
    sample_every: int = 1,
    n_bins: int = 50,
    trace_every: int = 0,
    parallel: bool = False,
    n_tasks: int | None = None,
) -> TiltEnsembleResult:
    """Integrate Eq. (8) of seed 000 for trajectories first … first + n - 1.

    Stratonovich Heun in u = cos θ (weak order 1; see :mod:`fastspin.kernels.tilt`),
    ``n_steps`` steps of ``dt`` (ħ/Δ0) from u0.  Samples for ``mean_u`` and the
    histogram: states after steps sample_start, sample_start + sample_every, …
    (default: the final state).  Same reproducibility contract as
    :func:`run_ensemble`.
    """
    n_trajectories, dt, n_steps, sample_start = _check_ensemble(
        n_trajectories, seed, stream, first_trajectory, dt, n_steps, sample_start, sample_every,
        n_bins, trace_every,
    )  # fmt: skip
    u0 = _finite("u0", u0, -1.0, 1.0)
    drift0, c, dc = model.kernel_tables()
    final_u = np.empty(n_trajectories)
    mean_u = np.empty(n_trajectories)
    histogram = np.zeros(n_bins, dtype=np.int64)
    traces, trace_times = _trace_buffer(n_trajectories, n_steps, trace_every, dt, ())
    args = (
        drift0, c, dc, float(u0), np.uint64(seed), np.int64(stream),
        np.int64(first_trajectory), float(dt), np.int64(n_steps), np.int64(sample_start),
        np.int64(sample_every), final_u, mean_u, histogram, traces, np.int64(trace_every),
    )  # fmt: skip
    _launch(_tilt.tilt_ensemble, _tilt.tilt_ensemble_parallel, args, parallel, n_tasks)
    return TiltEnsembleResult(
        final_u=final_u,
        mean_u=mean_u,
        histogram=histogram,
        bin_edges=_histogram_edges(n_bins),
        traces=traces if trace_every > 0 else None,
        trace_times=trace_times,
        seed=int(seed),
        stream=int(stream),
        first_trajectory=int(first_trajectory),
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


def dipole_spectrum(model: TiltAngleModel, omega: np.ndarray | float) -> np.ndarray:
    """Magnetic-dipole spectrum S_xx(ω) of the steady state, Eq. (23) of seed 000.

        S_xx(ω) ≈ ½ Σ_± ⟨ D_tot / [(ω ± Ω)² + γ(θ)²] ⟩_θ,   γ(θ) = D_tot csc²θ / S²,

    a mixture of Lorentzians (phase diffusion of the precession at angle θ) averaged
    over the stationary P(cos θ) of :meth:`TiltAngleModel.stationary_density`.
    D_tot = g_T D(θ) + S A0 T is the total torque noise of Eq. (8) (the seed, with
    S A0 = 0, has D alone).  Units: ω, Ω in Δ0/ħ; S_xx in ħ/Δ0 (times S² ħ² from
    Eq. (22) absorbed as in Eq. (23)).  The θ average is a trapezoidal sum on the
    model's uniform cos θ grid (the integrand D/γ² ∝ sin⁴θ vanishes at the poles);
    error O(h²) relative to the average, h = 2/(n_grid - 1).
    """
    from scipy.interpolate import CubicSpline

    u, density = model.stationary_density()
    noise = CubicSpline(model.cos_theta, model.conductance * model.D)(u)
    noise = np.maximum(noise + model.S * model.A0 * model.T, 0.0)
    sin2 = np.maximum(1.0 - u * u, 0.0)
    omega = np.asarray(omega, dtype=float)
    result = np.zeros(omega.shape)
    interior = slice(1, -1)  # sin θ = 0 at the ends: the integrand is 0 there
    gamma = noise[interior] / (model.S**2 * sin2[interior])
    weight = density[interior] * noise[interior]
    du = u[1] - u[0]
    for index in np.ndindex(omega.shape):
        w = omega[index]
        total = 0.0
        for sign in (1.0, -1.0):
            total += np.sum(weight / ((w + sign * model.Omega) ** 2 + gamma**2)) * du
        result[index] = 0.5 * total
    return result


def spectrum_linewidth(model: TiltAngleModel) -> float:
    """Full width at half maximum of the S_xx(ω) peak at ω = |Ω| (Eq. (23), seed 000).

    The maximum is located by a bounded scalar search around |Ω| and the two
    half-maximum frequencies by Brent's method (relative tolerance 1e-10), so the FWHM
    carries the O(h²) accuracy of :func:`dipole_spectrum`.  For a distribution sharply
    peaked at θ*, FWHM → 2 D_tot(θ*)/(S² sin²θ*).
    """
    from scipy.interpolate import CubicSpline
    from scipy.optimize import brentq, minimize_scalar

    u, density = model.stationary_density()
    noise = CubicSpline(model.cos_theta, model.conductance * model.D)(u)
    noise = np.maximum(noise + model.S * model.A0 * model.T, 0.0)
    # the scale of the searches: 2γ at the most probable interior angle
    inner = slice(1, -1)
    gammas = noise[inner] / (model.S**2 * np.maximum(1.0 - u[inner] ** 2, 1e-300))
    typical = 2.0 * float(gammas[np.argmax(density[inner])])
    centre = abs(model.Omega)

    def spectrum(w: float) -> float:
        return float(dipole_spectrum(model, w))

    search = minimize_scalar(
        lambda w: -spectrum(w), bounds=(centre - typical, centre + typical), method="bounded",
        options={"xatol": 1e-12 * max(centre, typical)},
    )  # fmt: skip
    peak_w, half = search.x, 0.5 * spectrum(search.x)
    step = typical
    right = peak_w + step
    while spectrum(right) > half:
        step *= 2.0
        right = peak_w + step
    step = typical
    left = peak_w - step
    while spectrum(left) > half:
        step *= 2.0
        left = peak_w - step
    tol = 1e-10 * max(centre, typical)
    upper = brentq(lambda w: spectrum(w) - half, peak_w, right, xtol=tol)
    lower = brentq(lambda w: spectrum(w) - half, left, peak_w, xtol=tol)
    return upper - lower


# ---------------------------------------------------------------------------------
# Power spectra of simulated traces
# ---------------------------------------------------------------------------------


def trace_power_spectrum(
    traces: np.ndarray,
    step: float,
    *,
    component: int | None = 0,
    burn_in: float = 0.0,
    segment_length: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble power spectrum S(ω) of decimated traces (e.g. ``EnsembleResult.traces``).

    S(ω) = ∫ dτ e^{iωτ} ⟨δm(τ) δm(0)⟩ (two-sided convention, so ∫ S dω/2π over all ω
    is the variance of δm = m - ⟨m⟩), returned at ω = 2πk/T ≥ 0 (angular frequency in
    the inverse time unit of ``step``).  Estimator: Welch's method
    (:func:`scipy.signal.welch`, Hann window, 50 % overlap, mean removed per segment)
    on each trajectory after ``burn_in``, averaged over segments and trajectories.

    ``traces``: (N, n_t, 3) with ``component`` 0/1/2 for m_x/m_y/m_z, or (N, n_t) with
    ``component=None``; ``step``: time between samples; ``segment_length``: Welch
    segment duration T (default: the whole trace after burn-in).  Accuracy: unbiased
    up to the Hann spectral window, which broadens a Lorentzian of half width Γ by a
    relative O((2π/(TΓ))²) (choose T Γ ≫ 2π); statistical error of each frequency bin
    ≈ S/sqrt(number of trajectories × segments).
    """
    from scipy.signal import welch

    data = np.asarray(traces, dtype=float)
    if component is not None:
        if data.ndim != 3 or data.shape[2] != 3 or component not in (0, 1, 2):
            raise ParameterError("traces must be (N, n_t, 3) with component 0, 1 or 2")
        data = data[:, :, component]
    if data.ndim != 2:
        raise ParameterError("traces must be (N, n_t) (component=None) or (N, n_t, 3)")
    step = _finite("step", step, 0.0)
    if step <= 0:
        raise ParameterError(f"step = {step} must be > 0")
    start = int(math.ceil(_finite("burn_in", burn_in, 0.0) / step))
    data = data[:, start:]
    n_samples = data.shape[1]
    per_segment = n_samples if segment_length is None else int(round(segment_length / step))
    if per_segment < 8 or per_segment > n_samples:
        raise ParameterError(
            f"segment_length: {per_segment} samples per segment; allowed: 8 … {n_samples} "
            "(the samples after burn_in)"
        )
    frequency, density = welch(
        data, fs=1.0 / step, window="hann", nperseg=per_segment, detrend="constant",
        return_onesided=True, scaling="density", axis=-1,
    )  # fmt: skip
    # one-sided density per Hz, P(f) = 2 S(ω) (except at f = 0 and Nyquist, where P = S)
    spectrum = density.mean(axis=0) / 2.0
    spectrum[0] *= 2.0
    if per_segment % 2 == 0:
        spectrum[-1] *= 2.0
    return 2.0 * np.pi * frequency, spectrum


@dataclass(frozen=True)
class LorentzianPeak:
    """A fitted precession peak S(ω) = A Γ/((ω-ω0)² + Γ²) + A Γ/((ω+ω0)² + Γ²).

    ``amplitude`` A = ⟨δm²⟩ of a damped cosine correlation A e^{-Γ|τ|} cos ω0 τ;
    ``fwhm`` = 2Γ; ``errors`` are the least-squares standard errors of
    (centre, fwhm, amplitude).
    """

    centre: float
    fwhm: float
    amplitude: float
    errors: tuple[float, float, float]


def fit_lorentzian_peak(
    omega: np.ndarray,
    spectrum: np.ndarray,
    *,
    window: float = 5.0,
) -> LorentzianPeak:
    """Least-squares fit of :class:`LorentzianPeak` to a sampled spectrum (ω > 0).

    Starting values from the maximum and the half-maximum crossings; the fit uses the
    points within ``window`` × (half width at half maximum) of the maximum, weighted
    by the relative error of a periodogram average (σ ∝ S, iteratively reweighted with
    the fitted S: weighting with the noisy data itself would bias the fit low).  The fitted FWHM is the
    linewidth of the spectrum of :func:`trace_power_spectrum` (what an experiment
    reads off S_xx); accuracy set by the statistics of the input (see ``errors``).
    """
    from scipy.optimize import curve_fit

    omega = np.asarray(omega, dtype=float)
    spectrum = np.asarray(spectrum, dtype=float)
    if omega.shape != spectrum.shape or omega.ndim != 1 or omega.size < 5:
        raise ParameterError("omega and spectrum must be 1-D arrays of one length >= 5")
    peak = int(np.argmax(np.where(omega > 0, spectrum, -np.inf)))
    half = 0.5 * spectrum[peak]
    right = peak + int(np.argmax(spectrum[peak:] < half))
    left = peak - int(np.argmax(spectrum[peak::-1] < half))
    half_width = max(0.5 * (omega[right] - omega[left]), omega[1] - omega[0])
    keep = (np.abs(omega - omega[peak]) <= window * half_width) & (omega > 0)
    if keep.sum() < 5:
        raise ParameterError("fit_lorentzian_peak: fewer than 5 points in the fit window")

    def model(w, centre, gamma, amplitude):
        return amplitude * gamma * (1.0 / ((w - centre) ** 2 + gamma**2)
                                    + 1.0 / ((w + centre) ** 2 + gamma**2))

    values = (omega[peak], half_width, spectrum[peak] * half_width)
    weights = np.ones(int(keep.sum()))  # first pass unweighted, then σ ∝ fitted S
    for _ in range(3):
        values, covariance = curve_fit(
            model, omega[keep], spectrum[keep], p0=values, sigma=weights, absolute_sigma=False,
        )  # fmt: skip
        weights = model(omega[keep], *values)
    errors = np.sqrt(np.diag(covariance))
    return LorentzianPeak(
        centre=float(values[0]),
        fwhm=float(2.0 * abs(values[1])),
        amplitude=float(values[2]),
        errors=(float(errors[0]), float(2.0 * errors[1]), float(errors[2])),
    )
