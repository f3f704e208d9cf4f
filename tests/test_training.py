"""The training loop: update schemes, reproducibility, divergence and run directories."""

import copy

import numpy as np
import pytest
import torch
from torch.nn.functional import softplus

import ganlab
from ganlab.config import load_config
from ganlab.errors import RunExistsError
from ganlab.training import Sampler, Trainer

SMALL = [
    "training.steps=20", "record.every=10", "record.scalars_every=5", "record.samples=64",
    "record.real=128", "record.grid=16", "record.field_grid=5", "record.manifold_grid=4",
    "generator.hidden=16", "discriminator.hidden=16", "training.batch_size=32",
]


def small_config(*extra):
    return load_config("ring8", [*SMALL, *extra])


def flat(module):
    return torch.cat([p.detach().reshape(-1) for p in module.parameters()])


def plain_losses(generator, discriminator, real, z):
    # The non-saturating GAN written out directly, without ganlab's Game.
    fake = generator(z)
    real_out = discriminator(real).squeeze(-1)
    fake_out = discriminator(fake).squeeze(-1)
    d_loss = softplus(-real_out).mean() + softplus(fake_out).mean()
    g_loss = softplus(-fake_out).mean()
    return d_loss, g_loss


def sgd_expected(module, loss, lr):
    grads = torch.autograd.grad(loss, list(module.parameters()), retain_graph=True)
    return flat(module) - lr * torch.cat([g.reshape(-1) for g in grads])


def test_simultaneous_gradients_at_same_point(tmp_path):
    lr = 0.05
    config = small_config("training.scheme=simultaneous", "optimizer.name=sgd", f"optimizer.lr={lr}",
                          "training.precision=float64")
    trainer = Trainer(config, tmp_path / "run")
    g0, d0 = copy.deepcopy(trainer.game.generator), copy.deepcopy(trainer.game.discriminator)
    replay = Sampler(trainer.distribution, config, trainer.device, trainer.dtype, config["training"]["seed"])
    real, z = replay.real(32), replay.latent(32)

    trainer.scheme(trainer, 1)

    d_loss, g_loss = plain_losses(g0, d0, real, z)
    torch.testing.assert_close(flat(trainer.game.discriminator), sgd_expected(d0, d_loss, lr))
    torch.testing.assert_close(flat(trainer.game.generator), sgd_expected(g0, g_loss, lr))


def test_alternating_generator_sees_updated_discriminator(tmp_path):
    lr = 0.05
    config = small_config("optimizer.name=sgd", f"optimizer.lr={lr}", "training.precision=float64")
    trainer = Trainer(config, tmp_path / "run")
    g0, d0 = copy.deepcopy(trainer.game.generator), copy.deepcopy(trainer.game.discriminator)
    replay = Sampler(trainer.distribution, config, trainer.device, trainer.dtype, config["training"]["seed"])
    real1, z1 = replay.real(32), replay.latent(32)
    real2, z2 = replay.real(32), replay.latent(32)

    trainer.scheme(trainer, 1)

    d_loss, _ = plain_losses(g0, d0, real1, z1)
    d1_expected = sgd_expected(d0, d_loss, lr)
    torch.testing.assert_close(flat(trainer.game.discriminator), d1_expected)

    d1 = copy.deepcopy(d0)
    torch.nn.utils.vector_to_parameters(d1_expected, d1.parameters())
    _, g_loss_at_d1 = plain_losses(g0, d1, real2, z2)
    torch.testing.assert_close(flat(trainer.game.generator), sgd_expected(g0, g_loss_at_d1, lr))

    _, g_loss_at_d0 = plain_losses(g0, d0, real2, z2)
    assert not torch.allclose(flat(trainer.game.generator), sgd_expected(g0, g_loss_at_d0, lr))


def test_same_seed_reproduces_run(tmp_path):
    first = ganlab.train(small_config(), tmp_path / "a")
    second = ganlab.train(small_config(), tmp_path / "b")
    other = ganlab.train(small_config("training.seed=1"), tmp_path / "c")
    a, b, c = ganlab.open(first.run_dir), ganlab.open(second.run_dir), ganlab.open(other.run_dir)
    np.testing.assert_array_equal(a.samples, b.samples)
    np.testing.assert_array_equal(a.discriminator, b.discriminator)
    np.testing.assert_array_equal(a.scalars["g_loss"], b.scalars["g_loss"])
    assert not np.array_equal(a.samples, c.samples)


def test_run_records_expected_snapshots(tmp_path):
    result = ganlab.train(small_config(), tmp_path / "run")
    traj = ganlab.open(result.run_dir)
    assert traj.status == "completed"
    np.testing.assert_array_equal(traj.steps, [0, 10, 20])
    assert traj.samples.shape == (3, 64, 2)
    assert traj.discriminator.shape == (3, 16, 16)
    assert traj.field.shape == (3, 5, 5, 2)
    assert traj.manifold.shape == (3, 16, 2)
    np.testing.assert_array_equal(traj.scalars["step"], [5, 10, 15, 20])
    for name in ("d_loss", "g_loss", "g_grad_norm", "d_grad_norm", "g_lr", "d_lr"):
        assert name in traj.scalars
    assert traj.config == small_config()


def test_field_is_input_gradient_of_surface(tmp_path):
    # Compare the recorded gradient with a finite difference of the discriminator itself.
    config = small_config("training.precision=float64")
    trainer = Trainer(config, tmp_path / "run")
    row = trainer.recorder.evaluate()
    x = trainer.recorder._grid_points("field")
    disc = trainer.game.discriminator.eval()
    eps = 1e-5
    for axis in range(2):
        shift = np.zeros(2)
        shift[axis] = eps
        plus = disc(torch.as_tensor(x + shift)).squeeze(-1).detach().numpy()
        minus = disc(torch.as_tensor(x - shift)).squeeze(-1).detach().numpy()
        numeric = ((plus - minus) / (2 * eps)).reshape(5, 5)
        np.testing.assert_allclose(row["field"][..., axis], numeric, rtol=1e-3, atol=1e-4)
    trainer.writer.close()


def test_divergence_stops_cleanly(tmp_path):
    config = small_config("optimizer.name=sgd", "optimizer.lr=1e30", "training.steps=200")
    result = ganlab.train(config, tmp_path / "run")
    assert result.status == "diverged"
    traj = ganlab.open(result.run_dir)
    assert traj.status == "diverged"
    detail = traj.status_detail
    assert detail["step"] >= 1
    assert detail["term"] in ("d_loss", "g_loss", "d_real_mean", "d_fake_mean")
    assert np.all(traj.steps < detail["step"])
    assert np.all(np.isfinite(traj.samples))


def test_existing_run_not_overwritten(tmp_path):
    out = tmp_path / "run"
    ganlab.train(small_config(), out)
    marker = (out / "config.toml").read_text()
    with pytest.raises(RunExistsError, match="--overwrite"):
        ganlab.train(small_config("training.seed=5"), out)
    assert (out / "config.toml").read_text() == marker
    ganlab.train(small_config("training.seed=5"), out, overwrite=True)
    assert ganlab.open(out).config["training"]["seed"] == 5


def test_foreign_directory_never_deleted(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(RunExistsError, match="does not hold a ganlab run"):
        ganlab.train(small_config(), out, overwrite=True)
    assert (out / "thesis.tex").read_text() == "precious"
