"""The model framework: a model declares its parameters and outputs once.

Everything else reads that declaration: :func:`fastspin.evaluate`, the distributed
sweep (``fastspin.workflows``), the CLI (``fastspin models``) and the docs.  A model
is a small object in the style of python-adaptive's learners: it knows *what* it
computes; runners and stores decide *where* and *how often*.

A model subclass sets

* ``name``, ``reference`` (the paper it implements, a :class:`fastspin.references.Reference`)
  and ``description``;
* ``parameters``: a tuple of :class:`Parameter` (name, unit, default, range, sweepable);
* ``outputs``: a tuple of :class:`Output` (name, unit, long_name);
* ``evaluate_block(params)``: a vectorised method that receives every parameter as
  a NumPy array of one common shape (or a plain value for non-sweepable choices)
  and returns a dict ``output name -> array`` of that shape;
* optionally ``warmup()`` (compile or load the cached kernels, called once per Dask
  worker) and ``stochastic = True`` for Monte Carlo models, whose ``evaluate_block``
  then also receives ``spec_seed`` and ``point_index`` (see :func:`stochastic_streams`).

Models are found by name through :mod:`fastspin.registry`; results are built by
:func:`fastspin.evaluate.evaluate`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from fastspin.references import Reference
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

    def check_array(self, value: Any, model: str) -> np.ndarray:
        """``value`` (a number or an array of any shape) as floats, every distinct value
        checked by :meth:`coerce`: one message naming the parameter and its range."""
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{model}: parameter {self.name!r} = {value!r} is not a number; allowed: {self.allowed()}"
            ) from None
        for distinct in np.unique(array):
            self._scalar(float(distinct), f"{model}: parameter {self.name!r}")
        return array

    def _scalar(self, value: Any, where: str) -> float:
        from fastspin import quantities  # lab quantities ("150 uV", pint) -> this unit

        if quantities.is_quantity_input(value):
            try:
                number = quantities.to_reduced(value, self.name, self.unit, where)
            except quantities.QuantityError as err:
                raise ParameterError(f"{err}; allowed: {self.allowed()}") from None
            return self._in_range(number, value, where)
        if isinstance(value, str) and not self.temperature and quantities.is_Tc_string(value):
            raise ParameterError(f"{where} = {value!r}: 'Tc' is a temperature; allowed: {self.allowed()}")
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
        return self._in_range(number, value, where)

    def _in_range(self, number: float, value: Any, where: str) -> float:
        if not math.isfinite(number):
            raise ParameterError(f"{where} = {value!r} is not finite; allowed: {self.allowed()}")
        below = number <= self.low if self.low_open else number < self.low
        above = number >= self.high if self.high_open else number > self.high
        if below or above:
            raise ParameterError(f"{where} = {number:g} is out of range; allowed: {self.allowed()}")
        if self.integer and number != round(number):
            raise ParameterError(f"{where} = {number:g} is not an integer; allowed: {self.allowed()}")
        return number



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
    reference: ClassVar[Reference | None] = None
    description: ClassVar[str] = ""
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    outputs: ClassVar[tuple[Output, ...]] = ()
    #: rough cost of one point in seconds on one core, for ``fastspin plan``
    cost_per_point: ClassVar[float] = 1e-4
    #: parameters in the Δ0/Tc units of the reference superconductor, so strings such as
    #: "0.7 Tc" are accepted; False for models with units of their own (meV, eV), where
    #: such a string would silently mean something else and is refused
    reduced_units: ClassVar[bool] = True
    #: Monte Carlo model: ``evaluate_block`` also receives ``spec_seed`` and ``point_index``
    stochastic: ClassVar[bool] = False
    #: parameter values of the small evaluation :meth:`warmup` makes (defaults elsewhere)
    warmup_params: ClassVar[dict[str, Any]] = {}
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def warmup(cls) -> None:
        """Compile (or load from Numba's cache) the kernels this model calls.

        A sweep calls it once in every Dask worker before the first block.  The default
        evaluates one point at the declared defaults, with :attr:`warmup_params` in
        place of those that would make it expensive (e.g. the size of an ensemble).
        """
        values = cls.validate(cls.warmup_params)
        grid = {
            name: value if isinstance(value, str) else np.full((1,), np.nan if value is None else value)
            for name, value in values.items()
        }
        if cls.stochastic:
            grid["spec_seed"] = 0
            grid["point_index"] = np.zeros((1,), dtype=np.int64)
        cls().evaluate_block(grid)

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
        """The declared :class:`Output` called ``name``; ``KeyError`` if there is none."""
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
        for name in params:
            cls.parameter(name)  # unknown names first, with a suggestion
        values = validate_parameters(cls.name, cls.parameters, params)
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
        lines = [f"{cls.name}  {cls.description}"]
        if cls.reference is not None:
            lines.append(f"  reference: {cls.reference.citation()}")
        lines.append("  parameters:")
        for p in cls.parameters:
            default = "self-consistent/none" if p.default is None else p.default
            sweep = "" if p.sweepable else "  [fixed]"
            lines.append(f"    {p.name:<12} {p.allowed():<44} default {default}{sweep}")
            lines.append(f"    {'':<12} {p.doc}")
        lines.append("  outputs:")
        for o in cls.outputs:
            lines.append(f"    {o.name:<14} [{o.unit}]  {o.long_name}")
        return "\n".join(lines)


def validate_parameters(
    model: str, parameters: Sequence[Parameter], params: Mapping[str, Any]
) -> dict[str, Any]:
    """Values of ``parameters`` from ``params`` (defaults filled in), each checked by
    :meth:`Parameter.coerce`; arrays only for sweepable parameters.  ``model`` names
    the model in messages.  Unknown names in ``params`` are refused."""
    declared = {p.name: p for p in parameters}
    for name in params:
        if name not in declared:
            raise ParameterError(
                f"{model}: unknown parameter {name!r}; allowed: {', '.join(declared)}"
            )
    values: dict[str, Any] = {}
    for name, value in params.items():  # in the order given: it orders the result's dimensions
        coerced = declared[name].coerce(value, model)
        if isinstance(coerced, np.ndarray) and not declared[name].sweepable:
            raise ParameterError(f"{model}: parameter {name!r} cannot be swept; give a single value")
        values[name] = coerced
    for p in parameters:
        if p.name not in values:
            values[p.name] = p.coerce(p.default, model) if p.default is not None else None
            if values[p.name] is None and not p.optional:
                raise ParameterError(f"{model}: parameter {p.name!r} must be given")
    return values


def refuse_reduced_unit_strings(model: type[Model], params: Mapping[str, Any]) -> None:
    """Raise :class:`ParameterError` for string values such as "0.7 Tc".

    For models with ``reduced_units = False`` (the magnon and texture models: meV, eV): the
    framework's "Tc"/"Delta0" strings refer to the BCS reference superconductor and
    would silently mean something else there.
    """
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple, np.ndarray)) else [value]
        from fastspin.quantities import is_quantity_input

        if any(isinstance(v, str) and not is_quantity_input(v) for v in np.asarray(values, dtype=object).ravel()):
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
        model.parameter(name).check_array(values, model.name)
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
    random stream depends on the paper and its place in the grid only, never on blocks
    or workers; a direct call uses the ``seed`` option and the points' order.
    """
    seed = int(params.get("spec_seed", model.options.get("seed", 0)))
    if "point_index" in params:
        point_index = np.broadcast_to(np.asarray(params["point_index"], dtype=np.int64), shape)
    else:
        point_index = np.arange(math.prod(shape), dtype=np.int64).reshape(shape)
    return seed, point_index
