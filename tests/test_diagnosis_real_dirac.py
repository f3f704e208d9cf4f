"""``ganlab diagnose`` on a real Dirac GAN run: simultaneous steps spiral outward.

Mescheder, Geiger & Nowozin (2018), Sec. 2.2: with simultaneous gradient
steps the Dirac GAN's (θ, ψ) circle the equilibrium (0, 0) with a growing
radius. The cycles slow down as the logit ψθ saturates the sigmoid, so the
diagnosis reads the period from sign changes. The expected values are
recomputed here from the store, read with plain zarr.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import zarr

import ganlab
from ganlab.cli import main

DIRAC = Path(__file__).resolve().parents[1] / "configs" / "dirac.toml"


@pytest.fixture(scope="module")
def dirac_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dirac") / "run"
    result = ganlab.train(ganlab.load_config(DIRAC, ["training.threads=1"]), out)
    assert result.status == "completed"
    return out


def read_arrays(run):
    root = zarr.open_group(str(run / "trajectory.zarr"), mode="r")
    count = int(root["committed"][()])
    scalar_count = int(root["scalars"]["committed"][()])
    return {
        "steps": root["steps"][:count],
        "theta": root["samples"][:count, 0, 0].astype(np.float64),
        "scalar_steps": root["scalars"]["step"][:scalar_count].astype(np.float64),
        "d_fake_mean": root["scalars"]["d_fake_mean"][:scalar_count].astype(np.float64),
    }


def diagnose_json(run, capsys):
    assert main(["diagnose", str(run), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_dirac_verdict_is_growing_oscillation(dirac_run, capsys):
    result = diagnose_json(dirac_run, capsys)
    oscillation = [finding for finding in result["findings"] if finding["label"] == "oscillation"]

    assert result["verdict"] == "oscillation"
    assert len(oscillation) == 1
    assert oscillation[0]["evidence"]["kind"] == "growing"
    assert oscillation[0]["evidence"]["method"] == "zero crossings"
    assert "convergence" not in [finding["label"] for finding in result["findings"]]


def test_dirac_samples_circle_with_growing_amplitude(dirac_run):
    arrays = read_arrays(dirac_run)
    theta = arrays["theta"]
    changes = np.flatnonzero(np.sign(theta[1:]) != np.sign(theta[:-1])) + 1
    # Peak |θ| of each complete half cycle, between consecutive sign changes.
    peaks = np.array([np.abs(theta[a:b]).max() for a, b in zip(changes[:-1], changes[1:])])

    assert len(changes) >= 5
    assert np.all(np.diff(peaks) > 0)
    assert peaks[-1] > 1.5 * peaks[0]


def test_dirac_period_matches_sign_changes(dirac_run, capsys):
    oscillation = next(
        finding for finding in diagnose_json(dirac_run, capsys)["findings"]
        if finding["label"] == "oscillation"
    )
    evidence = oscillation["evidence"]
    arrays = read_arrays(dirac_run)
    steps = arrays["scalar_steps"]
    values = arrays[evidence["signal"]]

    # Sign changes of the signal after removing its least-squares line.
    slope, intercept = np.polyfit(steps, values, 1)
    centred = values - (slope * steps + intercept)
    changes = np.flatnonzero(np.sign(centred[1:]) * np.sign(centred[:-1]) < 0) + 1
    half_periods = np.diff(steps[changes])

    assert evidence["signal"] == "d_fake_mean"
    assert evidence["period_steps"] == pytest.approx(2 * np.median(half_periods), rel=1e-5)
    assert evidence["first_half_period_steps"] == pytest.approx(half_periods[0])
    assert evidence["last_half_period_steps"] == pytest.approx(half_periods[-1])
    assert half_periods[-1] > half_periods[0]
