"""Per-snapshot signals the detectors read, gathered once from a trajectory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from ganlab.data.base import Modes
from ganlab.metrics.distances import wasserstein2
from ganlab.metrics.dynamics import generator_displacement, latent_mode_tracks, mode_mass
from ganlab.metrics.modes import modes_from_dict
from ganlab.metrics.options import resolve_metric_options
from ganlab.metrics.snapshot import compute_trajectory_metrics

logger = logging.getLogger(__name__)


@dataclass
class RunSignals:
    """Everything the detectors need, aligned to the T snapshot steps.

    ``data_scale`` is the real data's root-mean-square standard deviation
    sqrt(mean_j var_j), ``data_extent`` the largest distance of a real point
    from the data's centre. ``w2_floor`` is the W2 between two disjoint sets
    of real points as large as the compared ones: the value a perfect
    generator would get, up to sampling noise. ``occupied`` (T, K) marks modes holding at least
    ``occupancy_fraction`` of their weight's share of the samples.
    """

    steps: np.ndarray
    metrics: dict[str, np.ndarray]
    scalars: dict[str, np.ndarray]
    samples: np.ndarray | None
    modes: Modes | None
    mass: np.ndarray | None
    occupied: np.ndarray | None
    displacement: np.ndarray
    data_center: np.ndarray
    data_scale: float
    data_extent: float
    w2_floor: float
    status: str
    status_detail: dict[str, Any]
    point_mass: bool = False  # all real points equal, so w2_floor is POINT_MASS_FLOOR data scales

    def metric(self, name: str) -> np.ndarray | None:
        return self.metrics.get(name)


def _align_metrics(stored: dict[str, np.ndarray], steps: np.ndarray) -> dict[str, np.ndarray]:
    # The recorder writes metrics at snapshot steps; match them row by row.
    stored_steps = np.asarray(stored["step"])
    index = np.searchsorted(stored_steps, steps)
    index = np.clip(index, 0, max(len(stored_steps) - 1, 0))
    found = stored_steps[index] == steps
    aligned = {"step": np.asarray(steps)}
    for name, values in stored.items():
        if name == "step":
            continue
        values = np.asarray(values, dtype=np.float64)
        aligned[name] = np.where(found, values[index], np.nan)
    return aligned


def _trajectory_metrics(traj: Any, steps: np.ndarray, metric_options: dict[str, Any]) -> dict[str, np.ndarray]:
    stored = traj.metrics
    needed = {"w2"} | ({"modes_covered", "high_quality"} if traj.modes is not None else set())
    if stored and "step" in stored and needed <= set(stored):
        return _align_metrics(stored, steps)
    logger.info("computing metrics for %s because the run has none recorded", traj.path)
    return compute_trajectory_metrics(traj, metric_options)


# Share of the data scale used as the W2 floor when the floor is 0 (a point mass
# such as the Dirac GAN's data), so that ratios to the floor stay finite.
POINT_MASS_FLOOR = 1e-3


def sampling_floor_w2(real: np.ndarray, n_samples: int, metric_options: dict[str, Any]) -> float:
    """Return W2 between two disjoint sets of real points, sized like the metric's comparison.

    The metric compares ``n`` generated points with ``n`` real ones (or
    ``max_samples`` / ``max_real``). With fewer than 2n real points both sets
    shrink to half the real points, which overestimates the floor.
    """
    n = metric_options["max_samples"] or n_samples
    m = metric_options["max_real"] or n
    size = min(n, m, len(real) // 2)
    if size < 2:
        return float("nan")
    return wasserstein2(real[:size], real[size : 2 * size])


def gather_signals(traj: Any, occupancy_fraction: float) -> RunSignals:
    """Read or compute the metrics of ``traj`` and derive mode occupancy and generator movement."""
    config = traj.config if isinstance(traj.config, dict) else {}
    metric_options = resolve_metric_options(config.get("metrics", {}))
    steps = np.asarray(traj.steps)
    metrics = _trajectory_metrics(traj, steps, metric_options)

    real = np.asarray(traj.real, dtype=np.float64)
    if real.ndim == 1:
        real = real[:, None]
    data_center = real.mean(axis=0)
    data_scale = float(np.sqrt(np.mean(real.var(axis=0)))) or 1.0
    data_extent = float(np.max(np.linalg.norm(real - data_center, axis=1))) or 1.0

    samples = traj.samples
    w2_floor = float("nan")
    point_mass = False
    if samples is not None:
        samples = np.asarray(samples, dtype=np.float64)
        if samples.ndim == 2:
            samples = samples[:, :, None]
        w2_floor = sampling_floor_w2(real, samples.shape[1], metric_options)
        if w2_floor == 0.0:
            w2_floor = POINT_MASS_FLOOR * data_scale
            point_mass = True

    modes = modes_from_dict(traj.modes)
    mass = occupied = None
    if modes is not None and samples is not None and len(steps):
        tracks = latent_mode_tracks(
            samples, modes, metric_options["threshold"], metric_options["assignment"]
        )
        mass = mode_mass(tracks, len(modes))
        occupied = mass >= occupancy_fraction * np.asarray(modes.weights)[None, :]

    if samples is not None and len(steps):
        displacement = generator_displacement(samples, steps)
        if len(displacement) > 1:
            displacement[0] = displacement[1]
    else:
        displacement = np.full(len(steps), np.nan)

    return RunSignals(
        steps=steps,
        metrics=metrics,
        scalars=traj.scalars,
        samples=samples,
        modes=modes,
        mass=mass,
        occupied=occupied,
        displacement=displacement,
        data_center=data_center,
        data_scale=data_scale,
        data_extent=data_extent,
        w2_floor=w2_floor,
        status=traj.status,
        status_detail=dict(traj.status_detail or {}),
        point_mass=point_mass,
    )


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Return (first, last) index pairs of the maximal runs of True in a boolean array."""
    runs = []
    start = None
    for i, value in enumerate(np.asarray(mask, dtype=bool)):
        if value and start is None:
            start = i
        if not value and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(mask) - 1))
    return runs
