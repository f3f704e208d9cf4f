"""Gallery entry wgan_gp_critic: clipped and penalized critics against a fixed generator.

The quick version runs once through `ganlab reproduce`. Its PDF text is read
back with pypdf and its PNG with imageio. Each run's config is read with
tomllib, and the clipped critic's weights come from the final checkpoint
through torch.load.
"""

from __future__ import annotations

import tomllib

import imageio.v3 as iio
import numpy as np
import pypdf
import pytest
import torch

import ganlab
from ganlab.cli import main
from ganlab.gallery.wgan_gp import ENTRY, loss_plateau
from ganlab.trajectory import Trajectory

DPI = 60


@pytest.fixture(scope="module")
def quick_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("wgan_gp_critic")
    status = main(["-q", "reproduce", "wgan_gp_critic", "--out", str(out), "--quick",
                   "--format", "pdf,png", "--dpi", str(DPI)])
    assert status == 0
    return out / "wgan_gp_critic"


def test_quick_run_pdf_labels_rows_and_columns(quick_dir):
    # Fonts and page size of every entry's PDF are checked in test_gallery.py.
    reader = pypdf.PdfReader(quick_dir / "wgan_gp_critic.pdf")
    text = reader.pages[0].extract_text()

    assert len(reader.pages) == 1
    for label in ("weight clipping", "gradient penalty", "8 Gaussians", "25 Gaussians",
                  "Swiss roll", "fixed generator"):
        assert label in text, label
    assert text.count("20 critic steps") == 6


def test_quick_run_writes_png(quick_dir):
    image = iio.imread(quick_dir / "wgan_gp_critic.png")

    assert image.ndim == 3
    assert image.shape[1] > image.shape[0]  # two rows of three square panels, wider than tall
    assert image[..., :3].std() > 10  # not a blank page


def test_runs_are_clipping_then_gp_rows(quick_dir):
    specs = ENTRY.runs(True, None)
    configs = {spec.name: tomllib.loads((quick_dir / "runs" / spec.name / "config.toml")
                                        .read_text(encoding="utf-8")) for spec in specs}

    assert [spec.name for spec in specs] == [
        "clipping_8gaussians", "clipping_25gaussians", "clipping_swissroll",
        "gp_8gaussians", "gp_25gaussians", "gp_swissroll"]
    for name, config in configs.items():
        assert config["generator"]["kind"] == "data_noise", name
        assert config["generator"]["noise_std"] == 1.0, name
        assert config["objective"]["loss"] == "wasserstein", name
    assert configs["clipping_8gaussians"]["regularizer"]["names"] == ["weight_clipping"]
    assert configs["clipping_8gaussians"]["optimizer"]["discriminator"]["name"] == "rmsprop"
    assert configs["gp_8gaussians"]["regularizer"]["names"] == ["gp"]
    assert configs["gp_8gaussians"]["regularizer"]["gp"]["weight"] == 0.1
    assert configs["gp_8gaussians"]["optimizer"]["discriminator"]["name"] == "adam"


def test_published_runs_use_script_critic():
    spec = ENTRY.runs(False, None)[3]

    assert spec.overrides["discriminator.hidden"] == 512
    assert spec.overrides["discriminator.depth"] == 3
    assert spec.overrides["training.batch_size"] == 256
    assert spec.overrides["training.steps"] >= 1000


def test_clipped_critic_weights_stay_in_box(quick_dir):
    state = torch.load(quick_dir / "runs" / "clipping_25gaussians" / "checkpoint.pt",
                       map_location="cpu", weights_only=True)
    weights = torch.cat([value.reshape(-1) for value in state["discriminator"].values()])

    assert weights.abs().max().item() <= 0.01 + 1e-7
    assert state["generator"] == {}


def test_fixed_generator_samples_do_not_move(quick_dir):
    traj = ganlab.open(quick_dir / "runs" / "gp_swissroll")

    np.testing.assert_array_equal(traj.samples[0], traj.samples[-1])
    assert not np.array_equal(traj.discriminator[0], traj.discriminator[-1])


def _loss_trajectory(steps: np.ndarray, loss: np.ndarray) -> Trajectory:
    series = {"scalars": {"step": steps, "d_loss": loss}}
    return Trajectory.from_arrays({"config": "{}", "status": "completed"}, {}, series)


def test_loss_plateau_of_flat_tail():
    steps = np.arange(10, 1010, 10)
    loss = np.where(steps <= 500, -steps / 500.0, -1.0)
    mean, change = loss_plateau(_loss_trajectory(steps, loss))

    assert mean == pytest.approx(-1.0)
    assert change == pytest.approx(0.0)


def test_loss_plateau_of_falling_loss():
    steps = np.arange(10, 1010, 10)
    loss = -steps / 1000.0
    mean, change = loss_plateau(_loss_trajectory(steps, loss))

    # The last tenth (steps 910 to 1000) has mean -0.955, the tenth before it -0.855.
    assert mean == pytest.approx(-0.955)
    assert change == pytest.approx(-0.1)
