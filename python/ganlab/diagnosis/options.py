"""Named thresholds of the failure detectors, with documented defaults."""

from __future__ import annotations

from typing import Any

from ganlab.fields import Field, check_fields

DIAGNOSIS_FIELDS = [
    Field("occupancy_fraction", float, 0.2, "A mode counts as occupied at a snapshot when it "
          "holds at least this share of the mass its weight asks for (0.2 of 1/8 = 2.5 % of the "
          "samples on an 8-mode ring).", low=0.0, low_open=True, high=1.0),
    Field("collapse_min_snapshots", int, 5, "Consecutive snapshots with the same occupied set "
          "that make a mode collapse phase.", "snapshots", low=1),
    Field("collapse_dwell_factor", float, 3.0, "Inside a sequence of changing occupied sets, a "
          "stay this many times longer than the median stay is reported as collapse, not as "
          "part of mode hopping.", low=1.0),
    # NOTE: mode_min_quality, flicker_snapshots and converged_share were set from single-seed
    # runs of the ring8, R1 and Dirac presets (docs/diagnosis.md, "Real runs"), not from a sweep.
    Field("mode_min_quality", float, 0.2, "Share of high-quality samples a snapshot needs before "
          "its occupied set counts for mode collapse and mode hopping. Below it most samples lie "
          "off the modes (early training, or a generator spread along the data), and the few "
          "that land on a mode do not show which modes the generator holds.", low=0.0, high=1.0),
    Field("flicker_snapshots", int, 2, "Runs of at most this many snapshots that interrupt a "
          "state and end in it again count as flicker, not as a change: a dip of the occupied "
          "set to some of its modes inside a mode collapse, or snapshots that stop matching the "
          "data inside a converged tail. 0 turns this off.", "snapshots", low=0),
    Field("hop_min_hops", int, 3, "Changes of the occupied set needed for a mode hopping "
          "phase.", "hops", low=1),
    Field("oscillation_min_autocorr", float, 0.4, "Autocorrelation at the period lag needed to "
          "call a signal periodic.", low=0.0, low_open=True, high=1.0),
    Field("oscillation_min_cycles", int, 3, "Full periods a signal must span to be tested for "
          "oscillation.", "periods", low=2),
    Field("oscillation_min_amplitude", float, 0.05, "Smallest oscillation amplitude: in data "
          "scales for the sample mean, in units of the mode's weight for mode mass, and in "
          "raw units for discriminator outputs and losses.", low=0.0),
    Field("damping_ratio", float, 0.5, "An oscillation is damped when its fitted envelope ends "
          "below this fraction of its start, and growing when it ends above the inverse.",
          low=0.0, low_open=True, high=1.0, high_open=True),
    Field("divergence_scale", float, 100.0, "Samples farther than this many data extents from "
          "the data's centre count as exploding.", "data extents", low=1.0),
    Field("divergence_grad_norm", float, 1e6, "Gradient norm above which a recorded gradient "
          "counts as exploding.", low=0.0, low_open=True),
    Field("saturation_share", float, 0.5, "Share of the discriminator surface with |logit| above "
          "metrics.saturation_logit that counts as saturated.", low=0.0, high=1.0),
    Field("frozen_displacement", float, 0.01, "Mean sample movement below which the generator "
          "counts as frozen.", "data scales per 1000 generator steps", low=0.0),
    Field("far_w2_ratio", float, 3.0, "W2 to the data, as a multiple of the W2 between two "
          "disjoint sets of real points of the same size, above which the samples do not match "
          "the data.", low=1.0),
    Field("tail_fraction", float, 0.25, "Final share of the snapshots over which convergence is "
          "judged.", low=0.0, low_open=True, high=1.0),
    Field("converged_share", float, 0.9, "Share of the tail's snapshots that must match the "
          "data (after flicker is filled in) for convergence.", low=0.0, low_open=True, high=1.0),
    Field("converged_w2_ratio", float, 1.5, "W2 to the data, as a multiple of the W2 between two "
          "disjoint sets of real points of the same size, below which data without modes counts "
          "as matched (mixtures use the mode criteria instead).", low=0.0, low_open=True),
    Field("converged_high_quality", float, 0.5, "Share of high-quality samples a mixture needs "
          "to count as matched.", low=0.0, high=1.0),
    Field("converged_reverse_kl", float, 0.1, "Reverse KL of the mode histogram below which a "
          "mixture counts as matched.", "nats", low=0.0),
]


def resolve_thresholds(values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate threshold overrides and fill the defaults; unknown names raise ConfigError."""
    return check_fields("diagnosis", DIAGNOSIS_FIELDS, dict(values or {}), what="set of thresholds")
