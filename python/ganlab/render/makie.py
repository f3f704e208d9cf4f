"""The Makie rendering backend: ganlab's GanViz Julia package, called through juliacall.

This is the only ganlab module that touches juliacall. ``render_makie`` opens
the trajectory with ganlab's own store reader, hands its arrays over to Julia
as numpy arrays (juliacall wraps them as ``PyArray`` without copying, and
GanViz copies them into Julia arrays), and calls ``GanViz.render`` to write the
figure.

juliacall is imported only when a Makie figure is requested, never when
ganlab is imported: importing juliacall resolves its Julia environment, which
downloads Julia and the Julia packages when they are missing (unless
``PYTHON_JULIAPKG_OFFLINE=yes``). A missing juliacall is detected with
``importlib.util.find_spec`` without importing it. Every way the backend can
be unavailable (no juliacall, no Julia, no GanViz or Makie in Julia) raises
``BackendUnavailableError`` before an output file exists. The figure is written
to a temporary file beside ``out`` and renamed to ``out`` only when complete.
docs/julia.md describes the installation.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ganlab.errors import BackendUnavailableError, UsageError

logger = logging.getLogger(__name__)

FIGURE_EXTENSIONS = (".png", ".pdf", ".svg")
VIDEO_EXTENSIONS = (".mp4", ".gif")
KIND_EXTENSIONS = {
    "overview": FIGURE_EXTENSIONS,
    "snapshot": FIGURE_EXTENSIONS,
    "animation": VIDEO_EXTENSIONS,
}

# Python option -> (GanViz keyword, figure kinds that accept it). ``None`` as a
# kind set means every kind.
OPTIONS: dict[str, tuple[str, frozenset[str] | None]] = {
    "panels": ("panels", frozenset({"overview"})),
    "scalars": ("scalars", frozenset({"overview"})),
    "step": ("step", frozenset({"snapshot"})),
    "sample_arrows": ("sample_arrows", frozenset({"snapshot"})),
    "every": ("every", frozenset({"animation"})),
    "fps": ("framerate", frozenset({"animation"})),
    "dpi": ("dpi", None),
    "size": ("size", None),
}

# Options the matplotlib backend takes that have no Makie counterpart and are
# accepted without effect, so the same command line works with both backends.
IGNORED_OPTIONS = ("progress",)

INSTALL_HINT = "see docs/julia.md, or render with --backend matplotlib now"

_ganviz: Any = None


def render_makie(traj_or_path: Any, kind: str = "overview", out: str | Path | None = None,
                 **options: Any) -> str:
    """Draw figure kind ``kind`` of a run with GanViz (Makie) and write it to ``out``.

    ``traj_or_path`` is a ``Trajectory`` or the path of a run or its store.
    Options: ``panels`` and ``scalars`` (overview), ``step`` and
    ``sample_arrows`` (snapshot), ``every`` and ``fps`` (animation, frames per
    second), and for every kind ``dpi`` (bitmap pixels per inch) and ``size``
    ((width, height) in inches). Returns the output path.

    Raises ``UsageError`` for an unknown kind, option or output extension and
    ``BackendUnavailableError`` when juliacall, Julia or GanViz is missing.
    """
    if kind not in KIND_EXTENSIONS:
        raise UsageError(
            f"the makie backend does not draw figure kind {kind!r}; it draws "
            f"{', '.join(KIND_EXTENSIONS)} (use --backend matplotlib for the others)"
        )
    if out is None:
        raise UsageError("the makie backend writes files only; pass an output path (--out FILE)")
    out_path = Path(out)
    check_output(kind, out_path)
    julia_options = julia_keywords(kind, options)

    traj, opened = open_source(traj_or_path)
    try:
        attrs_json, static, series = trajectory_arrays(traj)
    finally:
        if opened:
            traj.close()

    ganviz = load_ganviz()
    julia_traj = ganviz.Trajectory(attrs_json, static, series, path=str(traj.path))

    partial = out_path.with_name(f".{out_path.stem}.partial-{os.getpid()}{out_path.suffix}")
    try:
        ganviz.render(julia_traj, kind, str(partial), **julia_options)
    except Exception as error:
        partial.unlink(missing_ok=True)
        message = user_error_message(ganviz, error)
        if message is not None:
            raise UsageError(message) from None
        raise
    if not partial.exists():
        raise RuntimeError(f"GanViz.render returned without writing {partial}")
    os.replace(partial, out_path)
    logger.info("wrote %s", out_path)
    return str(out_path)


def check_output(kind: str, out: Path) -> None:
    """Raise ``UsageError`` unless ``out`` has an extension of ``kind`` and its directory exists."""
    accepted = KIND_EXTENSIONS[kind]
    suffix = out.suffix.lower()
    if suffix not in accepted:
        raise UsageError(
            f"cannot write kind {kind!r} to {str(out)!r} with the makie backend: extension "
            f"{suffix or '(none)'!r} is not supported; accepted: {', '.join(accepted)}"
        )
    if not out.parent.is_dir():
        raise UsageError(
            f"output directory {str(out.parent)!r} does not exist; create it or choose another --out"
        )


def julia_keywords(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """Map Python render options to GanViz keyword arguments, checking each value.

    ``None`` values are dropped, so GanViz uses its defaults.
    """
    keywords: dict[str, Any] = {}
    for name, value in options.items():
        if name in IGNORED_OPTIONS or value is None:
            continue
        if name not in OPTIONS:
            raise UsageError(
                f"option {name!r} does not apply to the makie backend; accepted options: "
                f"{', '.join(OPTIONS)}"
            )
        keyword, kinds = OPTIONS[name]
        if kinds is not None and kind not in kinds:
            raise UsageError(
                f"option {name!r} does not apply to figure kind {kind!r}; it is for "
                f"{', '.join(sorted(kinds))}"
            )
        keywords[keyword] = convert_option(name, value)
    return keywords


def convert_option(name: str, value: Any) -> Any:
    """Return ``value`` in the type GanViz expects, or raise ``UsageError``."""
    if name in ("panels", "every", "fps"):
        number = whole_number(name, value)
        if number < 1:
            raise UsageError(f"{name} must be at least 1, got {value!r}")
        return number
    if name == "step":
        return whole_number(name, value)
    if name == "dpi":
        if not isinstance(value, (int, float)) or not value > 0:
            raise UsageError(f"dpi must be a positive number of pixels per inch, got {value!r}")
        return float(value)
    if name == "size":
        try:
            width, height = (float(side) for side in value)
        except (TypeError, ValueError):
            raise UsageError(f"size must be (width, height) in inches, got {value!r}") from None
        if not (width > 0 and height > 0):
            raise UsageError(f"size must be positive (width, height) in inches, got {value!r}")
        return (width, height)
    if name == "scalars":
        if isinstance(value, str):
            return [value]
        return [str(item) for item in value]
    if name == "sample_arrows":
        return bool(value)
    return value


def whole_number(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise UsageError(f"{name} must be a whole number, got {value!r}")
    if float(value) != int(value):
        raise UsageError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def open_source(traj_or_path: Any) -> tuple[Any, bool]:
    """Return (trajectory, whether it was opened here and must be closed)."""
    if isinstance(traj_or_path, (str, os.PathLike)):
        from ganlab.store import open_trajectory

        return open_trajectory(traj_or_path), True
    return traj_or_path, False


def trajectory_arrays(traj: Any) -> tuple[str, dict[str, np.ndarray], dict[str, dict[str, np.ndarray]]]:
    """Return the attributes as JSON and the static and series arrays of a trajectory.

    The layout is that of ``Trajectory.from_arrays``: ``series`` maps a group
    (``""`` for snapshots) to its arrays, index included. Arrays are made
    C-contiguous so that juliacall hands them over as plain strided buffers.
    """
    attrs_json = json.dumps(traj.attrs, allow_nan=True, default=json_default)
    reader = traj.reader
    static = {name: np.ascontiguousarray(traj.static(name)) for name in reader.static_names()}
    series = {
        group: {name: np.ascontiguousarray(array) for name, array in traj.series(group).items()}
        for group in reader.series_names()
    }
    return attrs_json, static, series


def json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"attribute value of type {type(value).__name__} is not JSON-serializable")


def load_ganviz() -> Any:
    """Start Julia through juliacall and return the GanViz module (cached).

    Raises ``BackendUnavailableError`` naming what is missing.
    """
    global _ganviz
    if _ganviz is not None:
        return _ganviz

    if importlib.util.find_spec("juliacall") is None:
        raise BackendUnavailableError(
            "the makie backend needs juliacall, which is not installed: run "
            "`pip install ganlab[julia]` (juliacall then installs Julia and GanViz's packages "
            f"on first use); {INSTALL_HINT}"
        )

    if not julia_found() and os.environ.get("PYTHON_JULIAPKG_OFFLINE") != "yes":
        logger.warning(
            "no Julia executable found; juliacall will now download Julia and the Makie "
            "packages (several hundred MB, minutes) unless PYTHON_JULIAPKG_OFFLINE=yes"
        )
    # NOTE: ganlab imports torch before this point, and juliacall 0.9.37 warns
    # that importing torch first "may cause a segfault". Whether it does is
    # unknown because no Julia runtime was available to try; docs/julia.md gives
    # the workaround of importing juliacall before ganlab.
    # The import's warnings concern a running Julia, so they are shown only once it started.
    with warnings.catch_warnings(record=True) as import_warnings:
        try:
            import juliacall
        except Exception as error:  # juliapkg raises plain Exception when it cannot find Julia
            raise BackendUnavailableError(
                f"the makie backend could not start Julia through juliacall "
                f"({first_line(error)}): install Julia 1.10 or newer (juliaup), or let juliacall "
                f"download it by unsetting PYTHON_JULIAPKG_OFFLINE; {INSTALL_HINT}"
            ) from None
    for caught in import_warnings:
        warnings.warn_explicit(caught.message, caught.category, caught.filename, caught.lineno)

    try:
        module = juliacall.newmodule("GanlabMakie")
        module.seval("import GanViz")
        ganviz = module.GanViz
    except Exception as error:  # juliacall.JuliaError for a package that fails to load
        raise BackendUnavailableError(
            f"the makie backend could not load the Julia package GanViz ({first_line(error)}): "
            "add it to juliacall's Julia environment with "
            "Pkg.develop(path=\"julia/GanViz\") and Pkg.instantiate(); " + INSTALL_HINT
        ) from None

    _ganviz = ganviz
    return ganviz


def julia_found() -> bool:
    """Return whether juliapkg can use a Julia without downloading one (a best guess)."""
    if os.environ.get("PYTHON_JULIAPKG_EXE"):
        return True
    return shutil.which("julia") is not None or shutil.which("juliaup") is not None


def user_error_message(ganviz: Any, error: Exception) -> str | None:
    """Return the message of a Julia ``ArgumentError`` raised by GanViz, else None."""
    exception = getattr(error, "exception", None)
    if exception is None:
        return None
    message = ganviz.user_error_message(exception)
    return None if message is None else str(message)


def first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
