"""The gallery: the field's classic toy figures, reproduced by running ganlab.

Each entry module registers one ``GalleryEntry`` in ``GALLERY`` when
imported: the runs behind a published figure (with the published settings,
and a small ``quick`` version) and the function that draws a figure in the
same spirit. ``reproduce(name, out)`` trains the runs and writes the figure;
``ganlab reproduce NAME --out DIR`` is the command line for it.
"""

from __future__ import annotations

from ganlab.gallery.entry import GALLERY, GalleryEntry, RunSpec
from ganlab.gallery.runner import FORMATS, SIZES, ReproduceResult, reproduce

# Each module registers its entry when imported.
from ganlab.gallery import (  # noqa: E402,F401
    unrolled,
    dirac,
    consensus,
    instance_noise,
    mode_regularizer,
    wgan_gp,
    packing,
)

__all__ = ["FORMATS", "GALLERY", "GalleryEntry", "ReproduceResult", "RunSpec", "SIZES",
           "reproduce"]
