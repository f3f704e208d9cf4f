"""Stabilizing methods that act on the losses, inputs or gradients of the game.

A ``Regularizer`` hooks into the game at fixed points; each hook is optional:

* ``discriminator_terms(ctx)`` / ``generator_terms(ctx)``: named loss terms,
  already weighted, added to that player's loss and recorded as scalar series;
* ``transform_input(x, ctx)``: changes what the discriminator sees (instance noise);
* ``transform_gradients(ctx, d_grads, g_grads)``: changes both players'
  gradients before the optimizers step (consensus optimization);
* ``after_discriminator_step(game)``: runs after every discriminator update
  (weight clipping).

Regularizers are registered by name in ``REGULARIZERS`` and configured in the
``[regularizer]`` section of a config.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import torch

from ganlab.registry import Registry

REGULARIZERS = Registry("regularizer", "regularizer.name")


@dataclass
class StepContext:
    """Tensors of one loss evaluation, shared by the hooks.

    ``real`` (B, d) real batch; ``z`` (B, k) latent batch; ``fake`` (B, d)
    generated batch; ``real_out`` and ``fake_out`` (B,) discriminator outputs.
    ``step`` is the generator step being taken (starting at 1).
    """

    game: Any
    real: torch.Tensor
    z: torch.Tensor
    fake: torch.Tensor
    real_out: torch.Tensor | None = None
    fake_out: torch.Tensor | None = None
    step: int = 0
    extra: dict = field(default_factory=dict)


class Regularizer:
    """Base class: every hook does nothing."""

    name = ""

    def __init__(self, settings: Mapping[str, Any]):
        self.settings = dict(settings)

    def discriminator_terms(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        return {}

    def generator_terms(self, ctx: StepContext) -> dict[str, torch.Tensor]:
        return {}

    def transform_input(self, x: torch.Tensor, ctx: StepContext | None) -> torch.Tensor:
        return x

    def transform_gradients(self, ctx, d_grads, g_grads):
        return d_grads, g_grads

    def after_discriminator_step(self, game: Any) -> None:
        return None


def build_regularizers(config: Mapping[str, Any]) -> list[Regularizer]:
    """Instantiate the regularizers named in the config's ``[regularizer]`` section."""
    section = config.get("regularizer")
    if not section:
        return []
    return [REGULARIZERS.get(name).obj(section) for name in section.get("names", [])]
