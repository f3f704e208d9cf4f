"""Per-snapshot scalar metrics: the recorder's hook and the same metrics for a stored trajectory."""

from __future__ import annotations

import logging
from typing import Any, Mapping

import numpy as np

from ganlab.data.base import Modes
from ganlab.metrics.distances import (
    energy_distance,
    histogram_divergences,
    histogram_range,
    ks_distance,
    median_bandwidth,
    mmd2,
    wasserstein2,
)
from ganlab.metrics.dynamics import interpolate_surface, saturated_share
from ganlab.metrics.modes import mode_metrics, modes_from_dict
from ganlab.metrics.options import resolve_metric_options

logger = logging.getLogger(__name__)

# Outputs of the losses that ganlab.objectives registers, for when it cannot be imported.
_LOGIT_LOSSES = ("minimax", "nonsaturating")


def discriminator_output_kind(loss: str) -> str:
    """Return what the discriminator of ``loss`` outputs: "logit", "critic", "value" or "unknown"."""
    if not loss:
        return "unknown"
    try:
        from ganlab.objectives import LOSSES
    except ImportError:
        return "logit" if loss in _LOGIT_LOSSES else "unknown"
    if loss not in LOSSES:
        return "unknown"
    return LOSSES.get(loss).obj.output


def _as_points(array: np.ndarray) -> np.ndarray:
    points = np.asarray(array, dtype=np.float64)
    return points[:, None] if points.ndim == 1 else points


def compute_snapshot_metrics(
    samples: np.ndarray,
    real: np.ndarray,
    modes: Modes | None,
    surface: np.ndarray | None,
    loss: str,
    options: Mapping[str, Any] | None = None,
    *,
    grid: tuple[np.ndarray, ...] | None = None,
) -> dict[str, float]:
    """Return a flat dict of scalar metrics for one snapshot.

    ``samples`` (N, d) generated points, ``real`` (M, d) real points, ``modes``
    the mixture (None skips the mode metrics), ``surface`` the discriminator's
    raw outputs on the grid (None skips the surface metrics), ``loss`` the
    objective name (saturation is skipped when its discriminator output is
    known not to be a logit), ``options`` a resolved or raw ``[metrics]``
    table. ``grid`` is (grid_x,) in 1D or (grid_x, grid_y) in 2D and enables
    d_real_mean / d_fake_mean. The keys depend only on the dimension, the
    modes, whether a surface and grid are given, the loss and the options, so
    they stay the same over one run. Non-finite samples give NaN distances.
    """
    options = resolve_metric_options(dict(options or {}))
    enabled = set(options["enabled"])
    samples = _as_points(samples)
    real = _as_points(real)
    if options["max_samples"] > 0:
        samples = samples[: options["max_samples"]]
    real_count = options["max_real"] if options["max_real"] > 0 else len(samples)
    real = real[:real_count]
    dim = samples.shape[1]
    result: dict[str, float] = {}

    if "modes" in enabled and modes is not None:
        modes = modes_from_dict(modes)
        measured = mode_metrics(
            samples,
            modes,
            threshold=options["threshold"],
            assignment=options["assignment"],
            coverage_rule=options["coverage_rule"],
            min_count=options["min_count"],
            min_fraction=options["min_fraction"],
        )
        result["modes_covered"] = float(measured.modes_covered)
        result["high_quality"] = measured.high_quality
        result["reverse_kl"] = measured.reverse_kl
        for k, count in enumerate(measured.counts):
            result[f"mode_count_{k}"] = float(count)

    if "w2" in enabled:
        result["w2"] = wasserstein2(samples, real)
    if "mmd" in enabled:
        bandwidths = options["mmd_bandwidth"] or [median_bandwidth(real)]
        result["mmd2"] = mmd2(samples, real, bandwidths) if len(real) > 1 and len(samples) > 1 else float("nan")
    if "energy" in enabled:
        result["energy"] = energy_distance(samples, real)
    if "histogram" in enabled and dim <= 2:
        kl, js = histogram_divergences(
            real, samples, bins=options["hist_bins"], epsilon=options["hist_epsilon"],
            value_range=histogram_range(real),
        )
        result["kl_hist"] = kl
        result["js_hist"] = js
    if "ks" in enabled and dim == 1:
        result["ks"] = ks_distance(samples, real)

    if "moments" in enabled:
        axis_names = ("mean_x", "mean_y")
        means = samples.mean(axis=0)
        for name, value in zip(axis_names, means):
            result[name] = float(value)
        result["spread"] = float(np.sqrt(np.mean(samples.var(axis=0))))

    if surface is not None:
        output = discriminator_output_kind(loss)
        if "saturation" in enabled and output in ("logit", "unknown"):
            result["saturated_share"] = saturated_share(surface, options["saturation_logit"])
        if "discriminator" in enabled and grid is not None:
            grid_x = grid[0]
            grid_y = grid[1] if len(grid) > 1 else None
            result["d_real_mean"] = float(interpolate_surface(surface, grid_x, real, grid_y).mean())
            result["d_fake_mean"] = float(interpolate_surface(surface, grid_x, samples, grid_y).mean())

    return result


def _loss_name(config: Mapping[str, Any]) -> str:
    objective = config.get("objective", {})
    if isinstance(objective, Mapping):
        return str(objective.get("loss", ""))
    return ""


def compute_trajectory_metrics(
    traj: Any, options: Mapping[str, Any] | None = None
) -> dict[str, np.ndarray]:
    """Compute ``compute_snapshot_metrics`` for every snapshot of a ``Trajectory``.

    Returns a dict of (T,) arrays plus ``"step"``. ``options`` defaults to the
    run's ``[metrics]`` config section. Snapshots whose metrics lack a key
    that others have (this happens only when inputs change mid-run) get NaN.
    """
    if options is None:
        options = traj.config.get("metrics", {}) if isinstance(traj.config, Mapping) else {}
    options = resolve_metric_options(dict(options))
    steps = np.asarray(traj.steps)
    result: dict[str, np.ndarray] = {"step": steps.copy()}
    samples = traj.samples
    real = traj.real
    if samples is None or real is None or len(steps) == 0:
        logger.info("trajectory %s has no samples or real points; no metrics computed", traj.path)
        return result

    modes = modes_from_dict(traj.modes)
    surfaces = traj.discriminator
    grid = None
    if traj.grid_x is not None:
        grid = (traj.grid_x,) if traj.grid_y is None else (traj.grid_x, traj.grid_y)
    loss = _loss_name(traj.config) if isinstance(traj.config, Mapping) else ""

    rows = []
    for t in range(len(steps)):
        surface = None if surfaces is None else surfaces[t]
        rows.append(compute_snapshot_metrics(samples[t], real, modes, surface, loss, options, grid=grid))

    names = sorted({name for row in rows for name in row})
    for name in names:
        result[name] = np.array([row.get(name, np.nan) for row in rows], dtype=np.float64)
    return result
