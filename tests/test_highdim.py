"""High-dimensional mixtures: training, modes covered in D dimensions, projected views."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.stats import chi2

from ganlab.config import load_config
from ganlab.data import make_distribution
from ganlab.errors import UsageError
from ganlab.metrics.modes import dimension_threshold, mode_metrics
from ganlab.render import render
from ganlab.render.projection import project_trajectory
from ganlab.store import open_trajectory
from ganlab.training import train
from ganlab.trajectory import Trajectory

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "mixture_hd_small.toml"
TINY = ["training.steps=60", "record.every=30", "record.samples=200", "record.real=400",
        "training.batch_size=64", "generator.hidden=32", "discriminator.hidden=32",
        "record.checkpoint_every=0"]


def test_threshold_unchanged_up_to_2d():
    assert dimension_threshold(3.0, 1) == 3.0
    assert dimension_threshold(3.0, 2) == 3.0


def test_threshold_keeps_2d_mass():
    limit = dimension_threshold(3.0, 50)
    assert chi2.cdf(limit**2, 50) == pytest.approx(1 - np.exp(-4.5), rel=1e-9)


def test_isotropic_samples_high_quality_in_50d():
    distribution = make_distribution("mixture_hd", {"modes": 10, "dim": 50, "subspace_dim": 50})
    samples = distribution.sample(4000, torch.Generator().manual_seed(1)).numpy()
    measured = mode_metrics(samples, distribution.modes)
    # Isotropic in all 50 dimensions, so the χ limit keeps 98.9 % of the mass.
    assert measured.high_quality == pytest.approx(1 - np.exp(-4.5), abs=0.01)
    assert measured.modes_covered == 10


def test_subspace_samples_mostly_high_quality():
    distribution = make_distribution("mixture_hd", {"modes": 10, "dim": 50, "subspace_dim": 20})
    samples = distribution.sample(2000, torch.Generator().manual_seed(2)).numpy()
    measured = mode_metrics(samples, distribution.modes)
    assert measured.high_quality > 0.85
    assert measured.modes_covered == 10


def test_single_point_covers_one_mode():
    distribution = make_distribution("mixture_hd", {"modes": 10, "dim": 50, "subspace_dim": 20})
    centre = np.repeat(distribution.modes.centers[3:4], 100, axis=0)
    measured = mode_metrics(centre, distribution.modes)
    assert measured.modes_covered == 1
    assert measured.counts[3] == 100


@pytest.fixture(scope="module")
def hd_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("hd") / "run"
    train(load_config(CONFIG, TINY), out)
    return out


def test_run_reports_modes_covered(hd_run):
    with open_trajectory(hd_run) as traj:
        covered = traj.metrics["modes_covered"]
        assert covered.shape == (3,)
        assert np.all((covered >= 0) & (covered <= 10))
        assert traj.static("projection").shape == (2, 50)
        assert traj.discriminator is None


def test_recorded_coverage_matches_metrics(hd_run):
    from ganlab.metrics.modes import modes_from_dict

    with open_trajectory(hd_run) as traj:
        expected = mode_metrics(traj.samples[-1], modes_from_dict(traj.modes)).modes_covered
        assert traj.metrics["modes_covered"][-1] == expected


def test_projection_multiplies_samples(hd_run):
    with open_trajectory(hd_run) as traj:
        projection = traj.static("projection")
        view = project_trajectory(traj)
        assert view.dim == 2
        expected = traj.samples[-1].astype(np.float64) @ projection.T
        assert np.allclose(view.samples[-1], expected, atol=1e-4)
        assert np.allclose(view.real, traj.real.astype(np.float64) @ projection.T, atol=1e-4)
        assert view.discriminator is None
        assert view.modes is None


@pytest.mark.parametrize("kind,suffix", [("overview", ".png"), ("snapshot", ".png"),
                                         ("animation", ".gif")])
def test_planar_kinds_draw_projection(hd_run, tmp_path, kind, suffix):
    out = tmp_path / f"{kind}{suffix}"
    result = render(str(hd_run), kind, out)
    assert out.stat().st_size > 1000
    if kind != "animation":
        texts = [result._suptitle.get_text()]
        assert any("projected onto its 2 principal axes" in text for text in texts)
        assert any("no discriminator surface in 50 dimensions" in text for text in texts)


def test_replay_page_of_projection(hd_run, tmp_path):
    out = tmp_path / "replay.html"
    render(str(hd_run), "replay", out)
    assert out.read_text(encoding="utf-8").startswith("<!")


def test_no_projection_names_working_kinds(tmp_path):
    traj = Trajectory.from_arrays({"dim": 5}, {"real": np.zeros((4, 5))},
                                  {"": {"steps": np.array([0]), "samples": np.zeros((1, 4, 5))}})
    with pytest.raises(UsageError, match="kinds that work: field, params, spectrum, replay"):
        render(traj, "overview", tmp_path / "x.png")
