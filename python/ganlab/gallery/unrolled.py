"""Standard against unrolled GAN on the ring of eight Gaussians over training.

Metz, Poole, Pfau & Sohl-Dickstein (2017), "Unrolled Generative Adversarial
Networks", Fig. 1: with the same networks and optimizer, the standard GAN's
generator jumps from mode to mode and never covers the ring, while the
unrolled GAN spreads its mass over all eight modes. The settings follow the
authors' demo notebook (github.com/poolio/unrolled_gan, "Unrolled GAN
demo.ipynb"): two hidden tanh layers of 128 units in both networks,
orthogonal initialization, 256 latent dimensions, batch 512, Adam with
β1 = 0.5, learning rates 1e-3 (generator) and 1e-4 (discriminator), 5
unrolling steps and 25000 steps. The notebook states that its settings differ
from the paper's (10 unrolling steps there).
"""

from __future__ import annotations

from typing import Sequence

from matplotlib.figure import Figure

from ganlab.gallery.entry import GalleryEntry, RunSpec, recording, register, run_steps
from ganlab.gallery.panels import data_legend, is_narrow, snapshot_grid
from ganlab.trajectory import Trajectory

PUBLISHED_STEPS = 25000
QUICK_STEPS = 40
UNROLLING_STEPS = 5

# The demo notebook's networks and optimizer, on top of the ring8 preset's data
# (8 modes on a circle of radius 2, std 0.02).
NOTEBOOK = {
    "generator.latent_dim": 256,
    "generator.activation": "tanh",
    "generator.init": "orthogonal",
    "discriminator.activation": "tanh",
    "discriminator.init": "orthogonal",
    "optimizer.beta1": 0.5,
    "optimizer.eps": 1e-8,
    "optimizer.generator.lr": 1e-3,
    "optimizer.discriminator.lr": 1e-4,
    "training.batch_size": 512,
    "training.scheme": "simultaneous",
}

QUICK = {
    "generator.latent_dim": 8,
    "generator.hidden": 16,
    "discriminator.hidden": 16,
    "training.batch_size": 64,
}


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    base = {**NOTEBOOK, **recording(quick, total)}
    if quick:
        base.update(QUICK)
    unrolling = 2 if quick else UNROLLING_STEPS
    unrolled = {**base, "regularizer.names": ["unrolled"], "regularizer.unrolled.steps": unrolling}
    return [
        RunSpec("standard", "standard GAN", "ring8", base),
        RunSpec("unrolled", f"unrolled GAN\n({unrolling} steps)", "ring8", unrolled),
    ]


def draw(figure: Figure, trajs: Sequence[Trajectory], specs: Sequence[RunSpec]) -> None:
    columns = 3 if is_narrow(figure) else 6
    snapshot_grid(figure, trajs, [spec.label for spec in specs], columns)
    data_legend(figure)


ENTRY = register(GalleryEntry(
    name="unrolled_ring",
    title="standard vs unrolled GAN on the ring of 8 Gaussians over training",
    source="Metz, Poole, Pfau & Sohl-Dickstein 2017, Unrolled Generative Adversarial Networks, "
           "Fig. 1",
    finding="the standard GAN's generator hops between single modes; the unrolled GAN covers "
            "all 8 modes",
    runs=runs,
    draw=draw,
    aspect=0.38,
    one_column_aspect=0.95,
))
