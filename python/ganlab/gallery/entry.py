"""What a gallery entry is: the runs behind a classic figure and the function that draws it.

An entry lists its runs as ``RunSpec`` (a built-in preset plus dotted-key
overrides, so that the settings are written out in one place and saved with
each run as ``config.toml``) and draws one figure from the recorded
trajectories. ``runs(quick, steps)`` returns the published settings, a much
smaller version with ``quick``, and ``steps`` replaces the number of
generator steps of every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from matplotlib.figure import Figure

from ganlab.errors import UsageError
from ganlab.registry import Registry
from ganlab.trajectory import Trajectory

GALLERY = Registry("gallery entry", "NAME")

# Snapshots recorded per run: enough to place every column of a figure close to
# its target step without recording the surface at every step.
SNAPSHOTS_PER_RUN = 50


@dataclass(frozen=True)
class RunSpec:
    """One training run of an entry: a preset with overrides, and its label in the figure."""

    name: str
    label: str
    preset: str
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GalleryEntry:
    """A classic figure: its source, the published finding, its runs and its drawing.

    ``draw(figure, trajectories, specs)`` fills ``figure`` from the runs, in the
    order of ``specs``. ``aspect`` is the figure height over its width at the
    two-column width; ``one_column_aspect`` the same at the one-column width.
    """

    name: str
    title: str
    source: str
    finding: str
    runs: Callable[[bool, int | None], list[RunSpec]]
    draw: Callable[[Figure, Sequence[Trajectory], Sequence[RunSpec]], None]
    aspect: float
    one_column_aspect: float


def register(entry: GalleryEntry) -> GalleryEntry:
    """Add ``entry`` to ``GALLERY`` under its name."""
    GALLERY.register(entry.name, entry, description=entry.title, source=entry.source)
    return entry


def run_steps(published: int, quick_steps: int, quick: bool, steps: int | None) -> int:
    """Return the generator steps of a run: ``steps`` when given, else the quick or published count."""
    if steps is not None:
        if steps < 1:
            raise UsageError(f"--steps must be at least 1, got {steps}")
        return steps
    return quick_steps if quick else published


def record_every(steps: int, snapshots: int = SNAPSHOTS_PER_RUN) -> int:
    """Return ``record.every`` for about ``snapshots`` evenly spaced snapshots over ``steps``."""
    return max(1, steps // snapshots)


# Recording of the quick versions: coarse surfaces and few points, for seconds-long runs.
QUICK_RECORD = {"record.grid": 24, "record.samples": 128, "record.real": 256,
                "record.field_grid": 4, "record.manifold_grid": 4}
# Recording of the published versions: surfaces fine enough for print at 300 dpi.
FULL_RECORD = {"record.grid": 128, "record.samples": 1024, "record.real": 2048}


def recording(quick: bool, steps: int, metrics: Sequence[str] = ("modes",),
              snapshots: int = SNAPSHOTS_PER_RUN) -> dict[str, Any]:
    """Return the training-length and ``[record]`` overrides shared by the gallery's runs.

    Only what the figures draw is recorded: snapshots with surfaces, the
    scalars, and the metric groups ``metrics``; parameter paths are off.
    """
    overrides = dict(QUICK_RECORD if quick else FULL_RECORD)
    overrides.update({
        "training.steps": steps,
        "record.every": record_every(steps, snapshots),
        "record.scalars_every": max(1, steps // 500),
        "record.params_every": 0,
        "record.checkpoint_every": 0,
        "metrics.enabled": list(metrics),
    })
    return overrides
