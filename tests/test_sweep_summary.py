"""Summary statistics and metrics of runs recorded without them."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest

from ganlab.sweep.summary import RunData, mean_and_standard_error, run_metrics, summarize
from ganlab.trajectory import Trajectory


def _ring_trajectory(samples_per_snapshot):
    angles = np.arange(8) * 2 * np.pi / 8
    centers = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    stds = np.full((8, 2), 0.02)
    real = np.repeat(centers, 16, axis=0)
    samples = np.stack(samples_per_snapshot).astype(np.float32)
    static = {"real": real, "mode_centers": centers, "mode_stds": stds,
              "mode_weights": np.full(8, 1 / 8)}
    series = {"": {"steps": np.arange(len(samples)) * 10, "samples": samples}}
    return Trajectory.from_arrays({"config": {"objective": {"loss": "nonsaturating"}}}, static,
                                  series), centers


def test_missing_metrics_are_computed():
    everywhere = np.repeat(2.0 * np.stack([np.cos(np.arange(8) * np.pi / 4),
                                           np.sin(np.arange(8) * np.pi / 4)], axis=1), 8, axis=0)
    one_mode = np.tile([[2.0, 0.0]], (64, 1))
    trajectory, _ = _ring_trajectory([one_mode, everywhere])
    metrics = run_metrics(trajectory)
    assert list(metrics["step"]) == [0, 10]
    assert list(metrics["modes_covered"]) == [1.0, 8.0]
    assert list(metrics["high_quality"]) == [1.0, 1.0]


def test_standard_error_skips_nan():
    values = [1.0, 2.0, float("nan"), 4.5]
    mean, error, count = mean_and_standard_error(values)
    finite = [1.0, 2.0, 4.5]
    assert count == 3
    assert mean == pytest.approx(statistics.fmean(finite))
    assert error == pytest.approx(statistics.stdev(finite) / math.sqrt(3))
    single = mean_and_standard_error([3.0])
    assert single[0] == 3.0
    assert math.isnan(single[1])
    assert single[2] == 1


def test_final_and_best_directions():
    runs = [
        RunData("a", 0, "completed", {"step": np.array([0, 1, 2]),
                                      "modes_covered": np.array([1.0, 6.0, 4.0]),
                                      "w2": np.array([3.0, 0.5, 1.0])}, None, None),
        RunData("a", 1, "diverged", {"step": np.array([0, 1]),
                                     "modes_covered": np.array([2.0, 8.0]),
                                     "w2": np.array([2.0, np.nan])}, None, None),
    ]
    rows = {(r["metric"], r["statistic"]): r for r in summarize(runs)}
    assert rows[("modes_covered", "final")]["mean"] == 6.0
    assert rows[("modes_covered", "best")]["mean"] == 7.0
    assert rows[("w2", "final")]["count"] == 1
    assert rows[("w2", "final")]["mean"] == 1.0
    assert rows[("w2", "best")]["mean"] == pytest.approx(1.25)
    assert rows[("w2", "best")]["diverged"] == 1
