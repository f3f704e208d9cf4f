"""A synthetic trajectory with closed-form arrays, for examples, tests and benchmarks.

The real data is a ring of 8 Gaussian modes. The "generator" maps its latent
points to a small blob whose centre travels around the ring, so the samples
hop from mode to mode like a collapsing GAN. The discriminator's logit is a sum
of Gaussian bumps, positive on the real modes and negative on the blob, and
the stored field and sample gradients are its exact input gradient. The
arrays follow the store schema, so every renderer can draw the result.
"""

from __future__ import annotations

import json

import numpy as np

from ganlab.trajectory import Trajectory

RING_RADIUS = 2.0
MODE_STD = 0.05
BUMP_WIDTH = 0.5
BLOB_WIDTH = 0.6
BLOB_SPREAD = 0.25


def demo_trajectory(
    *,
    snapshots: int = 12,
    samples: int = 256,
    grid: int = 64,
    field_grid: int = 16,
    real: int = 512,
    dim: int = 2,
    loss: str = "nonsaturating",
    diverge_at: int | None = None,
    manifold_shape: tuple[int, ...] | None = None,
    steps_per_snapshot: int = 100,
    seed: int = 0,
) -> Trajectory:
    """Build the synthetic trajectory in memory.

    ``grid`` and ``field_grid`` are the points per axis of the surface and of
    the arrow grid. ``diverge_at`` makes snapshots from that index on hold NaN
    and infinity, with status "diverged". ``manifold_shape`` is the latent grid,
    (a, b) by default for 2D data and (a,) for 1D data.
    """
    rng = np.random.default_rng(seed)
    steps = np.arange(snapshots, dtype=np.int64) * steps_per_snapshot
    angles = 2 * np.pi * np.arange(8) / 8
    if dim == 2:
        centers = RING_RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    else:
        centers = np.linspace(-RING_RADIUS, RING_RADIUS, 4)[:, None]
    modes = len(centers)

    real_points = centers[rng.integers(0, modes, real)] + MODE_STD * rng.standard_normal((real, dim))
    latent = rng.standard_normal((samples, dim))
    if manifold_shape is None:
        manifold_shape = (9, 9) if dim == 2 else (41,)
    axes = [np.linspace(-2.0, 2.0, n) for n in manifold_shape]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(manifold_shape))
    manifold_latent = mesh if mesh.shape[1] == dim else np.pad(mesh, ((0, 0), (0, dim - mesh.shape[1])))

    extent = RING_RADIUS + 1.0
    grid_axis = np.linspace(-extent, extent, grid)
    field_axis = np.linspace(-extent, extent, field_grid)
    if dim == 2:
        grid_points = np.stack(np.meshgrid(grid_axis, grid_axis), axis=-1)  # (H, W, 2)
        field_points = np.stack(np.meshgrid(field_axis, field_axis), axis=-1)
    else:
        grid_points = grid_axis[:, None]
        field_points = field_axis[:, None]

    series = {name: [] for name in ("samples", "discriminator", "field", "sample_grad", "manifold")}
    for t in range(snapshots):
        blob = _blob_center(t, snapshots, dim)
        generated = blob + BLOB_SPREAD * latent
        series["samples"].append(generated)
        series["manifold"].append(blob + BLOB_SPREAD * manifold_latent)
        series["discriminator"].append(discriminator_logit(grid_points, centers, blob))
        series["field"].append(_field_values(field_points, centers, blob, dim))
        series["sample_grad"].append(discriminator_gradient(generated, centers, blob))
    arrays = {name: np.stack(values) for name, values in series.items()}

    status, detail = "completed", {}
    if diverge_at is not None:
        for name in arrays:
            arrays[name][diverge_at:] = np.nan
        arrays["samples"][diverge_at:, 0] = np.inf
        status, detail = "diverged", {"step": int(steps[diverge_at])}

    scalar_steps = np.arange(0, int(steps[-1]) + 1, 10, dtype=np.int64)
    phase = scalar_steps / max(int(steps[-1]), 1)
    d_loss = 1.2 - 0.4 * phase + 0.05 * np.sin(12 * np.pi * phase)
    g_loss = 0.8 + 0.6 * phase + 0.05 * np.cos(12 * np.pi * phase)
    if diverge_at is not None:
        broken = scalar_steps >= steps[diverge_at]
        d_loss[broken] = np.nan
        g_loss[broken] = np.inf

    config = {
        "data": {"name": "ring" if dim == 2 else "mixture1d"},
        "objective": {"loss": loss},
    }
    attrs = {
        "dim": dim,
        "config": json.dumps(config),
        "status": status,
        "status_detail": detail,
        "manifold_shape": list(manifold_shape),
    }
    static = {
        "real": real_points,
        "latent": latent,
        "grid_x": grid_axis,
        "field_x": field_axis,
        "manifold_latent": manifold_latent,
        "mode_centers": centers,
        "mode_stds": np.full_like(centers, MODE_STD),
        "mode_weights": np.full(modes, 1.0 / modes),
    }
    if dim == 2:
        static["grid_y"] = grid_axis
        static["field_y"] = field_axis
    snapshot_series = {"steps": steps, **arrays}
    scalars = {"step": scalar_steps, "d_loss": d_loss, "g_loss": g_loss}
    return Trajectory.from_arrays(attrs, static, {"": snapshot_series, "scalars": scalars})


def discriminator_logit(points: np.ndarray, centers: np.ndarray, blob: np.ndarray) -> np.ndarray:
    """Evaluate the synthetic logit at ``points`` (..., d): real bumps minus the blob's bump."""
    real_part = sum(_bump(points, center, BUMP_WIDTH) for center in centers)
    return 4.0 * real_part - 5.0 * _bump(points, blob, BLOB_WIDTH) - 1.0


def discriminator_gradient(points: np.ndarray, centers: np.ndarray, blob: np.ndarray) -> np.ndarray:
    """Evaluate the exact input gradient of ``discriminator_logit`` at ``points`` (..., d)."""
    gradient = sum(4.0 * _bump_gradient(points, center, BUMP_WIDTH) for center in centers)
    return gradient - 5.0 * _bump_gradient(points, blob, BLOB_WIDTH)


def _field_values(points, centers, blob, dim):
    gradient = discriminator_gradient(points, centers, blob)
    return gradient if dim == 2 else gradient[..., 0]


def _blob_center(t: int, snapshots: int, dim: int) -> np.ndarray:
    angle = 2 * np.pi * t / max(snapshots, 1)
    if dim == 2:
        return RING_RADIUS * np.array([np.cos(angle), np.sin(angle)])
    return np.array([RING_RADIUS * np.sin(angle)])


def _bump(points: np.ndarray, center: np.ndarray, width: float) -> np.ndarray:
    return np.exp(-np.sum((points - center) ** 2, axis=-1) / (2 * width**2))


def _bump_gradient(points: np.ndarray, center: np.ndarray, width: float) -> np.ndarray:
    return -(points - center) / width**2 * _bump(points, center, width)[..., None]
