"""Metrics of generated samples: mode coverage, distances to the data, training dynamics.

``compute_snapshot_metrics`` is the recorder's per-snapshot hook and
``compute_trajectory_metrics`` computes the same values for a stored run.
``METRIC_FIELDS`` declares the ``[metrics]`` config section.
"""

from ganlab.metrics.distances import (
    energy_distance,
    histogram_divergences,
    ks_distance,
    median_bandwidth,
    mmd2,
    wasserstein2,
)
from ganlab.metrics.dynamics import (
    discriminator_means,
    generator_displacement,
    interpolate_surface,
    latent_mode_tracks,
    mode_mass,
    saturated_share,
    scalar_at_steps,
)
from ganlab.metrics.modes import ModeMetrics, assign_modes, mode_metrics, reverse_kl
from ganlab.metrics.options import METRIC_FIELDS, METRIC_GROUPS, resolve_metric_options
from ganlab.metrics.snapshot import compute_snapshot_metrics, compute_trajectory_metrics

__all__ = [
    "METRIC_FIELDS",
    "METRIC_GROUPS",
    "ModeMetrics",
    "assign_modes",
    "compute_snapshot_metrics",
    "compute_trajectory_metrics",
    "discriminator_means",
    "energy_distance",
    "generator_displacement",
    "histogram_divergences",
    "interpolate_surface",
    "ks_distance",
    "latent_mode_tracks",
    "median_bandwidth",
    "mmd2",
    "mode_mass",
    "mode_metrics",
    "resolve_metric_options",
    "reverse_kl",
    "saturated_share",
    "scalar_at_steps",
    "wasserstein2",
]


def _register_config_section() -> None:
    # ganlab.config imports this package to learn its optional sections.
    from ganlab.config import register_section

    register_section("metrics", METRIC_FIELDS, resolve_metric_options)


_register_config_section()
