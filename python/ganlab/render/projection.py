"""2D views of runs on data with more than 2 dimensions, through the data's fixed projection.

A distribution with a ``projection()`` (for example ``mixture_hd``) stores it
with the run as the static array ``projection`` (2, D). ``project_trajectory``
wraps such a run as a 2D trajectory whose samples, manifold and real data are
multiplied by the projection. It leaves out the discriminator surface, the
gradient field and the mode table, because the recorder evaluates the
discriminator on a grid only for 1D and 2D data. The overview, snapshot,
animation and replay kinds then draw the projected run unchanged, and
``render_projected`` writes a note saying so into the figure.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
from tqdm import tqdm

from ganlab.store.base import SNAPSHOT_SERIES, StoreReader
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

# Snapshot arrays in data space, projected row by row.
PROJECTED_SERIES = ("samples", "manifold")
# Snapshot arrays that exist only for 1D and 2D data, or whose meaning needs all D dimensions.
DROPPED_SERIES = ("discriminator", "field", "sample_grad")
DROPPED_STATIC = ("grid_x", "grid_y", "field_x", "field_y", "mode_centers", "mode_stds",
                  "mode_weights", "projection")
AXIS_LABELS = ("principal axis 1", "principal axis 2")


class ProjectedReader(StoreReader):
    """A ``StoreReader`` that shows a high-dimensional run through its 2D projection."""

    def __init__(self, reader: StoreReader, projection: np.ndarray):
        self.base = reader
        self.projection = np.asarray(projection, dtype=np.float64)
        self.backend = reader.backend
        self.path = reader.path
        self.data_dim = self.projection.shape[1]

    @property
    def attrs(self) -> dict[str, Any]:
        attrs = dict(self.base.attrs)
        attrs["dim"] = 2
        attrs["projection_note"] = projection_note(self.data_dim)
        return attrs

    def static_names(self) -> list[str]:
        return [name for name in self.base.static_names() if name not in DROPPED_STATIC]

    def read_static(self, name: str) -> np.ndarray:
        if name in DROPPED_STATIC:
            raise KeyError(name)
        array = self.base.read_static(name)
        return self._project(array) if name == "real" else array

    def series_names(self) -> list[str]:
        return self.base.series_names()

    def committed(self, group: str) -> int:
        return self.base.committed(group)

    def field_names(self, group: str) -> list[str]:
        names = self.base.field_names(group)
        if group != SNAPSHOT_SERIES:
            return names
        return [name for name in names if name not in DROPPED_SERIES]

    def read_series(self, group: str, name: str, rows: slice | None = None) -> np.ndarray:
        if group == SNAPSHOT_SERIES and name in DROPPED_SERIES:
            raise KeyError(name)
        array = self.base.read_series(group, name, rows)
        if group == SNAPSHOT_SERIES and name in PROJECTED_SERIES:
            return self._project(array)
        return array

    def refresh(self) -> None:
        self.base.refresh()

    def close(self) -> None:
        # The wrapped reader belongs to the original trajectory, which closes it.
        pass

    def _project(self, points: np.ndarray) -> np.ndarray:
        values = np.asarray(points, dtype=np.float64) @ self.projection.T
        return values.astype(np.float32)


def projection_note(dim: int) -> str:
    """Return the sentence that a projected figure shows."""
    return (f"{dim}-dimensional data projected onto its 2 principal axes; "
            f"no discriminator surface in {dim} dimensions")


def project_trajectory(traj: Trajectory) -> Trajectory | None:
    """Return ``traj`` seen through its stored 2D projection, or ``None`` when it has none."""
    if traj.dim <= 2:
        return None
    projection = traj.static("projection")
    if projection is None:
        return None
    projection = np.asarray(projection)
    if projection.shape != (2, traj.dim):
        logger.warning("the stored projection has shape %s, not (2, %d); not using it",
                       projection.shape, traj.dim)
        return None
    return Trajectory(ProjectedReader(traj.reader, projection))


def add_projection_note(figure, note: str) -> None:
    """Label the data axes of ``figure`` as principal axes and write ``note`` at its top."""
    for ax in figure.axes:
        if ax.get_xlabel() == "x₁":
            ax.set_xlabel(AXIS_LABELS[0])
        if ax.get_ylabel() == "x₂":
            ax.set_ylabel(AXIS_LABELS[1])
    existing = figure._suptitle.get_text() if figure._suptitle is not None else ""
    figure.suptitle(f"{existing}\n{note}" if existing else note, fontsize="small")


def render_projected(kind: str, function: Callable, traj: Trajectory, out: str | Path | None,
                     options: dict[str, Any]) -> Any:
    """Draw ``kind`` (overview, snapshot or animation) of a projected trajectory, with its note."""
    note = traj.attrs["projection_note"]
    if kind == "animation":
        return _render_animation(traj, out, note, **options)

    dpi = options.get("dpi", 150)
    figure = function(traj, None, **options)
    add_projection_note(figure, note)
    if out is not None:
        from ganlab.render.style import save_figure

        save_figure(figure, out, dpi)
    return figure


def _render_animation(traj: Trajectory, out: str | Path | None, note: str, *, every: int = 1,
                      fps: float = 10, dpi: float = 100, size=None, curves: bool = True,
                      field: bool = True, sample_arrows: bool = False, manifold: bool = True,
                      critic_scale: str = "robust", progress: bool = True) -> Path:
    """Write the animation of a projected run; the arguments are those of ``render_animation``."""
    from ganlab.errors import UsageError
    from ganlab.render.animation import AnimationFigure, frame_indices
    from ganlab.render.encoders import open_writer
    from ganlab.render.scene import Layers
    from ganlab.render.selection import drawable_snapshots

    if out is None:
        raise UsageError("an animation needs an output path ending in .mp4 or .gif")
    drawable = drawable_snapshots(traj)
    indices = frame_indices(drawable, every)
    layers = Layers(field=field, sample_arrows=sample_arrows, manifold=manifold, boundary=False)
    animation = AnimationFigure(traj, drawable, size=size, dpi=dpi, curves=curves, layers=layers,
                                critic_scale=critic_scale)

    # The note and the axis labels are static, so they join the blitted background.
    animation.scene.ax.set_xlabel(AXIS_LABELS[0])
    animation.scene.ax.set_ylabel(AXIS_LABELS[1])
    animation.figure.text(0.5, 0.995, note, ha="center", va="top", fontsize="x-small")
    canvas = animation.figure.canvas
    canvas.draw()
    if animation.blit:
        animation.background = canvas.copy_from_bbox(animation.figure.bbox)

    out = Path(out)
    show_progress = progress and sys.stderr.isatty()
    with open_writer(out, fps=fps) as writer:
        for index in tqdm(indices, desc="frames", unit="frame", disable=not show_progress):
            writer.write(animation.frame(index))
    return out
