"""The documentation's API check (docs/_ext/apicheck.py) can fail, and sees every layer.

Needs Sphinx (``pip install -e ".[docs]"``); skipped without it.  The full check runs in
the documentation build (``.ci/docs.sh``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

import apicheck  # noqa: E402


def _everything() -> set[str]:
    """Every name the check could ask for, as if the reference documented all of them."""
    names: set[str] = set()
    for module_name in apicheck.public_modules():
        names.add(module_name)
        module = importlib.import_module(module_name)
        for name in apicheck.public_names(module_name):
            obj = getattr(module, name)
            for full in (f"{module_name}.{name}",
                         f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"):
                names.add(full)
                if isinstance(obj, type):
                    names.update(f"{full}.{m}" for m in apicheck._class_members(obj))
    return names


def test_check_covers_every_layer_of_the_public_api():
    modules = set(apicheck.public_modules())
    for expected in ("fastspin", "fastspin.units", "fastspin.references", "fastspin.registry",
                     "fastspin.physics.sis", "fastspin.physics.macrospin", "fastspin.models.fis",
                     "fastspin.figures.sis", "fastspin.workflows.sweep"):
        assert expected in modules
    assert "fastspin.physics._ensemble" not in modules  # private modules stay out
    assert "open" in apicheck.public_names("fastspin")   # public, though not in __all__


def test_check_reports_a_missing_name_and_only_that_one():
    everything = _everything()
    assert apicheck.undocumented(everything) == []
    for missing in ("fastspin.physics.sis.sis_currents", "fastspin.units.Tc",
                    "fastspin.physics.macrospin.Waveform.pulse"):
        assert apicheck.undocumented(everything - {missing}) == [missing]
