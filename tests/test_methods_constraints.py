"""Weight clipping, spectral normalization, instance noise and packing inside real training runs."""

import math

import numpy as np
import pytest
import torch

from ganlab.regularizers import StepContext
from ganlab.regularizers.base import method_generator
from ganlab.regularizers.instance_noise import noise_std
from ganlab.training import Trainer
from methods_fixtures import batches, float64_game, small_config


def record_discriminator_bound(trainer):
    """Wrap the game's generator loss to store max |ψ| of the discriminator it is taken against."""
    game = trainer.game
    seen = []
    original = game.generator_loss

    def generator_loss(ctx):
        seen.append(max(float(p.detach().abs().max()) for p in game.discriminator_parameters()))
        return original(ctx)

    game.generator_loss = generator_loss
    return seen


@pytest.mark.parametrize("scheme", ["alternating", "simultaneous", "extragradient"])
def test_clipping_holds_at_every_generator_step(tmp_path, scheme):
    config = small_config('regularizer.names=["weight_clipping"]', "regularizer.weight_clipping.clip=0.02",
                          'objective.loss="wasserstein"', f'training.scheme="{scheme}"',
                          "optimizer.lr=0.05", steps=6)
    trainer = Trainer(config, tmp_path / "run")
    seen = record_discriminator_bound(trainer)
    result = trainer.run()

    assert result.status == "completed"
    assert len(seen) >= 6
    assert max(seen) <= 0.02


def test_clipping_bound_is_active(tmp_path):
    # Without clipping the same run's discriminator leaves the box, so the test above can fail.
    config = small_config('objective.loss="wasserstein"', "optimizer.lr=0.05", steps=6)
    trainer = Trainer(config, tmp_path / "run")
    seen = record_discriminator_bound(trainer)
    trainer.run()

    assert max(seen) > 0.02


def power_iteration_vectors(game):
    vectors = []
    for module in game.discriminator.modules():
        if hasattr(module, "parametrizations"):
            spectral = module.parametrizations.weight[0]
            vectors += [spectral._u.clone(), spectral._v.clone()]
    return vectors


def test_spectral_norm_evaluation_leaves_power_iteration(tmp_path):
    config = small_config('regularizer.names=["spectral_norm"]', steps=3)
    trainer = Trainer(config, tmp_path / "run")
    before = power_iteration_vectors(trainer.game)
    trainer.recorder.evaluate()
    after = power_iteration_vectors(trainer.game)

    assert len(before) == 4
    assert all(torch.equal(a, b) for a, b in zip(before, after))

    real, _ = batches(n=16)
    trainer.game.discriminate(real)  # a training-mode forward pass runs the power iteration
    trained = power_iteration_vectors(trainer.game)
    assert not all(torch.equal(a, b) for a, b in zip(before, trained))


def test_spectral_norm_unit_largest_singular_value():
    game = float64_game('regularizer.names=["spectral_norm"]',
                        "regularizer.spectral_norm.n_power_iterations=50")
    real, _ = batches(n=16)
    game.discriminate(real)
    for module in game.discriminator.modules():
        if isinstance(module, torch.nn.Linear):
            sigma = torch.linalg.matrix_norm(module.weight.detach(), ord=2).item()

            assert sigma == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("schedule,step,expected", [
    ("constant", 500, 0.3),
    ("linear", 250, 0.3 * 0.75),
    ("linear", 2000, 0.0),
    ("exponential", 1000, 0.3 * math.exp(-1.0)),
])
def test_noise_schedule_closed_form(schedule, step, expected):
    assert noise_std(0.3, schedule, 1000, step) == pytest.approx(expected, rel=1e-12)


def noise_game(*overrides):
    return float64_game('regularizer.names=["instance_noise"]', "regularizer.instance_noise.std=0.5",
                        *overrides)


def test_instance_noise_statistics_and_seeded_stream():
    game = noise_game()
    zeros = torch.zeros(20000, 2, dtype=torch.float64)
    ctx = StepContext(game, zeros, zeros, zeros, step=3)
    noisy = game.regularizers[0].transform_input(zeros, ctx)
    expected = 0.5 * torch.randn(20000, 2, generator=method_generator(game.config, "instance_noise"),
                                 dtype=torch.float64)

    assert float(noisy.std()) == pytest.approx(0.5, rel=0.03)
    assert torch.equal(noisy, expected)


def test_instance_noise_reproducible_across_games():
    first, second = noise_game(), noise_game()
    real, z = batches()
    outputs = []
    for game in (first, second):
        ctx = StepContext(game, real, z, game.generator(z).detach(), step=1)
        outputs.append(game.discriminator_loss(ctx)[0].item())

    assert outputs[0] == outputs[1]


def test_instance_noise_skipped_for_recording_and_without_context():
    game = noise_game()
    real, _ = batches()
    with torch.no_grad():
        plain = game.discriminator(real).squeeze(-1)

        assert torch.equal(game.evaluate_discriminator(real), plain)
        assert torch.equal(game.discriminate(real), plain)


def test_packing_groups_consecutive_samples():
    game = float64_game('regularizer.names=["packing"]', "regularizer.packing.degree=4")
    real, z = batches(n=16)
    fake = game.generator(z).detach()
    ctx = StepContext(game, real, z, fake, step=1)
    game.discriminator_loss(ctx)
    # Group j is samples 4j .. 4j+3 laid side by side, for real and generated batches alike.
    real_groups = torch.stack([torch.cat(list(real[4 * j: 4 * j + 4])) for j in range(4)])
    fake_groups = torch.stack([torch.cat(list(fake[4 * j: 4 * j + 4])) for j in range(4)])
    with torch.no_grad():
        expected_real = game.discriminator(real_groups).squeeze(-1)
        expected_fake = game.discriminator(fake_groups).squeeze(-1)

    assert ctx.real_out.shape == (4,)
    np.testing.assert_allclose(ctx.real_out.detach().numpy(), expected_real.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ctx.fake_out.detach().numpy(), expected_fake.numpy(), rtol=1e-12)


def test_packing_recording_repeats_each_point():
    game = float64_game('regularizer.names=["packing"]', "regularizer.packing.degree=3",
                        "training.batch_size=15")
    points, _ = batches(n=5)
    with torch.no_grad():
        expected = game.discriminator(torch.cat([points] * 3, dim=1)).squeeze(-1)

        assert torch.equal(game.evaluate_discriminator(points), expected)


def test_label_smoothing_sets_real_target():
    game = float64_game("objective.label_smoothing=0.2")

    assert game.real_label == pytest.approx(0.8)
