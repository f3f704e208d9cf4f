"""The field view: the game's vector field in parameter space with the recorded paths on top.

For a two-parameter game (the Dirac GAN: θ and ψ) the plane is the parameter
plane itself and the field is exact. For larger models the plane passes
through the mean of the recorded parameter path and is spanned by its first
two principal components. The arrows are the field evaluated on that plane
and projected onto it, so they show the motion within the plane only.

The field is evaluated by ``ganlab.dynamics.field``, which runs the game's own
loss code, so regularizers are included. Runs whose configs define the same
game (see ``game_key``) share one panel, and runs of different games get one
panel each.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from ganlab.dynamics.field import field_from_config, field_on_plane
from ganlab.dynamics.params import parameter_path, principal_components
from ganlab.errors import UsageError
from ganlab.render.dynamics_views import (RUN_COLORS, as_list, finish, frame_steps, game_key,
                                          is_animation, make_figure, run_labels)
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

LAYOUTS = ("auto", "overlay", "panels")
FIELD_COLOR = "#9A9A9A"
STATIONARY_COLOR = "#000000"
# Margin around the paths, as a fraction of their extent.
PADDING = 0.15
# Axis labels of the Dirac GAN's parameters, in the notation of Mescheder et al. 2018.
PARAMETER_SYMBOLS = {"generator.theta": "θ (generator)", "discriminator.psi": "ψ (discriminator)"}


class _Panel:
    """One axes: a plane, the field on it and the paths of its runs."""

    def __init__(self, ax, runs: list[int], paths, labels: list[str], origin, basis, axis_labels):
        self.ax = ax
        self.runs = runs
        self.origin = origin
        self.basis = basis
        self.coordinates = [(paths[i].values - origin) @ basis.T for i in runs]
        self.steps = [paths[i].steps for i in runs]
        self.lines = []
        self.heads = []
        for slot, run in enumerate(runs):
            color = RUN_COLORS[run % len(RUN_COLORS)]
            xy = self.coordinates[slot]
            (line,) = ax.plot(xy[:, 0], xy[:, 1], color=color, linewidth=1.3, label=labels[run],
                              zorder=3)
            ax.plot(xy[0, 0], xy[0, 1], "o", color=color, markersize=5, zorder=4)
            (head,) = ax.plot(xy[-1, 0], xy[-1, 1], "X", color=color, markersize=7,
                              markeredgecolor="white", markeredgewidth=0.6, zorder=5)
            self.lines.append(line)
            self.heads.append(head)
        ax.set_xlabel(axis_labels[0])
        ax.set_ylabel(axis_labels[1])

    def extent(self) -> tuple[np.ndarray, np.ndarray]:
        points = np.concatenate(self.coordinates)
        low, high = points.min(axis=0), points.max(axis=0)
        span = np.maximum(high - low, 1e-3)
        return low - PADDING * span, high + PADDING * span

    def update(self, step: int | None) -> None:
        for slot in range(len(self.runs)):
            xy, steps = self.coordinates[slot], self.steps[slot]
            keep = slice(None) if step is None else steps <= step
            shown = xy[keep]
            if len(shown) == 0:
                shown = xy[:1]
            self.lines[slot].set_data(shown[:, 0], shown[:, 1])
            self.heads[slot].set_data([shown[-1, 0]], [shown[-1, 1]])


def _plane(paths, runs: list[int]):
    """Return (origin, basis (2, P), axis labels) of the plane for ``runs``."""
    size = paths[runs[0]].values.shape[1]
    if size == 2:
        labels = [PARAMETER_SYMBOLS.get(label, label) for label in paths[runs[0]].labels]
        return np.zeros(2), np.eye(2), labels
    values = np.concatenate([paths[i].values for i in runs])
    components = principal_components(values, 2)
    labels = [f"PC{k + 1} ({100 * components.explained[k]:.0f} % of the path's variance)"
              for k in range(2)]
    return components.mean, components.components, labels


def _stationary_point(traj: Trajectory) -> np.ndarray | None:
    """Return (θ, ψ) = (c, 0) for the one-dimensional Dirac GAN without bias, else None."""
    config = traj.config
    if (config.get("generator", {}).get("kind") == "dirac"
            and config.get("discriminator", {}).get("kind") == "linear"
            and not config["discriminator"].get("bias")
            and config.get("data", {}).get("name") == "dirac"
            and len(config["data"].get("position", [])) == 1):
        return np.array([config["data"]["position"][0], 0.0])
    return None


def render_field(
    trajs: Trajectory | Sequence[Trajectory],
    out: str | Path | None = None,
    *,
    grid: int = 21,
    arrows: bool = False,
    layout: str = "auto",
    size: tuple[float, float] | None = None,
    dpi: float = 150,
    fps: float = 10.0,
    every: int = 1,
    progress: bool = True,
) -> Figure | Path:
    """Draw the vector field of each run's game with its recorded parameter path.

    ``grid`` is the number of field points per axis, and ``arrows`` draws
    arrows instead of streamlines. ``layout`` is "auto" (one panel for runs of
    the same game, else one panel per run), "overlay" or "panels". With an .mp4 or .gif
    ``out`` the paths grow over the snapshots of the first run (``fps``
    frames per second, every ``every``-th snapshot). Returns the figure, or
    the animation's path.
    """
    trajs = as_list(trajs)
    if layout not in LAYOUTS:
        raise UsageError(f"layout {layout!r} is not one of {', '.join(LAYOUTS)}")
    if not 3 <= grid <= 200:
        raise UsageError(f"grid must be between 3 and 200 points per axis, got {grid}")
    paths = [parameter_path(traj) for traj in trajs]
    labels = run_labels(trajs)
    keys = [game_key(traj) for traj in trajs]
    same_game = len(set(keys)) == 1
    if layout == "overlay" and not same_game:
        raise UsageError("layout 'overlay' needs runs of one game (same data, networks, loss and "
                         "regularizers); use layout 'panels'")
    if layout == "overlay" or (layout == "auto" and same_game):
        groups = [list(range(len(trajs)))]
    else:
        groups = [[i] for i in range(len(trajs))]

    columns = min(len(groups), 3)
    rows = -(-len(groups) // columns)
    animated = is_animation(out)
    figure = make_figure(size or (4.8 * columns + 0.4, 4.4 * rows + 0.4), dpi if not animated
                         else min(dpi, 100), animated)
    panels = []
    for index, runs in enumerate(groups):
        ax = figure.add_subplot(rows, columns, index + 1)
        origin, basis, axis_labels = _plane(paths, runs)
        panel = _Panel(ax, runs, paths, labels, origin, basis, axis_labels)
        _draw_field(ax, trajs[runs[0]], panel, grid, arrows)
        stationary = _stationary_point(trajs[runs[0]])
        if stationary is not None and paths[runs[0]].values.shape[1] == 2:
            ax.plot(*stationary, marker="*", color=STATIONARY_COLOR, markersize=11,
                    linestyle="none", label="equilibrium", zorder=6)
        ax.legend(loc="upper right", fontsize=7, framealpha=0.85)
        panels.append(panel)

    title = figure.suptitle(" ")

    def update(step: int | None) -> None:
        for panel in panels:
            panel.update(step)
        title.set_text("game vector field" if step is None else f"game vector field, step {step}")

    update(None)
    steps = frame_steps(trajs[0], every) if animated else np.zeros(0)
    return finish(figure, out, dpi if not animated else min(dpi, 100), steps, update, fps,
                  progress)


def _draw_field(ax, traj: Trajectory, panel: _Panel, grid: int, arrows: bool) -> None:
    low, high = panel.extent()
    stationary = _stationary_point(traj)
    if stationary is not None and panel.basis.shape[1] == 2:
        low, high = np.minimum(low, stationary - 0.1), np.maximum(high, stationary + 0.1)
    xs = np.linspace(low[0], high[0], grid)
    ys = np.linspace(low[1], high[1], grid)
    field = field_from_config(traj.config)
    u, w = field_on_plane(field, panel.origin, panel.basis, xs, ys)
    speed = np.hypot(u, w)
    if arrows:
        scale = np.where(speed > 0, speed, 1.0)
        ax.quiver(xs, ys, u / scale, w / scale, speed, cmap="Greys", pivot="mid", width=0.003,
                  zorder=1)
    else:
        ax.streamplot(xs, ys, u, w, color=FIELD_COLOR, linewidth=0.7, density=1.1,
                      arrowsize=0.8, zorder=1)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    if panel.basis.shape[1] == 2:
        # Both axes are parameters of one game: equal scales keep rotations circular.
        ax.set_aspect("equal", adjustable="box")
