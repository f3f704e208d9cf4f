"""A fixed "generator" that outputs real data plus Gaussian noise: generator kind ``data_noise``.

Gulrajani et al. (2017), "Improved Training of Wasserstein GANs", Figure 1(a),
train WGAN critics to optimality against a generator "held fixed at the real
data plus Gaussian noise"; their toy script (gan_toy.py, FIXED_GENERATOR)
adds noise of standard deviation 1. With ``generator.kind = "data_noise"``
the generator's samples are ``x + σε`` with ``x`` drawn from the run's data
distribution, ``ε ~ N(0, I)`` and ``σ = generator.noise_std``. It has no
trainable parameters, so the training loop takes no generator step and only
the discriminator learns.

The latent vector only seeds the draw: a batch of latent vectors is hashed
into the seed of the random generator that draws the data points and the
noise. The same latent batch therefore gives the same samples, so the
recorder's fixed latent batch shows the same points at every snapshot and
recording consumes no random stream of training. Because the latent stream is
in the checkpoint, a resumed run draws exactly the batches of the
uninterrupted one.

NOTE: the recorded ``manifold`` (the generator's image of a latent grid) is
a set of random draws for this kind, not a surface, so its layer in the
replay and animation views shows no structure.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping

import torch
from torch import nn

from ganlab.errors import ConfigError
from ganlab.networks import GENERATORS

SOURCE = ("Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville 2017, Improved Training of "
          "Wasserstein GANs, Figure 1(a); noise std 1 in the authors' gan_toy.py")

KIND = "data_noise"

# Regularizers that change the generator's loss, gradient or view of the discriminator.
# They would have no effect on a generator that never steps.
GENERATOR_METHODS = ("consensus", "unrolled", "mode_regularizer")


class DataNoiseGenerator(nn.Module):
    """Generator of ``x + σε`` with ``x`` from the run's data distribution; no parameters.

    ``bind_data`` must be called with the run's ``[data]`` section before the
    first forward pass (``ganlab.game.Game`` does it).
    """

    def __init__(self, noise_std: float):
        super().__init__()
        self.noise_std = float(noise_std)
        self.distribution = None

    def bind_data(self, data_section: Mapping[str, Any]) -> None:
        """Build the data distribution to sample from, from a resolved ``[data]`` section."""
        from ganlab.data import make_distribution

        params = {key: value for key, value in data_section.items() if key != "name"}
        self.distribution = make_distribution(data_section["name"], params)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if self.distribution is None:
            raise RuntimeError("DataNoiseGenerator.bind_data was not called before sampling")
        generator = torch.Generator().manual_seed(_seed_of(z))
        points = self.distribution.sample(z.shape[0], generator)
        noise = torch.randn(points.shape, generator=generator, dtype=points.dtype)
        return (points + self.noise_std * noise).to(device=z.device, dtype=z.dtype)


def _seed_of(z: torch.Tensor) -> int:
    """Return a 63-bit seed derived from the bytes of the latent batch ``z``."""
    data = z.detach().to("cpu").contiguous().numpy().tobytes()
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


@GENERATORS.register(KIND, description="real data plus Gaussian noise of std "
                     "generator.noise_std, held fixed (no parameters, no generator step)",
                     source=SOURCE)
def _make_data_noise_generator(section: Mapping[str, Any], data_dim: int) -> DataNoiseGenerator:
    return DataNoiseGenerator(section.get("noise_std", 1.0))


def check_fixed_generator(config: Mapping[str, Any]) -> None:
    """Reject settings that need a generator step when ``generator.kind`` is 'data_noise'."""
    if config["generator"]["kind"] != KIND:
        return

    scheme = config["training"]["scheme"]
    if scheme != "alternating":
        raise ConfigError(f"training.scheme = {scheme!r} steps both players together, but "
                          f"generator.kind = 'data_noise' is held fixed; use scheme = "
                          f"'alternating', which then takes discriminator steps only")

    if config["record"]["spectrum_every"]:
        raise ConfigError("record.spectrum_every: the spectrum is that of the two-player game, "
                          "but generator.kind = 'data_noise' has no parameters; set "
                          "record.spectrum_every = 0")

    section = config.get("regularizer") or {}
    for name in section.get("names", []):
        if name in GENERATOR_METHODS:
            raise ConfigError(f"regularizer.names: {name!r} acts on the generator, but "
                              f"generator.kind = 'data_noise' has no parameters and never "
                              f"steps; drop {name!r} or use generator.kind = 'mlp'")
        if (section.get(name) or {}).get("generator"):
            raise ConfigError(f"regularizer.{name}.generator = true adds a term to the "
                              f"generator's loss, but generator.kind = 'data_noise' never "
                              f"steps; set it to false")
