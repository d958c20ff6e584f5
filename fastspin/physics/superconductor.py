"""The self-consistent gap Δ(T, h) of a spin-split BCS superconductor (public API).

Thin, vectorised layer over :mod:`fastspin.kernels.gap`: accepts temperatures as
numbers or strings such as ``"0.7 Tc"``, solves each distinct (T, h) pair once, and
names the branches.  See the kernel module for the equations and accuracy.

>>> from fastspin.physics.superconductor import gap
>>> round(float(gap(0.01 * 0.5669, 0.0)), 6)
1.0
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from fastspin.kernels import gap as _gap
from fastspin.units import parse_quantity

#: a branch of the spin-split gap equation: the thermodynamically stable one, the
#: metastable (supercooled BCS) one, or the unstable Sarma branch between them
Branch = Literal["stable", "metastable", "sarma"]
_BRANCHES = {
    "stable": _gap.BRANCH_STABLE,
    "metastable": _gap.BRANCH_METASTABLE,
    "sarma": _gap.BRANCH_SARMA,
}


def _as_temperature(value) -> np.ndarray:
    if isinstance(value, str):
        return np.asarray(parse_quantity(value, "T"))
    return np.asarray(value, dtype=float)


def gap(T, h=0.0, branch: Branch = "stable") -> np.ndarray:
    """Δ(T, h) in units of Δ0 on the chosen branch (broadcast over T and h).

    ``stable``: thermodynamic ground state (0 when normal); ``metastable``: the other
    local free-energy minimum (NaN if none); ``sarma``: the unstable solution (NaN if
    none).  T in Δ0/k_B (or ``"0.5 Tc"``), h in Δ0.
    """
    if branch not in _BRANCHES:
        raise ValueError(f"branch: {branch!r} is not allowed; allowed: {', '.join(_BRANCHES)}")
    temperature = _as_temperature(T)
    field = np.asarray(h, dtype=float)
    if np.any(temperature < 0):
        raise ValueError("T: must be >= 0 (Delta0/k_B)")
    temperature, field = np.broadcast_arrays(temperature, field)
    pairs = np.stack([temperature.ravel(), np.abs(field.ravel())], axis=1)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    solved = _gap.gap_table(
        np.ascontiguousarray(unique[:, 0]), np.ascontiguousarray(unique[:, 1]), _BRANCHES[branch]
    )
    return solved[inverse.ravel()].reshape(temperature.shape)


def gap_solutions(T: float, h: float = 0.0) -> dict[str, np.ndarray]:
    """Every solution of the gap equation with its free energy (for plots and checks).

    Returns ``delta`` (roots > 0, ascending), ``is_minimum`` and ``free_energy``
    (Ω_S − Ω_N in ν0 Δ0²) for each root.
    """
    temperature = float(_as_temperature(T))
    roots, minima = _gap.gap_roots(temperature, float(h))
    energies = np.array([_gap.condensation_energy(r, temperature, float(h)) for r in roots])
    return {"delta": roots, "is_minimum": minima, "free_energy": energies}


__all__ = [
    "Branch",
    "gap",
    "gap_solutions",
]
