"""The overview figure: snapshots over training time as small multiples, with loss curves below.

Each panel shows the discriminator's surface with the real data and the
generated samples on top, in the style of the rows of snapshots in Metz et al.
(2016), "Unrolled Generative Adversarial Networks", Fig. 1. For 1D data a panel
shows the real density, the generated histogram and the discriminator's curve.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from matplotlib.figure import Figure

from ganlab.errors import UsageError
from ganlab.render.curves import CurvePanel, select_series
from ganlab.render.phases import diagnosed_phases, shade_phases
from ganlab.render.scene import Layers, build_scene, scene_limits
from ganlab.render.selection import drawable_snapshots, evenly_spaced
from ganlab.render.style import new_figure, save_figure
from ganlab.render.surface import surface_scale
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

PANEL_INCHES = 2.0
CURVES_INCHES = 1.7


def render_overview(
    traj: Trajectory,
    out: str | Path | None = None,
    *,
    panels: int = 6,
    columns: int | None = None,
    scalars: list[str] | None = None,
    critic_scale: str = "robust",
    field: bool = False,
    manifold: bool = False,
    boundary: bool = True,
    size: tuple[float, float] | None = None,
    dpi: float = 150,
    phases: bool = True,
) -> Figure:
    """Draw ``panels`` evenly spaced snapshots (first and last included) and the loss curves.

    Options: ``columns`` panels per row (default: all in one row, at most 8);
    ``scalars`` extra scalar series to plot next to the losses; ``critic_scale``
    "robust" or "symmetric" for critic and raw outputs; ``field`` and
    ``manifold`` add the ∇ₓD arrows and the generator manifold to each panel;
    ``boundary`` draws the decision boundary D(x) = 1/2 for logit outputs.
    ``size`` is (width, height) in inches, by default 2.0 in per panel column
    plus 0.9 in for the colorbar, and 2.0 in per panel row plus 1.7 in for the
    curves. ``dpi`` sets the pixel density of PNG output. ``phases`` shades the
    phases that ``ganlab.diagnosis`` labels on the curves (skipped when the
    run cannot be diagnosed). Returns the figure, written to ``out`` first
    when given.
    """
    drawable = drawable_snapshots(traj)
    chosen = evenly_spaced(drawable.count, panels)
    if columns is None:
        columns = min(len(chosen), 8)
    if columns < 1:
        raise UsageError(f"columns must be at least 1, got {columns}")
    columns = min(columns, len(chosen))
    rows = math.ceil(len(chosen) / columns)
    series = select_series(traj, scalars)

    if size is None:
        size = (PANEL_INCHES * columns + 0.9, PANEL_INCHES * rows + CURVES_INCHES + 0.5)
    figure = new_figure(tuple(size), dpi)
    grid = figure.add_gridspec(rows + 1, columns, height_ratios=[1.0] * rows + [0.85])

    surfaces = None if traj.discriminator is None else traj.discriminator[: drawable.count]
    scale = surface_scale(traj, surfaces, critic_scale)
    limits = scene_limits(traj, drawable.count)
    layers = Layers(field=field, manifold=manifold, boundary=boundary, marker_scale=0.55)

    scenes = []
    panel_axes = []
    first = None
    for position, index in enumerate(chosen):
        ax = figure.add_subplot(grid[position // columns, position % columns], sharex=first, sharey=first)
        first = first or ax
        scene = build_scene(ax, traj, scale, layers, limits)
        snapshot = traj.snapshot(index)
        scene.update(snapshot)
        ax.set_title(f"step {snapshot.step}")
        _label_outer(ax, position, columns, rows, len(chosen))
        if traj.dim == 1 and position % columns != columns - 1 and position != len(chosen) - 1:
            scene.twin.set_ylabel("")
            scene.twin.tick_params(labelright=False)
        scenes.append(scene)
        panel_axes.append(ax)

    if traj.dim == 2 and scenes[0].image is not None:
        figure.colorbar(scenes[0].image, ax=panel_axes, shrink=0.9, label=scale.label)
    figure.legend(
        handles=scenes[0].legend_handles(), loc="outside lower center", ncols=5, markerscale=1.5
    )

    curves_ax = figure.add_subplot(grid[rows, :])
    curves = CurvePanel(curves_ax, traj, series)
    curves.mark_steps([int(traj.steps[i]) for i in chosen])
    curves.mark_divergence(drawable.diverged_step)
    if phases:
        shade_phases(curves_ax, diagnosed_phases(traj))

    title = _run_title(traj)
    if drawable.note:
        title = f"{title} ({drawable.note})" if title else drawable.note
    if title:
        figure.suptitle(title)

    if out is not None:
        save_figure(figure, out, dpi)
    return figure


def _label_outer(ax, position: int, columns: int, rows: int, total: int) -> None:
    """Keep tick labels and axis labels on the outer panels only."""
    last_row_start = (rows - 1) * columns
    if position % columns != 0:
        ax.set_ylabel("")
        ax.tick_params(labelleft=False)
    if position < last_row_start and position + columns < total:
        ax.set_xlabel("")
        ax.tick_params(labelbottom=False)


def _run_title(traj: Trajectory) -> str:
    path = traj.path
    if not path or path.startswith("<"):
        return ""
    from ganlab.store import STORE_NAMES

    store = Path(path)
    # A store inside a run directory is named after the run, not "trajectory.zarr".
    return store.parent.name if store.name in STORE_NAMES.values() else store.name
