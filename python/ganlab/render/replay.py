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

from ganlab.errors import UsageError
from ganlab.render.replay_encode import BinaryBuffer, align_timeline, pack_run, select_snapshots
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
    trajs: Trajectory | Sequence[Trajectory],
    out: str | Path,
    *,
    names: Sequence[str] | None = None,
    title: str | None = None,
    max_snapshots: int = DEFAULT_MAX_SNAPSHOTS,
    max_curve_points: int = DEFAULT_MAX_CURVE_POINTS,
    phases: Sequence[Phase] | Sequence[Sequence[Phase]] | None = None,
    layers: Sequence[str] = DEFAULT_LAYERS,
    colormap: str = "RdBu_r",
    compress: bool = True,
) -> Path:
    """Write the replay page of one trajectory or of several side by side to ``out``.

    ``names`` labels the runs (default: the run name from the store or config).
    ``max_snapshots`` caps the snapshots per run; longer runs are subsampled
    evenly in time and the page says so. ``max_curve_points`` caps the points
    per curve (longer curves are averaged over equal bins). ``phases`` gives
    diagnosis phases as ``(label, start_step, end_step)``, one list per run for
    several runs; without it ``ganlab.diagnosis.diagnose`` is used when
    installed. ``layers`` names the layers shown at load time, ``colormap`` the
    matplotlib colormap of the surface, and ``compress=False`` stores the data
    uncompressed for browsers without ``DecompressionStream``. Returns the path.
    """
    runs = _as_list(trajs)
    names = _run_names(runs, names)
    _check_options(max_snapshots, max_curve_points, layers)
    run_phases = _resolve_phases(runs, phases)
    lut = _colormap_lut(colormap)

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

    text = _assemble(document, blob, runs, names, notices)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    logger.info("replay: wrote %s (%d runs, %d ticks, %.2f MB, data %.2f MB before compression)",
                path, len(runs), len(timeline), path.stat().st_size / 1e6, len(raw) / 1e6)
    return path


def _as_list(trajs: Trajectory | Sequence[Trajectory]) -> list[Trajectory]:
    runs = [trajs] if isinstance(trajs, Trajectory) else list(trajs)
    if not runs:
        raise UsageError("render_replay needs at least one trajectory; got an empty list")
    for position, traj in enumerate(runs):
        if not isinstance(traj, Trajectory):
            raise UsageError(
                f"render_replay: item {position} is a {type(traj).__name__}, not a Trajectory; "
                f"open stores with ganlab's store readers first"
            )
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
        if not name and traj.path and not traj.path.startswith("<"):
            name = Path(traj.path.rstrip("/")).name
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
    runs: list[Trajectory], phases: Sequence[Phase] | Sequence[Sequence[Phase]] | None
) -> list[list[Phase]]:
    """Return one phase list per run, from ``phases`` or from ``ganlab.diagnosis.diagnose``."""
    if phases is not None:
        per_run = [phases] if len(runs) == 1 else list(phases)
        if len(per_run) != len(runs):
            raise UsageError(f"phases has {len(per_run)} lists for {len(runs)} trajectories; "
                             f"give one list of (label, start, end) per trajectory")
        return [_normalize_phases(run_phases, strict=True) for run_phases in per_run]

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
        result.append(_normalize_phases(getattr(found, "phases", found), strict=False))
    return result


def _normalize_phases(phases: Any, strict: bool) -> list[Phase]:
    """Read phases given as (label, start, end) triples, dicts or objects with those fields."""
    result = []
    for item in phases or []:
        if isinstance(item, dict):
            fields = (item.get("label", item.get("name")), item.get("start"), item.get("end"))
        elif isinstance(item, (tuple, list)) and len(item) == 3:
            fields = tuple(item)
        else:
            fields = (getattr(item, "label", getattr(item, "name", None)),
                      getattr(item, "start", None), getattr(item, "end", None))
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
        detail = ", ".join(f"{key} {value}" for key, value in traj.status_detail.items())
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
