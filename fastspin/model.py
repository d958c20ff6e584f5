"""The model framework: a model declares its parameters and outputs once.

Everything else reads that declaration: :func:`fastspin.evaluate`, the distributed
sweep (``fastspin.workflows``), the CLI (``fastspin models``) and the docs.  A model
is a small object in the style of python-adaptive's learners: it knows *what* it
computes; runners and stores decide *where* and *how often*.

A model subclass sets

* ``name``, ``seed`` (which paper it implements) and ``description``;
* ``parameters``: a tuple of :class:`Parameter` (name, unit, default, range, sweepable);
* ``outputs``: a tuple of :class:`Output` (name, unit, long_name);
* ``evaluate_block(params)``: a vectorised method that receives every parameter as
  a NumPy array of one common shape (or a plain value for non-sweepable choices)
  and returns a dict ``output name -> array`` of that shape.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from fastspin.units import Tc, parse_quantity


class ParameterError(ValueError):
    """A parameter name, type or value that the model does not accept.

    The message names the parameter and the allowed values, once.
    """


@dataclass(frozen=True)
class Parameter:
    """One declared model parameter.

    ``low``/``high`` bound the accepted values; ``low_open``/``high_open`` make a
    bound strict.  ``optional`` parameters may be ``None`` (for example a gap that
    is then computed self-consistently); inside ``evaluate_block`` ``None`` arrives
    as NaN.  ``choices`` turns the parameter into a named option (not sweepable).
    ``temperature`` parameters also accept strings such as ``"0.7 Tc"``.
    """

    name: str
    unit: str
    default: float | str | None
    doc: str
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    sweepable: bool = True
    optional: bool = False
    integer: bool = False
    choices: tuple[str, ...] | None = None
    temperature: bool = False

    def allowed(self) -> str:
        """Human-readable allowed range, used in every error message."""
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        lo = "" if self.low == -math.inf else f"{self.low:g} {'<' if self.low_open else '<='} "
        hi = "" if self.high == math.inf else f" {'<' if self.high_open else '<='} {self.high:g}"
        text = f"{lo}{self.name}{hi}" if (lo or hi) else f"any finite {self.name}"
        if self.temperature and self.low > 0:
            text += f" (from {self.low / Tc:.3g} Tc)"
        if self.integer:
            text += " (integer)"
        if self.optional:
            text += ", or null"
        if self.unit not in ("1", ""):
            text += f" [{self.unit}]"
        return text

    def coerce(self, value: Any, model: str) -> Any:
        """Check ``value`` (a scalar or a 1-D sequence) and return it in Δ0 units."""
        where = f"{model}: parameter {self.name!r}"
        if self.choices is not None:
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(f"{where} = {value!r} is not allowed; allowed: {self.allowed()}")
            return value
        if value is None:
            if self.optional:
                return None
            raise ParameterError(f"{where} must be given; allowed: {self.allowed()}")
        if isinstance(value, np.ma.MaskedArray):
            value = _unmasked(value, where)
        if isinstance(value, (list, tuple, np.ndarray)):
            try:
                ndim = np.ndim(value)
            except (ValueError, RecursionError):
                ndim = -1  # ragged or absurdly nested
            if ndim != 1:
                raise ParameterError(f"{where} must be a scalar or a 1-D list of values")
            array = np.asarray(value, dtype=object).ravel()
            if array.size == 0:
                raise ParameterError(f"{where} is an empty array; give at least one value")
            return np.array([self._scalar(v, where) for v in array], dtype=float)
        return self._scalar(value, where)

    def _scalar(self, value: Any, where: str) -> float:
        if isinstance(value, str) and not self.temperature and _names_tc(value):
            raise ParameterError(
                f"{where} = {value!r}: the unit Tc is for temperatures only; allowed: {self.allowed()}"
            )
        try:
            number = (
                parse_quantity(value, self.name)
                if (self.temperature or isinstance(value, str))
                else None
            )
            if number is None:
                if isinstance(value, bool) or not isinstance(
                    value, (int, float, np.integer, np.floating)
                ):
                    raise ValueError
                number = float(value)
        except ValueError:
            raise ParameterError(
                f"{where} = {value!r} is not a number; allowed: {self.allowed()}"
            ) from None
        if not math.isfinite(number):
            raise ParameterError(f"{where} = {value!r} is not finite; allowed: {self.allowed()}")
        below = number <= self.low if self.low_open else number < self.low
        above = number >= self.high if self.high_open else number > self.high
        if below or above:
            raise ParameterError(f"{where} = {number:g} is out of range; allowed: {self.allowed()}")
        if self.integer and number != round(number):
            raise ParameterError(f"{where} = {number:g} is not an integer; allowed: {self.allowed()}")
        return number


def _names_tc(text: str) -> bool:
    return text.rstrip().endswith(("Tc", "T_c"))


def _unmasked(value: np.ma.MaskedArray, where: str) -> np.ndarray:
    """A masked array's data, refused if any value is masked (a mask cannot be honoured)."""
    if np.ma.is_masked(value):
        raise ParameterError(
            f"{where} has masked values; give only the values to compute (e.g. array.compressed())"
        )
    return np.asarray(value.data)


@dataclass(frozen=True)
class Output:
    """One declared model output: a variable of the result Dataset."""

    name: str
    unit: str
    long_name: str


@dataclass
class Model:
    """Base class of all fastspin models; see the module docstring."""

    name: ClassVar[str] = ""
    seed: ClassVar[str] = ""
    description: ClassVar[str] = ""
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    outputs: ClassVar[tuple[Output, ...]] = ()
    #: rough cost of one point in seconds on one core, for ``fastspin plan``
    cost_per_point: ClassVar[float] = 1e-4
    #: parameters in the Δ0/Tc units of the reference superconductor, so strings such as
    #: "0.7 Tc" are accepted; False for models with units of their own (meV, eV), where
    #: such a string would silently mean something else and is refused
    reduced_units: ClassVar[bool] = True
    options: dict[str, Any] = field(default_factory=dict)

    # -- declaration look-ups -------------------------------------------------------
    @classmethod
    def parameter(cls, name: str) -> Parameter:
        """The declared parameter ``name``; a clear error for an unknown name."""
        for p in cls.parameters:
            if p.name == name:
                return p
        names = [p.name for p in cls.parameters]
        hint = difflib.get_close_matches(name, names, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ParameterError(
            f"{cls.name}: unknown parameter {name!r}{suggestion}; allowed: {', '.join(names)}"
        )

    @classmethod
    def output(cls, name: str) -> Output:
        for o in cls.outputs:
            if o.name == name:
                return o
        raise ParameterError(
            f"{cls.name}: unknown output {name!r}; allowed: {', '.join(o.name for o in cls.outputs)}"
        )

    @classmethod
    def validate(cls, params: Mapping[str, Any]) -> dict[str, Any]:
        """Check names, types and ranges; fill defaults.  Returns Δ0-unit values.

        Array values (1-D) are allowed for sweepable parameters only.
        """
        if not cls.reduced_units:
            refuse_reduced_unit_strings(cls, params)
        values: dict[str, Any] = {}
        for name, value in params.items():
            p = cls.parameter(name)
            coerced = p.coerce(value, cls.name)
            if isinstance(coerced, np.ndarray) and not p.sweepable:
                raise ParameterError(
                    f"{cls.name}: parameter {name!r} cannot be swept; give a single value"
                )
            values[name] = coerced
        for p in cls.parameters:
            if p.name not in values:
                values[p.name] = p.coerce(p.default, cls.name) if p.default is not None else None
                if values[p.name] is None and not p.optional:
                    raise ParameterError(f"{cls.name}: parameter {p.name!r} must be given")
        cls.check_consistency(values)
        return values

    @classmethod
    def check_consistency(cls, values: Mapping[str, Any]) -> None:
        """Cross-parameter checks (override); raise :class:`ParameterError`."""

    # -- evaluation -----------------------------------------------------------------
    def evaluate_block(self, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Evaluate all outputs on arrays of one common shape (override)."""
        raise NotImplementedError

    @classmethod
    def describe(cls) -> str:
        """Plain-text description of the declaration, used by ``fastspin models``."""
        lines = [f"{cls.name}  (seed {cls.seed})  {cls.description}", "  parameters:"]
        for p in cls.parameters:
            default = "self-consistent/none" if p.default is None else p.default
            sweep = "" if p.sweepable else "  [fixed]"
            lines.append(f"    {p.name:<12} {p.allowed():<44} default {default}{sweep}")
            lines.append(f"    {'':<12} {p.doc}")
        lines.append("  outputs:")
        for o in cls.outputs:
            lines.append(f"    {o.name:<14} [{o.unit}]  {o.long_name}")
        return "\n".join(lines)


_REGISTRY: dict[str, type[Model]] = {}



def refuse_reduced_unit_strings(model: type[Model], params: Mapping[str, Any]) -> None:
    """Raise :class:`ParameterError` for string values such as "0.7 Tc".

    For models with ``reduced_units = False`` (seeds 001 and 003: meV, eV): the
    framework's "Tc"/"Delta0" strings refer to the BCS reference superconductor and
    would silently mean something else there.
    """
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple, np.ndarray)) else [value]
        if any(isinstance(v, str) for v in np.asarray(values, dtype=object).ravel()):
            p = model.parameter(name)
            raise ParameterError(
                f"{model.name}: parameter {name!r} = {value!r}: give a plain number in {p.unit} "
                f"(this model does not use Delta0/Tc units); allowed: {p.allowed()}"
            )


def broadcast_columns(*values: Any) -> tuple[tuple[int, ...], np.ndarray]:
    """Broadcast scalars and arrays to one shape; (shape, one C-contiguous row per value).

    The rows of the returned (len(values), size) float64 array are the flattened,
    broadcast values, ready for a compiled block kernel.  This is the cheap path for
    the models' array functions, where a single point must not pay more in Python than
    in its integral: all-scalar input is one ``np.array`` (≈0.5 µs); otherwise
    ``np.broadcast`` finds the shape in C (≈2 µs for seven values, where
    ``np.broadcast_arrays`` takes ≈30 µs) and each row is filled by one assignment.
    """
    if all(isinstance(value, (float, int)) for value in values):  # incl. np.float64
        return (), np.array(values, dtype=float).reshape(len(values), 1)
    shape = np.broadcast(*values).shape
    columns = np.empty((len(values), math.prod(shape)))
    for row, value in zip(columns, values, strict=True):
        if len(shape) <= 1 or np.ndim(value) == 0:  # no reshape needed to broadcast
            row[:] = value
        else:
            row.reshape(shape)[...] = value
    return shape, columns


def broadcast_block(
    model: Model, params: Mapping[str, Any], names: Sequence[str]
) -> tuple[tuple[int, ...], dict[str, np.ndarray]]:
    """Broadcast a block's parameters ``names`` to one shape and check every value.

    The sweep machinery calls ``evaluate_block`` without :meth:`Model.validate`, so each
    distinct value goes through :meth:`Parameter.coerce` here (one message naming the
    parameter, its bad value and the allowed range).  Returns (shape, name → array).
    """
    arrays = {name: np.asarray(params[name], dtype=float) for name in names}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    arrays = {name: np.broadcast_to(a, shape) for name, a in arrays.items()}
    for name, values in arrays.items():
        parameter = model.parameter(name)
        for value in np.unique(values):
            parameter.coerce(float(value), model.name)
    return shape, arrays


def flat_block(
    model: Model, params: Mapping[str, Any], names: Sequence[str]
) -> tuple[tuple[int, ...], dict[str, np.ndarray]]:
    """:func:`broadcast_block` with each array flattened (contiguous), for compiled block kernels."""
    shape, arrays = broadcast_block(model, params, names)
    return shape, {name: np.ascontiguousarray(a).ravel() for name, a in arrays.items()}


def stochastic_streams(model: Model, params: Mapping[str, Any], shape: tuple[int, ...]) -> tuple[int, np.ndarray]:
    """(seed, point_index array of ``shape``) of the stochastic-model contract.

    A sweep passes ``spec_seed`` and each point's global ``point_index``, so a point's
    random stream depends on the seed and its place in the grid only, never on blocks
    or workers; a direct call uses the ``seed`` option and the points' order.
    """
    seed = int(params.get("spec_seed", model.options.get("seed", 0)))
    if "point_index" in params:
        point_index = np.broadcast_to(np.asarray(params["point_index"], dtype=np.int64), shape)
    else:
        point_index = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    return seed, point_index


def register(cls: type[Model]) -> type[Model]:
    """Class decorator: make a model available by name."""
    _REGISTRY[cls.name] = cls
    return cls


def get_model(model: str | Model | type[Model]) -> Model:
    """Resolve a model name, class or instance to an instance."""
    if isinstance(model, Model):
        return model
    if isinstance(model, type) and issubclass(model, Model):
        return model()
    if isinstance(model, str):
        from fastspin import models as _models  # noqa: F401  (registers the built-ins)

        if model not in _REGISTRY:
            raise ParameterError(
                f"model: unknown model {model!r}; allowed: {', '.join(sorted(_REGISTRY))}"
            )
        return _REGISTRY[model]()
    raise ParameterError(f"model: expected a model name or Model, got {type(model).__name__}")


def registered_models() -> dict[str, type[Model]]:
    from fastspin import models as _models  # noqa: F401

    return dict(sorted(_REGISTRY.items()))


def broadcast_params(
    model: Model, values: Mapping[str, Any], dims: Sequence[str]
) -> dict[str, Any]:
    """Broadcast the swept 1-D arrays named in ``dims`` to an outer-product grid.

    Non-swept values become 0-d arrays broadcast to the same shape; ``None``
    (optional, e.g. self-consistent gap) becomes NaN; choices stay strings.
    """
    shape = tuple(len(values[d]) for d in dims)
    out: dict[str, Any] = {}
    for p in model.parameters:
        v = values[p.name]
        if p.choices is not None:
            out[p.name] = v
        elif p.name in dims:
            axis = dims.index(p.name)
            idx = [None] * len(dims)
            idx[axis] = slice(None)
            out[p.name] = np.broadcast_to(np.asarray(v, float)[tuple(idx)], shape)
        else:
            out[p.name] = np.full(shape, np.nan if v is None else float(v))
    return out


def evaluate(model: str | Model | type[Model], **params: Any):
    """Evaluate ``model`` on scalar or 1-D array-valued parameters.

    Every 1-D array parameter becomes a dimension of the result (outer product, in
    the order given); scalar parameters are stored as attrs.  Returns an
    ``xarray.Dataset`` whose variables carry ``units`` and ``long_name``.

    >>> import fastspin
    >>> ds = fastspin.evaluate("sis", V=[0.1, 0.2], h=0.4, T_S="0.7 Tc", T_Sm="0.01 Tc")
    """
    import xarray as xr

    instance = get_model(model)
    values = instance.validate(params)
    dims = [name for name, v in values.items() if isinstance(v, np.ndarray) and name in params]
    grid = broadcast_params(instance, values, dims)
    results = instance.evaluate_block(grid)
    coords = {}
    for d in dims:
        p = instance.parameter(d)
        coords[d] = xr.Variable((d,), values[d], attrs={"units": p.unit, "long_name": p.doc})
    data_vars = {}
    for o in instance.outputs:
        data_vars[o.name] = xr.Variable(
            tuple(dims), np.asarray(results[o.name]), attrs={"units": o.unit, "long_name": o.long_name}
        )
    attrs: dict[str, Any] = {"model": instance.name, "seed": instance.seed}
    for name, v in values.items():
        if name not in dims:
            attrs[name] = "null" if v is None else v
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
