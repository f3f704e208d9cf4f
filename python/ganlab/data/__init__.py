"""Real data distributions, their registry and the config's ``[data]`` section.

``DATASETS`` maps each dataset name to a factory with declared parameters;
``DATA_PRESETS`` names parameter sets from the literature. A ``[data]`` section
holds ``name`` plus that dataset's parameters, or ``preset`` (plus any
parameters that override the preset's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganlab.data import counting, highdim, mixtures, points, shapes  # noqa: F401 (registration)
from ganlab.dynamics import dirac  # noqa: F401,E402 (registers the 'dirac' dataset)
from ganlab.data.base import Distribution, Modes
from ganlab.data.catalog import DATASETS
from ganlab.data.counting import count_objects
from ganlab.data.pointfile import MAX_POINTS, read_point_file, resolve_point_path
from ganlab.data.presets import DATA_PRESETS, DataPreset
from ganlab.errors import ConfigError
from ganlab.fields import Field, check_fields

__all__ = [
    "DATASETS",
    "DATA_PRESETS",
    "DataPreset",
    "Distribution",
    "MAX_POINTS",
    "Modes",
    "count_objects",
    "dataset_fields",
    "make_distribution",
    "read_point_file",
    "resolve_data_section",
]


def dataset_fields(name: str) -> list[Field]:
    """Return the parameter declarations of dataset ``name``."""
    return list(DATASETS.get(name).extra["fields"])


def _check_params(name: str, params: dict[str, Any], base_dir: str | Path | None) -> dict:
    """Validate ``params`` for dataset ``name``, fill defaults and make paths absolute."""
    entry = DATASETS.get(name)
    resolved = check_fields(
        "data", entry.extra["fields"], params, what=f"section for dataset {name!r}"
    )
    for key in entry.extra.get("path_fields", ()):
        if resolved[key]:
            resolved[key] = str(resolve_point_path(resolved[key], base_dir))
    return resolved


def make_distribution(
    name: str, params: dict[str, Any] | None = None, *, base_dir: str | Path | None = None
) -> Distribution:
    """Validate ``params`` for dataset ``name`` and build the distribution.

    Unknown keys, wrong types and out-of-range values raise ``ConfigError``
    naming ``data.<key>``. A relative file path is resolved against
    ``base_dir`` (the config file's directory), else the current directory.
    """
    resolved = _check_params(name, dict(params or {}), base_dir)
    distribution = DATASETS.get(name).obj(resolved)
    distribution.name = name
    return distribution


def resolve_data_section(
    section: dict[str, Any], base_dir: str | Path | None = None
) -> tuple[str, dict[str, Any]]:
    """Expand a config's ``[data]`` section into (dataset name, full parameters).

    ``preset`` supplies a dataset name and parameters; other keys override
    them. Every parameter of the dataset appears in the result (defaults
    filled, file paths absolute), so a saved config reproduces the data.
    """
    values = dict(section)
    preset_name = values.pop("preset", None)
    name = values.pop("name", None)

    params: dict[str, Any] = {}
    if preset_name is not None:
        if not isinstance(preset_name, str):
            raise ConfigError(f"data.preset: expected a string, got {preset_name!r}")
        preset = DATA_PRESETS.get(preset_name).obj
        if name is not None and name != preset.dataset:
            raise ConfigError(
                f"data.name: {name!r} conflicts with data.preset = {preset_name!r}, which uses "
                f"dataset {preset.dataset!r}; remove data.name or data.preset"
            )
        name = preset.dataset
        params.update(preset.params)
    elif name is None:
        raise ConfigError(
            "data.name: missing; set data.name to a dataset "
            f"({', '.join(DATASETS.names())}) or data.preset to a preset "
            f"({', '.join(DATA_PRESETS.names())})"
        )
    if not isinstance(name, str):
        raise ConfigError(f"data.name: expected a string, got {name!r}")

    params.update(values)
    return name, _check_params(name, params, base_dir)
