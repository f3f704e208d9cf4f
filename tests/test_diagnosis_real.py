"""``ganlab diagnose`` on two real ring runs: a vanilla GAN that drops modes and an R1 run that converges.

The runs are stored fixtures made by tests/fixtures/make_diagnosis_real_runs.py
(about 6 minutes of training, too slow for the test suite). The expected
evidence is recomputed here from the stored samples, read with plain h5py,
with a mode assignment written out in numpy.
"""

import json
from pathlib import Path

import h5py
import numpy as np
import pytest
from matplotlib.patches import Polygon, Rectangle

import ganlab
from ganlab.cli import main
from ganlab.diagnosis import diagnose, phases_for_plot
from ganlab.render.overview import render_overview

FIXTURES = Path(__file__).parent / "fixtures" / "diagnosis_real"
VANILLA = FIXTURES / "vanilla_ring8.h5"
R1 = FIXTURES / "r1_ring8.h5"

# Defaults of the diagnosis thresholds and metric options these checks mirror.
OCCUPANCY_FRACTION = 0.2
HIGH_QUALITY_STDS = 3.0
CONVERGED_HIGH_QUALITY = 0.5
CONVERGED_REVERSE_KL = 0.1


def read_run(path):
    """Return steps, samples (T, N, 2), mode centres, stds and weights from the HDF5 store."""
    with h5py.File(path, "r") as file:
        count = int(file["committed"][()])
        return {
            "steps": file["steps"][:count],
            "samples": file["samples"][:count].astype(np.float64),
            "centers": file["mode_centers"][:],
            "stds": file["mode_stds"][:],
            "weights": file["mode_weights"][:],
        }


def mode_shares(run):
    """Return (T, K) shares of samples within 3 standardized stds of their nearest mode centre."""
    offsets = run["samples"][:, :, None, :] - run["centers"][None, None, :, :]
    distance = np.sqrt(np.sum((offsets / run["stds"][None, None, :, :]) ** 2, axis=-1))
    nearest = distance.argmin(axis=-1)
    good = distance.min(axis=-1) <= HIGH_QUALITY_STDS
    count = run["samples"].shape[1]
    modes = len(run["centers"])
    return np.stack([((nearest == k) & good).sum(axis=1) / count for k in range(modes)], axis=1)


def diagnose_json(path, capsys, *options):
    assert main(["diagnose", str(path), "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)


def only(findings, label):
    matches = [finding for finding in findings if finding["label"] == label]
    assert len(matches) == 1, f"expected one {label!r} finding, got {[f['label'] for f in findings]}"
    return matches[0]


@pytest.fixture(scope="module")
def vanilla():
    return read_run(VANILLA)


@pytest.fixture(scope="module")
def stabilized():
    return read_run(R1)


def test_vanilla_verdict_is_mode_collapse(capsys, vanilla):
    result = diagnose_json(VANILLA, capsys)
    collapse = only(result["findings"], "mode collapse")

    assert result["verdict"] == "mode collapse"
    assert "convergence" not in [finding["label"] for finding in result["findings"]]
    assert collapse["end_step"] == int(vanilla["steps"][-1])
    assert collapse["evidence"]["modes_total"] == 8
    assert 1 <= collapse["evidence"]["modes_occupied"] < 8


def test_vanilla_collapse_matches_samples(capsys, vanilla):
    collapse = only(diagnose_json(VANILLA, capsys)["findings"], "mode collapse")
    evidence = collapse["evidence"]
    steps = vanilla["steps"]
    window = (steps >= collapse["start_step"]) & (steps <= collapse["end_step"])
    shares = mode_shares(vanilla)[window]
    occupied = shares >= OCCUPANCY_FRACTION * vanilla["weights"][None, :]

    # Missing modes hold less than their occupancy share at every snapshot of the phase.
    for k in evidence["missing_modes"]:
        assert not occupied[:, k].any(), f"mode {k} is occupied inside the collapse"
    # Held modes are occupied at every snapshot except the ones counted as flicker.
    full = occupied[:, evidence["modes"]].all(axis=1)
    assert int((~full).sum()) == evidence["flicker_snapshots"]
    assert int(window.sum()) == evidence["snapshots"]
    assert sorted(evidence["modes"] + evidence["missing_modes"]) == list(range(8))
    for k in evidence["modes"]:
        assert evidence["mean_mass"][str(k)] == pytest.approx(shares[:, k].mean(), abs=1e-5)


def test_vanilla_collapse_needs_flicker_merge(capsys, vanilla):
    merged = only(diagnose_json(VANILLA, capsys)["findings"], "mode collapse")
    split = diagnose_json(VANILLA, capsys, "--threshold", "flicker_snapshots=0")
    pieces = [finding for finding in split["findings"] if finding["label"] == "mode collapse"]

    # Without merging, no single finding spans the merged phase.
    assert merged["evidence"]["flicker_snapshots"] > 0
    for piece in pieces:
        assert piece["end_step"] - piece["start_step"] < merged["end_step"] - merged["start_step"]


def test_r1_verdict_is_convergence(capsys, stabilized):
    result = diagnose_json(R1, capsys)
    convergence = only(result["findings"], "convergence")
    labels = [finding["label"] for finding in result["findings"]]

    assert result["verdict"] == "convergence"
    assert "non-convergence" not in labels
    assert convergence["end_step"] == int(stabilized["steps"][-1])
    for finding in result["findings"]:
        if finding["label"] in ("mode collapse", "mode hopping"):
            assert finding["end_step"] < convergence["start_step"]


def test_r1_final_evidence_matches_samples(capsys, stabilized):
    convergence = only(diagnose_json(R1, capsys)["findings"], "convergence")
    final = convergence["evidence"]["final"]
    shares = mode_shares(stabilized)[-1]
    high_quality = shares.sum()
    histogram = shares / high_quality
    nonzero = histogram > 0
    reverse_kl = np.sum(histogram[nonzero] * np.log(histogram[nonzero] / stabilized["weights"][nonzero]))

    assert final["modes_occupied"] == 8
    assert (shares >= OCCUPANCY_FRACTION * stabilized["weights"]).all()
    assert final["high_quality"] == pytest.approx(high_quality, abs=1e-5)
    assert final["reverse_kl"] == pytest.approx(reverse_kl, rel=1e-4)


def test_r1_tail_mostly_matches_data(capsys, stabilized):
    convergence = only(diagnose_json(R1, capsys)["findings"], "convergence")
    steps = stabilized["steps"]
    tail = steps >= convergence["evidence"]["tail_start_step"]
    shares = mode_shares(stabilized)[tail]
    high_quality = shares.sum(axis=1)
    histogram = shares / high_quality[:, None]
    ratio = np.where(histogram > 0, histogram / stabilized["weights"][None, :], 1.0)
    reverse_kl = np.sum(histogram * np.log(ratio), axis=1)
    matched = (
        (shares >= OCCUPANCY_FRACTION * stabilized["weights"][None, :]).all(axis=1)
        & (high_quality >= CONVERGED_HIGH_QUALITY)
        & (reverse_kl <= CONVERGED_REVERSE_KL)
    )

    # The diagnosis fills flicker gaps, so its share is at least the raw share.
    assert convergence["evidence"]["matched_share"] >= 0.9
    assert convergence["evidence"]["matched_share"] >= matched.mean()
    assert matched.mean() >= 0.75


def test_verdicts_differ_between_runs(capsys):
    vanilla_verdict = diagnose_json(VANILLA, capsys)["verdict"]
    stabilized_verdict = diagnose_json(R1, capsys)["verdict"]

    assert vanilla_verdict != stabilized_verdict


def phase_spans(figure):
    """Return the x extents of the shaded spans on the overview's loss axes."""
    curves_ax = figure.axes[-1]
    spans = []
    for patch in curves_ax.patches:
        # axvspan returns a Rectangle since matplotlib 3.9 and a Polygon before.
        if isinstance(patch, Rectangle):
            spans.append((float(patch.get_x()), float(patch.get_x() + patch.get_width())))
        elif isinstance(patch, Polygon):
            xs = patch.get_xy()[:, 0]
            spans.append((float(np.min(xs)), float(np.max(xs))))
    return spans


def test_overview_shades_diagnosed_phases():
    with ganlab.open(VANILLA) as traj:
        figure = render_overview(traj, panels=2)
        phases = phases_for_plot(diagnose(traj))
        spans = phase_spans(figure)
        texts = [text.get_text().strip() for text in figure.axes[-1].texts]

    assert sorted(spans) == sorted((float(start), float(end)) for _, start, end in phases)
    for label, _, _ in phases:
        assert label in texts


def test_overview_without_phases():
    with ganlab.open(VANILLA) as traj:
        figure = render_overview(traj, panels=2, phases=False)

    assert phase_spans(figure) == []
