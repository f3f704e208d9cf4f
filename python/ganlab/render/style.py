"""The look of every ganlab figure: palette, markers, colormap, fonts and figure creation.

Colours come from the Okabe & Ito (2008) palette, which stays distinguishable
under the common colour-vision deficiencies. Real and generated points also
differ in marker, size and fill, so they stay apart in grayscale print: real
points are small black dots with a white rim, generated samples are larger
vermillion circles with a dark rim. The surface colormap is the upper part of
cividis (Nuñez et al. 2018), which is perceptually uniform and monotone in
lightness; dropping its darkest third keeps black markers and arrows visible.

The rcParams live in ``ganlab.mplstyle`` and are applied only inside
``style_context``, so the caller's global matplotlib settings never change.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from pathlib import Path
from typing import Iterator

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ganlab.errors import UsageError

logger = logging.getLogger(__name__)

STYLE_PATH = Path(__file__).with_name("ganlab.mplstyle")

# Okabe & Ito (2008) colours by name.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

REAL_COLOR = BLACK
GENERATED_COLOR = VERMILLION
DISCRIMINATOR_COLOR = BLUE
MANIFOLD_COLOR = BLUE
ARROW_COLOR = "#1A1A1A"

# Curve colours and line styles for scalar series: the discriminator's loss in
# blue, the generator's in vermillion, then the rest of the palette. Line styles
# differ too, so curves stay apart in grayscale.
CURVE_COLORS = (BLUE, VERMILLION, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, BLACK)
CURVE_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1)), (0, (1, 1)))

# Text widths of journal and conference pages, in inches: a single column is
# 3.25 to 3.5 in wide (IEEE, ACM, ICML, NeurIPS two-column formats), the full
# text block of a two-column page 6.75 to 7 in.
COLUMN_WIDTHS = {"one-column": 3.4, "two-column": 7.0}

SURFACE_CMAP = ListedColormap(
    matplotlib.colormaps["cividis"](np.linspace(0.35, 1.0, 256)), name="ganlab_surface"
)


def real_scatter_style(size: float = 7.0) -> dict:
    """Scatter keyword arguments for real data points (marker area ``size`` in pt²)."""
    return {
        "s": size,
        "marker": "o",
        "c": REAL_COLOR,
        "edgecolors": "white",
        "linewidths": 0.35,
        "label": "real",
        "zorder": 3,
    }


def generated_scatter_style(size: float = 16.0) -> dict:
    """Scatter keyword arguments for generated samples (marker area ``size`` in pt²)."""
    return {
        "s": size,
        "marker": "o",
        "c": GENERATED_COLOR,
        "edgecolors": "#3A1500",
        "linewidths": 0.4,
        "alpha": 0.85,
        "label": "generated",
        "zorder": 4,
    }


def label_data_axes(ax, dim: int) -> None:
    """Label data-space axes x₁, x₂ (2D, equal aspect) or x (1D)."""
    if dim == 1:
        ax.set_xlabel("x")
        return
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_aspect("equal", adjustable="box")


@contextlib.contextmanager
def style_context(user_style: str | Path | None = None) -> Iterator[None]:
    """Apply ganlab's style, then ``user_style`` on top, restoring rcParams on exit.

    ``user_style`` is a path to an ``.mplstyle`` file or the name of a style
    in ``matplotlib.style.available``.
    """
    with matplotlib.rc_context():
        matplotlib.style.use(str(STYLE_PATH))
        if user_style is not None:
            _use_user_style(user_style)
        yield


def _use_user_style(user_style: str | Path) -> None:
    name = str(user_style)
    looks_like_path = name.endswith(".mplstyle") or "/" in name or Path(name).exists()
    if looks_like_path and not Path(name).is_file():
        raise UsageError(f"style file {name!r} not found; pass an existing .mplstyle file")
    if not looks_like_path and name not in matplotlib.style.available:
        raise UsageError(
            f"unknown matplotlib style {name!r}; pass a .mplstyle path or one of: "
            f"{', '.join(sorted(matplotlib.style.available))}"
        )
    try:
        matplotlib.style.use(name)
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot apply style {name!r}: {error}") from None


def new_figure(size: tuple[float, float], dpi: float, *, layout: str | None = "constrained") -> Figure:
    """Create a figure with an Agg canvas, outside pyplot so no global figure state is kept.

    ``size`` is (width, height) in inches and ``dpi`` the pixels per inch of
    raster output.
    """
    figure = Figure(figsize=size, dpi=dpi, layout=layout)
    FigureCanvasAgg(figure)
    return figure


def even_pixel_size(size: tuple[float, float], dpi: float) -> tuple[float, float]:
    """Return ``size`` in inches adjusted so that width and height in pixels are even.

    H.264 with 4:2:0 chroma subsampling needs even frame dimensions.
    """
    width = max(2, 2 * round(size[0] * dpi / 2))
    height = max(2, 2 * round(size[1] * dpi / 2))
    # Half a pixel of slack keeps int(inches * dpi) from rounding down.
    return (width + 0.25) / dpi, (height + 0.25) / dpi


def save_figure(figure: Figure, out: str | Path, dpi: float | None = None) -> Path:
    """Write ``figure`` to ``out``; the format follows the extension (.png, .pdf, .svg).

    ``dpi`` sets the pixel density of PNG output and of raster images embedded
    in PDF and SVG (the surface); ``None`` keeps the figure's own dpi.
    """
    out = Path(out)
    figure.savefig(out, dpi=dpi if dpi is not None else figure.dpi)
    return out


def column_width(size: str) -> float:
    """Return the figure width in inches for a page size name of ``COLUMN_WIDTHS``."""
    if size not in COLUMN_WIDTHS:
        raise UsageError(f"unknown figure size {size!r}; accepted: {', '.join(COLUMN_WIDTHS)}")
    return COLUMN_WIDTHS[size]


def latex_available() -> bool:
    """Return whether a ``latex`` executable is on PATH (needed for ``text.usetex``)."""
    return shutil.which("latex") is not None


def use_tex_text() -> None:
    """Switch the current rcParams to LaTeX text rendering, or raise if LaTeX is missing.

    Call it inside ``style_context`` so that the change ends with the context.
    matplotlib's usetex also needs dvipng for PNG and Ghostscript for PostScript.
    """
    if not latex_available():
        raise UsageError("--usetex needs a LaTeX installation, but no 'latex' executable is on "
                         "PATH; install TeX Live (for example the texlive-latex-extra, dvipng and "
                         "cm-super packages) or omit --usetex to use matplotlib's mathtext")
    matplotlib.rcParams["text.usetex"] = True
    matplotlib.rcParams["font.family"] = "serif"
