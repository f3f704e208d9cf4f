"""Options of the ``[metrics]`` config section."""

from __future__ import annotations

from typing import Any

from ganlab.errors import ConfigError
from ganlab.fields import Field, check_fields
from ganlab.metrics.dynamics import DEFAULT_SATURATION_LOGIT
from ganlab.metrics.modes import ASSIGNMENTS, COVERAGE_RULES

# Metric groups that ``enabled`` can switch on; each adds the keys listed.
METRIC_GROUPS = {
    "modes": "modes_covered, high_quality, reverse_kl, mode_count_<k> (mixtures only)",
    "w2": "w2",
    "mmd": "mmd2",
    "energy": "energy",
    "histogram": "kl_hist, js_hist",
    "ks": "ks (1D data only)",
    "saturation": "saturated_share (needs the discriminator surface)",
    "discriminator": "d_real_mean, d_fake_mean (needs the surface and its grid)",
    "moments": "mean_x, mean_y, spread",
}

METRIC_FIELDS = [
    Field("enabled", list, list(METRIC_GROUPS), "Metric groups computed at every snapshot: "
          + ", ".join(METRIC_GROUPS) + ".", item=str),
    Field("every", int, 0, "Generator steps between metric records, a multiple of "
          "record.every; 0 records the metrics at every snapshot. All metrics of a ring "
          "snapshot cost about 43 ms of CPU time, exact W2 on 512 points about 30 ms of it "
          "(see docs/benchmarks.md).", "generator steps", low=0),
    Field("background", bool, False, "Compute exact W2, the costliest metric, on a "
          "background thread while training continues. This helps only when a CPU core is "
          "idle (a single run on a multi-core machine). Without an idle core the thread takes "
          "CPU time from training (see docs/benchmarks.md), so the default computes W2 in place "
          "with the other metrics."),
    Field("threshold", float, 3.0, "Distance to the nearest mode below which a sample is high "
          "quality (VEEGAN and PacGAN use 3).", "standard deviations", low=0.0, low_open=True),
    Field("assignment", str, "standardized", "Nearest-mode rule: 'standardized' divides each "
          "axis by the mode's std (PacGAN's code); 'euclidean' picks the nearest centre and "
          "compares the distance with threshold times the mode's std (VEEGAN).",
          choices=ASSIGNMENTS),
    Field("coverage_rule", str, "count", "When a mode counts as covered: 'count' needs "
          "min_count high-quality samples, 'fraction' needs min_fraction of the samples a "
          "perfect generator would put there.", choices=COVERAGE_RULES),
    Field("min_count", int, 1, "High-quality samples a mode needs to be covered under the "
          "'count' rule (VEEGAN uses 1).", "samples", low=1),
    Field("min_fraction", float, 0.1, "Share of a mode's expected sample count (weight times "
          "samples) it needs to be covered under the 'fraction' rule.", low=0.0, low_open=True,
          high=1.0),
    Field("max_samples", int, 0, "Generated samples used per snapshot; 0 uses the whole fixed "
          "latent batch (record.samples; VEEGAN evaluates 2500).", "samples", low=0),
    Field("max_real", int, 0, "Real points compared with the samples; 0 uses as many as there "
          "are generated samples (at most record.real).", "samples", low=0),
    Field("mmd_bandwidth", list, [], "Gaussian kernel widths for MMD, summed; an empty list "
          "uses the median pairwise distance of the real points (fixed over the run).",
          "data units", item=float),
    Field("hist_bins", int, 20, "Histogram bins per axis for kl_hist and js_hist.", "bins",
          low=2, high=1024),
    Field("hist_epsilon", float, 1e-6, "Probability added to every histogram bin before "
          "normalizing, so KL stays finite (at most about log(1/epsilon)).", low=0.0,
          low_open=True, high=1.0),
    Field("saturation_logit", float, DEFAULT_SATURATION_LOGIT, "Discriminator logit magnitude "
          "above which the surface counts as saturated (5 means sigmoid > 0.993).", "logit",
          low=0.0, low_open=True),
]


def resolve_metric_options(raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate a raw ``[metrics]`` table and fill defaults; usable as a config section resolver."""
    options = check_fields("metrics", METRIC_FIELDS, dict(raw or {}))
    for name in options["enabled"]:
        if name not in METRIC_GROUPS:
            accepted = ", ".join(METRIC_GROUPS)
            raise ConfigError(f"metrics.enabled: unknown metric group {name!r}; accepted values: {accepted}")
    for width in options["mmd_bandwidth"]:
        if width <= 0:
            raise ConfigError(f"metrics.mmd_bandwidth: kernel width {width!r} must be positive")
    return options
