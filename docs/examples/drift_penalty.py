"""A ganlab plugin: the drift penalty on the discriminator's output for real data.

Karras et al. (2018), "Progressive Growing of GANs for Improved Quality,
Stability, and Variation", add ε_drift · E[D(x)²] on real data
x to the WGAN-GP critic's loss, with ε_drift = 0.001, so that the critic's
output cannot drift far from zero. Name this file in a config with
``plugins = ["drift_penalty.py"]`` and switch the method on with
``[regularizer] names = ["drift"]``; ``docs/extending.md`` walks through it.
"""

import torch

from ganlab.fields import Field
from ganlab.regularizers import REGULARIZERS, Regularizer


@REGULARIZERS.register(
    "drift",
    description="Drift penalty ε·E[D(x)²] on the discriminator's raw output for real data.",
    source="Karras et al. 2018, Progressive Growing of GANs for Improved Quality, Stability, "
    "and Variation",
    fields=[
        Field("weight", float, 0.001, "Penalty weight ε (0.001 in Karras et al. 2018).",
              low=0.0, typical="1e-4 to 1e-2"),
    ],
)
class DriftPenalty(Regularizer):
    """ε·E[D(x)²] on real data, added to the discriminator's loss as the term ``drift``."""

    def discriminator_terms(self, ctx) -> dict[str, torch.Tensor]:
        outputs = ctx.real_out
        if outputs is None:
            outputs = ctx.game.discriminate(ctx.real, ctx)
        return {"drift": self.settings["weight"] * (outputs**2).mean()}
