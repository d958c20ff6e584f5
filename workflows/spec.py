"""Sweep specs: parse, validate and split a parameter grid into blocks.

A spec is a TOML file or the same nested dict from Python::

    model = "sis"                    # a built-in model or one an installed plugin registers

    [axes]                           # the grid, outer product in this order
    h   = {start = 0.0, stop = 0.6, num = 61}
    T_S = {start = "0.05 Tc", stop = "0.95 Tc", num = 46}
    V   = [0.1, 0.2, 0.3]            # or an explicit list
    # {start, stop, num, log = true} gives logarithmic spacing (start, stop > 0)

    [params]                         # fixed values; the model's defaults fill the rest
    T_Sm = "0.01 Tc"

    [units]                          # optional: lab quantities ("150 uV", "90 mK", "0.8 T")
    delta0 = "200 ueV"               # convert through this Δ0 (or material = "Al_film")

    [run]
    block = {h = 8, T_S = 8}         # block shape; axes not named are taken whole
    seed = 0                         # base seed for stochastic models
    scheduler = "local"              # "local" (embedded), "serial", or "tcp://host:8786"
    workers = 2                      # embedded cluster size (default: all cores)
    cluster = "slurm"                # or a table {kind = "slurm", queue = ..., cores = ...}

Every value goes through the model's own :meth:`fastspin.model.Parameter.coerce`,
so temperatures may be written ``"0.7 Tc"`` and every error names the field and the
allowed values.  The grid is cut into blocks (one Dask task and one Zarr chunk
each); :attr:`SweepSpec.fingerprint` is the sha256 of the canonical, unit-resolved
computational content (model, axes values, fixed values, block shape, seed), so a
spec written with ``"0.7 Tc"`` and one written with ``0.39685...`` are the same
sweep, while how it runs (scheduler, workers, cluster) is not part of it.

A spec is data: it never names code to import.  Models of other packages become
available by installing the package (the ``fastspin.models`` entry points, see
:mod:`fastspin.registry`).

Stochastic models (class attribute ``stochastic = True``) receive, in the params
dict of ``evaluate_block``, three extra keys: ``seed`` (a Python int, the block
seed from :meth:`SweepSpec.block_seed`), ``spec_seed`` (the spec's ``run.seed``)
and ``point_index`` (int64 array of the global C-order index of every point of the
block).  A model that keys a counter-based generator on
``(spec_seed, point_index, step)`` gives results independent of the block shape.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fastspin.evaluation import broadcast_params
from fastspin.model import Model, Parameter, ParameterError
from fastspin.registry import ENTRY_POINT_GROUP, get_model

#: Version of the on-disk layout written by :mod:`fastspin.workflows.store`.
STORE_FORMAT = 2

#: the tables and keys a spec may have at top level
TOP_LEVEL_KEYS = ("model", "axes", "params", "run", "units")
#: keys of [units]: the energy scale that lab quantities ("150 uV", "90 mK") convert through
UNITS_KEYS = ("delta0", "material", "g_factor")
#: the keys of the ``[run]`` table
RUN_KEYS = (
    "block",
    "chunks",
    "seed",
    "scheduler",
    "workers",
    "cluster",
    "retries",
)
#: the values of ``run.scheduler`` that are not an address (``tcp://host:port``)
SCHEDULER_WORDS = ("local", "serial")
#: keys accepted in [run.cluster] or a cluster config file (dask-jobqueue profile)
CLUSTER_KEYS = (
    "kind",
    "queue",
    "account",
    "cores",
    "processes",
    "memory",
    "walltime",
    "lifetime",
    "lifetime_stagger",
    "jobs",
    "minimum_jobs",
    "maximum_jobs",
    "interface",
    "local_directory",
    "log_directory",
    "job_extra_directives",
    "job_script_prologue",
    "python",
)
#: the batch systems ``run.cluster`` can name (through dask-jobqueue)
CLUSTER_KINDS = ("slurm", "pbs")
#: target number of points per block when the spec gives no block shape
AUTO_BLOCK_POINTS = 65536
#: the largest sweep fastspin lays out: values per axis, points in the grid, blocks.
#: Larger specs are refused before anything is computed or written (the message gives
#: the numbers); a store of MAX_BLOCKS blocks is laid out in about a second.
MAX_AXIS_VALUES = 1_000_000
#: the most grid points a sweep may have
MAX_POINTS = 10_000_000_000
#: the most blocks a sweep may have
MAX_BLOCKS = 1_000_000


def _allowed(keys: tuple[str, ...]) -> str:
    return ", ".join(keys)


@dataclass(frozen=True)
class Block:
    """One block of the grid: its flat index, position in the block grid and slices."""

    index: int
    position: tuple[int, ...]
    slices: tuple[slice, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of points of the block along each axis."""
        return tuple(s.stop - s.start for s in self.slices)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: model, axes (Δ0 units), fixed values, block shape, run options."""

    model: Model
    axes: dict[str, np.ndarray]
    params: dict[str, Any]
    block: tuple[int, ...]
    seed: int
    run: dict[str, Any]
    source: dict[str, Any] = field(default_factory=dict)

    # -- geometry -----------------------------------------------------------------
    @property
    def dims(self) -> tuple[str, ...]:
        """The axis names, in the order of the spec."""
        return tuple(self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values along each axis."""
        return tuple(len(v) for v in self.axes.values())

    @property
    def n_points(self) -> int:
        """Number of grid points."""
        return math.prod(self.shape)

    @property
    def block_grid(self) -> tuple[int, ...]:
        """Number of blocks along each axis."""
        return tuple(-(-n // b) for n, b in zip(self.shape, self.block, strict=True))

    @property
    def n_blocks(self) -> int:
        """Number of blocks."""
        return math.prod(self.block_grid)

    def block_at(self, index: int) -> Block:
        """The block of flat index ``index`` (C order over the block grid)."""
        position = np.unravel_index(index, self.block_grid) if self.block_grid else ()
        slices = tuple(
            slice(int(p) * b, min((int(p) + 1) * b, n))
            for p, b, n in zip(position, self.block, self.shape, strict=True)
        )
        return Block(index, tuple(int(p) for p in position), slices)

    def blocks(self) -> Iterator[Block]:
        """Every block, in flat-index order."""
        for index in range(self.n_blocks):
            yield self.block_at(index)

    def block_seed(self, index: int) -> int:
        """Deterministic seed of block ``index``.

        ``numpy.random.SeedSequence(run.seed, spawn_key=(index,))``, i.e. the
        ``index``-th child of the spec seed, reduced to one 63-bit integer.  It
        depends only on the spec seed and the block index, never on the worker,
        the order of execution or the number of processes.
        """
        sequence = np.random.SeedSequence(self.seed, spawn_key=(int(index),))
        return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))

    def block_params(self, block: Block) -> dict[str, Any]:
        """The ``evaluate_block`` input of one block (outer-product grid arrays)."""
        values = dict(self.params)
        for (name, coord), sl in zip(self.axes.items(), block.slices, strict=True):
            values[name] = coord[sl]
        grid = broadcast_params(self.model, values, list(self.dims))
        if self.model.stochastic:
            flat = np.ravel_multi_index(
                np.meshgrid(*[np.arange(s.start, s.stop) for s in block.slices], indexing="ij"),
                self.shape,
            )
            grid["seed"] = self.block_seed(block.index)
            grid["spec_seed"] = self.seed
            grid["point_index"] = flat.astype(np.int64)
        return grid

    # -- identity -------------------------------------------------------------------
    def canonical(self) -> dict[str, Any]:
        """The computational content in plain JSON (Δ0 units), the fingerprint input."""
        return {
            "format": STORE_FORMAT,
            "model": self.model.name,
            "axes": {name: [float(v) for v in coord] for name, coord in self.axes.items()},
            "params": {name: _json_value(v) for name, v in sorted(self.params.items())},
            "block": list(self.block),
            "seed": self.seed,
        }

    @property
    def fingerprint(self) -> str:
        """The sha256 of :meth:`canonical`: a store holds exactly one spec."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def estimated_seconds(self) -> float:
        """Single-core cost estimate from the model's ``cost_per_point``."""
        return self.n_points * float(self.model.cost_per_point)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return float(value)


# ----------------------------------------------------------------------------------
# parsing and validation
# ----------------------------------------------------------------------------------
def load_spec(source: str | Path | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """Parse and validate a spec from a TOML path, TOML text-free dict or a SweepSpec."""
    if isinstance(source, SweepSpec):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ParameterError(f"spec: no such file {str(path)!r}")
        try:
            with path.open("rb") as f:
                raw = tomllib.load(f)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise ParameterError(f"spec: {path} is not valid TOML: {err}") from None
        except RecursionError:
            raise ParameterError(f"spec: {path} nests tables or arrays too deeply") from None
        except OSError as err:
            raise ParameterError(f"spec: cannot read {str(path)!r}: {err.strerror or err}") from None
        return _validate_guarded(raw, str(path))
    if isinstance(source, Mapping):
        return _validate_guarded(source, "the spec dict")
    raise ParameterError(
        f"spec: expected a TOML path or a dict, got {type(source).__name__}"
    )


def _validate_guarded(raw: Mapping[str, Any], where: str) -> SweepSpec:
    try:
        return validate_spec(raw)
    except RecursionError:
        key = next(iter(raw), "spec")
        raise ParameterError(f"spec: {where} nests values too deeply (under {key!r})") from None


def validate_spec(raw: Mapping[str, Any]) -> SweepSpec:
    """Validate a spec dict; every error names the offending field and the allowed values.

    An optional ``[units]`` table (``delta0 = "200 ueV"``, ``material = "Al_film"``,
    ``g_factor``) lets axes and params be written as lab quantities ("150 uV", "90 mK").
    """
    from fastspin.materials import energy_scale
    from fastspin.quantities import scale_context

    units = raw.get("units", {})
    if not isinstance(units, Mapping) or any(k not in UNITS_KEYS for k in units):
        raise ParameterError(f"spec: [units] must be a table with keys among {_allowed(UNITS_KEYS)}")
    with scale_context(energy_scale(**units)):
        return _validate_spec(raw)


def _validate_spec(raw: Mapping[str, Any]) -> SweepSpec:
    if "imports" in raw:
        raise ParameterError(
            "spec: key 'imports' is not allowed: a spec is data and never imports code; "
            f"install the package that provides the model (entry-point group {ENTRY_POINT_GROUP!r})"
        )
    unknown = [k for k in raw if k not in TOP_LEVEL_KEYS]
    if unknown:
        raise ParameterError(
            f"spec: unknown top-level key {unknown[0]!r}; allowed: {_allowed(TOP_LEVEL_KEYS)}"
        )
    if "model" not in raw:
        raise ParameterError("spec: missing key 'model'; give a model name, e.g. model = \"sis\"")
    model_name = raw["model"]
    if not isinstance(model_name, (str, Model, type)):
        raise ParameterError(f"spec: 'model' must be a model name, got {model_name!r}")
    instance = get_model(model_name)

    axes_raw = raw.get("axes", {})
    params_raw = raw.get("params", {})
    run_raw = raw.get("run", {})
    for key, table in (("axes", axes_raw), ("params", params_raw), ("run", run_raw)):
        if not isinstance(table, Mapping):
            raise ParameterError(f"spec: [{key}] must be a table, got {table!r}")
    if not axes_raw:
        raise ParameterError(
            "spec: [axes] is empty; sweep at least one of: "
            + ", ".join(p.name for p in instance.parameters if p.sweepable)
        )

    # the grid size from the raw lengths first: a 10^12-point grid is refused before any
    # axis is built or any of its values is checked
    lengths = [
        v.get("num") if isinstance(v, Mapping) else len(v) if isinstance(v, (list, tuple)) else 1
        for v in axes_raw.values()
    ]
    if all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_AXIS_VALUES for n in lengths):
        check_size(tuple(lengths), tuple(lengths))
    axes: dict[str, np.ndarray] = {}
    for name, value in axes_raw.items():
        parameter = _declared(instance, "axes", name)
        if not parameter.sweepable or parameter.choices is not None:
            raise ParameterError(
                f"axes.{name}: {instance.name} parameter {name!r} cannot be swept; "
                f"put it in [params]"
            )
        if name in params_raw:
            raise ParameterError(f"axes.{name}: {name!r} is both an axis and a fixed [params] value")
        axes[name] = _axis_values(instance, name, value)

    for name in params_raw:
        _declared(instance, "params", name)
    values = instance.validate({**params_raw, **axes})  # ranges, defaults, cross-checks
    params = {name: v for name, v in values.items() if name not in axes}

    run = dict(run_raw)
    if "numba_cache_dir" in run:
        # workers unpickle Numba's index files from there: only the person running the
        # job may choose it, never a spec file that came from someone else
        raise ParameterError(
            "run.numba_cache_dir: not allowed in a spec; use --numba-cache-dir or the "
            "environment variable FASTSPIN_NUMBA_CACHE_DIR"
        )
    unknown = [k for k in run if k not in RUN_KEYS]
    if unknown:
        raise ParameterError(f"run: unknown key {unknown[0]!r}; allowed: {_allowed(RUN_KEYS)}")
    shape = tuple(len(v) for v in axes.values())
    block = _block_shape(run, axes, shape)
    check_size(shape, block)
    seed = run.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"run.seed = {seed!r}; allowed: an integer >= 0")
    _check_run_options(run)

    # plain JSON copy of the spec as written, for the store attrs (arrays become lists)
    source = json.loads(json.dumps(raw, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o)))
    if not isinstance(model_name, str):
        source["model"] = instance.name
    return SweepSpec(
        model=instance,
        axes=axes,
        params=params,
        block=block,
        seed=int(seed),
        run=run,
        source=source,
    )


def _declared(instance: Model, table: str, name: Any) -> Parameter:
    """The model's parameter ``name``; an unknown name is refused naming the spec table."""
    try:
        return instance.parameter(name)
    except ParameterError as err:
        raise ParameterError(f"{table}: {err}") from None


def _axis_values(instance: Model, name: str, value: Any) -> np.ndarray:
    """One axis: a non-empty list, or {start, stop, num[, log]}; values in Δ0 units."""
    parameter = instance.parameter(name)
    where = f"axes.{name}"
    if isinstance(value, Mapping):
        keys = ("start", "stop", "num", "log")
        extra = [k for k in value if k not in keys]
        missing = [k for k in ("start", "stop", "num") if k not in value]
        if extra or missing:
            bad = f"unknown key {extra[0]!r}" if extra else f"missing key {missing[0]!r}"
            raise ParameterError(f"{where}: {bad}; give {{start, stop, num}} and optionally log")
        num = value["num"]
        if isinstance(num, bool) or not isinstance(num, int) or not 1 <= num <= MAX_AXIS_VALUES:
            raise ParameterError(
                f"{where}.num = {num!r}; allowed: an integer from 1 to {MAX_AXIS_VALUES}"
            )
        log = value.get("log", False)
        if not isinstance(log, bool):
            raise ParameterError(f"{where}.log = {log!r}; allowed: true or false")
        start = parameter.coerce(value["start"], instance.name)
        stop = parameter.coerce(value["stop"], instance.name)
        if not all(isinstance(v, float) for v in (start, stop)):
            raise ParameterError(f"{where}: start and stop must be single numbers")
        if log:
            if start <= 0 or stop <= 0:
                raise ParameterError(
                    f"{where}: log spacing needs start > 0 and stop > 0, got {start:g}, {stop:g}"
                )
            return np.geomspace(start, stop, num)
        return np.linspace(start, stop, num)
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) == 0:
            raise ParameterError(f"{where} is empty; give at least one value")
        if len(value) > MAX_AXIS_VALUES:
            raise ParameterError(
                f"{where} has {len(value)} values; allowed: at most {MAX_AXIS_VALUES} per axis"
            )
        coerced = parameter.coerce(list(value), instance.name)
        return np.asarray(coerced, dtype=float)
    raise ParameterError(
        f"{where} = {value!r}; allowed: a list of values or a table {{start, stop, num[, log]}}"
    )


def _block_shape(run: Mapping[str, Any], axes: Mapping[str, np.ndarray], shape: tuple[int, ...]):
    if "block" in run and "chunks" in run:
        raise ParameterError("run: give either 'block' or 'chunks' (the same thing), not both")
    given = run.get("block", run.get("chunks"))
    key = "run.block" if "block" in run else "run.chunks"
    if given is None:
        return auto_block(shape)
    if not isinstance(given, Mapping):
        raise ParameterError(f"{key} must be a table axis = size, e.g. {{h = 8}}")
    block = list(shape)
    for name, size in given.items():
        if name not in axes:
            raise ParameterError(
                f"{key}: {name!r} is not an axis; allowed: {_allowed(tuple(axes))}"
            )
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ParameterError(f"{key}.{name} = {size!r}; allowed: an integer >= 1")
        i = list(axes).index(name)
        block[i] = min(size, shape[i])
    return tuple(block)


def check_size(shape: tuple[int, ...], block: tuple[int, ...]) -> None:
    """Refuse a grid of more than MAX_POINTS points or MAX_BLOCKS blocks, with the numbers."""
    points = math.prod(shape)
    blocks = math.prod(-(-n // b) for n, b in zip(shape, block, strict=True))
    if points > MAX_POINTS:
        raise ParameterError(
            f"axes: the grid has {points:,} points ({' x '.join(map(str, shape))}); "
            f"allowed: at most {MAX_POINTS:,}"
        )
    if blocks > MAX_BLOCKS:
        raise ParameterError(
            f"run.block: {blocks:,} blocks of {' x '.join(map(str, block))} points; allowed: "
            f"at most {MAX_BLOCKS:,} blocks (give a larger block shape)"
        )


def auto_block(shape: tuple[int, ...], target: int | None = None) -> tuple[int, ...]:
    """A block shape of at most ``target`` points, splitting the leading axes first.

    Default target: ``min(AUTO_BLOCK_POINTS, max(64, total // 64))`` points, so
    small sweeps still give enough blocks to keep several workers busy.
    """
    total = math.prod(shape)
    if target is None:
        target = min(AUTO_BLOCK_POINTS, max(64, total // 64))
    block = list(shape)
    for i in range(len(block)):
        if math.prod(block) <= target:
            break
        needed = -(-math.prod(block) // target)
        block[i] = max(1, -(-block[i] // needed))
    return tuple(block)


def _check_run_options(run: Mapping[str, Any]) -> None:
    scheduler = run.get("scheduler", "local")
    if not isinstance(scheduler, str) or not (
        scheduler in SCHEDULER_WORDS or "://" in scheduler
    ):
        raise ParameterError(
            f"run.scheduler = {scheduler!r}; allowed: 'local', 'serial' or an address "
            "such as 'tcp://host:8786'"
        )
    check_workers(run.get("workers"), "run.workers")
    retries = run.get("retries", 0)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ParameterError(f"run.retries = {retries!r}; allowed: an integer >= 0")
    cluster = run.get("cluster")
    if cluster is not None:
        kind = cluster.get("kind") if isinstance(cluster, Mapping) else cluster
        unknown = [k for k in cluster if k not in CLUSTER_KEYS] if isinstance(cluster, Mapping) else []
        if unknown:
            raise ParameterError(
                f"run.cluster: unknown key {unknown[0]!r}; allowed: {_allowed(CLUSTER_KEYS)}"
            )
        if kind not in CLUSTER_KINDS:
            raise ParameterError(
                f"run.cluster = {kind!r}; allowed: {_allowed(CLUSTER_KINDS)} "
                "(a name or a table with kind = ...)"
            )


def check_workers(workers: Any, name: str = "workers") -> None:
    """Refuse a number of workers that is not an integer >= 1 (None: the default)."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ParameterError(f"{name} = {workers!r}; allowed: an integer >= 1")
