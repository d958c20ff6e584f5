r"""Declaration of the ``macrospin`` model: Monte Carlo switching statistics of a
spin-torque-driven macrospin.

A single-domain free layer with uniaxial anisotropy along ẑ starts at m = +ẑ and
receives a rectangular current pulse of duration ``pulse_width`` (reduced time, from
τ = 0); the stochastic LLG(S) equation of :mod:`fastspin.kernels.llg`,

.. math::

    \dot{\mathbf m} = -\mathbf m\times\mathbf h_{\rm tot} + \alpha\,\mathbf m\times\dot{\mathbf m},
    \qquad
    \mathbf h_{\rm tot} = m_z\hat z + \mathbf h + a_j(\tau)\,[\mathbf m\times\mathbf p
        + \beta\,\mathbf p] + \mathbf h_{\rm th},

with polarizer **p = -ẑ** (so a_j > 0 drives the reversal +ẑ → -ẑ), field
h = h (sin ψ, 0, cos ψ) at angle ψ = ``h_angle`` (radians) from the easy axis, field-like ratio
β = ``field_like`` and the thermal field of variance 2αt, t = 1/(2σ), is integrated
for pulse_width + ``relax_time`` with stochastic Heun (:func:`fastspin.physics.macrospin.run_ensemble`) for
``n_trajectories`` trajectories per grid point.  Reduced units: fields in
H_K = 2K/(μ0 M_s), time in 1/(γ μ0 H_K), σ = K V/(k_B T)
(:meth:`fastspin.physics.macrospin.Macrospin.from_SI` converts from SI).

Zero-temperature threshold for a long pulse with the field along ẑ (ψ = 0, h > -1):
a_c = α (1 + h)/(1 + α β) (:meth:`fastspin.physics.macrospin.Macrospin.critical_stt` with
p → -p), exact for the linearized dynamics.

Switching criterion: "crossing" counts a trajectory as switched at its first m_z < 0,
"reversal" at its first m_z < -0.9 (the two differ by about a factor 2 in mean time).
Outputs are estimates from the finite ensemble: P_sw = n_sw/N with the binomial
standard error sqrt(P(1-P)/N) (0 at P = 0 or 1: then N bounds P, e.g. P < 3/N at 95 %),
the mean and standard deviation of the first-switching times of the switched
trajectories (NaN when none/fewer than two switched) and the mean and standard
deviation of the final m_z.  The time step carries an O(dt) weak bias (Heun is weak
order 1; see :func:`fastspin.physics.macrospin.run_ensemble` for measured escape-time biases).

Reproducibility: trajectory j of grid point i uses the Philox stream
(seed = ``run.seed`` of the sweep, stream = i = the global C-order point index,
trajectory j), so a stored value does not depend on block shapes, worker counts or
threads (a block runs the thread-parallel kernel when its process has more than one
Numba thread) and
any trajectory can be replayed with
``run_ensemble(spin, 1, seed, stream=i, first_trajectory=j, ...)``
(:meth:`MacrospinSwitching.spin_at` builds ``spin``).  Outside a sweep
(:func:`fastspin.evaluate`) the paper is ``options["seed"]`` (default 0) and the
point index is the C-order index of the evaluated grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numba
import numpy as np

from fastspin.model import (
    Model,
    Output,
    Parameter,
    ParameterError,
    broadcast_block,
    stochastic_streams,
)
from fastspin.physics.macrospin import Macrospin, SwitchCriterion, Waveform, switching_statistics
from fastspin.references import BROWN_1963

#: |m_z| level of the "reversal" criterion
REVERSAL_LEVEL = 0.9
#: the polarizer: a_j > 0 drives +z -> -z
POLARIZER = (0.0, 0.0, -1.0)
#: the initial state
M0 = (0.0, 0.0, 1.0)

#: unit of time of the reduced macrospin equations: 1/(γ μ0 H_K), H_K the anisotropy field
TIME_UNIT = "1/(gamma*mu0*H_K)"

_CRITERIA = ("crossing", "reversal")
_PRECISIONS = ("double", "single")


class MacrospinSwitching(Model):
    name = "macrospin"
    reference = BROWN_1963
    description = "Monte Carlo switching probability of a macrospin under a spin-torque pulse"
    stochastic = True
    warmup_params = {"n_trajectories": 2, "pulse_width": 1.0, "relax_time": 0.0}
    parameters = (
        Parameter("sigma", "1", 60.0, "thermal stability σ = K V/(k_B T); t = 1/(2σ)",
                  low=0.0, high=1e12, low_open=True),
        Parameter("alpha", "1", 0.01, "Gilbert damping α", low=0.0, high=10.0, low_open=True),
        Parameter("h", "H_K", 0.0, "applied field magnitude (signed, along the direction ψ)",
                  low=-10.0, high=10.0),
        Parameter("h_angle", "1", 0.0, "field angle ψ from +z in the x-z plane, radians",
                  low=-math.pi, high=math.pi),
        Parameter("a_j", "H_K", 0.0, "damping-like spin-torque field during the pulse "
                  "(a_j > 0 drives +z → -z)", low=-100.0, high=100.0),
        Parameter("field_like", "1", 0.0, "field-like/damping-like torque ratio β",
                  low=-10.0, high=10.0),
        Parameter("pulse_width", TIME_UNIT, 50.0, "current pulse duration (pulse starts at τ = 0)",
                  low=0.0, high=1e6),
        Parameter("relax_time", TIME_UNIT, 50.0, "time integrated after the pulse ends",
                  low=0.0, high=1e6),
        Parameter("dt", TIME_UNIT, 0.02, "Heun time step", low=0.0, high=0.5, low_open=True),
        Parameter("n_trajectories", "1", 256, "trajectories per grid point", low=1, high=2**24,
                  integer=True, sweepable=False),
        Parameter("criterion", "1", "reversal",
                  "switch criterion: 'crossing' (m_z < 0) or 'reversal' (m_z < -0.9)",
                  choices=_CRITERIA, sweepable=False),
        Parameter("precision", "1", "double",
                  "float type of the integrated state: 'double' or 'single' (about 1.6x the "
                  "steps per second; every statistical test of the engine passes in both)",
                  choices=_PRECISIONS, sweepable=False),
    )
    outputs = (
        Output("switching_probability", "1", "P_sw = switched trajectories / n_trajectories"),
        Output("switching_probability_error", "1",
               "Wilson score half-width (z = 1) of P_sw; nonzero at P_sw = 0 or 1"),
        Output("n_switched", "1", "number of switched trajectories"),
        Output("mean_switch_time", TIME_UNIT, "mean first-switching time of switched trajectories"),
        Output("switch_time_std", TIME_UNIT, "standard deviation of the first-switching times"),
        Output("mean_final_m_z", "1", "ensemble mean of m_z at the end"),
        Output("final_m_z_std", "1", "standard deviation of m_z at the end"),
    )
    #: seconds per point at the defaults (256 trajectories × 5000 steps); scales with N·duration/dt
    cost_per_point = 256 * 5000 * 17e-9

    @classmethod
    def check_consistency(cls, values: Mapping[str, Any]) -> None:
        duration = np.max(values["pulse_width"]) + np.max(values["relax_time"])
        steps = duration / np.min(values["dt"])
        if steps > 1e8:
            raise ParameterError(
                f"{cls.name}: parameters 'pulse_width' + 'relax_time' = {duration:g} are "
                f"{steps:g} steps of 'dt'; allowed: <= 1e8 steps"
            )

    @staticmethod
    def spin_at(point: Mapping[str, float]) -> Macrospin:
        """The :class:`fastspin.physics.macrospin.Macrospin` of one grid point (scalars)."""
        psi = float(point["h_angle"])
        h = float(point["h"])
        return Macrospin(
            alpha=float(point["alpha"]),
            temperature=1.0 / (2.0 * float(point["sigma"])),
            field=(h * math.sin(psi), 0.0, h * math.cos(psi)),
            polarizer=POLARIZER,
            stt_ac=float(point["a_j"]),
            stt_waveform=Waveform.pulse(0.0, float(point["pulse_width"])),
            field_like=float(point["field_like"]),
        )

    @staticmethod
    def criterion_for(name: str) -> SwitchCriterion:
        """The :class:`fastspin.physics.macrospin.SwitchCriterion` of a ``criterion`` choice."""
        if name not in _CRITERIA:
            raise ParameterError(f"macrospin: parameter 'criterion' = {name!r}; allowed: "
                                 + ", ".join(repr(c) for c in _CRITERIA))
        return SwitchCriterion("crossing", 0.0) if name == "crossing" else SwitchCriterion(
            "reversal", REVERSAL_LEVEL
        )

    @staticmethod
    def n_steps(point: Mapping[str, float]) -> int:
        """Heun steps of one point: round((pulse_width + relax_time)/dt), at least 1."""
        duration = float(point["pulse_width"]) + float(point["relax_time"])
        return max(1, int(round(duration / float(point["dt"]))))

    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        names = ("sigma", "alpha", "h", "h_angle", "a_j", "field_like", "pulse_width",
                 "relax_time", "dt", "n_trajectories")
        shape, arrays = broadcast_block(self, params, names)
        criterion = self.criterion_for(str(params["criterion"]))
        seed, point_index = stochastic_streams(self, params, shape)
        n_total = np.rint(arrays["n_trajectories"]).astype(np.int64)
        switched = np.zeros(shape)
        time_sum = np.zeros(shape)
        time_sq_sum = np.zeros(shape)
        final_sum = np.zeros(shape)
        final_sq_sum = np.zeros(shape)
        for index in np.ndindex(shape):
            point = {name: float(a[index]) for name, a in arrays.items()}
            stats = switching_statistics(
                self.spin_at(point), {}, int(n_total[index]), seed,
                streams=np.int64(point_index[index]), dt=point["dt"],
                n_steps=self.n_steps(point), m0=M0,
                criterion=criterion, n_bins=1, parallel=numba.get_num_threads() > 1,
                precision=str(params["precision"]),
            )  # fmt: skip
            switched[index] = stats["switched"]
            time_sum[index] = stats["switch_time_sum"]
            time_sq_sum[index] = stats["switch_time_sq_sum"]
            final_sum[index] = stats["final_projection_sum"]
            final_sq_sum[index] = stats["final_projection_sq_sum"]
        return summarize(n_total.astype(float), switched, time_sum, time_sq_sum, final_sum,
                         final_sq_sum)


def _sample_std(total: np.ndarray, sq_total: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Sample standard deviation from sums (NaN for fewer than two samples)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        variance = (sq_total - count * mean**2) / (count - 1.0)
    return np.where(count >= 2, np.sqrt(np.maximum(variance, 0.0)), np.nan)


def wilson_error(switched: np.ndarray, n: np.ndarray, z: float = 1.0) -> np.ndarray:
    """Half-width of the Wilson score interval of a binomial probability P = k/N.

    E. B. Wilson, "Probable inference, the law of succession, and statistical
    inference", J. Am. Stat. Assoc. 22, 209 (1927):

        half = z / (1 + z²/N) · sqrt(P(1 - P)/N + z²/(4N²))

    With z = 1 it is the one-standard-error analogue (68.3 % coverage).  Unlike the
    Wald error sqrt(P(1-P)/N) it is never 0: at P = 0 or 1 it is z²/(2(N + z²)),
    the uncertainty of having seen no (or only) switching events among N.  Exact
    in floating point up to rounding (a closed form).
    """
    n = np.asarray(n, dtype=float)
    p = np.asarray(switched, dtype=float) / n
    z2 = z * z
    return z / (1.0 + z2 / n) * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))


def summarize(
    n: np.ndarray,
    switched: np.ndarray,
    switch_time_sum: np.ndarray,
    switch_time_sq_sum: np.ndarray,
    final_sum: np.ndarray,
    final_sq_sum: np.ndarray,
) -> dict[str, np.ndarray]:
    """The model outputs from the additive sums of :func:`fastspin.physics.macrospin.switching_statistics`
    (the final projection is on the criterion axis ẑ)."""
    probability = switched / n
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_time = np.where(switched > 0, switch_time_sum / switched, np.nan)
    return {
        "switching_probability": probability,
        "switching_probability_error": wilson_error(switched, n),
        "n_switched": switched.astype(float),
        "mean_switch_time": mean_time,
        "switch_time_std": _sample_std(switch_time_sum, switch_time_sq_sum, switched),
        "mean_final_m_z": final_sum / n,
        "final_m_z_std": _sample_std(final_sum, final_sq_sum, n),
    }
