"""PacGAN packing: the discriminator judges m samples at once.

``Game.discriminate`` reshapes a batch (B, d) into B / m groups of m
consecutive samples, (B / m, m·d), for real and generated batches alike, and
the discriminator's first layer takes m·d inputs (Lin et al. 2018).
Recording repeats each grid point m times to form one input, so the recorded
surface is the discriminator's output on a group of m identical points.
"""

from __future__ import annotations

import torch

from ganlab.fields import Field
from ganlab.regularizers.base import REGULARIZERS, Regularizer, StepContext

Tensor = torch.Tensor


@REGULARIZERS.register(
    "packing", description="PacGAN: the discriminator sees groups of m samples, all real or "
    "all generated, as one input.",
    source="Lin, Khetan, Fanti & Oh 2018, PacGAN: The power of two samples in generative "
    "adversarial networks",
    fields=[Field("degree", int, 2, "Packing degree m: samples per discriminator input "
                  "(2 to 4 in the paper); training.batch_size must be a multiple of it.",
                  "samples", low=1, high=1024)])
class Packing(Regularizer):
    """Packing is done by ``Game``; this entry carries the option and records the degree."""

    def monitored_values(self, ctx: StepContext) -> dict[str, Tensor]:
        return {"packing_degree": torch.tensor(float(self.settings["degree"]))}
