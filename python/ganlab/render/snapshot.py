"""The snapshot figure: one recorded step in detail.

It shows the discriminator's surface, the ∇ₓD arrows on the coarse field grid,
optionally the same gradient at each generated sample, and the generator
manifold: the image of a latent grid, drawn as a mesh of lines for a 2D latent
grid and as a curve for a 1D one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from matplotlib.figure import Figure

from ganlab.render.scene import Layers, build_scene, scene_limits
from ganlab.render.selection import drawable_snapshots, nearest_snapshot
from ganlab.render.style import new_figure, save_figure
from ganlab.render.surface import surface_scale
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)


def render_snapshot(
    traj: Trajectory,
    out: str | Path | None = None,
    *,
    step: int | None = None,
    field: bool = True,
    sample_arrows: bool = False,
    manifold: bool = True,
    boundary: bool = True,
    critic_scale: str = "robust",
    size: tuple[float, float] | None = None,
    dpi: float = 150,
) -> Figure:
    """Draw the snapshot nearest to generator step ``step`` (default: the last finite one).

    Options: ``field`` draws ∇ₓD on the field grid, ``sample_arrows`` draws it
    at the generated samples, and ``manifold`` draws the generator manifold.
    ``boundary`` draws the decision boundary D(x) = 1/2 for logit outputs.
    ``critic_scale`` is "robust" or "symmetric" for critic and raw outputs.
    The colour scale and arrow lengths are shared with the other snapshots of
    the run. ``size`` is (width, height) in inches, default (5.6, 5.2); ``dpi``
    sets the pixel density of PNG output. Returns the figure, written to
    ``out`` first when given.
    """
    drawable = drawable_snapshots(traj)
    index = nearest_snapshot(traj, drawable, step)
    snapshot = traj.snapshot(index)

    figure = new_figure(tuple(size or (5.6, 5.2)), dpi)
    ax = figure.add_subplot()
    surfaces = None if traj.discriminator is None else traj.discriminator[: drawable.count]
    scale = surface_scale(traj, surfaces, critic_scale)
    layers = Layers(field=field, sample_arrows=sample_arrows, manifold=manifold, boundary=boundary)
    scene = build_scene(ax, traj, scale, layers, scene_limits(traj, drawable.count))
    scene.update(snapshot)

    if traj.dim == 2 and scene.image is not None:
        figure.colorbar(scene.image, ax=ax, shrink=0.85, label=scale.label)
    figure.legend(handles=scene.legend_handles(), loc="outside lower center", ncols=3, markerscale=1.3)

    title = f"step {snapshot.step}"
    if drawable.note:
        title = f"{title} ({drawable.note})"
    ax.set_title(title)

    if out is not None:
        save_figure(figure, out, dpi)
    return figure
