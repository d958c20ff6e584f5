r"""The F island of the F/I/S junction in three dimensions, driven by its own transport.

Ojajärvi, Manninen, Heikkilä and Virtanen, "Nonlinear spin torque, pumping, and cooling in
superconductor/ferromagnet systems", Phys. Rev. B 101, 115406 (2020).  The tilt-angle
equation (8) of the paper keeps only u = cos θ; here the unit vector m of the island
moves on the sphere under

    dm/dt = ω(u) ẑ × m + A0 ω(u) (ẑ − u m)                 (precession + Gilbert, Eq. (8) form)
            − (g_T/S) [τ_z/sin²θ] (ẑ − u m)                (τ_z, Eq. (5))
            − (g_T/S) P_⊥ (τ_x, τ_y, 0)                    (in-plane torques, Eq. (A5))
            − (g_T/S) P_⊥ τ''                              (reactive torque, Eqs. (A7)-(A8))
            + sqrt(2c) m × ∘ξ,    c = (g_T D(u) + S A0 T_F)/S²   (noise, Eq. (20)),

P_⊥ = 1 − m mᵀ, integrated by :mod:`fastspin.kernels.llg_table` (Stratonovich drift
correction ½∇c derived there).  Conventions as in Eq. (8): −S du/dt = τ_z + …, so every
torque component τ_k enters as −τ_k/S; the Gilbert damping is written in the
Landau-Lifshitz form of Eq. (8) (precession at ω, damping A0 ω); the Gilbert form
differs by O(A0²) (a renormalized gyromagnetic ratio).

Closure for Ω
-------------
The transport tables of the paper are for uniform precession at Ω.  Here Ω is the
precession the dynamics itself produces: ω(u) = Ω_0 + K u, the instantaneous
precession frequency of the free magnet at polar angle θ, with Ω_0 = ``Omega`` (the
field) and K = ``anisotropy`` (uniaxial, along ẑ; energy E = −S(Ω_0 u + K u²/2)).  Every
table entry at u is evaluated with Ω = ω(u).  Limits: K = 0 gives the paper's fixed Ω
(and the ``tilt`` model exactly, when the in-plane torques are off); the precession
actually produced at weak noise and weak torques is ω(u) (``tests/physics/test_fis3d.py``).
The adiabatic (rotating-wave) use of the precession-averaged torques needs
|u̇| ≪ |ω| sin θ, as in the paper.

Reactive torque, Eqs. (A7)-(A8)
-------------------------------
I''_S = I''_S,eq + δI''_S.  The equilibrium part I''_S,eq renormalizes the effective field
(the paper: the tunnelling model is not sufficient to compute it) and is not included:
it is absorbed in Ω_0.  The superconducting correction

    δI''_S = −(G_T/64) ∫dε Σ_σσ' tanh[(ε − Ω_σσ' − V)/(2T_F)] (σẑ + σ'm) × P(ε) N_F,σ',

P(ε) = (1/2i) tr[(1+τ3)/2 σ (ĝ^R + ĝ^A)_qcl] = ĥ [Im g0(ε − h) − Im g0(ε + h)]/2, with
g0 = (ε + iΓ)/√((ε + iΓ)² − Δ²) on the retarded branch (Re g0 = N0, the Dynes DOS; the
same normalization as N_S,k = ĥ_k [N0(ε − h) − N0(ε + h)]/2 of Eq. (A5)).  Averaged
over the precession phase ⟨m⟩ = cos θ ẑ, so (σẑ + σ'm) × ĥ → (σ + σ' cos θ) ẑ × ĥ, and
the torque τ'' = −⟨δI''_S⟩ = R(θ) ẑ × ĥ (τ''_z = 0, as the paper notes), with

    R = (1/64) ∫dε Σ_σσ' tanh[(ε − Ω_σσ' − V)/(2T_F)] (σ + σ' cos θ)(1 + σ'P) p(ε),
    p(ε) = [Im g0(ε − h) − Im g0(ε + h)]/2   (p(−ε) = p(ε)).

At V = Ω = 0 the integrand is odd and R = 0 (no torque in equilibrium).
"""

from __future__ import annotations

import math

import numpy as np

from fastspin.model import ParameterError
from fastspin.physics.fis import fis_currents, resolve_gap, torque_per_sin2
from fastspin.physics.torque_table import TorqueTable

#: Gauss-Legendre nodes per segment of :func:`reactive_torque`
_NODES = 256
_PAIRS = ((1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0))


def anomalous_spin_density(
    energy: float | np.ndarray, h: float, delta: float, dynes: float
) -> np.ndarray:
    """p(ε) = [Im g0(ε − h) − Im g0(ε + h)]/2 of Eq. (A8) (P(ε) = ĥ p(ε)); even in ε."""
    def im_g0(e):
        z = np.asarray(e, dtype=float) + 1j * dynes
        return np.imag(z / (np.sqrt(z - delta) * np.sqrt(z + delta)))

    return 0.5 * (im_g0(np.asarray(energy) - h) - im_g0(np.asarray(energy) + h))


def _segments(h: float, delta: float, mus: np.ndarray, T_F: float, dynes: float):
    edge = delta + abs(h)
    far = edge + 60.0 * T_F + float(np.max(np.abs(mus))) + 1e3 * dynes + 50.0
    points = {-far, far, delta - h, delta + h, -delta - h, -delta + h, 0.0}
    points.update(float(m) for m in mus if abs(m) < far)
    return np.array(sorted(points))


def reactive_torque(
    V: float, h: float, h_angle: float, P: float, theta: float | np.ndarray,
    Omega: float | np.ndarray, T_F: float, dynes: float,
    delta: float = math.nan, h_azimuth: float = 0.0, T_S: float | None = None,
) -> dict[str, np.ndarray]:
    r"""Precession-averaged reactive torque τ'' = R(θ) ẑ × ĥ of Eqs. (A7)-(A8) (module docstring).

    ``theta`` and ``Omega`` broadcast (arrays allowed: Ω may depend on θ, see the
    closure).  Δ: the given value, or the self-consistent Δ(T_S, h) where NaN (then
    ``T_S`` is needed).  Units ħ G_T Δ0/e², like the torques of :func:`fis_currents`.

    Quadrature: the ε axis is cut at ±Δ ± h (inverse-square-root edges of p for Γ → 0),
    at 0 and at the four μ_σσ' = V + Ω_σσ' (tanh steps), and closed at
    |ε| = Δ + |h| + 60 T_F + max|μ| + 50 (+1000 Γ), beyond which p decays as
    3hΓΔ²/ε⁴; on each segment ε = a + (b − a)(1 − cos φ)/2 removes the edge singularities
    and 256-point Gauss-Legendre in φ integrates.  Accuracy 1e-9 absolute (units G_T Δ0)
    against scipy.integrate.quad with breakpoints (``tests/physics/test_fis3d.py``).
    Returns torque_x, torque_y, torque_z (= 0) and R.
    """
    if not (T_F > 0 and dynes > 0 and math.isfinite(T_F) and math.isfinite(dynes)):
        raise ParameterError("T_F, dynes: must be finite and > 0 (Delta0 units)")
    if math.isnan(delta):
        if T_S is None:
            raise ParameterError("T_S: needed for the self-consistent gap (delta = NaN)")
        delta = float(resolve_gap(T_S, h, delta))
    theta, Omega = np.broadcast_arrays(np.asarray(theta, float), np.asarray(Omega, float))
    shape = theta.shape
    cos_t = np.cos(theta).ravel()
    omega = Omega.ravel()
    nodes, weights = np.polynomial.legendre.leggauss(_NODES)
    phi = 0.5 * math.pi * (nodes + 1.0)
    R = np.empty(cos_t.size)
    for j in range(cos_t.size):
        mus = np.array([V + 0.5 * (s - sp * cos_t[j]) * omega[j] for s, sp in _PAIRS])
        edges = _segments(h, delta, mus, T_F, dynes)
        total = 0.0
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            eps = a + 0.5 * (b - a) * (1.0 - np.cos(phi))
            jac = 0.25 * math.pi * (b - a) * np.sin(phi)
            density = anomalous_spin_density(eps, h, delta, dynes)
            bracket = np.zeros_like(eps)
            for (s, sp), mu in zip(_PAIRS, mus, strict=True):
                bracket += np.tanh((eps - mu) / (2.0 * T_F)) * (s + sp * cos_t[j]) * (1.0 + sp * P)
            total += float(np.sum(weights * jac * bracket * density))
        R[j] = total / 64.0
    R = R.reshape(shape)
    sin_h = math.sin(h_angle)
    return {
        "torque_x": -R * sin_h * math.sin(h_azimuth),
        "torque_y": R * sin_h * math.cos(h_azimuth),
        "torque_z": np.zeros(shape),
        "R": R,
    }


def precession_frequency(
    cos_theta: float | np.ndarray, Omega: float, anisotropy: float = 0.0
) -> np.ndarray:
    """The closure ω(u) = Ω_0 + K u: precession frequency of the free magnet at u = cos θ."""
    return Omega + anisotropy * np.asarray(cos_theta, float)


def fis3d_fields(
    cos_theta: np.ndarray, *, V: float, T_S: float, T_F: float, Omega: float, h: float, h_angle: float,
    P: float, dynes: float, S: float, A0: float, conductance: float = 1.0,
    anisotropy: float = 0.0, h_azimuth: float = 0.0, delta: float = math.nan,
    in_plane: bool = True, reactive: bool = True,
) -> dict[str, np.ndarray]:
    """The fields of the 3-D equation (module docstring) at the angles u = ``cos_theta``.

    Direct transport evaluation (no interpolation): τ_z/sin²θ, τ_x, τ_y, D from
    :func:`fastspin.physics.fis.fis_currents` and R from :func:`reactive_torque`, each at
    Ω = ω(u) (the closure).  ``in_plane=False`` switches off τ_x, τ_y and τ''
    (the axially symmetric limit); ``reactive=False`` only τ''.  Keys: those of
    :data:`fastspin.physics.torque_table.FIELDS`.  Units: rates in Δ0/ħ.
    """
    for name, value, low in (("S", S, 0.0), ("A0", A0, 0.0), ("conductance", conductance, 0.0)):
        if not (math.isfinite(value) and value >= low) or (name == "S" and value == 0):
            raise ParameterError(f"{name} = {value!r}: must be finite and {'> 0' if name == 'S' else '>= 0'}")
    u = np.clip(np.asarray(cos_theta, float), -1.0, 1.0)
    omega = precession_frequency(u, Omega, anisotropy)
    delta = float(resolve_gap(T_S, h, delta))
    theta = np.arccos(u)
    currents = fis_currents(V, h, h_angle, P, theta, omega, T_S, T_F, dynes, delta,
                            h_azimuth=h_azimuth)  # fmt: skip
    per_sin2 = torque_per_sin2(u, V, T_S, T_F, omega, h, h_angle, P, dynes, delta)
    g = conductance / S
    fields = {
        "precession": omega,
        "polar": A0 * omega - g * per_sin2,
        "lab_x": np.zeros_like(u),
        "lab_y": np.zeros_like(u),
        "diffusion": (conductance * currents["torque_noise"] + S * A0 * T_F) / S**2,
    }
    if in_plane:
        fields["lab_x"] = -g * currents["torque_x"]
        fields["lab_y"] = -g * currents["torque_y"]
        if reactive:
            extra = reactive_torque(V, h, h_angle, P, theta, omega, T_F, dynes, delta, h_azimuth)
            fields["lab_x"] = fields["lab_x"] - g * extra["torque_x"]
            fields["lab_y"] = fields["lab_y"] - g * extra["torque_y"]
    return fields


def fis3d_table(n_intervals: int = 64, **parameters: float | bool) -> TorqueTable:
    """:class:`TorqueTable` of :func:`fis3d_fields` on ``n_intervals`` uniform intervals in u.

    Built once per parameter point and shared by all its trajectories.  Interpolation
    error at n_intervals = 64 against the direct evaluation: < 1e-6 relative to the
    largest value of each field for the test points (``tests/physics/test_fis3d.py``),
    below the 1e-6 accuracy of the transport integrals themselves.
    """
    return TorqueTable.from_function(lambda u: fis3d_fields(u, **parameters), n_intervals)


__all__ = [
    "anomalous_spin_density",
    "fis3d_fields",
    "fis3d_table",
    "precession_frequency",
    "reactive_torque",
]
