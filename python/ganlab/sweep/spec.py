"""Sweep files: a base config, seeds, a grid and named variants, expanded into runs.

A sweep file is TOML::

    base = "ring8"             # preset name or config path (relative to this file)
    seeds = 5                  # seeds 0..4, or a list such as [0, 3, 7]

    [sweep]
    name = "ring8-methods"     # used in titles; defaults to the file name
    steps = 2000               # training.steps of every run
    set = { "record.every" = 100 }   # overrides for every run

    [grid]                     # cartesian product of dotted keys
    "optimizer.lr" = [1e-4, 1e-3]

    [[variants]]               # named override sets; each may name its own base
    name = "R1"
    set = { "regularizer.names" = ["r1"] }

``base`` may instead be an inline ``[base]`` table holding a whole config.
With both a grid and variants, every variant runs at every grid point. Every
run's config is resolved with ``ganlab.config`` when the file is loaded, so
an invalid key or value is reported, with its variant, before anything runs.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ganlab import config as config_module
from ganlab.errors import ConfigError

TOP_LEVEL_KEYS = ("base", "seeds", "grid", "variants", "sweep")
SWEEP_KEYS = ("name", "description", "steps", "set")
VARIANT_KEYS = ("name", "base", "set", "description")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=+-]*$")
MAX_SEEDS = 10_000


@dataclass
class Variant:
    """One named set of overrides applied to a base config."""

    name: str
    base: str
    overrides: dict[str, Any]
    description: str = ""
    source: Any = field(default=None, repr=False)  # base as written: a name, path or table


@dataclass
class RunSpec:
    """One run of a sweep: a variant with one seed, and its resolved config."""

    variant: str
    seed: int
    config: dict[str, Any]
    path: str  # relative to the sweep's output directory


@dataclass
class SweepSpec:
    """A parsed, validated sweep file."""

    source: Path
    name: str
    description: str
    seeds: list[int]
    variants: list[Variant]
    runs: list[RunSpec] = field(default_factory=list)

    def runs_of(self, variant: str) -> list[RunSpec]:
        return [run for run in self.runs if run.variant == variant]


def run_path(variant: str, seed: int) -> str:
    """Return the run directory of (variant, seed), relative to the sweep's output directory."""
    return f"runs/{variant}/seed-{seed}"


def flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Turn nested tables into dotted keys: {"a": {"b": 1}} becomes {"a.b": 1}."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "+".join(_format_value(v) for v in value) or "none"
    return str(value)


def _grid_label(point: Mapping[str, Any]) -> str:
    last = [key.rsplit(".", 1)[-1] for key in point]
    labels = []
    for key, short in zip(point, last):
        name = short if last.count(short) == 1 else key
        labels.append(f"{name}={_format_value(point[key])}")
    return re.sub(r"[^A-Za-z0-9._=+-]", "_", "_".join(labels))


def _check_seeds(value: Any, where: str) -> list[int]:
    if isinstance(value, bool) or value is None:
        raise ConfigError(f"{where}: seeds must be a count or a list of seeds, got {value!r}")
    if isinstance(value, int):
        if not 1 <= value <= MAX_SEEDS:
            raise ConfigError(f"{where}: seeds = {value} is out of range; give a count from 1 to "
                              f"{MAX_SEEDS} or a list of seeds")
        return list(range(value))
    if isinstance(value, list) and value and all(isinstance(s, int) and not isinstance(s, bool)
                                                 and s >= 0 for s in value):
        if len(set(value)) != len(value):
            raise ConfigError(f"{where}: seeds {value!r} contain duplicates; list each seed once")
        return list(value)
    raise ConfigError(f"{where}: seeds must be a count (for example 5) or a non-empty list of "
                      f"non-negative integers, got {value!r}")


def _check_table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: expected a table of dotted keys, got {value!r}")
    return flatten(value)


def _describe_base(base: Any) -> str:
    return "inline [base] table" if isinstance(base, Mapping) else str(base)


def _load_base(base: Any, sweep_dir: Path, where: str) -> tuple[dict[str, Any], Path]:
    """Return the raw base config and the directory its relative paths refer to."""
    if isinstance(base, Mapping):
        return dict(base), sweep_dir
    if not isinstance(base, str) or not base:
        raise ConfigError(f"{where}: base must be a preset name, a config path or a [base] "
                          f"table, got {base!r}")
    relative = sweep_dir / base
    if base.endswith(".toml") or relative.exists():
        path = relative
    else:
        path = config_module.locate(base)
    path = config_module.locate(path)
    return config_module.read_toml(path), path.resolve().parent


def load_sweep(path: str | Path, overrides: Iterable[str] = ()) -> SweepSpec:
    """Read, expand and validate a sweep file; every run's config is resolved.

    ``overrides`` are ``KEY=VALUE`` strings applied to the sweep file itself before
    validation, for example ``seeds=2`` or ``sweep.steps=300``.
    """
    path = Path(path)
    raw = config_module.read_toml(path)
    for text in overrides:
        key, value = config_module.parse_override(text, require_section=False)
        raw = config_module.apply_overrides(raw, {key: value})
    where = f"sweep {str(path)!r}"
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}; accepted keys: "
                              f"{', '.join(TOP_LEVEL_KEYS)}")

    settings = raw.get("sweep", {})
    if not isinstance(settings, Mapping):
        raise ConfigError(f"{where}: [sweep] must be a table")
    for key in settings:
        if key not in SWEEP_KEYS:
            raise ConfigError(f"{where}: unknown key sweep.{key}; accepted keys: "
                              f"{', '.join(SWEEP_KEYS)}")
    common = _check_table(settings.get("set", {}), f"{where}: sweep.set")
    if "steps" in settings:
        steps = settings["steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ConfigError(f"{where}: sweep.steps must be a positive integer, got {steps!r}")
        common["training.steps"] = steps

    seeds = _check_seeds(raw.get("seeds", 1), where)
    grid_points = _grid_points(raw.get("grid", {}), where)
    variants = _expand_variants(raw, common, grid_points, where)

    spec = SweepSpec(source=path, name=str(settings.get("name", path.stem)),
                     description=str(settings.get("description", "")), seeds=seeds,
                     variants=variants)
    sweep_dir = path.resolve().parent
    for variant in variants:
        raw_base, base_dir = _load_base(variant.source, sweep_dir,
                                        f"{where}: variant {variant.name!r}")
        for number, seed in enumerate(seeds):
            overrides = {**variant.overrides, "training.seed": seed}
            notes = contextlib.nullcontext() if number == 0 else notes_hidden()
            try:
                with notes:
                    raw_config = config_module.apply_overrides(raw_base, overrides)
                    resolved = config_module.resolve(raw_config, base_dir)
            except ConfigError as error:
                raise ConfigError(f"{where}: variant {variant.name!r}: {error}") from None
            spec.runs.append(RunSpec(variant.name, seed, resolved, run_path(variant.name, seed)))
    return spec


@contextlib.contextmanager
def notes_hidden():
    """Hide informational log records while configs already reported once are resolved again.

    The seeds of a variant share everything but ``training.seed``, so a note
    such as a method table left out of ``regularizer.names`` is shown for the
    first seed only. ``logging.disable`` acts on the whole process, so records
    of other threads are hidden too while the configs resolve.
    """
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


def _grid_points(grid: Any, where: str) -> list[dict[str, Any]]:
    flat = _check_table(grid, f"{where}: [grid]")
    for key, values in flat.items():
        if "." not in key:
            raise ConfigError(f"{where}: grid key {key!r} must be SECTION.NAME, for example "
                              f"optimizer.lr")
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{where}: grid.{key} must be a non-empty list of values, got "
                              f"{values!r}")
    keys = list(flat)
    return [dict(zip(keys, combination)) for combination in itertools.product(*flat.values())]


def _expand_variants(raw: Mapping[str, Any], common: dict[str, Any],
                     grid_points: list[dict[str, Any]], where: str) -> list[Variant]:
    base = raw.get("base")
    entries = raw.get("variants", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: variants must be an array of tables [[variants]]")
    if not entries:
        if base is None:
            raise ConfigError(f"{where}: missing base; set base = \"ring8\" (a preset or config "
                              f"path) or an inline [base] table")
        entries = [{"name": "base"}]

    variants: list[Variant] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: variant {number} must be a table")
        for key in entry:
            if key not in VARIANT_KEYS:
                raise ConfigError(f"{where}: variant {number}: unknown key {key!r}; accepted "
                                  f"keys: {', '.join(VARIANT_KEYS)}")
        name = entry.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ConfigError(f"{where}: variant {number}: name {name!r} must be a non-empty "
                              f"string of letters, digits and . _ = + - (it names a directory)")
        variant_base = entry.get("base", base)
        if variant_base is None:
            raise ConfigError(f"{where}: variant {name!r} has no base; set base at the top of "
                              f"the file or in the variant")
        overrides = {**common, **_check_table(entry.get("set", {}),
                                              f"{where}: variant {name!r}: set")}
        for key in overrides:
            if "." not in key:
                raise ConfigError(f"{where}: variant {name!r}: key {key!r} must be SECTION.NAME")
        for point in grid_points or [{}]:
            full_name = name if not point else (
                _grid_label(point) if len(entries) == 1 and name == "base"
                else f"{name}_{_grid_label(point)}")
            variants.append(Variant(full_name, _describe_base(variant_base),
                                    {**overrides, **point}, str(entry.get("description", "")),
                                    source=variant_base))

    names = [variant.name for variant in variants]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: variant names {duplicates} occur more than once; give each "
                          f"variant its own name")
    return variants
