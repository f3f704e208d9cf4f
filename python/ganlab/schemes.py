"""Update schemes: where each player's gradient is taken and how the players step.

* ``alternating``: ``d_steps`` discriminator steps, each on a fresh batch, then
  one generator step against the updated discriminator.
* ``simultaneous``: both gradients at the same point (one batch, the current
  parameters of both players), then both optimizers step.

A scheme is a function ``step(trainer, step) -> dict[str, Tensor]`` returning
the loss terms of the step (detached), registered in ``SCHEMES``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import torch

from ganlab.registry import Registry
from ganlab.regularizers import StepContext

if TYPE_CHECKING:  # pragma: no cover
    from ganlab.training import Trainer

SCHEMES = Registry("update scheme", "training.scheme")

Tensor = torch.Tensor


def assign_gradients(params: Sequence[torch.nn.Parameter], grads: Sequence[Tensor | None]) -> None:
    """Store ``grads`` in ``param.grad`` (zeros where a parameter got no gradient)."""
    for param, grad in zip(params, grads):
        param.grad = torch.zeros_like(param) if grad is None else grad.detach()


def player_gradients(loss: Tensor, params: Sequence[torch.nn.Parameter], *, retain_graph: bool,
                     create_graph: bool = False) -> tuple[Tensor | None, ...]:
    return torch.autograd.grad(loss, params, retain_graph=retain_graph, create_graph=create_graph,
                               allow_unused=True)


def needs_create_graph(trainer: "Trainer") -> bool:
    return any(getattr(r, "needs_create_graph", False) for r in trainer.game.regularizers)


@SCHEMES.register("alternating")
def alternating_step(trainer: "Trainer", step: int) -> dict[str, Tensor]:
    """Discriminator steps first, then a generator step against the updated discriminator."""
    game, sampler = trainer.game, trainer.sampler
    d_params, g_params = trainer.d_params, trainer.g_params
    batch_size = trainer.batch_size
    create_graph = needs_create_graph(trainer)
    terms: dict[str, Tensor] = {}

    for _ in range(trainer.d_steps):
        real = sampler.real(batch_size)
        z = sampler.latent(batch_size)
        with torch.no_grad():
            fake = game.generator(z)
        ctx = StepContext(game, real, z, fake, step=step, d_optimizer=trainer.d_optimizer)
        d_loss, d_terms = game.discriminator_loss(ctx)
        d_grads = player_gradients(d_loss, d_params, retain_graph=create_graph,
                                   create_graph=create_graph)
        d_grads, _ = game.transform_gradients(ctx, d_grads, None)
        assign_gradients(d_params, d_grads)
        trainer.d_optimizer.step()
        game.after_discriminator_step()
        terms.update({name: value.detach() for name, value in d_terms.items()})
        terms["d_real_mean"] = ctx.real_out.detach().mean()
        terms["d_fake_mean"] = ctx.fake_out.detach().mean()

    if not g_params:
        # A generator without trainable parameters (kind 'data_noise') is held fixed.
        return terms

    real = sampler.real(batch_size)
    z = sampler.latent(batch_size)
    fake = game.generator(z)
    ctx = StepContext(game, real, z, fake, step=step, d_optimizer=trainer.d_optimizer)
    g_loss, g_terms = game.generator_loss(ctx)
    g_grads = player_gradients(g_loss, g_params, retain_graph=create_graph,
                               create_graph=create_graph)
    _, g_grads = game.transform_gradients(ctx, None, g_grads)
    assign_gradients(g_params, g_grads)
    trainer.g_optimizer.step()
    game.after_generator_step()
    terms.update({name: value.detach() for name, value in g_terms.items()})
    return terms


@SCHEMES.register("simultaneous")
def simultaneous_step(trainer: "Trainer", step: int) -> dict[str, Tensor]:
    """Both players' gradients at the same parameters and batch, then both steps."""
    game, sampler = trainer.game, trainer.sampler
    d_params, g_params = trainer.d_params, trainer.g_params
    batch_size = trainer.batch_size
    create_graph = needs_create_graph(trainer)

    real = sampler.real(batch_size)
    z = sampler.latent(batch_size)
    fake = game.generator(z)
    ctx = StepContext(game, real, z, fake, step=step, d_optimizer=trainer.d_optimizer)
    d_loss, d_terms = game.discriminator_loss(ctx)
    g_loss, g_terms = game.generator_loss(ctx)

    d_grads = player_gradients(d_loss, d_params, retain_graph=True, create_graph=create_graph)
    g_grads = player_gradients(g_loss, g_params, retain_graph=create_graph,
                               create_graph=create_graph)
    d_grads, g_grads = game.transform_gradients(ctx, d_grads, g_grads)
    assign_gradients(d_params, d_grads)
    assign_gradients(g_params, g_grads)
    trainer.d_optimizer.step()
    trainer.g_optimizer.step()
    game.after_discriminator_step()
    game.after_generator_step()

    terms = {name: value.detach() for name, value in {**d_terms, **g_terms}.items()}
    terms["d_real_mean"] = ctx.real_out.detach().mean()
    terms["d_fake_mean"] = ctx.fake_out.detach().mean()
    return terms


# Schemes defined in modules of their own register on import.
from ganlab import extragradient  # noqa: E402,F401
