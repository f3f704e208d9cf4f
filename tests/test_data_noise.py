"""Generator kind 'data_noise': real data plus Gaussian noise, held fixed during training.

The samples are checked against closed forms: a Kolmogorov-Smirnov test
against the CDF of a 1D Gaussian mixture convolved with the noise, and the
mean and covariance of the ring of Gaussians plus noise. Training, resuming
and the config checks run through the real trainer and the command line.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

import ganlab
from ganlab.cli import main
from ganlab.config import load_config
from ganlab.game import Game
from ganlab.training import resume

SMALL = [
    "generator.kind=data_noise", "generator.noise_std=0.5",
    "discriminator.hidden=16", "training.batch_size=32", "training.steps=40",
    "record.every=10", "record.scalars_every=5", "record.samples=64", "record.real=64",
    "record.grid=12", "record.field_grid=4", "record.manifold_grid=4",
    "record.checkpoint_every=20", "record.flush_every=1",
    "objective.loss=wasserstein", "regularizer.names=['gp']", "regularizer.gp.weight=0.1",
]


def _generator(preset: str, noise_std: float, *extra: str):
    config = load_config(preset, ["generator.kind=data_noise", f"generator.noise_std={noise_std}",
                                  *extra])
    dim = 1 if config["data"]["name"] in ("mixture1d", "dirac") else 2
    game = Game(config, dim, torch.device("cpu"), torch.float64)
    return game, config


def _latent(n: int, dim: int, seed: int) -> torch.Tensor:
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_mixture_plus_noise_matches_closed_form_cdf():
    game, config = _generator("mixture1d", 0.4)
    centers = np.asarray(config["data"]["centers"])
    spread = np.hypot(config["data"]["stds"][0], 0.4)  # std of each component plus the noise
    samples = game.generator(_latent(20000, 1, 0)).numpy()[:, 0]

    def cdf(x):
        return np.mean([stats.norm.cdf(x, loc=c, scale=spread) for c in centers], axis=0)

    result = stats.kstest(samples, cdf)

    assert result.pvalue > 1e-3, result
    # The same test against the data without the noise must fail clearly.
    def data_cdf(x):
        return np.mean([stats.norm.cdf(x, loc=c, scale=config["data"]["stds"][0])
                        for c in centers], axis=0)

    assert stats.kstest(samples, data_cdf).pvalue < 1e-10


def test_ring_plus_noise_mean_and_covariance():
    noise_std = 0.7
    game, config = _generator("8gaussians_wgangp", noise_std)
    radius, mode_std = config["data"]["radius"], config["data"]["std"]
    samples = game.generator(_latent(40000, 2, 1)).numpy()
    # Eight equally spaced, equally weighted modes: covariance (r²/2 + s² + σ²) I, mean 0.
    expected = radius**2 / 2 + mode_std**2 + noise_std**2
    covariance = np.cov(samples.T)
    tolerance = 4 * expected * np.sqrt(2 / len(samples))  # about four standard errors

    assert np.abs(samples.mean(axis=0)).max() < 4 * np.sqrt(expected / len(samples))
    assert covariance[0, 0] == pytest.approx(expected, abs=tolerance)
    assert covariance[1, 1] == pytest.approx(expected, abs=tolerance)
    assert abs(covariance[0, 1]) < tolerance


def test_zero_noise_returns_data_points():
    game, _ = _generator("dirac_alternating", 0.0, "data.position=[0.75]",
                         "record.spectrum_every=0")
    samples = game.generator(_latent(16, 1, 2))

    np.testing.assert_array_equal(samples.numpy(), np.full((16, 1), 0.75))


def test_same_latent_batch_same_samples():
    game, _ = _generator("8gaussians_wgangp", 1.0)
    z = _latent(256, 2, 3)
    first = game.generator(z)
    second = game.generator(z.clone())
    other = game.generator(_latent(256, 2, 4))

    assert torch.equal(first, second)
    assert not torch.allclose(first, other)
    assert first.dtype == torch.float64
    assert list(game.generator.parameters()) == []


def test_training_leaves_generator_fixed(tmp_path):
    ganlab.train(load_config("8gaussians_wgangp", SMALL), tmp_path / "run")
    traj = ganlab.open(tmp_path / "run")
    scalars = traj.scalars

    # The recorder's fixed latent batch gives the same points at every snapshot.
    np.testing.assert_array_equal(traj.samples[0], traj.samples[-1])
    assert "g_loss" not in scalars
    assert np.all(np.asarray(scalars["g_grad_norm"]) == 0.0)
    assert np.all(np.asarray(scalars["d_grad_norm"]) > 0.0)
    assert not np.array_equal(traj.discriminator[0], traj.discriminator[-1])
    assert traj.status == "completed"


def test_parameter_series_skipped(tmp_path):
    ganlab.train(load_config("8gaussians_wgangp", [*SMALL, "record.params_every=10"]),
                 tmp_path / "run")
    traj = ganlab.open(tmp_path / "run")

    assert traj.status == "completed"
    assert traj.series("params") == {}
    assert len(traj.steps) == 5


def test_resumed_run_equals_uninterrupted(tmp_path):
    ganlab.train(load_config("8gaussians_wgangp", SMALL), tmp_path / "full")
    ganlab.train(load_config("8gaussians_wgangp", [*SMALL, "training.steps=20"]),
                 tmp_path / "part")
    result = resume(tmp_path / "part", overrides=["training.steps=40"])
    full, part = ganlab.open(tmp_path / "full"), ganlab.open(tmp_path / "part")

    assert result.status == "completed"
    np.testing.assert_array_equal(full.steps, part.steps)
    np.testing.assert_array_equal(full.discriminator, part.discriminator)
    np.testing.assert_array_equal(full.samples, part.samples)
    np.testing.assert_array_equal(full.scalars["d_loss"], part.scalars["d_loss"])


@pytest.mark.parametrize("setting, expected", [
    ("training.scheme=simultaneous", "training.scheme = 'simultaneous'"),
    ("training.scheme=extragradient", "training.scheme = 'extragradient'"),
    ("regularizer.names=['gp', 'consensus']", "'consensus' acts on the generator"),
    ("regularizer.names=['gp', 'unrolled']", "'unrolled' acts on the generator"),
    ("regularizer.gp.generator=true", "regularizer.gp.generator = true"),
    ("record.spectrum_every=10", "record.spectrum_every"),
])
def test_settings_needing_generator_step_rejected(tmp_path, capsys, setting, expected):
    status = main(["train", "8gaussians_wgangp", "--out", str(tmp_path / "run"),
                   *[f"--set={item}" for item in [*SMALL, setting]]])
    error = capsys.readouterr().err.strip()

    assert status == 2
    assert expected in error
    assert "data_noise" in error
    assert len(error.splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_negative_noise_std_rejected(tmp_path, capsys):
    status = main(["train", "8gaussians_wgangp", "--out", str(tmp_path / "run"),
                   *[f"--set={item}" for item in [*SMALL, "generator.noise_std=-1"]]])
    error = capsys.readouterr().err.strip()

    assert status == 2
    assert "generator.noise_std" in error
    assert len(error.splitlines()) == 1


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop", "optimistic_adam",
                                       "negative_momentum"])
def test_any_generator_optimizer_accepted(tmp_path, optimizer):
    config = load_config("8gaussians_wgangp",
                         [*SMALL, "training.steps=3", f"optimizer.generator.name={optimizer}",
                          "optimizer.generator.momentum=-0.5" if optimizer == "negative_momentum"
                          else "optimizer.generator.momentum=0"])
    result = ganlab.train(config, tmp_path / "run")

    assert result.status == "completed"
