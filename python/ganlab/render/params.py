"""The parameter view: each run's parameter path projected onto its principal components.

Left panel: the path of both players' flattened parameters in the plane of
its first two principal components (fitted on the recorded path), coloured by
generator step, from a circle (start) to a cross (end). A spiral inward is
convergence, a closed loop is rotation, a spiral outward is divergence.
Right panel: the coordinates along the first three components over steps;
oscillating coordinates show rotation. The axis labels give the fraction of
the path's variance each component explains.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from ganlab.dynamics.params import parameter_path, principal_components
from ganlab.render.dynamics_views import (RUN_COLORS, as_list, finish, frame_steps,
                                          is_animation, make_figure, run_labels)
from ganlab.render.style import CURVE_STYLES
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

STEP_CMAP = "viridis"
COMPONENTS_OVER_STEPS = 3


class _ParamsRow:
    """The plane panel and the components-over-steps panel of one run."""

    def __init__(self, plane_ax, steps_ax, path, label: str, norm: Normalize):
        self.steps = path.steps
        components = principal_components(path.values, COMPONENTS_OVER_STEPS)
        xy = components.projected[:, :2] if components.projected.shape[1] >= 2 else np.column_stack(
            [components.projected[:, 0], np.zeros(len(path.steps))])
        self.xy = xy
        segments = np.stack([xy[:-1], xy[1:]], axis=1) if len(xy) > 1 else np.zeros((0, 2, 2))
        self.segments = segments
        self.collection = LineCollection(segments, cmap=STEP_CMAP, norm=norm, linewidths=1.4)
        self.collection.set_array(self.steps[1:] if len(self.steps) > 1 else np.zeros(0))
        plane_ax.add_collection(self.collection)
        plane_ax.plot(xy[0, 0], xy[0, 1], "o", color="black", markersize=5, label="start")
        (self.head,) = plane_ax.plot(xy[-1, 0], xy[-1, 1], "X", color="black", markersize=7,
                                     markeredgecolor="white", label="end")
        low, high = xy.min(axis=0), xy.max(axis=0)
        span = np.maximum(high - low, 1e-9)
        plane_ax.set_xlim(low[0] - 0.08 * span[0], high[0] + 0.08 * span[0])
        plane_ax.set_ylim(low[1] - 0.08 * span[1], high[1] + 0.08 * span[1])
        explained = components.explained
        plane_ax.set_xlabel(f"PC1 ({100 * explained[0]:.0f} % of variance)")
        plane_ax.set_ylabel(f"PC2 ({100 * explained[1]:.0f} % of variance)")
        plane_ax.set_title(f"parameter path ({label}, {path.values.shape[1]} parameters)",
                           fontsize=9)
        plane_ax.legend(loc="best", fontsize=7, framealpha=0.85)

        self.lines = []
        count = min(COMPONENTS_OVER_STEPS, components.projected.shape[1])
        for k in range(count):
            (line,) = steps_ax.plot(self.steps, components.projected[:, k],
                                    color=RUN_COLORS[k % len(RUN_COLORS)],
                                    linestyle=CURVE_STYLES[k % len(CURVE_STYLES)], linewidth=1.0,
                                    label=f"PC{k + 1} ({100 * explained[k]:.0f} %)")
            self.lines.append(line)
        self.cursor = steps_ax.axvline(self.steps[-1], color="#555555", linewidth=0.8)
        steps_ax.set_xlabel("generator step")
        steps_ax.set_ylabel("coordinate")
        steps_ax.legend(loc="best", fontsize=7, framealpha=0.85)

    def update(self, step: int | None) -> None:
        count = len(self.steps) if step is None else max(1, int(np.sum(self.steps <= step)))
        self.collection.set_segments(self.segments[: count - 1])
        self.collection.set_array(self.steps[1:count])
        self.head.set_data([self.xy[count - 1, 0]], [self.xy[count - 1, 1]])
        self.cursor.set_xdata([self.steps[count - 1]] * 2)


def render_params(
    trajs: Trajectory | Sequence[Trajectory],
    out: str | Path | None = None,
    *,
    size: tuple[float, float] | None = None,
    dpi: float = 150,
    fps: float = 10.0,
    every: int = 1,
    progress: bool = True,
) -> Figure | Path:
    """Draw each run's parameter path in its principal-component plane and over steps.

    With an .mp4 or .gif ``out`` the path grows over the snapshots of the
    first run (``fps`` frames per second, every ``every``-th snapshot).
    Returns the figure, or the animation's path.
    """
    trajs = as_list(trajs)
    paths = [parameter_path(traj) for traj in trajs]
    labels = run_labels(trajs)
    animated = is_animation(out)
    dpi = min(dpi, 100) if animated else dpi
    rows = len(trajs)
    figure = make_figure(size or (10.0, 4.2 * rows + 0.5), dpi, animated)
    last = max(int(path.steps[-1]) for path in paths)
    norm = Normalize(0, max(last, 1))
    panels = []
    for row, (path, label) in enumerate(zip(paths, labels)):
        plane_ax = figure.add_subplot(rows, 2, 2 * row + 1)
        steps_ax = figure.add_subplot(rows, 2, 2 * row + 2)
        panels.append(_ParamsRow(plane_ax, steps_ax, path, label, norm))
    figure.colorbar(panels[0].collection, ax=[ax for ax in figure.axes[0::2]], shrink=0.8,
                    label="generator step")
    title = figure.suptitle(" ")

    def update(step: int | None) -> None:
        for panel in panels:
            panel.update(step)
        title.set_text("parameter path" if step is None else f"parameter path, step {step}")

    update(None)
    steps = frame_steps(trajs[0], every) if animated else np.zeros(0)
    return finish(figure, out, dpi, steps, update, fps, progress)
