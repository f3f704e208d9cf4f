"""The hooks through which a stabilizing method acts on the game.

A ``Regularizer`` hooks into the game at fixed points; each hook is optional:

* ``attach(game)``: runs once after the networks are built (spectral
  normalization wraps the discriminator, weight clipping clips the initial
  weights, the mode regularizer builds its encoder);
* ``discriminator_terms(ctx)`` / ``generator_terms(ctx)``: named loss terms,
  already weighted, added to that player's loss and recorded as scalar series;
* ``monitored_values(ctx)``: named values recorded with the loss terms but not
  added to any loss (the current instance noise std, for example);
* ``transform_input(x, ctx)``: changes what the discriminator sees during
  training (instance noise);
* ``generator_view(ctx)``: the discriminator outputs on ``ctx.fake`` that the
  generator's loss uses, in place of the current discriminator's (unrolled
  discriminator); ``None`` keeps the current discriminator;
* ``transform_gradients(ctx, d_grads, g_grads)``: changes the players'
  gradients before the optimizers step (consensus optimization);
* ``after_discriminator_step(game)`` / ``after_generator_step(game)``: run
  after every update of that player (weight clipping, the mode regularizer's
  encoder update).

Regularizers are registered by name in ``REGULARIZERS`` with their option
fields, and configured in the ``[regularizer]`` section of a config.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import torch

from ganlab.registry import Registry

REGULARIZERS = Registry("regularizer", "regularizer.names")


@dataclass
class StepContext:
    """Tensors of one loss evaluation, shared by the hooks.

    ``real`` (B, d) real batch; ``z`` (B, k) latent batch; ``fake`` (B, d)
    generated batch; ``real_out`` and ``fake_out`` (B / packing,) discriminator
    outputs. ``step`` is the generator step being taken (starting at 1).
    ``d_optimizer`` is the discriminator's optimizer when a scheme provides it
    (the unrolled discriminator starts from its state).

    ``extra`` carries optional entries: ``"rng"``, a ``torch.Generator`` that
    random input transforms draw from instead of their own stream (for
    evaluations that must leave the training streams untouched);
    ``"discriminator_parameters"`` / ``"generator_parameters"``, the tensors
    that stand for the players' parameters when they are swapped with
    ``torch.func.functional_call``; ``"discriminator_terms"`` /
    ``"generator_terms"``, the recorded term dictionaries of this evaluation,
    set by ``Game``.
    """

    game: Any
    real: torch.Tensor
    z: torch.Tensor
    fake: torch.Tensor
    real_out: torch.Tensor | None = None
    fake_out: torch.Tensor | None = None
    step: int = 0
    extra: dict = field(default_factory=dict)
    d_optimizer: Any = None


class Regularizer:
    """Base class: every hook does nothing.

    ``settings`` is the method's resolved table ``[regularizer.<name>]``.
    ``needs_create_graph = True`` makes the update schemes keep the graph of
    the players' gradients (double backpropagation).
    """

    name = ""
    needs_create_graph = False

    def __init__(self, settings: Mapping[str, Any]):
        self.settings = dict(settings)

    def attach(self, game: Any) -> None:
        return None

    def discriminator_terms(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        return {}

    def generator_terms(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        return {}

    def monitored_values(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        return {}

    def transform_input(self, x: torch.Tensor, ctx: StepContext | None) -> torch.Tensor:
        return x

    def generator_view(self, ctx: StepContext) -> torch.Tensor | None:
        return None

    def transform_gradients(self, ctx, d_grads, g_grads):
        return d_grads, g_grads

    def after_discriminator_step(self, game: Any) -> None:
        return None

    def after_generator_step(self, game: Any) -> None:
        return None


def method_seed(config: Mapping[str, Any], method: str) -> int:
    """Return a seed for one method's random stream, derived from ``training.seed``.

    Each method gets its own stream, distinct from the data, latent and
    recording streams, so adding a method changes no other random draw.
    """
    seed = int(config["training"]["seed"])
    sequence = np.random.SeedSequence([seed, zlib.crc32(method.encode("utf-8"))])
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> 1)


def method_generator(config: Mapping[str, Any], method: str) -> torch.Generator:
    """Return a CPU ``torch.Generator`` seeded with ``method_seed``."""
    return torch.Generator().manual_seed(method_seed(config, method))


def player_parameters(ctx: StepContext, player: str) -> list[torch.Tensor]:
    """Return the tensors of a player's parameters for this evaluation.

    ``player`` is "discriminator" or "generator". Tensors passed in
    ``ctx.extra`` take precedence over the modules' own parameters.
    """
    given = ctx.extra.get(f"{player}_parameters")
    if given is not None:
        return list(given)
    if player == "discriminator":
        return ctx.game.discriminator_parameters()
    return ctx.game.generator_parameters()
