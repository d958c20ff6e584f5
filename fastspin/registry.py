"""Where models are found by name: the built-in table and the plugin entry points.

The built-in models are a static table of ``name -> "module:Class"``; a model's
module is imported only when that model is asked for.  Third-party packages add
models the way xarray finds its backends: through the ``fastspin.models``
entry-point group of an installed distribution, e.g. in the plugin's
``pyproject.toml``::

    [project.entry-points."fastspin.models"]
    my_junction = "my_package.models:MyJunction"

A spec file never names code to import; installing the plugin package is what makes
its models available to ``fastspin models``, ``fastspin.evaluate`` and sweeps.
"""

from __future__ import annotations

import functools
import importlib
from importlib.metadata import entry_points

from fastspin.model import Model, ParameterError

#: the entry-point group through which installed packages register models
ENTRY_POINT_GROUP = "fastspin.models"

#: the built-in models: name -> "module:Class"
BUILTIN_MODELS: dict[str, str] = {
    "dot": "fastspin.models.dot:DotModel",
    "dot_switching": "fastspin.models.dot_switching:DotSwitching",
    "fis": "fastspin.models.fis:FISJunction",
    "fis_response": "fastspin.models.fis:FISResponse",
    "fis3d_switching": "fastspin.models.switching3d:FIS3DSwitching",
    "macrospin": "fastspin.models.macrospin:MacrospinSwitching",
    "magnon": "fastspin.models.magnon:Magnon",
    "magnon_switching": "fastspin.models.switching3d:MagnonSwitching",
    "sis": "fastspin.models.sis:SISJunction",
    "sis_merit": "fastspin.models.sis:SISMerit",
    "texture": "fastspin.models.texture:Texture",
    "tilt": "fastspin.models.tilt:TiltAngle",
}


def _load(target: str) -> type[Model]:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


@functools.cache
def _plugins() -> dict[str, str]:
    """Entry points of installed packages: name -> "module:Class" (read once per process)."""
    found: dict[str, str] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in BUILTIN_MODELS:
            raise ParameterError(
                f"model: the plugin entry point {point.value!r} reuses the built-in name "
                f"{point.name!r}; give the plugin model another name"
            )
        found[point.name] = point.value
    return found


def model_names() -> list[str]:
    """Every model name, built-in and plugin, sorted; nothing is imported."""
    return sorted({**BUILTIN_MODELS, **_plugins()})


def get_model_class(name: str) -> type[Model]:
    """The model class registered as ``name``; one clear error for an unknown name."""
    targets = {**BUILTIN_MODELS, **_plugins()}
    if name not in targets:
        raise ParameterError(f"model: unknown model {name!r}; allowed: {', '.join(sorted(targets))}")
    cls = _load(targets[name])
    if not (isinstance(cls, type) and issubclass(cls, Model)) or cls.name != name:
        raise ParameterError(
            f"model: {targets[name]!r} registered as {name!r} is not a fastspin Model named {name!r}"
        )
    return cls


def get_model(model: str | Model | type[Model]) -> Model:
    """Resolve a model name, class or instance to an instance."""
    if isinstance(model, Model):
        return model
    if isinstance(model, type) and issubclass(model, Model):
        return model()
    if isinstance(model, str):
        return get_model_class(model)()
    raise ParameterError(f"model: expected a model name or Model, got {type(model).__name__}")


def registered_models() -> dict[str, type[Model]]:
    """name -> model class of every model, built-in and plugin (imports them all).

    An empty result would mean a broken installation; it is an error, never silence.
    """
    models = {name: get_model_class(name) for name in model_names()}
    if not models:  # pragma: no cover - the built-in table is never empty in a sound install
        raise ParameterError("model: no models are registered; the fastspin installation is broken")
    return models


__all__ = [
    "BUILTIN_MODELS", "ENTRY_POINT_GROUP", "get_model", "get_model_class", "model_names",
    "registered_models",
]
