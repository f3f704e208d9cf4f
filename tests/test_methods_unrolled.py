"""The unrolled generator gradient against central finite differences of the unrolled procedure."""

import numpy as np
import pytest
import torch

from ganlab.game_optimizers import NegativeMomentumSGD
from ganlab.regularizers import StepContext
from ganlab.regularizers.unrolled import FunctionalOptimizer
from methods_fixtures import batches, float64_game

SMOOTH = ['generator.activation="tanh"', 'discriminator.activation="tanh"',
          "generator.hidden=4", "discriminator.hidden=5"]


def unrolled_game(optimizer: str, through: bool = True):
    return float64_game(*SMOOTH, 'regularizer.names=["unrolled"]', "regularizer.unrolled.steps=3",
                        f"regularizer.unrolled.through={'true' if through else 'false'}",
                        f'optimizer.discriminator.name="{optimizer}"',
                        "optimizer.discriminator.lr=0.3", "optimizer.discriminator.momentum=0.4"
                        if optimizer == "sgd" else "optimizer.discriminator.beta1=0.5")


def generator_loss(game, real, z):
    fake = game.generator(z)
    loss, _ = game.generator_loss(StepContext(game, real, z, fake, step=1))
    return loss


def analytic_gradient(game, real, z):
    loss = generator_loss(game, real, z)
    grads = torch.autograd.grad(loss, game.generator_parameters())
    return torch.cat([g.reshape(-1) for g in grads]).numpy()


def finite_difference_gradient(game, real, z, h=1e-5):
    values = []
    for param in game.generator_parameters():
        flat = param.data.view(-1)
        for i in range(flat.numel()):
            original = flat[i].item()
            flat[i] = original + h
            upper = generator_loss(game, real, z).item()
            flat[i] = original - h
            lower = generator_loss(game, real, z).item()
            flat[i] = original
            values.append((upper - lower) / (2 * h))
    return np.array(values)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_unrolled_gradient_matches_finite_differences(optimizer):
    game = unrolled_game(optimizer)
    real, z = batches(n=6)
    analytic = analytic_gradient(game, real, z)
    numeric = finite_difference_gradient(game, real, z)

    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_stopped_gradient_differs_from_unrolled(optimizer):
    real, z = batches(n=6)
    through = analytic_gradient(unrolled_game(optimizer, through=True), real, z)
    stopped = analytic_gradient(unrolled_game(optimizer, through=False), real, z)
    numeric = finite_difference_gradient(unrolled_game(optimizer, through=True), real, z)

    assert np.abs(through - stopped).max() > 1e-3 * np.abs(through).max()
    assert np.abs(stopped - numeric).max() > 1e3 * np.abs(through - numeric).max()


def test_unrolling_leaves_discriminator_unchanged():
    game = unrolled_game("adam")
    real, z = batches(n=6)
    before = [p.detach().clone() for p in game.discriminator_parameters()]
    generator_loss(game, real, z).backward()

    for old, new in zip(before, game.discriminator_parameters()):
        assert torch.equal(old, new.detach())
    assert game.regularizers[0].last_shift.item() > 0.0


@pytest.mark.parametrize("name,make", [
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.7, weight_decay=0.01)),
    ("negative_momentum", lambda p: NegativeMomentumSGD(p, lr=0.1, momentum=-0.5)),
    ("adam", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.9), weight_decay=0.01)),
    ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.3)),
])
def test_functional_optimizer_matches_torch(name, make):
    """Three functional steps, continuing from a torch optimizer's state, equal torch's steps."""
    settings = {"lr": 0.1, "momentum": 0.7, "weight_decay": 0.01}
    if name == "negative_momentum":
        settings = {"lr": 0.1, "momentum": -0.5, "weight_decay": 0.0}
    if name == "adam":
        settings = {"lr": 0.05, "beta1": 0.5, "beta2": 0.9, "eps": 1e-8, "weight_decay": 0.01}
    if name == "rmsprop":
        settings = {"lr": 0.01, "alpha": 0.9, "eps": 1e-8, "momentum": 0.3, "weight_decay": 0.0}
    param = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64))
    optimizer = make([param])
    param.grad = torch.tensor([0.1, 0.2, -0.3], dtype=torch.float64)
    optimizer.step()

    functional = FunctionalOptimizer(name, settings, [param], optimizer)
    current = [param.detach().clone()]
    gradients = [[1.0, -0.5, 0.25], [0.3, 0.0, -2.0], [-0.1, 0.4, 0.2]]
    for grad in gradients:
        param.grad = torch.tensor(grad, dtype=torch.float64)
        optimizer.step()
        current = functional.step(current, [torch.tensor(grad, dtype=torch.float64)])

        np.testing.assert_allclose(current[0].numpy(), param.detach().numpy(), rtol=1e-12)
