"""Checks of dataset parameters that a single ``Field`` cannot express.

``Field`` validates one value at a time. These helpers check relations between
values (list lengths that must agree, weights that must be positive) and raise
``ConfigError`` naming the ``data.<key>`` at fault.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from ganlab.errors import ConfigError, UsageError


def require_positive(key: str, values: Sequence[float]) -> None:
    """Raise ``ConfigError`` unless every value is a finite number > 0."""
    for index, value in enumerate(values):
        if not (math.isfinite(value) and value > 0):
            raise ConfigError(f"data.{key}[{index}]: expected a number > 0, got {value!r}")


def broadcast_list(key: str, values: Sequence[float], count: int, what: str) -> np.ndarray:
    """Return ``values`` as ``count`` floats; a single value applies to all ``what``."""
    if len(values) == 1:
        return np.full(count, float(values[0]))
    if len(values) != count:
        raise ConfigError(
            f"data.{key}: expected 1 value or {count} values (one per {what}), got {len(values)}"
        )
    return np.asarray(values, dtype=np.float64)


def mixture_weights(key: str, weights: Sequence[float], count: int) -> np.ndarray:
    """Return ``count`` weights normalized to sum 1; an empty list means equal weights."""
    if len(weights) == 0:
        return np.full(count, 1.0 / count)
    if len(weights) != count:
        raise ConfigError(
            f"data.{key}: expected {count} weights (one per component) or an empty list "
            f"for equal weights, got {len(weights)}"
        )
    array = np.asarray(weights, dtype=np.float64)
    if np.any(array < 0) or not np.any(array > 0):
        raise ConfigError(
            f"data.{key}: weights must be >= 0 with at least one > 0, got {list(weights)}"
        )
    return array / array.sum()


def check_sample_count(n: int) -> int:
    """Return ``n`` as an int, raising ``UsageError`` unless it is a count >= 0."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise UsageError(f"sample count must be an integer >= 0, got {n!r}")
    return int(n)


def choose_components(
    weights: torch.Tensor, n: int, generator: torch.Generator
) -> torch.Tensor:
    """Draw ``n`` component indices with the given probabilities (int64, shape (n,))."""
    if n == 0 or len(weights) == 1:
        return torch.zeros(n, dtype=torch.int64)
    return torch.multinomial(weights, n, replacement=True, generator=generator)
