"""Gradient penalties against closed forms on a linear discriminator and finite differences."""

import math

import numpy as np
import pytest
import torch

from ganlab.regularizers import StepContext
from ganlab.regularizers.base import method_generator
from ganlab.regularizers.penalties import interpolate, safe_norm
from methods_fixtures import batches, float64_game, linear_game

W = (0.6, -1.7)


def context(game, *, attach_fake=False):
    real, z = batches()
    fake = game.generator(z)
    if not attach_fake:
        fake = fake.detach()
    return StepContext(game, real, z, fake, step=1)


def weight_gradient(game, value):
    layer = game.discriminator.net[-1]
    grad_w, grad_b = torch.autograd.grad(value, [layer.weight, layer.bias], allow_unused=True)
    grad_b = torch.zeros(1, dtype=torch.float64) if grad_b is None else grad_b
    return grad_w.reshape(-1), grad_b


def test_r1_closed_form_and_gradient():
    game = linear_game('regularizer.names=["r1"]', "regularizer.r1.gamma=3.0", weight=W)
    (r1,) = game.regularizers
    value = r1.discriminator_terms(context(game))["r1"]
    w = np.array(W)

    assert value.item() == pytest.approx(1.5 * (w @ w), rel=1e-12)
    grad_w, grad_b = weight_gradient(game, value)
    np.testing.assert_allclose(grad_w.numpy(), 3.0 * w, rtol=1e-12)
    assert float(grad_b.abs().max()) == 0.0


def test_r2_closed_form_on_generated():
    game = linear_game('regularizer.names=["r2"]', "regularizer.r2.gamma=0.5", weight=W)
    (r2,) = game.regularizers
    value = r2.discriminator_terms(context(game))["r2"]
    w = np.array(W)

    assert value.item() == pytest.approx(0.25 * (w @ w), rel=1e-12)
    grad_w, _ = weight_gradient(game, value)
    np.testing.assert_allclose(grad_w.numpy(), 0.5 * w, rtol=1e-12)


@pytest.mark.parametrize("target", [1.0, 0.0, 2.5])
def test_gp_closed_form_and_gradient(target):
    game = linear_game('regularizer.names=["gp"]', "regularizer.gp.weight=0.7",
                       f"regularizer.gp.target={target}", weight=W)
    (gp,) = game.regularizers
    value = gp.discriminator_terms(context(game))["gp"]
    w = np.array(W)
    norm = math.sqrt(w @ w)

    assert value.item() == pytest.approx(0.7 * (norm - target) ** 2, rel=1e-12)
    grad_w, grad_b = weight_gradient(game, value)
    np.testing.assert_allclose(grad_w.numpy(), 2 * 0.7 * (norm - target) * w / norm, rtol=1e-10)
    assert float(grad_b.abs().max()) == 0.0


def test_gp_one_sided_is_zero_below_target():
    game = linear_game('regularizer.names=["gp"]', "regularizer.gp.one_sided=true",
                       "regularizer.gp.target=3.0", weight=W)
    (gp,) = game.regularizers
    value = gp.discriminator_terms(context(game))["gp"]
    grad_w, _ = weight_gradient(game, value)

    assert value.item() == 0.0
    assert float(grad_w.abs().max()) == 0.0


def test_gp_one_sided_matches_two_sided_above_target():
    game = linear_game('regularizer.names=["gp"]', "regularizer.gp.one_sided=true",
                       "regularizer.gp.target=0.5", weight=W)
    (gp,) = game.regularizers
    value = gp.discriminator_terms(context(game))["gp"]
    norm = math.sqrt(np.array(W) @ np.array(W))

    assert value.item() == pytest.approx(10.0 * (norm - 0.5) ** 2, rel=1e-12)


def test_gp_finite_at_zero_gradient():
    game = linear_game('regularizer.names=["gp"]', "regularizer.gp.weight=2.0",
                       weight=(0.0, 0.0))
    (gp,) = game.regularizers
    value = gp.discriminator_terms(context(game))["gp"]
    grad_w, _ = weight_gradient(game, value)

    assert value.item() == pytest.approx(2.0)
    assert bool(torch.isfinite(grad_w).all())


def test_safe_norm_zero_row_gradient():
    rows = torch.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
    norms = safe_norm(rows)
    (grad,) = torch.autograd.grad(norms.sum(), rows)

    np.testing.assert_allclose(norms.detach().numpy(), [0.0, 5.0])
    np.testing.assert_allclose(grad.numpy(), [[0.0, 0.0], [0.6, 0.8]])


def test_interpolates_on_segments_one_weight_per_sample():
    real, _ = batches(n=64)
    fake = torch.randn(64, 2, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    points = interpolate(real, fake, torch.Generator().manual_seed(1))
    # x̂ − x̃ = α (x − x̃): the same α on both coordinates of each sample.
    alpha = (points - fake) / (real - fake)

    np.testing.assert_allclose(alpha[:, 0].numpy(), alpha[:, 1].numpy(), rtol=1e-9)
    assert float(alpha.min()) >= 0.0
    assert float(alpha.max()) <= 1.0
    assert len(np.unique(np.round(alpha[:, 0].numpy(), 12))) == 64


def test_gp_matches_finite_differences_on_mlp():
    """WGAN-GP on a ReLU-free MLP: norms of central-difference gradients at the interpolates."""
    game = float64_game('regularizer.names=["gp"]', "regularizer.gp.weight=1.3",
                        "discriminator.depth=2", 'discriminator.activation="tanh"')
    (gp,) = game.regularizers
    ctx = context(game)
    alpha_stream = method_generator(game.config, "gp")
    value = gp.discriminator_terms(ctx)["gp"].item()

    points = interpolate(ctx.real, ctx.fake, alpha_stream)
    h = 1e-6
    norms = []
    with torch.no_grad():
        for point in points:
            grad = []
            for axis in range(2):
                step = torch.zeros(2, dtype=torch.float64)
                step[axis] = h
                upper = game.discriminator((point + step)[None]).item()
                lower = game.discriminator((point - step)[None]).item()
                grad.append((upper - lower) / (2 * h))
            norms.append(math.hypot(*grad))
    expected = 1.3 * np.mean((np.array(norms) - 1.0) ** 2)

    assert value == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("name", ["gp", "r2"])
def test_penalty_gradient_skips_generator(name):
    game = linear_game(f'regularizer.names=["{name}"]', weight=W)
    (penalty,) = game.regularizers
    ctx = context(game, attach_fake=True)
    value = penalty.discriminator_terms(ctx)[name]
    grads = torch.autograd.grad(value, game.generator_parameters(), allow_unused=True)
    d_grads = torch.autograd.grad(value, game.discriminator_parameters(), allow_unused=True)

    assert all(g is None or float(g.abs().max()) == 0.0 for g in grads)
    assert any(g is not None and float(g.abs().max()) > 0.0 for g in d_grads)


@pytest.mark.parametrize("name", ["gp", "r2"])
def test_penalty_reaches_generator_when_asked(name):
    game = float64_game(f'regularizer.names=["{name}"]', f"regularizer.{name}.generator=true",
                        'discriminator.activation="tanh"')
    (penalty,) = game.regularizers
    ctx = context(game, attach_fake=True)
    terms = penalty.generator_terms(ctx)
    value = terms[f"{name}_generator"]
    grads = torch.autograd.grad(value, game.generator_parameters(), allow_unused=True)

    assert any(g is not None and float(g.abs().max()) > 0.0 for g in grads)


def test_generator_terms_off_by_default():
    game = linear_game('regularizer.names=["gp", "r2"]')

    assert all(r.generator_terms(context(game, attach_fake=True)) == {}
               for r in game.regularizers)


def test_r1_norm_over_packed_group():
    # With packing m = 2 one input is a pair (4 numbers) and ∇D = w has 4 entries.
    w = (0.5, -1.0, 2.0, 0.25)
    game = linear_game('regularizer.names=["r1", "packing"]', "regularizer.r1.gamma=2.0",
                       weight=w)
    r1 = game.regularizers[0]
    value = r1.discriminator_terms(context(game))["r1"]

    assert game.packing == 2
    assert value.item() == pytest.approx(float(np.dot(w, w)), rel=1e-12)
