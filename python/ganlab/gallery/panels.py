"""Drawing helpers shared by the gallery figures: small multiples of snapshots, labels, legends.

Labels use matplotlib mathtext (``$x_1$``), which also renders under
``text.usetex``; Unicode subscripts would not.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ganlab.render.scene import Layers, build_scene, scene_limits
from ganlab.render.style import GENERATED_COLOR, REAL_COLOR
from ganlab.render.surface import SurfaceScale, surface_scale
from ganlab.trajectory import Trajectory

# Width of the figure below which a gallery figure uses its one-column layout, in inches.
NARROW_WIDTH = 5.0


def is_narrow(figure: Figure) -> bool:
    """Return whether ``figure`` is one-column wide (see ``NARROW_WIDTH``)."""
    return figure.get_figwidth() < NARROW_WIDTH


def nearest_snapshot(traj: Trajectory, step: float) -> int:
    """Return the index of the recorded snapshot nearest to generator step ``step``."""
    steps = np.asarray(traj.steps, dtype=float)
    return int(np.argmin(np.abs(steps - step)))


def column_steps(traj: Trajectory, columns: int) -> list[int]:
    """Return ``columns`` snapshot indices evenly spaced over the run, first and last included."""
    last = float(traj.steps[-1])
    return [nearest_snapshot(traj, last * k / max(columns - 1, 1)) for k in range(columns)]


def metric_at(traj: Trajectory, name: str, step: int) -> float | None:
    """Return metric ``name`` recorded at ``step``, or None when it was not recorded."""
    metrics = traj.metrics
    if name not in metrics or "step" not in metrics:
        return None
    matches = np.flatnonzero(np.asarray(metrics["step"]) == step)
    if matches.size == 0:
        return None
    value = float(np.asarray(metrics[name])[matches[0]])
    return value if np.isfinite(value) else None


def modes_note(traj: Trajectory, step: int, short: bool = False) -> str:
    """Return "k/K modes" at ``step``, unless ``short`` with the share of high-quality samples ("hq").

    Returns "" when the run recorded no mode metrics.
    """
    covered = metric_at(traj, "modes_covered", step)
    modes = traj.modes
    if covered is None or modes is None:
        return ""
    note = f"{int(round(covered))}/{len(modes['centers'])} modes"
    quality = metric_at(traj, "high_quality", step)
    if quality is not None and not short:
        note += f"\n{100 * quality:.0f}% hq"
    return note


def shared_scale(trajs: Sequence[Trajectory], critic_scale: str = "robust") -> SurfaceScale:
    """Return one surface scale for all runs, so equal colours mean equal values across rows."""
    surfaces = [traj.discriminator for traj in trajs if traj.discriminator is not None]
    stacked = np.concatenate([s.reshape(len(s), -1) for s in surfaces], axis=1) if surfaces else None
    return surface_scale(trajs[0], stacked, critic_scale)


def clean_axes(ax) -> None:
    """Remove ticks and axis labels: the small multiples share one data box."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


def corner_note(ax, text: str, *, loc: str = "lower right", fontsize: float = 6.5) -> None:
    """Write a small note in a corner of ``ax`` on a light box, readable over any surface."""
    if not text:
        return
    x = 0.97 if "right" in loc else 0.03
    y = 0.04 if "lower" in loc else 0.96
    note = ax.text(x, y, text, transform=ax.transAxes, fontsize=fontsize,
                   ha="right" if "right" in loc else "left",
                   va="bottom" if "lower" in loc else "top",
                   bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none",
                         "alpha": 0.8}, zorder=10)
    # A note may be wider than a small panel; left in the layout it would shrink every panel.
    note.set_in_layout(False)


def data_legend(figure: Figure, extra: Sequence[tuple] = (), ncols: int | None = None) -> None:
    """Add the legend of real and generated points (plus ``extra`` (handle, label) pairs) below."""
    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=3, color=REAL_COLOR,
               markeredgecolor="white", markeredgewidth=0.3),
        Line2D([], [], linestyle="none", marker="o", markersize=4, color=GENERATED_COLOR,
               markeredgecolor="#3A1500", markeredgewidth=0.3),
    ]
    labels = ["real data", "generated samples"]
    for handle, label in extra:
        handles.append(handle)
        labels.append(label)
    figure.legend(handles, labels, loc="outside lower center", ncols=ncols or len(handles),
                  handletextpad=0.3, columnspacing=1.2)


def snapshot_grid(figure: Figure, trajs: Sequence[Trajectory], row_labels: Sequence[str],
                  columns: int, *, layers: Layers | None = None, notes: bool = True,
                  colorbar: bool = True, critic_scale: str = "robust") -> list[list]:
    """Draw runs as rows and evenly spaced snapshots as columns; return the axes by row.

    Every panel shows the discriminator's surface (one colour scale for all
    runs), the real data and the generated samples. With ``notes``, each panel
    also gets the modes covered and the share of high-quality samples, when
    the run recorded them.
    """
    layers = layers or Layers(field=False, manifold=False, boundary=False,
                              marker_scale=_marker_scale(figure, columns))
    scale = shared_scale(trajs, critic_scale)
    narrow = is_narrow(figure)
    grid = figure.add_gridspec(len(trajs), columns)
    axes_by_row = []
    image = None
    for row, (traj, label) in enumerate(zip(trajs, row_labels)):
        limits = scene_limits(traj, len(traj))
        row_axes = []
        for column, index in enumerate(column_steps(traj, columns)):
            ax = figure.add_subplot(grid[row, column])
            scene = build_scene(ax, traj, scale, layers, limits)
            snapshot = traj.snapshot(index)
            scene.update(snapshot)
            image = scene.image or image
            clean_axes(ax)
            if row == 0:
                ax.set_title(f"step {snapshot.step:,}")
            if column == 0:
                ax.set_ylabel(label)
            if notes:
                corner_note(ax, modes_note(traj, snapshot.step, short=narrow), fontsize=5.5)
            row_axes.append(ax)
        axes_by_row.append(row_axes)

    if colorbar and image is not None:
        all_axes = [ax for row_axes in axes_by_row for ax in row_axes]
        # Narrow figures need their width for the panels, so the colorbar goes below them.
        location = "bottom" if narrow else "right"
        bar = figure.colorbar(image, ax=all_axes, shrink=0.6 if narrow else 0.85, pad=0.015,
                              aspect=30 if narrow else 25, location=location)
        bar.set_label(_scale_label(scale))
    return axes_by_row


def _marker_scale(figure: Figure, columns: int) -> float:
    """Scale markers with the panel width, so that small panels are not covered by dots."""
    panel_inches = figure.get_figwidth() / max(columns, 1)
    return float(np.clip(panel_inches / 2.0, 0.2, 1.0)) * 0.6


def _scale_label(scale: SurfaceScale) -> str:
    if scale.output == "logit":
        return r"$D(x)$"
    if scale.output == "critic":
        return r"critic $f(x)$"
    return r"$D(x)$"
