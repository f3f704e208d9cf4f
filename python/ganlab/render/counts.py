"""The counting view: generated samples beside real ones, and the count histogram over training.

For runs on ``count1d`` (signals, drawn as line plots) and ``count2d`` (images,
drawn as small heatmaps). The top row shows real samples and generated samples
of one snapshot, each titled with the count that ``count_objects`` finds. The
bottom row shows the recorded count histogram at every snapshot as a heatmap
over generator steps, and the current histogram against the data's as bars.
A .png, .pdf or .svg output draws one snapshot; an .mp4 or .gif output
draws one frame per snapshot.
"""

from __future__ import annotations

import logging
import math
import sys
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from tqdm import tqdm

from ganlab.counting.metrics import CountSetup
from ganlab.counting.recording import CountSeries, count_series
from ganlab.errors import UsageError
from ganlab.render.selection import drawable_snapshots, nearest_snapshot
from ganlab.render.style import (
    GENERATED_COLOR,
    REAL_COLOR,
    even_pixel_size,
    new_figure,
    save_figure,
)
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

DEFAULT_SIZE = (9.0, 6.4)
# Colour of a sample title whose count is not one of the data's counts.
WRONG_COUNT_COLOR = "#B00000"
HEATMAP_CMAP = "Greys"


class CountFigure:
    """The counting view's figure and artists, drawn for one snapshot at a time."""

    def __init__(self, traj: Trajectory, series: CountSeries, drawable_count: int, *,
                 samples: int = 8, columns: int | None = None, size=None, dpi: float = 150):
        if samples < 1:
            raise UsageError(f"samples must be at least 1, got {samples}")
        self.traj = traj
        self.series = series
        self.setup = CountSetup(series.kind, series.side, series.counts,
                                series.true[series.counts])
        shown = min(samples, traj.samples.shape[1], len(traj.real))
        columns = columns or min(shown, 4)
        rows = math.ceil(shown / columns)

        self.figure = new_figure(tuple(size or DEFAULT_SIZE), dpi)
        top, bottom = self.figure.subfigures(2, 1, height_ratios=[1.1, 1.0])
        real_part, generated_part = top.subfigures(1, 2, wspace=0.04)
        real = np.asarray(traj.real[:shown], dtype=np.float64)
        self.real_cells = self._sample_grid(real_part, rows, columns, real, REAL_COLOR,
                                            "real samples")
        start = np.asarray(traj.samples[0, :shown], dtype=np.float64)
        self.generated_cells = self._sample_grid(generated_part, rows, columns, start,
                                                 GENERATED_COLOR, "generated samples")
        self._title_counts(self.real_cells, real)

        self.heat_ax, self.bar_ax = bottom.subplots(1, 2)
        self._draw_heatmap(bottom, drawable_count)
        self._draw_bars()
        self.update(0)

    # Building ---------------------------------------------------------------

    def _sample_grid(self, part, rows: int, columns: int, values: np.ndarray, color: str,
                     title: str) -> list:
        part.suptitle(title, fontsize="medium")
        axes = np.atleast_1d(part.subplots(rows, columns)).ravel()
        cells = []
        for ax, sample in zip(axes, values):
            ax.set_xticks([])
            ax.set_yticks([])
            if self.series.kind == "count2d":
                side = self.series.side
                artist = ax.imshow(sample.reshape(side, side), cmap="magma", vmin=0.0, vmax=1.2,
                                   interpolation="nearest")
            else:
                (artist,) = ax.plot(sample, color=color, linewidth=1.0)
                ax.axhline(self.setup.threshold, color="0.6", linewidth=0.6, linestyle=":")
                ax.set_ylim(-0.3, 1.5)
                ax.set_xlim(0, len(sample) - 1)
            cells.append((ax, artist))
        for ax in axes[len(values):]:
            ax.set_visible(False)
        return cells

    def _title_counts(self, cells: list, values: np.ndarray) -> None:
        counts = self.setup.count(values)
        for (ax, _), count in zip(cells, counts):
            wrong = count not in self.series.counts
            ax.set_title(f"k = {int(count)}", fontsize="x-small", pad=2,
                         color=WRONG_COUNT_COLOR if wrong else "black")

    def _draw_heatmap(self, part, drawable_count: int) -> None:
        series = self.series
        ax = self.heat_ax
        steps = series.steps[:drawable_count]
        histogram = series.histogram[:drawable_count]
        if len(steps) > 1:
            edges = np.concatenate([steps[:1] - (steps[1] - steps[0]) / 2,
                                    (steps[1:] + steps[:-1]) / 2,
                                    steps[-1:] + (steps[-1] - steps[-2]) / 2])
        else:
            edges = np.array([steps[0] - 0.5, steps[0] + 0.5]) if len(steps) else np.array([0, 1])
        bin_edges = np.arange(len(series.bins) + 1) - 0.5
        mesh = ax.pcolormesh(edges, bin_edges, histogram.T if len(steps) else
                             np.zeros((len(series.bins), 1)), cmap=HEATMAP_CMAP, vmin=0.0,
                             vmax=1.0, shading="flat")
        ax.set_yticks(np.arange(len(series.bins)), series.bin_labels())
        # The data's counts get dark tick labels, the counts it never has grey ones.
        for label, count in zip(ax.get_yticklabels(), series.bins):
            label.set_color("black" if count in series.counts else "0.55")
        ax.set_xlabel("generator step")
        ax.set_ylabel("objects counted")
        ax.set_title("count histogram of generated samples", fontsize="small")
        part.colorbar(mesh, ax=ax, label="share of samples", shrink=0.9)
        self.cursor = ax.axvline(steps[0] if len(steps) else 0, color=GENERATED_COLOR,
                                 linewidth=1.2)

    def _draw_bars(self) -> None:
        series = self.series
        ax = self.bar_ax
        positions = np.arange(len(series.bins))
        width = 0.4
        ax.bar(positions - width / 2, series.true, width, color=REAL_COLOR, label="data")
        self.bars = ax.bar(positions + width / 2, np.zeros(len(positions)), width,
                           color=GENERATED_COLOR, hatch="///", edgecolor="#3A1500",
                           linewidth=0.4, label="generated")
        ax.set_xticks(positions, series.bin_labels())
        ax.set_ylim(0.0, 1.0)
        ax.set_xlabel("objects counted")
        ax.set_ylabel("share of samples")
        ax.legend(loc="upper right", fontsize="x-small")
        self.bar_title = ax.set_title(" ", fontsize="small")

    # Updating ---------------------------------------------------------------

    def update(self, index: int) -> None:
        """Show snapshot ``index``: its samples, its histogram and the cursor."""
        step = int(self.traj.steps[index])
        shown = len(self.generated_cells)
        values = np.asarray(self.traj.samples[index, :shown], dtype=np.float64)
        for (ax, artist), sample in zip(self.generated_cells, values):
            if self.series.kind == "count2d":
                side = self.series.side
                artist.set_data(sample.reshape(side, side))
            else:
                artist.set_ydata(sample)
        self._title_counts(self.generated_cells, values)

        row = self._series_row(step)
        histogram = self.series.histogram[row] if row is not None else np.full(
            len(self.series.bins), np.nan)
        for bar, height in zip(self.bars, histogram):
            bar.set_height(0.0 if not np.isfinite(height) else height)
        self.cursor.set_xdata([step, step])
        self.bar_title.set_text(f"count histogram at step {step}")

    def _series_row(self, step: int) -> int | None:
        matches = np.flatnonzero(self.series.steps == step)
        return int(matches[0]) if matches.size else None


def render_counts(
    traj: Trajectory,
    out: str | Path | None = None,
    *,
    step: int | None = None,
    samples: int = 8,
    columns: int | None = None,
    every: int = 1,
    fps: float = 5,
    size: tuple[float, float] | None = None,
    dpi: float | None = None,
    progress: bool = True,
) -> Figure | Path:
    """Draw the counting view of a count run; an .mp4 or .gif ``out`` gets one frame per snapshot.

    Options:

    * ``step``: generator step of a still figure (default: the last finite snapshot).
    * ``samples``: real and generated samples shown, in ``columns`` columns (default 4).
    * ``every``: keep every n-th snapshot as a frame, at ``fps`` frames per second.
    * ``size``: (width, height) in inches, default (9.0, 6.4).
    * ``dpi``: pixels per inch, default 150 for figures and 100 for animations.
    * ``progress``: show a progress bar when stderr is a terminal.

    Returns the figure, or the path of the animation.
    """
    series = count_series(traj)
    if series is None:
        raise UsageError(
            f"run {traj.path!r} was not trained on a count dataset (count1d, count2d), so it has "
            f"no count histograms; use the kinds overview, snapshot or animation"
        )
    drawable = drawable_snapshots(traj)
    animated = out is not None and Path(out).suffix.lower() in (".mp4", ".gif")

    if not animated:
        dpi = 150 if dpi is None else dpi
        view = CountFigure(traj, series, drawable.count, samples=samples, columns=columns,
                           size=size, dpi=dpi)
        view.update(nearest_snapshot(traj, drawable, step))
        if out is not None:
            save_figure(view.figure, out, dpi)
        return view.figure

    from ganlab.render.animation import frame_indices
    from ganlab.render.encoders import open_writer

    dpi = 100 if dpi is None else dpi
    if not dpi > 0:
        raise UsageError(f"dpi must be positive, got {dpi}")
    indices = frame_indices(drawable, every)
    size = even_pixel_size(tuple(size or DEFAULT_SIZE), dpi)
    view = CountFigure(traj, series, drawable.count, samples=samples, columns=columns,
                       size=size, dpi=dpi)
    view.figure.canvas.draw()
    # A fixed layout keeps the frames from shifting when titles change.
    view.figure.set_layout_engine("none")

    show_progress = progress and sys.stderr.isatty()
    out = Path(out)
    with open_writer(out, fps=fps) as writer:
        for index in tqdm(indices, desc="frames", unit="frame", disable=not show_progress):
            view.update(index)
            view.figure.canvas.draw()
            writer.write(np.asarray(view.figure.canvas.buffer_rgba()))
    logger.debug("counting animation of %d frames at %s fps", len(indices), fps)
    return out


from ganlab.render import ANIMATION_EXTENSIONS, FIGURE_EXTENSIONS, RENDER_KINDS  # noqa: E402

RENDER_KINDS.register(
    "counts",
    render_counts,
    extensions=FIGURE_EXTENSIONS + ANIMATION_EXTENSIONS,
    default_extension=".png",
    description="count toys: real and generated samples with their counts, and the count "
    "histogram over training (figure or animation)",
    source="Goodfellow 2016, NIPS 2016 Tutorial: Generative Adversarial Networks (counting)",
)
