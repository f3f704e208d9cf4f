"""Counting toys: the count histogram and per-count quality of generated samples.

GANs trained on images that contain a varying number of objects tend to
generate wrong counts (Goodfellow 2016, "NIPS 2016 Tutorial: Generative Adversarial Networks";
Rege & Monteleoni 2019). ``ganlab.data.counting`` provides the data (``count1d``,
``count2d``) and the counter ``count_objects``. This package measures generated
samples with that counter (``metrics``) and records the result with every
snapshot (``recording``). ``docs/counting.md`` defines every quantity.
"""

from ganlab.counting.metrics import (
    CountSetup,
    count_bins,
    count_histogram,
    count_metrics,
    count_quality,
    histogram_kl,
)
from ganlab.counting.recording import CountRecorder, CountSeries, count_series, is_count_run

__all__ = [
    "CountRecorder",
    "CountSeries",
    "CountSetup",
    "count_bins",
    "count_histogram",
    "count_metrics",
    "count_quality",
    "count_series",
    "histogram_kl",
    "is_count_run",
]
