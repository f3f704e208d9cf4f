"""Recording count metrics with every snapshot, and reading them back from a run.

For a ``count1d`` or ``count2d`` run the recorder writes, once:

* static ``count_bins`` (B,) int64, the count of each histogram bin (the last
  one collects larger counts), ``count_true`` (B,) the data's count
  probabilities, ``count_values`` (K,) the data's counts;
* attributes ``count_kind`` ("count1d" or "count2d") and ``count_side``;

and at every snapshot a row of the series group ``counts``: ``histogram`` (B,)
and ``quality`` (K,), plus the scalars of ``count_metrics`` in ``metrics``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ganlab.counting.metrics import DEFAULT_EPSILON, CountSetup, count_metrics
from ganlab.store.base import SERIES_INDEX

log = logging.getLogger(__name__)

COUNT_SERIES = "counts"


class CountRecorder:
    """Count the generated samples of each snapshot and write the ``counts`` series."""

    def __init__(self, setup: CountSetup, real: np.ndarray, writer, capacity: int,
                 epsilon: float = DEFAULT_EPSILON, resume: bool = False):
        self.setup = setup
        self.real = np.asarray(real, dtype=np.float64)
        self.real_counts = setup.count(self.real)
        self.writer = writer
        self.epsilon = epsilon

        if not resume:  # a resumed run's store already contains these
            writer.write_static("count_bins", setup.bins)
            writer.write_static("count_true", setup.true_histogram())
            writer.write_static("count_values", np.asarray(setup.counts, dtype=np.int64))
            writer.set_attrs({"count_kind": setup.kind, "count_side": setup.side})
        writer.define_series(COUNT_SERIES, {
            "histogram": ((len(setup.bins),), np.float64),
            "quality": ((len(setup.counts),), np.float64),
        }, capacity)

        wrong = int(np.sum(~np.isin(self.real_counts, setup.counts)))
        if wrong:
            log.warning("the counter finds a count outside %s in %d of %d real samples; the "
                        "count metrics compare against a counter that errs on real data",
                        setup.counts.tolist(), wrong, len(self.real))

    @classmethod
    def create(cls, distribution, real: np.ndarray, writer, config: Mapping[str, Any],
               capacity: int, resume: bool = False) -> "CountRecorder | None":
        """Return a recorder for a count dataset, or ``None`` for any other distribution."""
        setup = CountSetup.from_distribution(distribution)
        if setup is None:
            return None
        epsilon = config.get("metrics", {}).get("hist_epsilon", DEFAULT_EPSILON)
        return cls(setup, real, writer, capacity, epsilon=epsilon, resume=resume)

    def record(self, step: int, samples: np.ndarray) -> dict[str, float]:
        """Append the ``counts`` row of generator step ``step``; return the scalar metrics."""
        histogram, quality, scalars = count_metrics(samples, self.real, self.real_counts,
                                                    self.setup, self.epsilon)
        self.writer.append(COUNT_SERIES, step, {"histogram": histogram, "quality": quality})
        return scalars


@dataclass(frozen=True)
class CountSeries:
    """The recorded count histograms of a run.

    ``steps`` (T,), ``histogram`` (T, B), ``quality`` (T, K), ``bins`` (B,),
    ``true`` (B,), ``counts`` (K,), ``kind`` and ``side`` of the samples.
    """

    steps: np.ndarray
    histogram: np.ndarray
    quality: np.ndarray
    bins: np.ndarray
    true: np.ndarray
    counts: np.ndarray
    kind: str
    side: int

    def bin_labels(self) -> list[str]:
        """Labels of the bins: the counts, with "≥ m" for the last one."""
        labels = [str(int(b)) for b in self.bins]
        labels[-1] = f"≥{int(self.bins[-1])}"
        return labels


def is_count_run(traj) -> bool:
    """Return whether ``traj`` was recorded from a count dataset (it has count bins)."""
    return traj.static("count_bins") is not None


def count_series(traj) -> CountSeries | None:
    """Read the count histograms of a trajectory; ``None`` when it is not a count run."""
    bins = traj.static("count_bins")
    if bins is None:
        return None
    group = traj.series(COUNT_SERIES)
    if group:
        steps = np.asarray(group[SERIES_INDEX])
        histogram = np.asarray(group["histogram"], dtype=np.float64)
        quality = np.asarray(group["quality"], dtype=np.float64)
    else:
        steps = np.zeros(0, dtype=np.int64)
        histogram = np.zeros((0, len(bins)))
        quality = np.zeros((0, 0))
    kind = str(traj.attrs.get("count_kind", "count1d"))
    side = int(traj.attrs.get("count_side", traj.dim))
    return CountSeries(steps=steps, histogram=histogram, quality=quality,
                       bins=np.asarray(bins), true=np.asarray(traj.static("count_true")),
                       counts=np.asarray(traj.static("count_values")), kind=kind, side=side)
