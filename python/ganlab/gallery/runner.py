"""Train the runs of a gallery entry (or reuse finished ones) and write its figure.

Layout of ``OUT/NAME/``: ``runs/RUN/`` contains each run (``config.toml`` and
the trajectory store, readable by ``ganlab render``), and ``NAME.pdf``,
``NAME.png``, ``NAME.svg`` the figure in the requested formats. A run whose
directory already holds a completed run with the same resolved config is
reused, so rendering again in another size or format trains nothing.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ganlab import config as config_module
from ganlab.errors import UsageError
from ganlab.gallery.entry import GALLERY, GalleryEntry, RunSpec

log = logging.getLogger(__name__)

FORMATS = ("pdf", "png", "svg")
SIZES = ("one-column", "two-column")


@dataclass
class ReproduceResult:
    """Files written by ``reproduce`` and where the time went."""

    name: str
    figures: list[Path]
    run_dirs: list[Path]
    trained: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    train_seconds: float = 0.0
    draw_seconds: float = 0.0


def check_formats(formats: Sequence[str]) -> list[str]:
    """Return the lower-cased formats, rejecting unknown ones and an empty list."""
    cleaned = [name.strip().lower().lstrip(".") for name in formats if name.strip()]
    if not cleaned:
        raise UsageError(f"--format needs at least one of: {', '.join(FORMATS)}")
    for name in cleaned:
        if name not in FORMATS:
            raise UsageError(f"unknown figure format {name!r}; accepted: {', '.join(FORMATS)} "
                             f"(comma-separated, for example --format pdf,png)")
    return list(dict.fromkeys(cleaned))


def reproduce(name: str, out: str | Path, *, quick: bool = False, steps: int | None = None,
              overrides: Sequence[str] | Mapping[str, Any] = (),
              formats: Sequence[str] = ("pdf", "png"), size: str = "two-column",
              style: str | Path | None = None, usetex: bool = False, dpi: float = 300,
              retrain: bool = False,
              on_step: Callable[[int, int], None] | None = None) -> ReproduceResult:
    """Run gallery entry ``name`` and write its figure to ``out/name/name.FORMAT``.

    ``quick`` uses the entry's small settings, ``steps`` replaces the generator
    steps of every run, ``overrides`` ("section.key=value" strings or a
    mapping of dotted keys) change every run after the entry's settings, ``size`` is "one-column" or "two-column", ``style``
    an extra matplotlib style on top of ganlab's, ``usetex`` renders text with
    LaTeX, ``dpi`` is the pixel density of PNG output and of images embedded
    in PDF and SVG, and ``retrain`` trains every run even when a matching
    finished one exists.
    """
    from ganlab.render.style import column_width, latex_available

    entry: GalleryEntry = GALLERY.get(name).obj
    formats = check_formats(formats)
    width = column_width(size)
    if usetex and not latex_available():
        # Fail before training, not after it.
        from ganlab.render.style import use_tex_text

        use_tex_text()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} is a file; give a directory for the entry's runs "
                         f"and figures")

    entry_dir = out / name
    specs = [_with_overrides(spec, overrides) for spec in entry.runs(quick, steps)]
    result = ReproduceResult(name, [], [])
    start = time.perf_counter()
    for spec in specs:
        run_dir = entry_dir / "runs" / spec.name
        if _train_or_reuse(spec, run_dir, retrain, on_step):
            result.trained.append(spec.name)
        else:
            result.reused.append(spec.name)
        result.run_dirs.append(run_dir)
    result.train_seconds = time.perf_counter() - start

    start = time.perf_counter()
    aspect = entry.aspect if size == "two-column" else entry.one_column_aspect
    result.figures = draw_entry(entry, specs, result.run_dirs, entry_dir, formats,
                                (width, width * aspect), style, usetex, dpi)
    result.draw_seconds = time.perf_counter() - start
    return result


def draw_entry(entry: GalleryEntry, specs: Sequence[RunSpec], run_dirs: Sequence[Path],
               entry_dir: Path, formats: Sequence[str], size: tuple[float, float],
               style, usetex: bool, dpi: float) -> list[Path]:
    """Open the runs, draw the entry's figure once and save it in every format."""
    from ganlab.render.style import new_figure, save_figure, style_context, use_tex_text
    from ganlab.store import open_trajectory

    figures = []
    with contextlib.ExitStack() as stack:
        trajectories = [stack.enter_context(open_trajectory(run_dir)) for run_dir in run_dirs]
        with style_context(style):
            if usetex:
                use_tex_text()
            figure = new_figure(size, dpi)
            entry.draw(figure, trajectories, specs)
            for extension in formats:
                path = entry_dir / f"{entry.name}.{extension}"
                save_figure(figure, path, dpi)
                log.info("wrote %s", path)
                figures.append(path)
    return figures


def _with_overrides(spec: RunSpec, overrides: Sequence[str] | Mapping[str, Any]) -> RunSpec:
    """Return ``spec`` with the user's overrides applied on top of the entry's."""
    if not overrides:
        return spec
    pairs = overrides.items() if isinstance(overrides, Mapping) else map(
        config_module.parse_override, overrides)
    return replace(spec, overrides={**spec.overrides, **dict(pairs)})


def _train_or_reuse(spec: RunSpec, run_dir: Path, retrain: bool,
                    on_step: Callable[[int, int], None] | None) -> bool:
    """Train ``spec`` into ``run_dir`` unless a completed run of the same config is there.

    Returns whether it trained.
    """
    from ganlab.training import CONFIG_FILE, Trainer

    config = config_module.load_config(spec.preset, dict(spec.overrides))
    saved_path = run_dir / CONFIG_FILE
    if not retrain and saved_path.exists() and _is_completed(run_dir):
        saved = config_module.load_config(saved_path)
        if not config_module.diff(saved, config):
            log.info("reusing the completed run %s", run_dir)
            return False
    log.info("training %s (%s)", spec.name, spec.label)
    result = Trainer(config, run_dir, overwrite=True, on_step=on_step).run()
    if result.status != "completed":
        log.warning("run %s ended with status %s at step %d; its figure panels show the "
                    "snapshots recorded before", spec.name, result.status, result.steps_done)
    return True


def _is_completed(run_dir: Path) -> bool:
    from ganlab.errors import StoreError
    from ganlab.store import open_trajectory

    try:
        with open_trajectory(run_dir) as traj:
            # A diverged run is finished too: training it again gives the same divergence.
            return traj.status in ("completed", "diverged")
    except StoreError:
        return False
