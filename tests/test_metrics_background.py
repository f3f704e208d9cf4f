"""Snapshot metrics on the background thread: order, errors, checkpoints and resume."""

import threading
import time

import numpy as np
import pytest
import torch

import ganlab
import ganlab.recorder
from ganlab.config import load_config
from ganlab.metrics.background import OrderedResults
from ganlab.training import resume

SMALL = [
    "record.every=10", "record.scalars_every=5", "record.samples=32", "record.real=64",
    "record.grid=12", "record.field_grid=4", "record.manifold_grid=4", "generator.hidden=16",
    "discriminator.hidden=16", "training.batch_size=32", "record.checkpoint_every=20",
    "record.flush_every=1", "metrics.background=true",
]


def slow_metrics(monkeypatch, seconds=0.03):
    """Make every metric computation take at least ``seconds``, so rows are still pending."""
    original = ganlab.recorder.compute_snapshot_metrics

    def delayed(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(ganlab.recorder, "compute_snapshot_metrics", delayed)


def test_ordered_results_wait_for_the_front():
    results = OrderedResults()
    release = threading.Event()
    results.submit("first", lambda: release.wait(5) and 1)
    results.submit("second", lambda: 2)
    assert list(results.ready()) == []
    assert len(results) == 2
    release.set()
    assert list(results.wait_all()) == [("first", 1), ("second", 2)]
    assert len(results) == 0


def test_ordered_results_raise_a_failure_once():
    results = OrderedResults()

    def fail():
        raise ValueError("broken metric")

    results.submit("bad", fail)
    results.submit("good", lambda: 3)
    with pytest.raises(ValueError, match="broken metric"):
        list(results.wait_all())
    assert list(results.wait_all()) == [("good", 3)]


def test_checkpoint_commits_metrics_of_its_snapshots(tmp_path, monkeypatch):
    slow_metrics(monkeypatch)
    out = tmp_path / "run"
    # Only the checkpoint at the last step flushes, so its row counts show whether the
    # metrics still computing were appended first.
    config = load_config("ring8", [*SMALL, "training.steps=40", "record.checkpoint_every=40",
                                   "record.flush_every=100"])
    ganlab.train(config, out)

    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["committed"]["metrics"] == 5
    assert state["committed"][""] == 5
    trajectory = ganlab.open(out)
    np.testing.assert_array_equal(trajectory.metrics["step"], [0, 10, 20, 30, 40])
    np.testing.assert_array_equal(trajectory.steps, [0, 10, 20, 30, 40])


def test_resumed_metrics_equal_uninterrupted(tmp_path, monkeypatch):
    slow_metrics(monkeypatch)
    full = tmp_path / "full"
    ganlab.train(load_config("ring8", [*SMALL, "training.steps=60"]), full)
    out = tmp_path / "run"
    ganlab.train(load_config("ring8", [*SMALL, "training.steps=20"]), out)
    assert resume(out, overrides=["training.steps=60"]).status == "completed"

    expected, actual = ganlab.open(full).metrics, ganlab.open(out).metrics
    assert sorted(actual) == sorted(expected)
    assert "w2" in actual
    for name in expected:
        np.testing.assert_array_equal(actual[name], expected[name], err_msg=name)


def test_inline_metrics_equal_background(tmp_path, monkeypatch):
    slow_metrics(monkeypatch)
    config = [*SMALL, "training.steps=40"]
    ganlab.train(load_config("ring8", config), tmp_path / "background")
    ganlab.train(load_config("ring8", [*config, "metrics.background=false"]), tmp_path / "inline")
    assert load_config("ring8", [])["metrics"]["background"] is False

    expected = ganlab.open(tmp_path / "inline").metrics
    actual = ganlab.open(tmp_path / "background").metrics
    assert sorted(actual) == sorted(expected)
    for name in expected:
        np.testing.assert_array_equal(actual[name], expected[name], err_msg=name)


def test_failed_metric_fails_the_run(tmp_path, monkeypatch):
    original = ganlab.recorder.compute_snapshot_metrics
    calls = []

    def fail_third(samples, real, modes, surface, loss, options, **kwargs):
        # The third computation of W2 (step 20) fails; the background thread computes W2.
        if "w2" in options["enabled"]:
            calls.append(1)
            if len(calls) == 3:
                raise ValueError("metric failed on purpose")
        return original(samples, real, modes, surface, loss, options, **kwargs)

    monkeypatch.setattr(ganlab.recorder, "compute_snapshot_metrics", fail_third)
    out = tmp_path / "run"
    with pytest.raises(ValueError, match="metric failed on purpose"):
        ganlab.train(load_config("ring8", [*SMALL, "training.steps=60"]), out)
    trajectory = ganlab.open(out)
    assert trajectory.status == "failed"
    assert list(trajectory.metrics["step"]) == [0, 10]
    assert list(trajectory.steps) == [0, 10, 20]
