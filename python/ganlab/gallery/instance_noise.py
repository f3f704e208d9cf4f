"""The discriminator's surface without and with instance noise.

Sønderby, Caballero, Theis, Shi & Huszár (2016), "Amortised MAP Inference
for Image Super-resolution", and Arjovsky & Bottou
(2017), "Towards Principled Methods for Training GANs": when the data and
the generated distribution have disjoint supports, the discriminator can
separate them almost perfectly and its input gradient carries little
information. Adding Gaussian noise to every discriminator input makes the
two noisy distributions overlap, so the optimal discriminator is smooth and
its gradient points from the samples towards the data.

The figure trains the same standard GAN on the ring of eight Gaussians
(ganlab's ring8 preset) with and without constant instance noise and shows
the discriminator's surface D(x) with the arrows of ∇ₓD early in training.
The noise level σ = 0.4 (a fifth of the ring's radius) and the 2000 steps are
ganlab's choice: the papers use the method on images.
"""

from __future__ import annotations

from typing import Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ganlab.gallery.entry import GalleryEntry, RunSpec, recording, register, run_steps
from ganlab.gallery.panels import data_legend, is_narrow, snapshot_grid
from ganlab.render.scene import Layers
from ganlab.render.style import ARROW_COLOR
from ganlab.trajectory import Trajectory

PUBLISHED_STEPS = 2000
QUICK_STEPS = 30
NOISE_STD = 0.4

QUICK = {"generator.hidden": 16, "discriminator.hidden": 16, "training.batch_size": 64}


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    base = {**recording(quick, total), "record.field_grid": 4 if quick else 15}
    if quick:
        base.update(QUICK)
    noisy = {**base, "regularizer.names": ["instance_noise"],
             "regularizer.instance_noise.std": NOISE_STD,
             "regularizer.instance_noise.schedule": "constant"}
    return [
        RunSpec("no_noise", "no noise", "ring8", base),
        RunSpec("instance_noise", f"instance noise\n$\\sigma = {NOISE_STD:g}$", "ring8", noisy),
    ]


def draw(figure: Figure, trajs: Sequence[Trajectory], specs: Sequence[RunSpec]) -> None:
    columns = 3 if is_narrow(figure) else 5
    marker_scale = 0.18 if is_narrow(figure) else 0.25
    layers = Layers(field=True, manifold=False, boundary=True, marker_scale=marker_scale)
    snapshot_grid(figure, trajs, [spec.label for spec in specs], columns, layers=layers)
    arrow = Line2D([], [], linestyle="none", marker=r"$\rightarrow$", markersize=8,
                   color=ARROW_COLOR)
    # Drawn white over the surface; grey in the legend so that it shows on white paper.
    boundary = Line2D([], [], color="#8C8C8C", linestyle="--", linewidth=0.8)
    data_legend(figure, [(arrow, r"$\nabla_x D$"), (boundary, r"$D(x) = 1/2$")],
                ncols=2 if is_narrow(figure) else 4)


ENTRY = register(GalleryEntry(
    name="instance_noise",
    title="the discriminator's surface without and with instance noise",
    source="Sønderby et al. 2016, Amortised MAP Inference for Image Super-resolution; "
           "Arjovsky & Bottou 2017, Towards Principled Methods for Training GANs",
    finding="without noise the discriminator is a sharp, saturated separator; with noise it is "
            "smooth and its gradient points from the samples to the data",
    runs=runs,
    draw=draw,
    aspect=0.45,
    one_column_aspect=0.88,
))
