"""The drawing of one snapshot on one axes, with artists built once and updated in place.

A scene creates its artists (surface image, real points, generated samples,
gradient arrows, generator manifold) when it is built and changes only their
data in ``update``. Overview panels, the snapshot figure and every frame of an
animation are drawn by scenes, so all three look the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection

from ganlab.render.style import (
    ARROW_COLOR,
    DISCRIMINATOR_COLOR,
    GENERATED_COLOR,
    MANIFOLD_COLOR,
    REAL_COLOR,
    SURFACE_CMAP,
    generated_scatter_style,
    label_data_axes,
    real_scatter_style,
)
from ganlab.render.surface import SurfaceScale
from ganlab.trajectory import Snapshot, Trajectory

logger = logging.getLogger(__name__)

HISTOGRAM_BINS = 60


@dataclass(frozen=True)
class Layers:
    """Optional layers of a scene, and a size factor for its markers."""

    field: bool = True
    sample_arrows: bool = False
    manifold: bool = True
    boundary: bool = False
    marker_scale: float = 1.0


def build_scene(ax, traj: Trajectory, scale: SurfaceScale, layers: Layers, limits: dict):
    """Build the scene for the trajectory's dimension; ``limits`` comes from ``scene_limits``."""
    if traj.dim == 1:
        return Scene1D(ax, traj, scale, layers, limits)
    return Scene2D(ax, traj, scale, layers, limits)


def scene_limits(traj: Trajectory, count: int) -> dict:
    """Compute ranges shared by all drawn snapshots (the first ``count``), so frames and panels compare.

    ``arrow_norm`` is the 99th percentile of the gradient norms, drawn as an
    arrow of 0.9 field-grid cells. ``density_max`` (1D) is the highest
    histogram density of real or generated points.
    """
    limits: dict = {"arrow_norm": 1.0, "density_max": 1.0}
    norms = []
    if traj.field is not None:
        field = traj.field[:count]
        norms.append(np.abs(field).ravel() if traj.dim == 1 else np.linalg.norm(field, axis=-1).ravel())
    if traj.sample_grad is not None:
        norms.append(np.linalg.norm(traj.sample_grad[:count], axis=-1).ravel())
    if norms:
        reference = float(np.percentile(np.concatenate(norms), 99))
        limits["arrow_norm"] = reference if reference > 0 else 1.0

    if traj.dim == 1:
        edges = histogram_edges(traj)
        peaks = [np.histogram(traj.real[:, 0], edges, density=True)[0].max()]
        for samples in traj.samples[:count]:
            values, _ = np.histogram(samples[:, 0], edges)
            peaks.append(values.max() / max(len(samples), 1) / np.diff(edges)[0])
        limits["density_max"] = float(max(peaks)) * 1.1 or 1.0
    return limits


def histogram_edges(traj: Trajectory) -> np.ndarray:
    """Bin edges for 1D histograms, spanning the surface grid."""
    grid = traj.grid_x
    if grid is None:
        grid = traj.real[:, 0]
    return np.linspace(float(np.min(grid)), float(np.max(grid)), HISTOGRAM_BINS + 1)


class Scene2D:
    """Surface image, real points, generated samples, ∇ₓD arrows and manifold mesh on 2D axes."""

    def __init__(self, ax, traj: Trajectory, scale: SurfaceScale, layers: Layers, limits: dict):
        self.ax = ax
        self.scale = scale
        self.layers = layers
        self.grid_x = traj.grid_x
        self.grid_y = traj.grid_y
        self.contour = None

        low, high = _data_box(traj)
        extent = (low[0], high[0], low[1], high[1])
        self.image = None
        if traj.discriminator is not None:
            shape = traj.discriminator.shape[1:]
            self.image = ax.imshow(
                np.zeros(shape),
                extent=extent,
                origin="lower",
                cmap=SURFACE_CMAP,
                norm=scale.norm,
                interpolation="bilinear",
                zorder=0,
            )

        size = layers.marker_scale
        real = traj.real
        self.real = ax.scatter(real[:, 0], real[:, 1], **real_scatter_style(7.0 * size))
        count = traj.samples.shape[1]
        self.samples = ax.scatter(np.zeros(count), np.zeros(count), **generated_scatter_style(16.0 * size))

        spacing = _field_spacing(traj)
        arrow_scale = limits["arrow_norm"] / (0.9 * spacing)
        self.quiver = None
        if layers.field and traj.field is not None:
            grid_x, grid_y = np.meshgrid(traj.field_x, traj.field_y)
            self.quiver = ax.quiver(
                grid_x, grid_y, np.zeros_like(grid_x), np.zeros_like(grid_y),
                angles="xy", scale_units="xy", scale=arrow_scale, pivot="mid",
                color=ARROW_COLOR, alpha=0.8, width=0.0035, headwidth=3.5, headlength=4,
                headaxislength=3.5, zorder=2, label="∇ₓD",
            )
        self.sample_quiver = None
        if layers.sample_arrows and traj.sample_grad is not None:
            zeros = np.zeros(count)
            self.sample_quiver = ax.quiver(
                zeros, zeros, zeros, zeros,
                angles="xy", scale_units="xy", scale=arrow_scale, pivot="tail",
                color=GENERATED_COLOR, width=0.003, headwidth=3.5, headlength=4,
                headaxislength=3.5, zorder=5, label="∇ₓD at samples",
            )

        self.manifold = None
        self.manifold_shape = _manifold_shape(traj)
        if layers.manifold and traj.manifold is not None:
            self.manifold = LineCollection(
                [], colors=MANIFOLD_COLOR, linewidths=0.8, alpha=0.9, zorder=4.5, label="G(latent grid)"
            )
            ax.add_collection(self.manifold)

        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        label_data_axes(ax, 2)

    def update(self, snapshot: Snapshot) -> None:
        """Show ``snapshot``: only the artists' data change."""
        if self.image is not None and snapshot.discriminator is not None:
            values = self.scale.transform(snapshot.discriminator)
            self.image.set_data(values)
            if self.layers.boundary:
                self._draw_boundary(values)

        self.samples.set_offsets(snapshot.samples[:, :2])

        if self.quiver is not None and snapshot.field is not None:
            self.quiver.set_UVC(snapshot.field[..., 0], snapshot.field[..., 1])

        if self.sample_quiver is not None and snapshot.sample_grad is not None:
            positions = np.asarray(snapshot.samples[:, :2], dtype=float)
            # Quiver keeps arrow tails in both its offsets and its XY array (the
            # latter is used to compute the "xy" angles), so both must move.
            self.sample_quiver.XY = positions
            self.sample_quiver.set_offsets(positions)
            self.sample_quiver.set_UVC(snapshot.sample_grad[:, 0], snapshot.sample_grad[:, 1])

        if self.manifold is not None and snapshot.manifold is not None:
            self.manifold.set_segments(_mesh_lines(snapshot.manifold[:, :2], self.manifold_shape))

    def _draw_boundary(self, values: np.ndarray) -> None:
        # A contour set cannot change its data, so the boundary is drawn anew.
        # Only the static figures enable it, never the animation.
        level = self.scale.boundary_level
        if self.contour is not None:
            self.contour.remove()
            self.contour = None
        if level is None or not values.min() < level < values.max():
            return
        self.contour = self.ax.contour(
            self.grid_x, self.grid_y, values, levels=[level],
            colors="white", linewidths=0.8, linestyles="--", zorder=1,
        )

    def legend_handles(self) -> list:
        """Artists for a legend, in drawing order."""
        handles = [self.real, self.samples]
        for artist in (self.quiver, self.sample_quiver, self.manifold):
            if artist is not None:
                handles.append(artist)
        return handles


class Scene1D:
    """Real density, generated histogram and the discriminator curve (on a twin axis) for 1D data."""

    def __init__(self, ax, traj: Trajectory, scale: SurfaceScale, layers: Layers, limits: dict):
        self.ax = ax
        self.scale = scale
        self.edges = histogram_edges(traj)
        real_density, _ = np.histogram(traj.real[:, 0], self.edges, density=True)

        self.real = ax.stairs(real_density, self.edges, color=REAL_COLOR, linewidth=1.2, label="real")
        self.samples = ax.stairs(
            np.zeros_like(real_density), self.edges, fill=True, color=GENERATED_COLOR,
            alpha=0.45, hatch="///", label="generated",
        )
        ax.set_xlim(self.edges[0], self.edges[-1])
        ax.set_ylim(0.0, limits["density_max"])
        ax.set_ylabel("density")
        label_data_axes(ax, 1)
        # The axes span the recorded surface grid, which generated samples can leave
        # (a Dirac GAN whose θ spirals outward). This note gives where they went.
        self.outside = ax.text(0.02, 0.97, "", transform=ax.transAxes, ha="left", va="top",
                               fontsize=7, color=GENERATED_COLOR, zorder=5)

        self.twin = ax.twinx()
        self.curve = None
        if traj.discriminator is not None:
            (self.curve,) = self.twin.plot(
                traj.grid_x, np.zeros_like(traj.grid_x), color=DISCRIMINATOR_COLOR,
                linewidth=1.4, label=scale.label,
            )
        self.twin.set_ylim(scale.norm.vmin, scale.norm.vmax)
        self.twin.set_ylabel(scale.label, color=DISCRIMINATOR_COLOR)
        self.twin.spines["right"].set_visible(True)

        self.quiver = None
        if layers.field and traj.field is not None:
            baseline = scale.norm.vmin + 0.06 * (scale.norm.vmax - scale.norm.vmin)
            positions = np.asarray(traj.field_x, dtype=float)
            spacing = float(np.min(np.diff(positions))) if len(positions) > 1 else 1.0
            self.quiver = self.twin.quiver(
                positions, np.full_like(positions, baseline), np.zeros_like(positions),
                np.zeros_like(positions), angles="uv", scale_units="x",
                scale=limits["arrow_norm"] / (0.9 * spacing), pivot="mid", color=ARROW_COLOR,
                width=0.004, zorder=3, label="∂D/∂x",
            )

        self.manifold = None
        if layers.manifold and traj.manifold is not None:
            (self.manifold,) = ax.plot(
                [], [], linestyle="none", marker="|", markersize=6, color=MANIFOLD_COLOR,
                transform=ax.get_xaxis_transform(), label="G(latent grid)",
            )

    def update(self, snapshot: Snapshot) -> None:
        """Show ``snapshot``: only the artists' data change."""
        counts, _ = np.histogram(snapshot.samples[:, 0], self.edges)
        density = counts / max(len(snapshot.samples), 1) / np.diff(self.edges)
        self.samples.set_data(density)
        self.outside.set_text(outside_note(snapshot.samples[:, 0], self.edges[0], self.edges[-1]))

        if self.curve is not None and snapshot.discriminator is not None:
            self.curve.set_ydata(self.scale.transform(snapshot.discriminator))
        if self.quiver is not None and snapshot.field is not None:
            self.quiver.set_UVC(snapshot.field, np.zeros_like(snapshot.field))
        if self.manifold is not None and snapshot.manifold is not None:
            points = snapshot.manifold[:, 0]
            self.manifold.set_data(points, np.full_like(points, 0.03))

    def legend_handles(self) -> list:
        """Artists for a legend, in drawing order."""
        handles = [self.real, self.samples]
        for artist in (self.curve, self.quiver, self.manifold):
            if artist is not None:
                handles.append(artist)
        return handles


def outside_note(values: np.ndarray, low: float, high: float) -> str:
    """Describe the generated samples left and right of [low, high] (empty when none)."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return ""
    parts = []
    below, above = values < low, values > high
    if below.any():
        parts.append(f"{below.mean():.0%} left of the axes (down to x = {values[below].min():.3g})")
    if above.any():
        parts.append(f"{above.mean():.0%} right of the axes (up to x = {values[above].max():.3g})")
    return "generated: " + "; ".join(parts) if parts else ""


def _data_box(traj: Trajectory) -> tuple[np.ndarray, np.ndarray]:
    """Return the plotted box: the surface grid, or the real data's range padded by 10 %."""
    if traj.grid_x is not None and traj.grid_y is not None:
        low = np.array([np.min(traj.grid_x), np.min(traj.grid_y)], dtype=float)
        high = np.array([np.max(traj.grid_x), np.max(traj.grid_y)], dtype=float)
        return low, high
    real = traj.real[:, :2]
    low, high = real.min(axis=0), real.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-9)
    return low - pad, high + pad


def _field_spacing(traj: Trajectory) -> float:
    spacings = []
    for axis in (traj.field_x, traj.field_y):
        if axis is not None and len(axis) > 1:
            spacings.append(float(np.min(np.abs(np.diff(axis)))))
    if spacings:
        return min(spacings)
    low, high = _data_box(traj)
    return float(np.min(high - low)) / 16.0


def _manifold_shape(traj: Trajectory) -> tuple[int, ...] | None:
    """Return the latent grid's shape: from ``attrs["manifold_shape"]``, else inferred.

    Without the attribute, a 1D latent gives a curve, and a 2D latent whose
    point count is a perfect square gives a square mesh. Any other manifold is
    drawn as one curve through the points in stored order.
    """
    if traj.manifold is None:
        return None
    count = traj.manifold.shape[1]
    shape = traj.attrs.get("manifold_shape")
    if shape is not None:
        shape = tuple(int(n) for n in shape)
        if int(np.prod(shape)) == count and len(shape) in (1, 2):
            return shape
        logger.warning("manifold_shape %s does not match %d manifold points; ignoring it", shape, count)

    latent = traj.manifold_latent
    side = int(round(np.sqrt(count)))
    if latent is not None and latent.shape[-1] == 2 and side * side == count:
        return (side, side)
    return (count,)


def _mesh_lines(points: np.ndarray, shape: tuple[int, ...]) -> list[np.ndarray]:
    """Split manifold points into polylines: one curve, or the rows and columns of a mesh."""
    if len(shape) == 1:
        return [points]
    grid = points.reshape(shape[0], shape[1], 2)
    rows = [grid[i] for i in range(shape[0])]
    columns = [grid[:, j] for j in range(shape[1])]
    return rows + columns
