"""Game optimizers on the bilinear game f(θ, ψ) = θψ, against update formulas written by hand.

The generator minimizes θψ and the discriminator minimizes −θψ, so the
players' gradients are ∂_θ f_G = ψ and ∂_ψ f_D = −θ. The real update schemes,
optimizers and consensus regularizer run on a two-parameter stand-in for
``Game``; the expected iterates are computed here in plain Python.
"""

import math
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from ganlab.extragradient import extragradient_step
from ganlab.game_optimizers import NegativeMomentumSGD, OptimisticAdam, OptimisticSGD
from ganlab.regularizers.consensus import Consensus
from ganlab.schemes import alternating_step, simultaneous_step

THETA0, PSI0 = 1.0, 0.5
LR = 0.1


class Scalar(nn.Module):
    def __init__(self, value: float):
        super().__init__()
        self.value = nn.Parameter(torch.tensor([value], dtype=torch.float64))

    def forward(self, z):
        return self.value.expand(z.shape[0], 1)


class BilinearGame:
    """The losses of f(θ, ψ) = θψ behind the interface the update schemes call."""

    def __init__(self, regularizers=()):
        self.generator = Scalar(THETA0)
        self.discriminator = Scalar(PSI0)
        self.regularizers = list(regularizers)

    def discriminator_loss(self, ctx):
        theta, psi = self.generator.value, self.discriminator.value
        ctx.real_out, ctx.fake_out = psi, theta
        loss = -(theta * psi).sum()
        terms = {"d_loss": loss}
        ctx.extra["discriminator_terms"] = terms
        return loss, terms

    def generator_loss(self, ctx):
        loss = (self.generator.value * self.discriminator.value).sum()
        terms = {"g_loss": loss}
        ctx.extra["generator_terms"] = terms
        return loss, terms

    def transform_gradients(self, ctx, d_grads, g_grads):
        for regularizer in self.regularizers:
            d_grads, g_grads = regularizer.transform_gradients(ctx, d_grads, g_grads)
        return d_grads, g_grads

    def after_discriminator_step(self):
        pass

    def after_generator_step(self):
        pass

    def generator_parameters(self):
        return [self.generator.value]

    def discriminator_parameters(self):
        return [self.discriminator.value]


def make_trainer(make_optimizer, regularizers=()):
    game = BilinearGame(regularizers)
    zeros = lambda n: torch.zeros(n, 1, dtype=torch.float64)  # noqa: E731
    return SimpleNamespace(
        game=game, sampler=SimpleNamespace(real=zeros, latent=zeros),
        d_params=game.discriminator_parameters(), g_params=game.generator_parameters(),
        batch_size=1, d_steps=1,
        d_optimizer=make_optimizer(game.discriminator_parameters()),
        g_optimizer=make_optimizer(game.generator_parameters()))


def sgd(params):
    return torch.optim.SGD(params, lr=LR)


def run(trainer, scheme, steps):
    iterates = []
    for step in range(1, steps + 1):
        scheme(trainer, step)
        iterates.append((trainer.game.generator.value.item(),
                         trainer.game.discriminator.value.item()))
    return iterates


def assert_iterates(actual, expected):
    for (theta, psi), (theta_hand, psi_hand) in zip(actual, expected, strict=True):
        assert theta == pytest.approx(theta_hand, rel=1e-12, abs=1e-15)
        assert psi == pytest.approx(psi_hand, rel=1e-12, abs=1e-15)


def test_simultaneous_gradient_descent_spirals_out():
    theta, psi, expected = THETA0, PSI0, []
    for _ in range(200):
        theta, psi = theta - LR * psi, psi + LR * theta
        expected.append((theta, psi))
    actual = run(make_trainer(sgd), simultaneous_step, 200)

    assert_iterates(actual, expected)
    assert math.hypot(*actual[-1]) > 2.0 * math.hypot(THETA0, PSI0)


def test_consensus_simultaneous_matches_formula_and_converges():
    gamma = 1.0
    theta, psi, expected = THETA0, PSI0, []
    for _ in range(200):
        # L = ½(ψ² + θ²): ∇_θ L = θ, ∇_ψ L = ψ.
        theta, psi = theta - LR * (psi + gamma * theta), psi - LR * (-theta + gamma * psi)
        expected.append((theta, psi))
    trainer = make_trainer(sgd, [Consensus({"gamma": gamma})])
    actual = run(trainer, simultaneous_step, 200)

    assert_iterates(actual, expected)
    assert math.hypot(*actual[-1]) < 0.01


def test_consensus_alternating_matches_formula():
    gamma = 0.5
    theta, psi, expected = THETA0, PSI0, []
    for _ in range(50):
        psi = psi - LR * (-theta + gamma * psi)
        theta = theta - LR * (psi + gamma * theta)
        expected.append((theta, psi))
    trainer = make_trainer(sgd, [Consensus({"gamma": gamma})])

    assert_iterates(run(trainer, alternating_step, 50), expected)


def test_consensus_term_recorded():
    trainer = make_trainer(sgd, [Consensus({"gamma": 2.0})])
    terms = simultaneous_step(trainer, 1)

    assert terms["consensus"].item() == pytest.approx(2.0 * 0.5 * (THETA0**2 + PSI0**2))


def test_extragradient_sgd_matches_formula_and_converges():
    theta, psi, expected = THETA0, PSI0, []
    for _ in range(300):
        theta_e, psi_e = theta - LR * psi, psi + LR * theta
        theta, psi = theta - LR * psi_e, psi + LR * theta_e
        expected.append((theta, psi))
    actual = run(make_trainer(sgd), extragradient_step, 300)

    assert_iterates(actual, expected)
    assert math.hypot(*actual[-1]) < 0.5 * math.hypot(THETA0, PSI0)


def test_optimistic_sgd_matches_formula_and_converges():
    theta, psi, expected = THETA0, PSI0, []
    previous = None
    for _ in range(300):
        g_theta, g_psi = psi, -theta
        if previous is None:
            previous = (g_theta, g_psi)
        theta, psi = (theta - LR * (2 * g_theta - previous[0]),
                      psi - LR * (2 * g_psi - previous[1]))
        previous = (g_theta, g_psi)
        expected.append((theta, psi))
    actual = run(make_trainer(lambda p: OptimisticSGD(p, lr=LR)), simultaneous_step, 300)

    assert_iterates(actual, expected)
    assert math.hypot(*actual[-1]) < 0.5 * math.hypot(THETA0, PSI0)


def test_negative_momentum_alternating_matches_formula_and_converges():
    beta, lr = -0.5, 0.5
    theta, psi, expected = THETA0, PSI0, []
    buf_theta = buf_psi = None
    for _ in range(300):
        g_psi = -theta
        buf_psi = g_psi if buf_psi is None else beta * buf_psi + g_psi
        psi = psi - lr * buf_psi
        g_theta = psi
        buf_theta = g_theta if buf_theta is None else beta * buf_theta + g_theta
        theta = theta - lr * buf_theta
        expected.append((theta, psi))
    trainer = make_trainer(lambda p: NegativeMomentumSGD(p, lr=lr, momentum=beta))
    actual = run(trainer, alternating_step, 300)

    assert_iterates(actual, expected)
    assert math.hypot(*actual[-1]) < 1e-3


def test_alternating_without_momentum_stays_on_orbit():
    trainer = make_trainer(lambda p: torch.optim.SGD(p, lr=0.5))
    actual = run(trainer, alternating_step, 300)

    assert math.hypot(*actual[-1]) > 0.5 * math.hypot(THETA0, PSI0)


def test_optimistic_adam_matches_formula():
    beta1, beta2, eps, lr = 0.5, 0.9, 1e-8, 0.01
    param = torch.nn.Parameter(torch.tensor([0.3], dtype=torch.float64))
    optimizer = OptimisticAdam([param], lr=lr, betas=(beta1, beta2), eps=eps)
    gradients = [0.4, -1.2, 0.7, 0.05]
    value, m, v, previous = 0.3, 0.0, 0.0, None
    for t, g in enumerate(gradients, start=1):
        param.grad = torch.tensor([g], dtype=torch.float64)
        optimizer.step()
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        direction = (m / (1 - beta1**t)) / (math.sqrt(v / (1 - beta2**t)) + eps)
        previous = direction if previous is None else previous
        value = value - lr * (2 * direction - previous)
        previous = direction

        assert param.item() == pytest.approx(value, rel=1e-12)


def test_extragradient_adam_runs_both_stages():
    """Extra-Adam: the moment estimates are updated at both stages of every step."""
    trainer = make_trainer(lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.5, 0.9)))
    run(trainer, extragradient_step, 3)
    state = trainer.g_optimizer.state[trainer.game.generator.value]

    assert int(state["step"]) == 6
