"""Synthetic trajectories with closed-form contents for the replay page tests.

The discriminator logit of snapshot ``t`` is ``slope(t) * (x - y)`` with
``slope(t) = 1 + t / T``, so its value and its input gradient are known
exactly at every point; samples sit on a circle that rotates with ``t``.
"""

from __future__ import annotations

import numpy as np

from ganlab.render.replay import render_replay
from ganlab.trajectory import Trajectory

# A config value that would run a script and add markup if the page did not escape it.
INJECTION_TEXT = "</script><script>alert(1)</script><b>bold</b>"


def slope(t: int, count: int) -> float:
    return 1.0 + t / count


def make_trajectory(
    count: int = 12,
    samples: int = 64,
    grid: int = 32,
    loss: str = "nonsaturating",
    config_extra: dict | None = None,
    name: str = "ring-run",
    step_every: int = 10,
    step_offset: int = 0,
    noise: float = 0.0,
    seed: int = 0,
) -> Trajectory:
    """Build a 2D trajectory of ``count`` snapshots on the view [-2, 2] x [-2, 2]."""
    rng = np.random.default_rng(seed)
    steps = step_offset + step_every * np.arange(count)
    grid_x = np.linspace(-2.0, 2.0, grid)
    grid_y = np.linspace(-2.0, 2.0, grid)
    field_x = np.linspace(-1.8, 1.8, 9)
    field_y = np.linspace(-1.8, 1.8, 9)

    angles = np.linspace(0, 2 * np.pi, samples, endpoint=False)
    generated = np.empty((count, samples, 2), dtype=np.float32)
    surface = np.empty((count, grid, grid), dtype=np.float32)
    field = np.empty((count, 9, 9, 2), dtype=np.float32)
    sample_grad = np.empty((count, samples, 2), dtype=np.float32)
    manifold_latent = np.stack(np.meshgrid(np.linspace(-1, 1, 6), np.linspace(-1, 1, 5),
                                           indexing="ij"), axis=-1).reshape(-1, 2)
    manifold = np.empty((count, 30, 2), dtype=np.float32)
    xx, yy = np.meshgrid(grid_x, grid_y)
    for t in range(count):
        turn = angles + 0.4 * t
        generated[t, :, 0] = np.cos(turn)
        generated[t, :, 1] = np.sin(turn)
        surface[t] = slope(t, count) * (xx - yy) + noise * rng.standard_normal(xx.shape)
        field[t, ..., 0] = slope(t, count)
        field[t, ..., 1] = -slope(t, count)
        field[t, ..., 0] *= 1 + 0.1 * np.arange(9)[None, :]
        sample_grad[t, :, 0] = slope(t, count)
        sample_grad[t, :, 1] = -slope(t, count)
        manifold[t] = 0.5 * manifold_latent * (1 + 0.05 * t)

    real_angles = rng.integers(0, 8, 400) * (2 * np.pi / 8)
    real = np.stack([1.5 * np.cos(real_angles), 1.5 * np.sin(real_angles)], axis=1)
    real += 0.05 * rng.standard_normal(real.shape)

    scalar_steps = np.arange(int(steps[-1]) + 1)
    config = {"name": name, "objective": {"loss": loss}, "data": {"name": "ring", "modes": 8}}
    config.update(config_extra or {})
    attrs = {"config": config, "status": "completed", "dim": 2, "manifold_shape": [6, 5],
             "status_detail": {"step": int(steps[-1])}}
    static = {"real": real, "grid_x": grid_x, "grid_y": grid_y, "field_x": field_x,
              "field_y": field_y, "manifold_latent": manifold_latent,
              "latent": rng.standard_normal((samples, 2))}
    series = {
        "": {"steps": steps, "samples": generated, "discriminator": surface, "field": field,
             "sample_grad": sample_grad, "manifold": manifold},
        "scalars": {"step": scalar_steps,
                    "loss_d": 1.4 - 0.3 * np.tanh(scalar_steps / 50.0),
                    "loss_g": 0.7 + 0.4 * np.tanh(scalar_steps / 50.0)},
        "metrics": {"step": steps, "modes_covered": np.minimum(8, np.arange(count))},
    }
    return Trajectory.from_arrays(attrs, static, series)


def make_trajectory_1d(count: int = 10, samples: int = 200, grid: int = 64,
                       loss: str = "wasserstein") -> Trajectory:
    """Build a 1D trajectory: the critic is ``slope(t) * x``, samples drift from -1 to +1."""
    rng = np.random.default_rng(1)
    steps = 5 * np.arange(count)
    grid_x = np.linspace(-3.0, 3.0, grid)
    field_x = np.linspace(-3.0, 3.0, 13)
    base = rng.standard_normal(samples)
    generated = np.stack([0.3 * base - 1.0 + 2.0 * t / max(1, count - 1)
                          for t in range(count)])[..., None]
    surface = np.stack([slope(t, count) * grid_x for t in range(count)])
    field = np.stack([np.full(13, slope(t, count)) for t in range(count)])
    real = (np.where(rng.random(500) < 0.5, -1.0, 1.0) + 0.2 * rng.standard_normal(500))[:, None]
    attrs = {"config": {"name": "mixture-1d", "objective": {"loss": loss}}, "status": "diverged",
             "dim": 1}
    static = {"real": real, "grid_x": grid_x, "field_x": field_x}
    series = {
        "": {"steps": steps, "samples": generated.astype(np.float32), "discriminator": surface,
             "field": field},
        "scalars": {"step": steps, "loss_d": -np.arange(count, dtype=float)},
    }
    return Trajectory.from_arrays(attrs, static, series)


def render(trajs, out, **options):
    """Render a replay page without running the diagnosis, which takes seconds per run."""
    options.setdefault("diagnose", False)
    return render_replay(trajs, out, **options)
