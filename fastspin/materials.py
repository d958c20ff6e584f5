"""Material presets, as data: ``fastspin/data/materials.toml``.

Each preset holds quantities with units (pint strings) and, for every value, its
source (``<name>_source``: a paper reference).  Values derived from others are listed
in ``derived``; representative choices within a published range say so in ``note``.
:func:`get_material` returns a :class:`Material`; keyword overrides replace values
(``get_material("Al_film", delta0="210 ueV")``), and the overridden source reads
"user override".  ``fastspin materials`` lists them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from fastspin.model import ParameterError


@dataclass(frozen=True)
class Material:
    """One preset: name, kind, description, values (pint strings or numbers), sources, notes."""

    name: str
    kind: str
    description: str
    values: dict[str, Any]
    sources: dict[str, str]
    derived: tuple[str, ...] = ()
    note: str = ""
    overridden: tuple[str, ...] = field(default=())

    @property
    def delta0_eV(self) -> float | None:
        """Δ0 in eV, or None for a material without a superconducting gap."""
        if "delta0" not in self.values:
            return None
        from fastspin.quantities import parse_energy

        return parse_energy(self.values["delta0"], f"{self.name}.delta0")

    @property
    def g_factor(self) -> float | None:
        """The preset's g-factor, or None when it gives none."""
        value = self.values.get("g_factor")
        return None if value is None else float(value)

    def quantity(self, name: str):
        """A value as a pint Quantity (numbers become dimensionless)."""
        from fastspin.quantities import ureg

        if name not in self.values:
            raise ParameterError(f"material {self.name!r} has no {name!r}; it has: {', '.join(self.values)}")
        return ureg.Quantity(self.values[name])

    def describe(self) -> str:
        """Every value of the preset with its source, derived and overridden ones marked."""
        lines = [f"{self.name}  ({self.kind})  {self.description}"]
        for key, value in self.values.items():
            mark = " [derived]" if key in self.derived else " [override]" if key in self.overridden else ""
            lines.append(f"    {key:<10} = {value}{mark}")
            lines.append(f"    {'':<10}   source: {self.sources.get(key, 'none given')}")
        if self.note:
            lines.append(f"    note: {self.note}")
        return "\n".join(lines)


_META = ("kind", "description", "derived", "note")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, Any]]:
    text = resources.files("fastspin").joinpath("data/materials.toml").read_text()
    return tomllib.loads(text)


def energy_scale(
    delta0: Any = None, material: str | None = None, g_factor: float | None = None, G_T: Any = None
):
    """A :class:`fastspin.quantities.EnergyScale` from ``delta0`` and/or a ``material`` preset.

    None when neither is given.  An explicit ``delta0`` or ``g_factor`` overrides the
    preset's; the g-factor defaults to the free electron's 2.
    """
    from fastspin import quantities

    try:
        if delta0 is None and material is None:
            if g_factor is not None or G_T is not None:
                raise ParameterError("g_factor/G_T need an energy scale: give delta0='200 ueV' or material=")
            return None
        preset_delta0, preset_g = None, None
        if material is not None:
            preset = get_material(material)
            preset_delta0, preset_g = preset.delta0_eV, preset.g_factor
            if preset_delta0 is None and delta0 is None:
                raise ParameterError(f"material {material!r} has no gap delta0; give delta0= as well")
        return quantities.EnergyScale(
            delta0_eV=quantities.parse_energy(delta0, "delta0") if delta0 is not None else preset_delta0,
            g_factor=float(g_factor if g_factor is not None else (preset_g or quantities.DEFAULT_G_FACTOR)),
            G_T_siemens=None if G_T is None else quantities.parse_conductance(G_T),
            material=material,
        )
    except quantities.QuantityError as err:
        raise ParameterError(str(err)) from None


def material_names() -> tuple[str, ...]:
    """The names of the material presets (``fastspin/data/materials.toml``)."""
    return tuple(_table())


def get_material(name: str | Material, **overrides: Any) -> Material:
    """The preset ``name`` with ``overrides`` applied; a clear error for an unknown name or key."""
    if isinstance(name, Material):
        base = name
    else:
        table = _table()
        if name not in table:
            raise ParameterError(f"material: unknown preset {name!r}; allowed: {', '.join(table)}")
        raw = table[name]
        values = {k: v for k, v in raw.items() if k not in _META and not k.endswith("_source")}
        sources = {k[: -len("_source")]: v for k, v in raw.items() if k.endswith("_source")}
        missing = [k for k in values if k not in sources]
        if missing:  # a preset value without its source is a data error
            raise ParameterError(f"material {name!r}: value {missing[0]!r} has no source")
        base = Material(
            name=name, kind=raw.get("kind", ""), description=raw.get("description", ""), values=values,
            sources=sources, derived=tuple(raw.get("derived", ())), note=raw.get("note", ""),
        )
    if not overrides:
        return base
    unknown = [k for k in overrides if k not in base.values]
    if unknown:
        raise ParameterError(
            f"material {base.name!r}: cannot override {unknown[0]!r}; it has: {', '.join(base.values)}"
        )
    return Material(
        name=base.name, kind=base.kind, description=base.description,
        values={**base.values, **overrides},
        sources={**base.sources, **dict.fromkeys(overrides, "user override")},
        derived=tuple(k for k in base.derived if k not in overrides), note=base.note,
        overridden=tuple(sorted(set(base.overridden) | set(overrides))),
    )
