"""Lab quantities in, SI out: round trips against hand-reduced values, pint-parseable units."""

from __future__ import annotations

import numpy as np
import pint
import pytest
import xarray as xr

import fastspin
import fastspin.materials
from fastspin.model import ParameterError
from fastspin.units import BOLTZMANN, ELEMENTARY_CHARGE, SIScale, Tc

DELTA0_EV = 200e-6
MU_B_EV_PER_T = 5.7883817982e-5  # CODATA 2022 Bohr magneton in eV/T (pint's constants)


def test_SI_inputs_equal_reduced_inputs_to_1e_12():
    reduced = fastspin.evaluate(
        "sis", V=[0.5, 1.5], h=0.8 * MU_B_EV_PER_T / DELTA0_EV,
        T_S=1.3 * BOLTZMANN / (ELEMENTARY_CHARGE * DELTA0_EV), T_Sm=0.09 * BOLTZMANN / (ELEMENTARY_CHARGE * DELTA0_EV),
        dynes=0.2e-6 / DELTA0_EV,
    )
    lab = fastspin.evaluate(
        "sis", V=["100 uV", "300 uV"], h="0.8 T", T_S="1.3 K", T_Sm="90 mK", dynes="0.2 ueV", delta0="200 ueV",
    )
    for name in ("h", "T_S", "T_Sm", "dynes"):
        assert lab.attrs[name] == pytest.approx(reduced.attrs[name], rel=1e-12, abs=0)
    np.testing.assert_allclose(lab.V, reduced.V, rtol=1e-12, atol=0)
    np.testing.assert_allclose(lab.I_charge, reduced.I_charge, rtol=1e-12, atol=0)


def test_pint_quantity_and_material_preset():
    ureg = pint.get_application_registry()
    a = fastspin.evaluate("sis", V=ureg.Quantity(150, "uV"), T_S="1 K", material="Al_film")
    b = fastspin.evaluate("sis", V="150 uV", T_S="1 K", delta0=fastspin.materials.get_material("Al_film").delta0_eV)
    assert a.I_charge.item() == b.I_charge.item()


def test_SI_outputs_have_pint_parseable_units():
    import pint_xarray  # noqa: F401  (registers Dataset.pint)

    ds = fastspin.evaluate("sis", V=["100 uV", "350 uV"], T_S="1 K", units="SI", delta0="200 ueV", G_T="10 uS")
    ureg = pint.get_application_registry()
    expected = {"I_charge": "A", "heat_S": "W", "SGE": "dimensionless", "V": "V"}
    for name, unit in expected.items():
        assert ureg.Unit(ds[name].attrs["units"]) == ureg.Unit(unit)
    quantified = ds.pint.quantify()
    assert quantified.I_charge.pint.units == ureg.Unit("A")
    reduced = fastspin.evaluate("sis", V=[0.5, 1.75], T_S=1.0 * BOLTZMANN / (ELEMENTARY_CHARGE * DELTA0_EV))
    # I [A] = G_T Δ0/e · I_reduced
    np.testing.assert_allclose(ds.I_charge, 10e-6 * DELTA0_EV * reduced.I_charge, rtol=1e-12)
    assert ureg.Quantity(ds.attrs["T_S"]).to("K").magnitude == pytest.approx(1.0, rel=1e-12)


def test_SIScale_to_SI_labels_the_result():
    ds = fastspin.evaluate("sis", V=[0.5, 1.5])
    scale = SIScale(delta0_eV=DELTA0_EV, G_T_siemens=1e-4)
    current = scale.to_SI(ds.I_charge, "G_T*Delta0/e")
    assert current.attrs["units"] == "A" and ds.I_charge.attrs["units"] == "G_T*Delta0/e"
    np.testing.assert_allclose(current, ds.I_charge * 1e-4 * DELTA0_EV, rtol=1e-15)
    assert scale.to_SI(ds.V).attrs["units"] == "V"  # the unit read from the attrs
    assert isinstance(scale.to_SI(np.array([1.0]), "Delta0/k_B"), np.ndarray)
    ureg = pint.get_application_registry()
    for unit in ("A", "W", "V", "K", "J", "rad/s", "S", "dimensionless"):
        ureg.Unit(unit)


def test_Tc_strings_are_for_temperatures_only():
    assert fastspin.evaluate("sis", V=0.5, T_S="0.7 Tc").attrs["T_S"] == pytest.approx(0.7 * Tc)
    with pytest.raises(ParameterError, match="'Tc' is a temperature"):
        fastspin.evaluate("sis", V=0.5, h="0.3 Tc")


def test_quantity_errors_name_the_parameter():
    with pytest.raises(ParameterError, match="needs the energy scale"):
        fastspin.evaluate("sis", V="100 uV")
    with pytest.raises(ParameterError, match="'T_S'.*wrong dimension"):
        fastspin.evaluate("sis", V=0.5, T_S="100 uV", delta0="200 ueV")
    with pytest.raises(ParameterError, match="'V'.*out of range"):
        fastspin.evaluate("sis", V="10 mV", delta0="200 ueV")  # 50 Δ0/e > 20
    with pytest.raises(ParameterError, match="units"):
        fastspin.evaluate("sis", V=0.5, units="cgs")


def test_field_becomes_zeeman_energy_through_g_factor():
    g2 = fastspin.evaluate("sis", V=0.5, h="1 T", delta0="200 ueV").attrs["h"]
    assert g2 == pytest.approx(MU_B_EV_PER_T / DELTA0_EV, rel=1e-9)
    g1 = fastspin.evaluate("sis", V=0.5, h="1 T", delta0="200 ueV", g_factor=1.0).attrs["h"]
    assert g1 == pytest.approx(0.5 * g2, rel=1e-12)


def test_own_unit_models_take_quantities_directly():
    a = fastspin.evaluate("magnon", T="300 K", T_e="300 K")
    assert a.attrs["T"] == pytest.approx(300 * BOLTZMANN / ELEMENTARY_CHARGE * 1e3, rel=1e-12)  # meV
    with pytest.raises(ParameterError):
        fastspin.evaluate("magnon", T="0.7 Tc")


def test_spec_units_table():
    from fastspin.workflows.spec import validate_spec

    spec = validate_spec({
        "model": "sis", "units": {"delta0": "200 ueV"},
        "axes": {"V": {"start": "50 uV", "stop": "400 uV", "num": 8}}, "params": {"T_S": "1 K"},
    })
    assert spec.axes["V"][0] == pytest.approx(0.25, rel=1e-12)
    assert spec.params["T_S"] == pytest.approx(BOLTZMANN / (ELEMENTARY_CHARGE * DELTA0_EV), rel=1e-12)
    with pytest.raises(ParameterError, match="units"):
        validate_spec({"model": "sis", "units": {"delta_0": "1 meV"}, "axes": {"V": [0.1]}})


def test_dataarray_survives_round_trip_through_netcdf(tmp_path):
    ds = fastspin.evaluate("sis", V=["100 uV", "350 uV"], units="SI", delta0="200 ueV", G_T="10 uS")
    path = tmp_path / "si.nc"
    ds.to_netcdf(path)
    back = xr.open_dataset(path)
    assert back.I_charge.attrs["units"] == "A"


def test_frequency_in_hertz_is_cycles_for_an_angular_frequency():
    """Omega [Delta0/hbar]: '10 GHz' is f, so Omega = 2 pi f; '1e10 rad/s' is Omega itself."""
    hbar = 6.62607015e-34 / (2 * np.pi)  # exact SI h (fastspin.units.HBAR is rounded to 6e-10)
    omega_unit = DELTA0_EV * ELEMENTARY_CHARGE / hbar  # rad/s per Delta0/hbar
    f = fastspin.evaluate("fis", V=0.1, Omega="10 GHz", delta0="200 ueV").attrs["Omega"]
    assert f == pytest.approx(2 * np.pi * 10e9 / omega_unit, rel=1e-12)
    w = fastspin.evaluate("fis", V=0.1, Omega="1e10 rad/s", delta0="200 ueV").attrs["Omega"]
    assert w == pytest.approx(1e10 / omega_unit, rel=1e-12)
