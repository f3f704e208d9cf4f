"""The ``params`` and ``spectrum`` series written during training.

* ``params`` (every ``record.params_every`` generator steps, at step 0 and at
  the last step):
  ``generator`` (P_G,) and ``discriminator`` (P_D,), the flattened parameters
  of each player in ``named_parameters`` order, as float64. Models with more
  than ``record.params_limit`` parameters skip the series.
* ``spectrum`` (every ``record.spectrum_every`` steps, at step 0 and at the
  last step): ``field_real``/``field_imag`` (P,) are the eigenvalues of the
  Jacobian of the game's vector field. ``update_real``/``update_imag`` (P,)
  are those of the Jacobian of one generator step of the update map. Both are
  sorted by real part.

The root attribute ``dynamics`` stores the parameter labels and the sizes of
both players. The spectrum is evaluated on ``record.spectrum_batches``
batches of ``training.batch_size`` samples drawn once from a seeded generator
of their own. Input noise (instance noise) is drawn from a fixed seed, so
every record uses the same batches and noise, and training's random streams
are untouched. With instance noise the recorded Jacobian is therefore a Monte
Carlo estimate of its expectation over the noise, from batch_size × batches
noise draws per data sample.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

import numpy as np
import torch

from ganlab.dynamics.field import GameVectorField
from ganlab.dynamics.spectrum import check_spectrum_size, game_spectrum
from ganlab.networks import sample_latent

log = logging.getLogger(__name__)

PARAMS_SERIES = "params"
SPECTRUM_SERIES = "spectrum"


def fixed_batches(distribution, config: Mapping[str, Any], device, dtype,
                  count: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Draw ``count`` (real, latent) batches from a generator seeded by ``training.seed``."""
    # Offset 0 of the seed: the training streams use offsets 1 and 2, the recorder 3.
    generator = torch.Generator().manual_seed(config["training"]["seed"] * 4)
    size = config["training"]["batch_size"]
    batches = []
    for _ in range(count):
        real = distribution.sample(size, generator).to(device=device, dtype=dtype)
        latent = sample_latent(size, config["generator"]["latent_dim"],
                               config["generator"]["latent"], generator, dtype, device)
        batches.append((real, latent))
    return batches


class DynamicsRecorder:
    """Write the ``params`` and ``spectrum`` series of one run."""

    def __init__(self, game, distribution, config: Mapping[str, Any], writer):
        self.config = config
        self.writer = writer
        record = config["record"]
        steps = config["training"]["steps"]
        self.field = GameVectorField(game, fixed_batches(distribution, config, game.device,
                                                         game.dtype, record["spectrum_batches"]))
        size = self.field.size
        check_spectrum_size(config, size)

        self.params_every = record["params_every"]
        if self.params_every and size > record["params_limit"]:
            log.debug("not recording parameters: the model has %d parameters, more than "
                     "record.params_limit = %d", size, record["params_limit"])
            self.params_every = 0
        self.spectrum_every = record["spectrum_every"]

        g_size, d_size = self.field.generator_size, self.field.discriminator_size
        if self.params_every and g_size == 0:
            # A fixed generator (kind 'data_noise') has no path, and the store has no 0-size arrays.
            log.info("not recording parameters: the generator has no trainable parameters")
            self.params_every = 0
        if self.params_every or self.spectrum_every:
            writer.set_attrs({"dynamics": {"generator_size": g_size, "discriminator_size": d_size,
                                           "labels": self.field.parameter_labels()}})
        if self.params_every:
            writer.define_series(PARAMS_SERIES, {"generator": ((g_size,), np.float64),
                                                 "discriminator": ((d_size,), np.float64)},
                                 steps // self.params_every + 2)
        if self.spectrum_every:
            shape = ((size,), np.float64)
            writer.define_series(SPECTRUM_SERIES, {"field_real": shape, "field_imag": shape,
                                                   "update_real": shape, "update_imag": shape},
                                 steps // self.spectrum_every + 2)

    def after_step(self, step: int) -> None:
        """Record what is due after generator step ``step`` (0 is the initialization)."""
        last = step == self.config["training"]["steps"]
        if self.params_every and (step % self.params_every == 0 or last):
            flat = self.field.current().cpu().numpy().astype(np.float64)
            g_size = self.field.generator_size
            self.writer.append(PARAMS_SERIES, step, {"generator": flat[:g_size],
                                                     "discriminator": flat[g_size:]})
        if self.spectrum_every and (step % self.spectrum_every == 0 or last):
            self.field.step = step
            spectrum = game_spectrum(self.field, self.config)
            self.writer.append(SPECTRUM_SERIES, step, {
                "field_real": spectrum.field_eigenvalues.real,
                "field_imag": spectrum.field_eigenvalues.imag,
                "update_real": spectrum.update_eigenvalues.real,
                "update_imag": spectrum.update_eigenvalues.imag,
            })
