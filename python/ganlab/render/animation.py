"""The training animation: one frame per recorded snapshot, encoded to MP4 or GIF.

The figure and its artists are built once. Each frame changes only the
artists' data (image array, scatter offsets, arrow components, mesh segments,
title text, cursor position), redraws the canvas and hands the canvas's RGBA
buffer to a frame writer from ``ganlab.render.encoders``.
"""

from __future__ import annotations

import logging
import sys
from operator import attrgetter
from pathlib import Path

import numpy as np
from matplotlib.axis import Axis
from tqdm import tqdm

from ganlab.errors import UsageError
from ganlab.render.curves import CurvePanel, select_series
from ganlab.render.encoders import FrameWriter, open_writer
from ganlab.render.scene import Layers, build_scene, scene_limits
from ganlab.render.selection import Drawable, drawable_snapshots
from ganlab.render.style import even_pixel_size, new_figure
from ganlab.render.surface import surface_scale
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

DEFAULT_SIZE = (6.0, 6.6)
DEFAULT_SIZE_WITHOUT_CURVES = (6.0, 5.2)


class AnimationFigure:
    """The animation's figure with its artists, drawn for one snapshot at a time.

    ``size`` is (width, height) in inches and ``dpi`` pixels per inch; the
    pixel size is rounded to even numbers for H.264. The layout is computed on
    the first draw and then frozen, so frames do not shift.
    """

    def __init__(
        self,
        traj: Trajectory,
        drawable: Drawable,
        *,
        size: tuple[float, float] | None = None,
        dpi: float = 100,
        curves: bool = True,
        layers: Layers = Layers(),
        critic_scale: str = "robust",
        blit: bool = True,
    ):
        if not dpi > 0:
            raise UsageError(f"dpi must be positive, got {dpi}")
        self.traj = traj
        self.drawable = drawable
        size = size or (DEFAULT_SIZE if curves else DEFAULT_SIZE_WITHOUT_CURVES)
        self.figure = new_figure(even_pixel_size(tuple(size), dpi), dpi)

        if curves:
            grid = self.figure.add_gridspec(2, 1, height_ratios=[4.0, 1.0])
            ax = self.figure.add_subplot(grid[0])
            curves_ax = self.figure.add_subplot(grid[1])
        else:
            ax = self.figure.add_subplot()
            curves_ax = None

        surfaces = None if traj.discriminator is None else traj.discriminator[: drawable.count]
        scale = surface_scale(traj, surfaces, critic_scale)
        self.scene = build_scene(ax, traj, scale, layers, scene_limits(traj, drawable.count))
        if traj.dim == 2 and self.scene.image is not None:
            self.figure.colorbar(self.scene.image, ax=ax, shrink=0.85, label=scale.label)

        self.curves = None
        handles = self.scene.legend_handles()
        if curves_ax is not None:
            last_step = int(traj.steps[drawable.count - 1])
            self.curves = CurvePanel(
                curves_ax, traj, select_series(traj), last_step=last_step, legend=False
            )
            self.curves.move_cursor(int(traj.steps[0]))
            handles += self.curves.lines
        # The legend sits outside the axes, so it stays in the blitted background.
        self.figure.legend(handles=handles, loc="outside lower center", ncols=3, markerscale=1.2)

        self.title = ax.set_title(" ")
        self.update(0)
        self.figure.canvas.draw()
        self.figure.set_layout_engine("none")

        self.blit = blit
        self.animated: list = []
        self.background = None
        if blit:
            self._prepare_blit([ax, *self._twin_axes(ax)], curves_ax)

    def update(self, index: int) -> None:
        """Set every artist to snapshot ``index``."""
        snapshot = self.traj.snapshot(index)
        self.scene.update(snapshot)
        title = f"step {snapshot.step}"
        if self.drawable.note:
            title = f"{title}\n(run {self.drawable.note})"
        self.title.set_text(title)
        if self.curves is not None:
            self.curves.move_cursor(snapshot.step)

    def frame(self, index: int) -> np.ndarray:
        """Draw snapshot ``index`` and return the canvas as a (height, width, 4) uint8 array.

        The array is a view of the canvas buffer, valid until the next draw.
        """
        self.update(index)
        canvas = self.figure.canvas
        if self.blit:
            canvas.restore_region(self.background)
            for artist in self.animated:
                self.figure.draw_artist(artist)
        else:
            canvas.draw()
        return np.asarray(canvas.buffer_rgba())

    def _prepare_blit(self, data_axes: list, curves_ax) -> None:
        """Split the figure into a static background and the artists redrawn per frame.

        Everything inside the data axes (surface, points, arrows, spines,
        title) is redrawn, in the order ``Axes.draw`` uses, with the cursor of
        the loss curves. Tick labels, axis labels, the colorbar, the legend and
        the curves stay in the background. The per-frame cost then excludes text layout, which
        dominates a full redraw.
        """
        for ax in data_axes:
            children = [
                artist for artist in ax.get_children()
                if artist is not ax.patch and not isinstance(artist, Axis) and artist.get_visible()
            ]
            self.animated.extend(sorted(children, key=attrgetter("zorder")))
        if curves_ax is not None:
            self.animated.append(self.curves.cursor)

        for artist in self.animated:
            artist.set_animated(True)
        canvas = self.figure.canvas
        canvas.draw()
        self.background = canvas.copy_from_bbox(self.figure.bbox)

    def _twin_axes(self, ax) -> list:
        twin = getattr(self.scene, "twin", None)
        return [] if twin is None else [twin]


def frame_indices(drawable: Drawable, every: int) -> range:
    """Indices of the snapshots that become frames: every ``every``-th finite one."""
    if every < 1:
        raise UsageError(f"every must be a whole number of snapshots >= 1, got {every}")
    return range(0, drawable.count, every)


def write_animation(
    traj: Trajectory,
    writer: FrameWriter,
    *,
    every: int = 1,
    dpi: float = 100,
    size: tuple[float, float] | None = None,
    curves: bool = True,
    field: bool = True,
    sample_arrows: bool = False,
    manifold: bool = True,
    critic_scale: str = "robust",
    progress: bool = True,
) -> int:
    """Draw the frames into ``writer`` and return their number; the caller closes the writer."""
    drawable = drawable_snapshots(traj)
    indices = frame_indices(drawable, every)
    layers = Layers(field=field, sample_arrows=sample_arrows, manifold=manifold, boundary=False)
    animation = AnimationFigure(
        traj, drawable, size=size, dpi=dpi, curves=curves, layers=layers, critic_scale=critic_scale
    )

    show_progress = progress and sys.stderr.isatty()
    for index in tqdm(indices, desc="frames", unit="frame", disable=not show_progress):
        writer.write(animation.frame(index))
    return len(indices)


def render_animation(
    traj: Trajectory,
    out: str | Path | None,
    *,
    every: int = 1,
    fps: float = 10,
    dpi: float = 100,
    size: tuple[float, float] | None = None,
    curves: bool = True,
    field: bool = True,
    sample_arrows: bool = False,
    manifold: bool = True,
    critic_scale: str = "robust",
    progress: bool = True,
) -> Path:
    """Write the animation to ``out`` (.mp4 or .gif) and return the path.

    Options:

    * ``every``: keep every n-th snapshot.
    * ``fps``: frames per second.
    * ``dpi``: pixels per inch.
    * ``size``: (width, height) in inches, default (6.0, 6.6), or (6.0, 5.2)
      without ``curves``, the loss strip with a cursor at the current step.
    * ``field``, ``sample_arrows``, ``manifold``: the optional layers.
    * ``critic_scale``: "robust" or "symmetric", for critic and raw outputs.
    * ``progress``: show a progress bar when stderr is a terminal.
    """
    if out is None:
        raise UsageError("an animation needs an output path ending in .mp4 or .gif")
    out = Path(out)
    with open_writer(out, fps=fps) as writer:
        count = write_animation(
            traj, writer, every=every, dpi=dpi, size=size, curves=curves, field=field,
            sample_arrows=sample_arrows, manifold=manifold, critic_scale=critic_scale,
            progress=progress,
        )
    logger.debug("animation of %d frames at %s fps", count, fps)
    return out
