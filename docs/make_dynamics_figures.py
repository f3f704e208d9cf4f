"""Produce the figures of docs/dynamics.md with ganlab itself.

Run from the repository root: ``python3 docs/make_dynamics_figures.py``. The
runs go to a temporary directory; the PNGs go to docs/images/. It takes a
few minutes on two CPU cores.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import ganlab
from ganlab.config import load_config
from ganlab.render import render
from ganlab.training import Trainer

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
DIRAC = ROOT / "configs" / "dirac.toml"
DIRAC_ALTERNATING = ROOT / "configs" / "dirac_alternating.toml"

RING_SMALL = [
    "generator.hidden=16", "generator.depth=1", "discriminator.hidden=16",
    "discriminator.depth=1", "training.steps=1500", "training.batch_size=128",
    "optimizer.lr=0.002", "record.every=50", "record.params_every=10",
    "record.spectrum_every=100", "record.samples=256", "record.real=512", "record.grid=48",
    "record.field_grid=12", "record.manifold_grid=12",
]


def train(directory: Path, name: str, source, overrides=()) -> Path:
    config = load_config(source, list(overrides))
    return Trainer(config, directory / name).run().run_dir


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        simultaneous = train(tmp, "simultaneous", DIRAC)
        alternating = train(tmp, "alternating", DIRAC_ALTERNATING)
        render([simultaneous, alternating], "field", IMAGES / "dirac_field.png", dpi=110)
        render([simultaneous, alternating], "spectrum", IMAGES / "dirac_spectrum.png", dpi=90)

        regularized = [
            train(tmp, "r1", DIRAC_ALTERNATING, ["regularizer.names=['r1']",
                                                 "regularizer.r1.gamma=1.0"]),
            train(tmp, "consensus", DIRAC, ["regularizer.names=['consensus']",
                                            "regularizer.consensus.gamma=1.0"]),
            train(tmp, "noise", DIRAC_ALTERNATING, ["regularizer.names=['instance_noise']",
                                                    "regularizer.instance_noise.std=0.7",
                                                    "training.batch_size=256"]),
        ]
        render(regularized, "field", IMAGES / "dirac_field_regularized.png", dpi=90)

        ring = train(tmp, "ring", "ring8", RING_SMALL)
        render([ring], "params", IMAGES / "ring_params.png", dpi=90)
        render([ring], "spectrum", IMAGES / "ring_spectrum.png", dpi=90)
        render([ring], "field", IMAGES / "ring_field.png", dpi=110, grid=15)
        logging.info("ring run: %s", ganlab.open(ring).status)


if __name__ == "__main__":
    main()
