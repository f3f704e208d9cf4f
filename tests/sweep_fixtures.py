"""Tiny sweep files and helpers shared by the sweep and batched-training tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganlab.store import open_trajectory

# Small networks and grids so that a 30-step run takes well under a second of compute.
TINY_SET = (
    '"generator.hidden" = 16, "discriminator.hidden" = 16, "training.batch_size" = 32, '
    '"record.every" = 10, "record.scalars_every" = 5, "record.grid" = 12, '
    '"record.field_grid" = 4, "record.samples" = 64, "record.real" = 128, '
    '"record.manifold_grid" = 4, "record.checkpoint_every" = 10'
)

TWO_VARIANTS = f"""
base = "ring8"
seeds = 3

[sweep]
name = "tiny"
steps = 30
set = {{ {TINY_SET} }}

[[variants]]
name = "adam"

[[variants]]
name = "sgd"
set = {{ "optimizer.name" = "sgd", "optimizer.lr" = 0.01 }}
"""

ARRAYS = ("samples", "discriminator", "field", "sample_grad", "manifold", "steps")
SERIES = ("scalars", "metrics", "params")


def write_sweep(directory: Path, text: str = TWO_VARIANTS, name: str = "sweep.toml") -> Path:
    path = Path(directory) / name
    path.write_text(text, encoding="utf-8")
    return path


def trajectory_differences(first: Path, second: Path) -> list[str]:
    """List the arrays and series fields that differ between two runs (empty when equal)."""
    differences = []
    with open_trajectory(first) as a, open_trajectory(second) as b:
        for name in ARRAYS:
            x, y = getattr(a, name), getattr(b, name)
            if (x is None) != (y is None) or (x is not None and not np.array_equal(x, y)):
                differences.append(name)
        for group in SERIES:
            x, y = a.series(group), b.series(group)
            if sorted(x) != sorted(y):
                differences.append(f"{group} fields")
                continue
            for field in x:
                if not np.array_equal(x[field], y[field], equal_nan=True):
                    differences.append(f"{group}.{field}")
        if a.status != b.status:
            differences.append("status")
    return differences
