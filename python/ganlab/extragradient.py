"""The extragradient update scheme (Korpelevich 1976; Gidel et al. 2019).

One generator step is:

1. extrapolation: both players take one optimizer step from the current
   point φ = (θ, ψ), with both gradients taken at φ, to φ' = (θ', ψ');
2. update: both gradients are taken at φ', on a fresh batch, and both players
   step from the original point φ with them.

With SGD this is θ ← θ − η ∇_θ f_G(φ'), θ' = θ − η ∇_θ f_G(φ) (and likewise for
ψ). With Adam it is Extra-Adam (Gidel et al. 2019, "A Variational Inequality
Perspective on Generative Adversarial Networks", Algorithm 4): the optimizer's
update rule is applied at both stages and its moment estimates are updated at
both, as PyTorch's ``step`` does. The recorded loss terms are those at φ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from ganlab.regularizers import StepContext
from ganlab.schemes import SCHEMES, assign_gradients, needs_create_graph, player_gradients

if TYPE_CHECKING:  # pragma: no cover
    from ganlab.training import Trainer

Tensor = torch.Tensor


def _gradients_at_current_point(trainer: "Trainer", step: int):
    """Return both players' (transformed) gradients and the loss terms at the current point."""
    game, sampler = trainer.game, trainer.sampler
    create_graph = needs_create_graph(trainer)
    real = sampler.real(trainer.batch_size)
    z = sampler.latent(trainer.batch_size)
    fake = game.generator(z)
    ctx = StepContext(game, real, z, fake, step=step, d_optimizer=trainer.d_optimizer)
    d_loss, d_terms = game.discriminator_loss(ctx)
    g_loss, g_terms = game.generator_loss(ctx)
    d_grads = player_gradients(d_loss, trainer.d_params, retain_graph=True,
                               create_graph=create_graph)
    g_grads = player_gradients(g_loss, trainer.g_params, retain_graph=create_graph,
                               create_graph=create_graph)
    d_grads, g_grads = game.transform_gradients(ctx, d_grads, g_grads)
    terms = {name: value.detach() for name, value in {**d_terms, **g_terms}.items()}
    terms["d_real_mean"] = ctx.real_out.detach().mean()
    terms["d_fake_mean"] = ctx.fake_out.detach().mean()
    return d_grads, g_grads, terms


def _step_both(trainer: "Trainer", d_grads, g_grads) -> None:
    assign_gradients(trainer.d_params, d_grads)
    assign_gradients(trainer.g_params, g_grads)
    trainer.d_optimizer.step()
    trainer.g_optimizer.step()
    trainer.game.after_discriminator_step()


@SCHEMES.register(
    "extragradient", description="Extrapolate both players by one step, take the gradients "
    "there, and update both from the original point (Extra-SGD, Extra-Adam).",
    source="Korpelevich 1976; Gidel, Berard, Vignoud, Vincent & Lacoste-Julien 2019, A "
    "Variational Inequality Perspective on Generative Adversarial Networks")
def extragradient_step(trainer: "Trainer", step: int) -> dict[str, Tensor]:
    """Take one extragradient step of both players (see the module docstring)."""
    params = [*trainer.d_params, *trainer.g_params]
    with torch.no_grad():
        origin = [p.detach().clone() for p in params]

    d_grads, g_grads, terms = _gradients_at_current_point(trainer, step)
    _step_both(trainer, d_grads, g_grads)

    d_grads, g_grads, _ = _gradients_at_current_point(trainer, step)
    with torch.no_grad():
        for param, value in zip(params, origin):
            param.copy_(value)
    _step_both(trainer, d_grads, g_grads)
    trainer.game.after_generator_step()
    return terms
