"""Signals of the training dynamics over the snapshots of a trajectory.

Which mode each fixed latent point lands on, per-mode mass over time, the
discriminator's mean output on real and generated points, the share of its
surface that is saturated, how far the generator moves between snapshots,
and scalar series (losses, gradient norms) aligned to the snapshot steps.
"""

from __future__ import annotations

import numpy as np

from ganlab.data.base import Modes
from ganlab.errors import UsageError
from ganlab.metrics.modes import assign_modes

# A logit of 5 means sigmoid(5) = 0.9933: the discriminator is more than 99 %
# sure, and the gradient of log(1 - sigmoid(t)) has shrunk to sigmoid(-5) = 0.0067.
DEFAULT_SATURATION_LOGIT = 5.0


def latent_mode_tracks(
    samples: np.ndarray,
    modes: Modes,
    threshold: float = 3.0,
    assignment: str = "standardized",
) -> np.ndarray:
    """Return the (T, N) mode of each fixed latent point at each snapshot, -1 when not high quality."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim == 2:
        samples = samples[:, :, None]
    return np.stack([assign_modes(row, modes, threshold, assignment) for row in samples])


def mode_mass(tracks: np.ndarray, n_modes: int) -> np.ndarray:
    """Return the (T, K) share of all N samples assigned to each mode; rows sum to the high-quality share."""
    tracks = np.asarray(tracks)
    mass = np.zeros((len(tracks), n_modes))
    for t, row in enumerate(tracks):
        assigned = row[row >= 0]
        mass[t] = np.bincount(assigned, minlength=n_modes)[:n_modes] / max(len(row), 1)
    return mass


def interpolate_surface(
    surface: np.ndarray,
    grid_x: np.ndarray,
    points: np.ndarray,
    grid_y: np.ndarray | None = None,
) -> np.ndarray:
    """Return the discriminator surface interpolated at ``points`` (n, d).

    2D: ``surface`` (H, W) holds values at (grid_y[i], grid_x[j]) and is
    interpolated bilinearly. 1D: ``surface`` (W,) on ``grid_x``, linearly.
    Both grids must be increasing. Points outside the grid take the value of
    the nearest edge, because the recorded surface says nothing beyond it.
    """
    surface = np.asarray(surface, dtype=np.float64)
    points = np.asarray(points, dtype=np.float64)
    grid_x = np.asarray(grid_x, dtype=np.float64)
    if points.ndim == 1:
        points = points[:, None]

    if surface.ndim == 1:
        x = np.clip(points[:, 0], grid_x[0], grid_x[-1])
        return np.interp(x, grid_x, surface)

    if surface.ndim != 2 or grid_y is None:
        raise UsageError(
            f"a discriminator surface of shape {surface.shape} needs a 2D grid (grid_x and grid_y)"
        )
    grid_y = np.asarray(grid_y, dtype=np.float64)
    if surface.shape != (len(grid_y), len(grid_x)):
        raise UsageError(
            f"surface shape {surface.shape} does not match grid_y ({len(grid_y)}) x grid_x ({len(grid_x)})"
        )

    x = np.clip(points[:, 0], grid_x[0], grid_x[-1])
    y = np.clip(points[:, 1], grid_y[0], grid_y[-1])
    j = np.clip(np.searchsorted(grid_x, x, side="right") - 1, 0, len(grid_x) - 2)
    i = np.clip(np.searchsorted(grid_y, y, side="right") - 1, 0, len(grid_y) - 2)
    tx = (x - grid_x[j]) / (grid_x[j + 1] - grid_x[j])
    ty = (y - grid_y[i]) / (grid_y[i + 1] - grid_y[i])

    bottom = (1 - tx) * surface[i, j] + tx * surface[i, j + 1]
    top = (1 - tx) * surface[i + 1, j] + tx * surface[i + 1, j + 1]
    return (1 - ty) * bottom + ty * top


def saturated_share(surface: np.ndarray, logit: float = DEFAULT_SATURATION_LOGIT) -> float:
    """Return the share of surface grid points where |output| > ``logit``.

    Meaningful for discriminators whose output is a logit (D = sigmoid(output));
    NaN when the surface holds a non-finite value.
    """
    surface = np.asarray(surface, dtype=np.float64)
    if not np.all(np.isfinite(surface)):
        return float("nan")
    return float(np.mean(np.abs(surface) > logit))


def generator_displacement(samples: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Return the (T,) mean distance each latent point moved since the previous snapshot, per 1000 steps.

    Row 0 is NaN (no previous snapshot). Dividing by the step gap makes runs
    recorded at different snapshot intervals comparable.
    """
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim == 2:
        samples = samples[:, :, None]
    steps = np.asarray(steps, dtype=np.float64)

    displacement = np.full(len(samples), np.nan)
    if len(samples) < 2:
        return displacement
    moved = np.linalg.norm(np.diff(samples, axis=0), axis=-1).mean(axis=1)
    gaps = np.maximum(np.diff(steps), 1.0)
    displacement[1:] = moved / gaps * 1000.0
    return displacement


def scalar_at_steps(scalars: dict[str, np.ndarray], name: str, steps: np.ndarray) -> np.ndarray | None:
    """Return scalar ``name`` at each snapshot step: the latest value recorded at or before it.

    Snapshots before the first record get NaN. Returns None when the series
    has no ``name``.
    """
    if name not in scalars or "step" not in scalars:
        return None
    record_steps = np.asarray(scalars["step"])
    values = np.asarray(scalars[name], dtype=np.float64)
    index = np.searchsorted(record_steps, np.asarray(steps), side="right") - 1
    aligned = np.where(index >= 0, values[np.maximum(index, 0)], np.nan)
    return aligned


def gradient_norm_names(scalars: dict[str, np.ndarray]) -> list[str]:
    """Return the scalar names that hold gradient norms (names containing ``grad_norm``)."""
    return sorted(name for name in scalars if "grad_norm" in name)


def discriminator_means(
    surfaces: np.ndarray | None,
    samples: np.ndarray | None,
    real: np.ndarray | None,
    grid_x: np.ndarray | None,
    grid_y: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return (d_real_mean, d_fake_mean), each (T,), interpolated from the recorded surfaces.

    Used when the trainer did not record ``d_real_mean`` / ``d_fake_mean``
    scalars. The values are raw discriminator outputs, as the surface stores
    them. Returns None when the surface or its grid is missing.
    """
    if surfaces is None or samples is None or real is None or grid_x is None:
        return None
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim == 2:
        samples = samples[:, :, None]

    real_mean = np.empty(len(surfaces))
    fake_mean = np.empty(len(surfaces))
    for t, surface in enumerate(surfaces):
        real_mean[t] = interpolate_surface(surface, grid_x, real, grid_y).mean()
        fake_mean[t] = interpolate_surface(surface, grid_x, samples[t], grid_y).mean()
    return real_mean, fake_mean
