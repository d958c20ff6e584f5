"""Material presets: every value has a source, derived gaps follow BCS, overrides are marked."""

from __future__ import annotations

import pytest

from fastspin.materials import get_material, material_names
from fastspin.model import ParameterError
from fastspin.quantities import ureg
from fastspin.units import EULER_GAMMA

BCS_RATIO = 3.14159265358979 / 2.718281828459045**EULER_GAMMA  # Δ0/(k_B Tc) = π/e^γ ≈ 1.764


def test_every_value_parses_and_has_a_source():
    for name in material_names():
        material = get_material(name)
        for key in material.values:
            assert material.sources[key]
            material.quantity(key)  # pint-parseable


@pytest.mark.parametrize("name", ["Al_bulk", "V", "Nb"])
def test_derived_gaps_are_the_weak_coupling_bcs_gap(name):
    material = get_material(name)
    assert "delta0" in material.derived
    kT = (material.quantity("Tc") * ureg.boltzmann_constant).to("eV").magnitude
    assert material.delta0_eV == pytest.approx(BCS_RATIO * kT, rel=3e-3)  # stored to 3 digits


def test_overrides_replace_values_and_mark_the_source():
    film = get_material("Al_film", delta0="210 ueV")
    assert film.delta0_eV == pytest.approx(210e-6)
    assert film.sources["delta0"] == "user override"
    assert "[override]" in film.describe()
    with pytest.raises(ParameterError, match="cannot override 'Tc'"):
        get_material("Al_film", Tc="1 K")
    with pytest.raises(ParameterError, match="unknown preset"):
        get_material("unobtainium")


def test_free_layer_presets_build_a_macrospin():
    from fastspin.physics.macrospin import Macrospin

    for name in ("CoFeB", "permalloy"):
        layer = get_material(name)
        spin, units = Macrospin.from_SI(
            Ms=layer.quantity("Ms").to("A/m").magnitude, volume=50e-9 * 50e-9 * 2e-9, K=3e5, T=300.0,
            alpha=float(layer.values["alpha"]),
        )
        assert 0 < spin.temperature < 1 and units.barrier > 1
