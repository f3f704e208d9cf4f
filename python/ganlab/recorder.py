"""Snapshots of the game during training, written to the trajectory store.

At every ``record.every`` generator steps the recorder evaluates, with both
networks in evaluation mode and without touching any training random state:

* the generator on a fixed latent batch (``samples``) and on a latent grid
  (``manifold``),
* the discriminator's raw output on a grid over the data (``discriminator``),
* the discriminator's input gradient on a coarser grid (``field``) and at the
  generated samples (``sample_grad``).

Scalars (loss terms, gradient norms, learning rates) are recorded at the finer
``record.scalars_every`` cadence, metrics at every snapshot (or every
``metrics.every`` generator steps, and at the last step). With
``metrics.background`` set, exact W2, the costliest metric, is computed on a
background thread (``ganlab.metrics.background``) from copies of the
snapshot's arrays. ``drain`` appends the finished rows in step order and must
run before the writer flushes, so a checkpoint never commits a snapshot
without its metrics.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Mapping

import numpy as np
import torch

from ganlab.counting.recording import CountRecorder
from ganlab.data.base import Distribution
from ganlab.dynamics.recording import DynamicsRecorder
from ganlab.errors import ConfigError
from ganlab.game import Game
from ganlab.metrics import compute_snapshot_metrics
from ganlab.metrics.background import OrderedResults
from ganlab.metrics.options import resolve_metric_options
from ganlab.networks import sample_latent
from ganlab.store.base import SNAPSHOT_SERIES, StoreWriter

log = logging.getLogger(__name__)

# Latent grid range for a standard normal latent: about 99.7 % of the mass per axis.
GAUSSIAN_LATENT_RANGE = 3.0

# Metric groups computed on the background thread. POT's network simplex (exact W2)
# releases the GIL while it runs. scipy's cdist and numpy's exp on 512 x 512 matrices
# (MMD, energy distance) hold it for whole calls (measured with scipy 1.17 and numpy 2.4),
# so on the worker they would stall the training thread, and they stay in place.
BACKGROUND_METRICS = ("w2",)


def check_metrics_cadence(config: Mapping[str, Any]) -> None:
    """Reject a ``metrics.every`` that would fall between snapshots."""
    every = config.get("metrics", {}).get("every", 0)
    snapshot_every = config["record"]["every"]
    if every and every % snapshot_every:
        raise ConfigError(f"metrics.every = {every} is not a multiple of record.every = "
                          f"{snapshot_every}, so metrics would fall between snapshots; use a "
                          f"multiple such as {snapshot_every * max(1, round(every / snapshot_every))}"
                          f" or 0 for every snapshot")


class Recorder:
    """Compute and buffer snapshots, scalars and metrics for one run."""

    def __init__(self, game: Game, distribution: Distribution, config: Mapping[str, Any],
                 writer: StoreWriter, generator: torch.Generator, resume: bool = False):
        self.game = game
        self.distribution = distribution
        self.config = config
        self.writer = writer
        self.record = config["record"]
        self.dim = distribution.dim
        device, dtype = game.device, game.dtype
        latent_dim = config["generator"]["latent_dim"]

        self.latent = sample_latent(self.record["samples"], latent_dim,
                                    config["generator"]["latent"], generator, dtype, device)
        self.real = distribution.sample(self.record["real"], generator).numpy()
        self.grids = self._make_grids()
        self.manifold_latent, self.manifold_shape = self._make_manifold_latent(latent_dim)
        self._scalar_names: list[str] | None = None
        self._metric_names: list[str] | None = None
        self._metrics_every = config.get("metrics", {}).get("every", 0)
        self._metric_results = OrderedResults()
        self._metrics_in_background = config.get("metrics", {}).get("background", False)
        self.dynamics = DynamicsRecorder(game, distribution, config, writer)

        if not resume:  # a resumed run's store already holds the static arrays
            self._write_static()
        capacity = config["training"]["steps"] // self.record["every"] + 2
        self.writer.define_series(SNAPSHOT_SERIES, self._snapshot_fields(), capacity)
        self._scalar_capacity = config["training"]["steps"] // self.record["scalars_every"] + 2
        self._snapshot_capacity = capacity
        # Count datasets add the count histogram of every snapshot (ganlab.counting).
        self.counting = CountRecorder.create(distribution, self.real, writer, config, capacity,
                                             resume=resume)

    # Setup --------------------------------------------------------------------

    def _make_grids(self) -> dict[str, np.ndarray]:
        if self.dim > 2:
            return {}
        low, high = self.distribution.bounds()
        low = np.minimum(np.asarray(low, dtype=np.float64), self.real.min(axis=0))
        high = np.maximum(np.asarray(high, dtype=np.float64), self.real.max(axis=0))
        span = np.maximum(high - low, 1e-6)
        low = low - self.record["padding"] * span
        high = high + self.record["padding"] * span
        if self.dim == 2:
            # A square box keeps the plots' aspect ratio equal.
            centre, half = (low + high) / 2, (high - low).max() / 2
            low, high = centre - half, centre + half
        grids = {
            "grid_x": np.linspace(low[0], high[0], self.record["grid"]),
            "field_x": np.linspace(low[0], high[0], self.record["field_grid"]),
        }
        if self.dim == 2:
            grids["grid_y"] = np.linspace(low[1], high[1], self.record["grid"])
            grids["field_y"] = np.linspace(low[1], high[1], self.record["field_grid"])
        return grids

    def _make_manifold_latent(self, latent_dim: int) -> tuple[torch.Tensor, list[int]]:
        size = self.record["manifold_grid"]
        extent = GAUSSIAN_LATENT_RANGE if self.config["generator"]["latent"] == "gaussian" else 1.0
        axis = torch.linspace(-extent, extent, size, dtype=self.game.dtype)
        if latent_dim == 1:
            latent, shape = axis[:, None], [size]
        else:
            # A 2D grid in the first two latent coordinates; the others stay at 0.
            a, b = torch.meshgrid(axis, axis, indexing="ij")
            latent = torch.zeros(size * size, latent_dim, dtype=self.game.dtype)
            latent[:, 0], latent[:, 1] = a.reshape(-1), b.reshape(-1)
            shape = [size, size]
        return latent.to(self.game.device), shape

    def _grid_points(self, prefix: str) -> np.ndarray:
        xs = self.grids[f"{prefix}_x"]
        if self.dim == 1:
            return xs[:, None]
        ys = self.grids[f"{prefix}_y"]
        gx, gy = np.meshgrid(xs, ys)  # (H, W), row = y
        return np.stack([gx.reshape(-1), gy.reshape(-1)], axis=1)

    def _write_static(self) -> None:
        w = self.writer
        static = {
            "real": self.real.astype(np.float32),
            "latent": self.latent.cpu().numpy().astype(np.float32),
            "manifold_latent": self.manifold_latent.cpu().numpy().astype(np.float32),
        }
        for name, values in self.grids.items():
            static[name] = values.astype(np.float32)
        modes = self.distribution.modes
        if modes is not None:
            static["mode_centers"] = np.asarray(modes.centers, dtype=np.float64)
            static["mode_stds"] = np.asarray(modes.stds, dtype=np.float64)
            static["mode_weights"] = np.asarray(modes.weights, dtype=np.float64)
        projection = getattr(self.distribution, "projection", None)
        if self.dim > 2 and callable(projection):
            static["projection"] = np.asarray(projection(), dtype=np.float64)
        w.write_statics(static)
        w.set_attrs({
            "dim": self.dim,
            "manifold_shape": self.manifold_shape,
            "discriminator_output": self.game.objective.output,
        })

    def _snapshot_fields(self) -> dict[str, tuple[tuple[int, ...], Any]]:
        n, d = self.record["samples"], self.dim
        fields: dict[str, tuple[tuple[int, ...], Any]] = {
            "samples": ((n, d), np.float32),
            "manifold": ((len(self.manifold_latent), d), np.float32),
        }
        if self.dim <= 2:
            g, f = self.record["grid"], self.record["field_grid"]
            fields["sample_grad"] = ((n, d), np.float32)
            if self.dim == 2:
                fields["discriminator"] = ((g, g), np.float32)
                fields["field"] = ((f, f, 2), np.float32)
            else:
                fields["discriminator"] = ((g,), np.float32)
                fields["field"] = ((f,), np.float32)
        return fields

    # Recording ----------------------------------------------------------------

    def evaluate(self) -> dict[str, np.ndarray]:
        """Evaluate the snapshot arrays at the current parameters."""
        game = self.game
        generator, discriminator = game.generator, game.discriminator
        modes = (generator.training, discriminator.training)
        generator.eval()
        discriminator.eval()
        try:
            with torch.no_grad():
                latent = torch.cat([self.latent, self.manifold_latent])
                images = generator(latent)
            n = len(self.latent)
            samples, manifold = images[:n], images[n:]
            row = {
                "samples": samples.cpu().numpy().astype(np.float32),
                "manifold": manifold.cpu().numpy().astype(np.float32),
            }
            if self.dim <= 2:
                row.update(self._evaluate_discriminator(samples))
        finally:
            generator.train(modes[0])
            discriminator.train(modes[1])
        return row

    def _evaluate_discriminator(self, samples: torch.Tensor) -> dict[str, np.ndarray]:
        game = self.game
        dtype, device = game.dtype, game.device
        surface_points = torch.as_tensor(self._grid_points("grid"), dtype=dtype, device=device)
        field_points = torch.as_tensor(self._grid_points("field"), dtype=dtype, device=device)
        with torch.no_grad():
            surface = game.evaluate_discriminator(surface_points)

        # One pass for both gradient evaluations: the field grid and the samples.
        points = torch.cat([field_points, samples.detach()]).requires_grad_(True)
        with torch.enable_grad():
            outputs = game.evaluate_discriminator(points)
            (grad,) = torch.autograd.grad(outputs.sum(), points)
        grad = grad.detach().cpu().numpy().astype(np.float32)
        field, sample_grad = grad[: len(field_points)], grad[len(field_points):]

        g, f = self.record["grid"], self.record["field_grid"]
        surface = surface.cpu().numpy().astype(np.float32)
        if self.dim == 2:
            return {
                "discriminator": surface.reshape(g, g),
                "field": field.reshape(f, f, 2),
                "sample_grad": sample_grad,
            }
        return {"discriminator": surface, "field": field[:, 0], "sample_grad": sample_grad}

    def snapshot(self, step: int) -> dict[str, np.ndarray]:
        """Record a snapshot (and its metrics) at generator step ``step``; return its arrays."""
        row = self.evaluate()
        self.writer.append(SNAPSHOT_SERIES, step, row)
        every = self._metrics_every
        if not every or step % every == 0 or step == self.config["training"]["steps"]:
            self._submit_metrics(step, row)
        return row

    def drain(self) -> None:
        """Append every pending metrics row to the writer, waiting for those still computing.

        Re-raises the error of a metric computation that failed.
        """
        self._append_metrics(self._metric_results.wait_all())

    def flush(self) -> None:
        """Append the pending metrics rows, then flush the writer."""
        self.drain()
        self.writer.flush()

    def _submit_metrics(self, step: int, row: Mapping[str, np.ndarray]) -> None:
        # Rows already finished are appended first, so the queue stays short.
        self._append_metrics(self._metric_results.ready())

        options = resolve_metric_options(dict(self.config.get("metrics", {})))
        grid = None
        if "grid_x" in self.grids:
            grid = tuple(self.grids[name] for name in ("grid_x", "grid_y") if name in self.grids)
        arguments = (row["samples"], self.real, self.distribution.modes, row.get("discriminator"),
                     self.config["objective"]["loss"])
        background = []
        if self._metrics_in_background:
            background = [name for name in options["enabled"] if name in BACKGROUND_METRICS]
        in_place = {**options, "enabled": [n for n in options["enabled"] if n not in background]}

        values = compute_snapshot_metrics(*arguments, in_place, grid=grid)
        if self.counting is not None:
            values.update(self.counting.record(step, row["samples"]))
        if not background:
            self._append_metrics(self._metric_results.wait_all())
            self._append_metrics([((step, values), {})])
            return
        # The row's arrays are fresh copies that nothing else changes, so the worker reads
        # them without a lock.
        self._metric_results.submit((step, values), compute_snapshot_metrics, *arguments,
                                    {**options, "enabled": background}, grid=grid)

    def _append_metrics(self, results) -> None:
        for (step, values), background_values in results:
            values = {**values, **background_values}
            if self._metric_names is None:
                self._metric_names = sorted(values)
                if self._metric_names:  # with metrics.enabled = [] the run has no metrics series
                    self.writer.define_series("metrics",
                                              {k: ((), np.float64) for k in self._metric_names},
                                              self._snapshot_capacity)
            if self._metric_names:
                self.writer.append("metrics", step,
                                   {k: float(values[k]) for k in self._metric_names})

    def after_step(self, step: int) -> None:
        """Record the parameter and spectrum series due after generator step ``step``."""
        self.dynamics.after_step(step)

    def scalars(self, step: int, values: Mapping[str, float]) -> None:
        """Record one row of scalar series."""
        if self._scalar_names is None:
            self._scalar_names = sorted(values)
            self.writer.define_series("scalars", {k: ((), np.float64) for k in self._scalar_names},
                                      self._scalar_capacity)
        row = {name: float(values.get(name, math.nan)) for name in self._scalar_names}
        self.writer.append("scalars", step, row)
