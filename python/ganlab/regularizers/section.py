"""The ``[regularizer]`` config section: which methods run, their options, and their checks.

A config names the methods in ``names`` and sets each method's options in a
table of its own::

    [regularizer]
    names = ["gp", "instance_noise"]

    [regularizer.gp]
    weight = 0.1

    [regularizer.instance_noise]
    std = 0.1
    schedule = "linear"
    anneal_steps = 2000

The resolved section contains ``names`` and one fully resolved table for each
named method (and for each table given, so that switching a method on with
``--set regularizer.names=[...]`` keeps its options).
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from ganlab.errors import ConfigError
from ganlab.fields import Field, check_fields
from ganlab.regularizers.base import REGULARIZERS, Regularizer

log = logging.getLogger(__name__)

SECTION = "regularizer"

SECTION_FIELDS = [
    Field("names", list, [], "Stabilizing methods to apply, in order (see `ganlab list "
          "regularizers`); each method's options go in a table [regularizer.NAME].", item=str),
]

# Methods that take the discriminator's input gradient per sample, which batch
# normalization makes depend on the whole batch.
PER_SAMPLE_GRADIENT_METHODS = ("gp", "r1", "r2")

# Discriminator optimizers the unrolled discriminator can step functionally.
UNROLLABLE_OPTIMIZERS = ("sgd", "negative_momentum", "adam", "rmsprop")


def method_fields(name: str) -> list[Field]:
    """Return the option fields of the registered method ``name``."""
    return list(REGULARIZERS.get(name).extra.get("fields", []))


def resolve_section(values: dict[str, Any]) -> dict[str, Any]:
    """Validate a raw ``[regularizer]`` table and fill in every method's defaults."""
    tables = {key: value for key, value in values.items() if isinstance(value, dict)}
    scalars = {key: value for key, value in values.items() if not isinstance(value, dict)}
    resolved = check_fields(SECTION, SECTION_FIELDS, scalars)

    names = resolved["names"]
    for name in names:
        if name not in REGULARIZERS:
            raise ConfigError(REGULARIZERS.unknown_message(name))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"regularizer.names: {', '.join(map(repr, repeated))} is listed more "
                          f"than once; list each method once")
    for table in tables:
        if table not in REGULARIZERS:
            raise ConfigError(f"[regularizer.{table}]: unknown method table; "
                              + REGULARIZERS.unknown_message(table).split("; ", 1)[1])
        if table not in names:
            log.info("[regularizer.%s] is set but %r is not in regularizer.names; the method "
                     "is off", table, table)

    for name in [*names, *(t for t in tables if t not in names)]:
        resolved[name] = check_fields(f"regularizer.{name}", method_fields(name),
                                      dict(tables.get(name, {})), what="table")
    return resolved


def packing_degree(config: Mapping[str, Any]) -> int:
    """Return the PacGAN packing degree m (1 without packing)."""
    section = config.get(SECTION) or {}
    if "packing" not in section.get("names", []):
        return 1
    return int(section["packing"]["degree"])


def check_combinations(config: Mapping[str, Any]) -> None:
    """Reject ill-defined combinations of methods and settings; warn about doubtful ones."""
    section = config.get(SECTION) or {}
    names = section.get("names", [])
    loss = config["objective"]["loss"]
    training = config["training"]

    if config["discriminator"]["batch_norm"]:
        penalized = [name for name in names if name in PER_SAMPLE_GRADIENT_METHODS]
        if penalized:
            raise ConfigError(
                f"regularizer.names: {', '.join(penalized)} penalizes the discriminator's "
                f"gradient per sample, which batch normalization in the discriminator makes "
                f"depend on the whole batch; set discriminator.batch_norm = false or drop the "
                f"penalty")

    if "weight_clipping" in names and loss != "wasserstein":
        log.warning("weight clipping is meant for the Wasserstein loss (Arjovsky et al. 2017), "
                    "but objective.loss = %r; the clipped discriminator trains anyway", loss)

    if "packing" in names:
        degree = section["packing"]["degree"]
        if training["batch_size"] % degree:
            raise ConfigError(
                f"regularizer.packing.degree: the batch of {training['batch_size']} samples "
                f"cannot be split into groups of {degree}; set training.batch_size to a "
                f"multiple of {degree}")

    if "unrolled" in names:
        name = config["optimizer"]["discriminator"]["name"]
        if name not in UNROLLABLE_OPTIMIZERS:
            raise ConfigError(
                f"optimizer.discriminator.name: the unrolled discriminator steps its optimizer "
                f"as a differentiable function, implemented for {', '.join(UNROLLABLE_OPTIMIZERS)}; "
                f"got {name!r}")
        if config["discriminator"]["batch_norm"]:
            log.warning("the unrolled discriminator runs its inner steps in training mode, so "
                        "batch normalization's running statistics are updated by them too")

    if "mode_regularizer" in names:
        from ganlab.objectives import get_objective

        if get_objective(loss).output != "logit":
            raise ConfigError(
                f"regularizer.names: the mode regularizer uses log D(G(E(x))), a log "
                f"probability, but objective.loss = {loss!r} has no probability output; use "
                f"'nonsaturating' or 'minimax'")

    if training["scheme"] == "extragradient" and training["d_steps"] != 1:
        raise ConfigError(
            f"training.d_steps: the extragradient scheme takes one step per player, got "
            f"d_steps = {training['d_steps']}; set d_steps = 1")

    smoothing = config["objective"].get("label_smoothing", 0.0)
    if smoothing and loss in ("wasserstein", "hinge"):
        log.warning("objective.label_smoothing = %g has no effect with the %s loss, which has "
                    "no target labels", smoothing, loss)


def build_regularizers(config: Mapping[str, Any]) -> list[Regularizer]:
    """Instantiate the regularizers named in the config's ``[regularizer]`` section."""
    section = config.get(SECTION)
    if not section:
        return []
    regularizers = []
    for name in section.get("names", []):
        settings = section.get(name)
        if settings is None:
            settings = check_fields(f"regularizer.{name}", method_fields(name), {})
        regularizer = REGULARIZERS.get(name).obj(settings)
        regularizer.name = name
        regularizers.append(regularizer)
    return regularizers
