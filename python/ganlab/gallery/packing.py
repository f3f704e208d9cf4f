"""A standard GAN against PacGAN on the grid of 25 Gaussians.

Lin, Khetan, Fanti & Oh (2018), "PacGAN: The power of two samples in
generative adversarial networks", the 2D-grid experiment. Letting
the discriminator judge m samples at once penalizes a generator that
repeats itself. So PacGAN covers more of the 25 modes, with more
high-quality samples, than the GAN with the same networks. The data are modes
at {−4, −2, 0, 2, 4}² with std 0.05 as in the paper. Networks, optimizer and
the 10000 steps are those of ganlab's grid25 preset, not the paper's.
PacGAN3 trains on batches of 255 samples, the largest multiple of 3 up to the
preset's 256.
"""

from __future__ import annotations

from typing import Sequence

from matplotlib.figure import Figure

from ganlab.gallery.entry import GalleryEntry, RunSpec, recording, register, run_steps
from ganlab.gallery.panels import data_legend, is_narrow, snapshot_grid
from ganlab.trajectory import Trajectory

PUBLISHED_STEPS = 10000
QUICK_STEPS = 30
DEGREES = (2, 3)
# training.batch_size of the grid25 preset.
PRESET_BATCH = 256

QUICK = {"generator.hidden": 16, "discriminator.hidden": 16, "training.batch_size": 60}


def runs(quick: bool, steps: int | None) -> list[RunSpec]:
    total = run_steps(PUBLISHED_STEPS, QUICK_STEPS, quick, steps)
    # 2500 samples per snapshot, as the paper counts modes and high-quality samples on.
    base = {**recording(quick, total), "record.samples": 256 if quick else 2500}
    if quick:
        base.update(QUICK)
    specs = [RunSpec("gan", "GAN", "grid25", base)]
    for degree in DEGREES:
        # Packing splits the batch into groups of m samples, so the batch must be a multiple of m.
        batch = base.get("training.batch_size", PRESET_BATCH)
        packed = {**base, "regularizer.names": ["packing"], "regularizer.packing.degree": degree}
        if batch % degree:
            packed["training.batch_size"] = batch - batch % degree
        specs.append(RunSpec(f"pacgan{degree}", f"PacGAN{degree}", "grid25", packed))
    return specs


def draw(figure: Figure, trajs: Sequence[Trajectory], specs: Sequence[RunSpec]) -> None:
    columns = 3 if is_narrow(figure) else 5
    snapshot_grid(figure, trajs, [spec.label for spec in specs], columns)
    data_legend(figure)


ENTRY = register(GalleryEntry(
    name="pacgan_grid",
    title="GAN against PacGAN2 and PacGAN3 on the grid of 25 Gaussians",
    source="Lin, Khetan, Fanti & Oh 2018, PacGAN: The power of two samples in generative "
           "adversarial networks, 2D-grid experiment",
    finding="packing covers more of the 25 modes, with more high-quality samples, than the "
            "GAN with the same networks",
    runs=runs,
    draw=draw,
    aspect=0.62,
    one_column_aspect=0.95,
))
