"""Render trajectories as one self-contained, interactive HTML replay page.

``render_replay(trajs, out)`` writes a single HTML file that contains the data,
the script and the style inline and fetches nothing, so it opens from
``file://`` and can be mailed or archived. The page shows the discriminator
surface, real points, generated samples, gradient arrows and the generator
manifold for each recorded snapshot, with a time slider, play controls, layer
toggles, loss and metric curves, and the run's config. Several trajectories
(a sweep) are shown side by side under one shared slider.

The script is handwritten vanilla JavaScript and Canvas 2D (no dependencies).
The binary data is zlib-compressed and base64-encoded; the page decompresses it
with the browser's ``DecompressionStream`` (Chromium 80+, Firefox 113+,
Safari 16.4+). ``docs/replay.md`` describes the controls and the size limits.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import re
import zlib
from importlib import resources
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ganlab.errors import StoreError, StoreNotFoundError, UsageError
from ganlab.render import RENDER_KINDS
from ganlab.render.replay_encode import BinaryBuffer, align_timeline, pack_run, select_snapshots
from ganlab.store import STORE_NAMES, find_store, open_trajectory
from ganlab.trajectory import Trajectory

logger = logging.getLogger(__name__)

ASSET_PACKAGE = "ganlab.render"
ASSET_FOLDER = "replay_assets"
# Script files, concatenated in this order into one inline script.
SCRIPT_FILES = ("decode.js", "view.js", "view1d.js", "curves.js", "app.js")
LAYERS = ("surface", "real", "samples", "field", "manifold", "sample_grad")
DEFAULT_LAYERS = ("surface", "real", "samples", "field", "manifold")
DEFAULT_MAX_SNAPSHOTS = 300
DEFAULT_MAX_CURVE_POINTS = 2000

Phase = tuple[str, float, float]


def render_replay(
    trajs: Trajectory | str | Path | Sequence[Trajectory | str | Path],
    out: str | Path | None,
    *,
    names: Sequence[str] | None = None,
    title: str | None = None,
    max_snapshots: int = DEFAULT_MAX_SNAPSHOTS,
    max_curve_points: int = DEFAULT_MAX_CURVE_POINTS,
    phases: Sequence[Phase] | Sequence[Sequence[Phase]] | None = None,
    diagnose: bool = True,
    layers: Sequence[str] = DEFAULT_LAYERS,
    colormap: str = "RdBu_r",
    compress: bool = True,
) -> Path | str:
    """Write the replay page of one trajectory or of several side by side to ``out``.

    ``trajs`` is a ``Trajectory``, the path of a run or store, a sweep
    directory (every run directory directly inside it), or a list of these.
    ``names`` labels the runs (default: the run name from the store or config).
    ``max_snapshots`` caps the snapshots per run; longer runs are subsampled
    evenly in time and the page shows a notice. ``max_curve_points`` caps the points
    per curve (longer curves are averaged over equal bins). ``phases`` gives
    diagnosis phases as ``(label, start_step, end_step)``, one list per run for
    several runs; without it the findings of ``ganlab.diagnosis.diagnose`` are
    drawn unless ``diagnose=False``. ``layers`` names the layers shown at load time, ``colormap`` the
    matplotlib colormap of the surface, and ``compress=False`` stores the data
    uncompressed for browsers without ``DecompressionStream``. Returns the
    path written, or the HTML text when ``out`` is None.
    """
    _check_options(max_snapshots, max_curve_points, layers)
    lut = _colormap_lut(colormap)
    runs, opened = open_runs(trajs)
    try:
        names = _run_names(runs, names)
        run_phases = _resolve_phases(runs, phases, diagnose)
        text = _render_page(runs, names, run_phases, lut, max_snapshots, max_curve_points,
                            layers, compress, title)
    finally:
        for traj in opened:
            traj.close()

    if out is None:
        return text
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    logger.info("replay: wrote %s (%d runs, %.2f MB)", path, len(runs),
                path.stat().st_size / 1e6)
    return path


def _render_page(runs: list[Trajectory], names: list[str], run_phases: list[list[Phase]],
                 lut: np.ndarray, max_snapshots: int, max_curve_points: int,
                 layers: Sequence[str], compress: bool, title: str | None) -> str:
    """Pack the runs and return the page's HTML text."""
    buffer = BinaryBuffer()
    records = []
    notices = []
    for traj, name, own_phases in zip(runs, names, run_phases):
        picked = select_snapshots(len(traj), max_snapshots)
        if len(picked) < len(traj):
            notices.append(
                f"{name}: showing {len(picked)} of {len(traj)} snapshots, evenly spaced in "
                f"time (max_snapshots={max_snapshots})."
            )
        if traj.dim > 2:
            notices.append(f"{name}: data has {traj.dim} dimensions; the page shows the first two.")
        records.append(pack_run(traj, name, picked, own_phases, buffer, max_curve_points))

    timeline, frames = align_timeline([record["steps"] for record in records])
    for record, frame_of_tick in zip(records, frames):
        record["frameOfTick"] = frame_of_tick
    if any(record["scalars"]["binned"] or record["metrics"]["binned"] for record in records):
        notices.append(f"Curves longer than {max_curve_points} points are averaged over equal bins.")

    page_title = title or ("ganlab replay: " + ", ".join(names))
    document = {
        "title": page_title,
        "timeline": timeline,
        "runs": records,
        "layers": {layer: layer in layers for layer in LAYERS},
        "colormap": base64.b64encode(lut.tobytes()).decode("ascii"),
        "compressed": bool(compress),
    }
    raw = buffer.tobytes()
    blob = zlib.compress(raw, 6) if compress else raw

    logger.debug("replay: %d runs, %d ticks, data %.2f MB before compression", len(runs),
                 len(timeline), len(raw) / 1e6)
    return _assemble(document, blob, runs, names, notices)


def open_runs(trajs: Any) -> tuple[list[Trajectory], list[Trajectory]]:
    """Return (trajectories, the ones opened here from paths, which the caller closes)."""
    items = [trajs] if isinstance(trajs, (Trajectory, str, Path)) else list(trajs)
    if not items:
        raise UsageError("render_replay needs at least one trajectory; got an empty list")
    runs: list[Trajectory] = []
    opened: list[Trajectory] = []
    try:
        for position, item in enumerate(items):
            if isinstance(item, Trajectory):
                runs.append(item)
            elif isinstance(item, (str, Path)):
                for store in _store_paths(Path(item)):
                    traj = open_trajectory(store)
                    opened.append(traj)
                    runs.append(traj)
            else:
                raise UsageError(f"render_replay: item {position} is a {type(item).__name__}; "
                                 f"pass a Trajectory or the path of a run or sweep directory")
        _check_runs(runs)
    except BaseException:
        for traj in opened:
            traj.close()
        raise
    return runs, opened


def _store_paths(path: Path) -> list[Path]:
    """Return the store of a run path, or the stores of the run directories of a sweep."""
    try:
        return [find_store(path)[0]]
    except StoreNotFoundError:
        if not path.is_dir():
            raise
    stores = []
    for child in sorted(path.iterdir()):
        if child.is_dir():
            try:
                stores.append(find_store(child)[0])
            except StoreError:
                continue
    if not stores:
        raise UsageError(f"{path} is neither a run nor a sweep directory: no run directory with "
                         f"a trajectory store was found inside it")
    return stores


def _check_runs(runs: list[Trajectory]) -> None:
    for traj in runs:
        if len(traj) == 0:
            raise UsageError(f"trajectory {traj.path!r} has no snapshots yet; "
                             f"render it after the first snapshot is written")
        if traj.samples is None:
            raise UsageError(f"trajectory {traj.path!r} has no 'samples' array; "
                             f"the replay page needs generated samples")
    return runs


def _run_names(runs: list[Trajectory], names: Sequence[str] | None) -> list[str]:
    if names is not None:
        names = [str(name) for name in names]
        if len(names) != len(runs):
            raise UsageError(f"names has {len(names)} entries for {len(runs)} trajectories; "
                             f"give one name per trajectory")
        return names
    result = []
    for position, traj in enumerate(runs):
        name = traj.attrs.get("name") or traj.config.get("name")
        if not name and traj.path and not str(traj.path).startswith("<"):
            store = Path(str(traj.path).rstrip("/"))
            # A store with its standard file name is named after its run directory.
            name = store.parent.name if store.name in STORE_NAMES.values() else store.name
        result.append(str(name) if name else f"run {position + 1}")
    return result


def _check_options(max_snapshots: int, max_curve_points: int, layers: Sequence[str]) -> None:
    if not isinstance(max_snapshots, int) or max_snapshots < 2:
        raise UsageError(f"max_snapshots must be an integer of at least 2; got {max_snapshots!r}")
    if not isinstance(max_curve_points, int) or max_curve_points < 2:
        raise UsageError(
            f"max_curve_points must be an integer of at least 2; got {max_curve_points!r}"
        )
    unknown = [layer for layer in layers if layer not in LAYERS]
    if unknown:
        raise UsageError(f"unknown replay layer {unknown[0]!r}; accepted layers: "
                         f"{', '.join(LAYERS)}")


def _colormap_lut(name: str) -> np.ndarray:
    """Return the colormap as 256 RGB rows of uint8."""
    import matplotlib

    try:
        cmap = matplotlib.colormaps[name]
    except KeyError:
        raise UsageError(f"unknown colormap {name!r}; use a matplotlib colormap name such as "
                         f"'RdBu_r' or 'viridis'") from None
    rgba = cmap(np.linspace(0.0, 1.0, 256))
    return np.round(rgba[:, :3] * 255).astype(np.uint8)


def _resolve_phases(
    runs: list[Trajectory],
    phases: Sequence[Phase] | Sequence[Sequence[Phase]] | None,
    diagnose_runs: bool,
) -> list[list[Phase]]:
    """Return one phase list per run, from ``phases`` or from ``ganlab.diagnosis.diagnose``."""
    if phases is not None:
        per_run = [phases] if len(runs) == 1 else list(phases)
        if len(per_run) != len(runs):
            raise UsageError(f"phases has {len(per_run)} lists for {len(runs)} trajectories; "
                             f"give one list of (label, start, end) per trajectory")
        return [_normalize_phases(run_phases, strict=True) for run_phases in per_run]
    if not diagnose_runs:
        return [[] for _ in runs]

    try:
        from ganlab.diagnosis import diagnose
    except ImportError:
        return [[] for _ in runs]
    result = []
    for traj in runs:
        try:
            found = diagnose(traj)
        except Exception as error:  # a failing diagnosis must not prevent the replay
            logger.warning("replay: diagnosis of %s failed (%s); drawing no phases", traj.path,
                           error)
            found = []
        result.append(_normalize_phases(getattr(found, "findings", found), strict=False))
    return result


def _normalize_phases(phases: Any, strict: bool) -> list[Phase]:
    """Read phases given as (label, start, end) triples, or dicts or objects with those fields.

    The start and end may also be named ``start_step`` and ``end_step``, as in
    the findings of ``ganlab.diagnosis``.
    """
    result = []
    for item in phases or []:
        if isinstance(item, dict):
            fields = (item.get("label", item.get("name")), item.get("start", item.get("start_step")),
                      item.get("end", item.get("end_step")))
        elif isinstance(item, (tuple, list)) and len(item) == 3:
            fields = tuple(item)
        else:
            fields = (getattr(item, "label", getattr(item, "name", None)),
                      getattr(item, "start", getattr(item, "start_step", None)),
                      getattr(item, "end", getattr(item, "end_step", None)))
        label, start, end = fields
        try:
            result.append((str(label), float(start), float(end)))
        except (TypeError, ValueError):
            if strict:
                raise UsageError(f"invalid phase {item!r}; give (label, start_step, end_step)"
                                 ) from None
            logger.warning("replay: skipping diagnosis phase %r without label, start and end",
                           item)
    return result


def _json_for_script(value: Any) -> str:
    """Serialize ``value`` as JSON that cannot end or open a tag inside ``<script>``."""
    text = json.dumps(value, default=str, allow_nan=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _read_asset(name: str) -> str:
    return (resources.files(ASSET_PACKAGE) / ASSET_FOLDER / name).read_text(encoding="utf-8")


def _config_panels(runs: list[Trajectory], names: list[str]) -> str:
    panels = []
    for traj, name in zip(runs, names):
        config = json.dumps(traj.config, indent=2, sort_keys=True, default=str)
        detail = ", ".join(f"{key}={value:.4g}" if isinstance(value, float) else f"{key}={value}"
                           for key, value in traj.status_detail.items())
        status = traj.status + (f" ({detail})" if detail else "")
        panels.append(
            "<details class=\"config\"><summary>Config of "
            f"<span class=\"run-name\">{html.escape(name)}</span> &middot; status: "
            f"<span class=\"status status-{html.escape(traj.status)}\">{html.escape(status)}"
            f"</span></summary><pre>{html.escape(config)}</pre></details>"
        )
    return "\n".join(panels)


def _assemble(document: dict, blob: bytes, runs: list[Trajectory], names: list[str],
              notices: list[str]) -> str:
    # One function scope keeps the page's names out of the global object.
    parts = "\n".join(_read_asset(name) for name in SCRIPT_FILES)
    script = f"(() => {{\n\"use strict\";\n{parts}\n}})();\n"
    style = _read_asset("replay.css")

    # The Content-Security-Policy allows only this page's own script and style
    # (by hash) and forbids every network request, so an escaping mistake
    # cannot run injected code and the page cannot fetch anything.
    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")

    policy = (f"default-src 'none'; script-src 'sha256-{digest(script)}'; "
              f"style-src 'sha256-{digest(style)}'; img-src data: blob:; connect-src 'none'; "
              f"base-uri 'none'; form-action 'none'")
    notice_html = "".join(f"<p>{html.escape(notice)}</p>" for notice in notices)
    values = {
        "TITLE": html.escape(document["title"]),
        "POLICY": html.escape(policy),
        "STYLE": style,
        "NOTICES": notice_html,
        "NOTICE_HIDDEN": "" if notices else "hidden",
        "CONFIGS": _config_panels(runs, names),
        "DATA": _json_for_script(document),
        "BLOB": base64.b64encode(blob).decode("ascii"),
        "SCRIPT": script,
    }
    # One pass, so that text substituted for one placeholder is never scanned again.
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda match: values[match.group(1)],
                  _read_asset("replay.html"))


RENDER_KINDS.register(
    "replay",
    render_replay,
    extensions=(".html",),
    default_extension=".html",
    multi_run=True,
    description="interactive, self-contained HTML page: time slider, layers, curves, config",
)
