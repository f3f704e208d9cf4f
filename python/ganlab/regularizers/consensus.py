"""Consensus optimization (Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs").

With v = (∇_θ f_G, ∇_ψ f_D), the game's gradient vector field (each player's
gradient of its own loss), both players also descend L = ½‖v‖²: the gradient
of player i becomes ∇_i f_i + γ ∇_i L. ∇L = Jᵀv needs the graph of v, so the
schemes take the players' gradients with ``create_graph`` (double
backpropagation).

Under the simultaneous and extragradient schemes both gradients are at hand.
Under the alternating scheme each step has only its own player's gradient,
so the other player's is computed at the same point and batch. The
discriminator step regenerates the generated batch with its graph, and the
generator step evaluates the discriminator's loss.

The recorded term ``consensus`` is γL at the point where the gradient was
taken (under the alternating scheme, the generator step's value).
"""

from __future__ import annotations

import torch

from ganlab.fields import Field
from ganlab.regularizers.base import (
    REGULARIZERS,
    Regularizer,
    StepContext,
    player_parameters,
)

Tensor = torch.Tensor


def _gradients(loss: Tensor, params: list[Tensor]) -> list[Tensor]:
    grads = torch.autograd.grad(loss, params, create_graph=True, allow_unused=True)
    return [torch.zeros_like(p) if g is None else g for g, p in zip(grads, params)]


@REGULARIZERS.register(
    "consensus", description="Both players also descend γ·½‖v‖², v being the game's gradient "
    "vector field (needs double backpropagation).",
    source="Mescheder, Nowozin & Geiger 2017, The Numerics of GANs",
    fields=[Field("gamma", float, 10.0, "Weight γ of the consensus term ½‖v‖².", low=0.0,
                  typical="0.1 to 10")])
class Consensus(Regularizer):
    """Consensus optimization through ``transform_gradients``."""

    needs_create_graph = True

    def transform_gradients(self, ctx: StepContext, d_grads, g_grads):
        d_params = player_parameters(ctx, "discriminator")
        g_params = player_parameters(ctx, "generator")
        requested_d, requested_g = d_grads is not None, g_grads is not None
        if d_grads is None:
            d_grads = self._discriminator_gradients(ctx, d_params)
        if g_grads is None:
            g_grads = self._generator_gradients(ctx, g_params)
        d_grads = [torch.zeros_like(p) if g is None else g for g, p in zip(d_grads, d_params)]
        g_grads = [torch.zeros_like(p) if g is None else g for g, p in zip(g_grads, g_params)]

        field = [*d_grads, *g_grads]
        half_squared_norm = 0.5 * sum((g * g).sum() for g in field)
        params = [*d_params, *g_params]
        if half_squared_norm.requires_grad:
            consensus_grads = _gradients(half_squared_norm, params)
        else:
            consensus_grads = [torch.zeros_like(p) for p in params]

        gamma = self.settings["gamma"]
        combined = [g + gamma * c for g, c in zip(field, consensus_grads)]
        self._record(ctx, gamma * half_squared_norm.detach())
        new_d = combined[: len(d_params)] if requested_d else None
        new_g = combined[len(d_params):] if requested_g else None
        return new_d, new_g

    def _discriminator_gradients(self, ctx: StepContext, params: list[Tensor]) -> list[Tensor]:
        # A fresh context: discriminator_loss overwrites the outputs stored in a context.
        other = StepContext(ctx.game, ctx.real, ctx.z, ctx.fake, step=ctx.step,
                            extra={k: v for k, v in ctx.extra.items() if k.endswith("_parameters")
                                   or k == "rng"})
        loss, _ = ctx.game.discriminator_loss(other)
        return _gradients(loss, params)

    def _generator_gradients(self, ctx: StepContext, params: list[Tensor]) -> list[Tensor]:
        fake = ctx.fake if ctx.fake.requires_grad else ctx.game.generator(ctx.z)
        other = StepContext(ctx.game, ctx.real, ctx.z, fake, step=ctx.step,
                            d_optimizer=ctx.d_optimizer,
                            extra={k: v for k, v in ctx.extra.items() if k.endswith("_parameters")
                                   or k == "rng"})
        loss, _ = ctx.game.generator_loss(other)
        return _gradients(loss, params)

    @staticmethod
    def _record(ctx: StepContext, value: Tensor) -> None:
        for key in ("discriminator_terms", "generator_terms"):
            terms = ctx.extra.get(key)
            if terms is not None:
                terms["consensus"] = value
