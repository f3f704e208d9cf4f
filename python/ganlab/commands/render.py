"""``ganlab render RUN [RUN...] --out FILE``: draw figures and animations of recorded runs."""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

from ganlab.errors import UsageError

log = logging.getLogger(__name__)

STORE_SUFFIXES = (".zarr", ".h5", ".hdf5")


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "render",
        help="draw an overview, a snapshot or an animation of recorded runs",
        description="Draw a figure or an animation of one or more recorded runs. The output "
        "format follows the extension of --out: .png, .pdf or .svg for figures, .mp4 or .gif "
        "for animations.",
    )
    parser.add_argument(
        "runs", nargs="+", metavar="RUN",
        help="run directory written by `ganlab train`, or its trajectory.zarr / trajectory.h5",
    )
    parser.add_argument(
        "--out", metavar="FILE",
        help="output file; its directory must exist (default: RUN/<kind>.png, or "
        "RUN/<kind>.mp4 for animations, for each RUN)",
    )
    parser.add_argument(
        "--kind", default="overview",
        help="figure kind: overview (snapshots over time and loss curves), snapshot (one step "
        "with arrows and manifold), animation, replay (interactive HTML page), field, spectrum "
        "and params (game dynamics), counts (counting toys), or a kind added by a plugin; "
        "`ganlab list kinds` lists them all (default: overview)",
    )
    parser.add_argument(
        "--step", type=int, metavar="N",
        help="snapshot kind: generator step to draw; the nearest recorded one is used "
        "(default: the last finite snapshot)",
    )
    parser.add_argument(
        "--panels", type=int, metavar="N",
        help="overview kind: number of snapshots shown, evenly spaced over training (default: 6)",
    )
    parser.add_argument("--fps", type=float, metavar="N",
                        help="animation kind: frames per second (default: 10)")
    parser.add_argument(
        "--dpi", type=float, metavar="N",
        help="pixels per inch of PNG, MP4 and GIF output and of the surface image embedded "
        "in PDF and SVG (default: 150 for figures, 100 for animations)",
    )
    parser.add_argument(
        "--every", type=int, metavar="N",
        help="animation kind: use every N-th recorded snapshot as a frame (default: 1)",
    )
    parser.add_argument(
        "--size", type=float, nargs=2, metavar=("WIDTH", "HEIGHT"),
        help="figure size in inches (default depends on the kind)",
    )
    parser.add_argument(
        "--backend", choices=("matplotlib", "makie"), default="matplotlib",
        help="drawing backend: matplotlib (built in) or makie (needs Julia; see docs/julia.md) "
        "(default: matplotlib)",
    )
    parser.add_argument(
        "--style", metavar="FILE",
        help="matplotlib style applied on top of ganlab's: a .mplstyle file or a style name",
    )
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing output file")
    parser.add_argument("--no-progress", action="store_true",
                        help="hide the progress bar of animations")
    parser.add_argument(
        "--follow", action="store_true",
        help="keep the output up to date while RUN trains: render again whenever new snapshots "
        "are committed, replacing the file atomically, until the run stops or Ctrl-C",
    )
    parser.add_argument(
        "--interval", type=float, metavar="SECONDS",
        help="with --follow: seconds between checks for new snapshots (default: 2)",
    )
    return parser


def run(args) -> int:
    from ganlab.plugins import load_plugins_of_runs
    from ganlab.render import RENDER_KINDS, check_extension, render

    # A plugin named in a run's config may register the requested kind.
    load_plugins_of_runs(args.runs)
    entry = RENDER_KINDS.get(args.kind)
    multi_run = bool(entry.extra.get("multi_run"))
    options = _options(args, entry)

    if args.out is not None and len(args.runs) > 1 and not multi_run:
        raise UsageError(
            f"--out names one file but {len(args.runs)} runs were given and kind "
            f"{args.kind!r} draws one run per file; omit --out to write RUN/{args.kind}"
            f"{entry.extra.get('default_extension', '.png')} for each run"
        )

    if args.follow or args.interval is not None:
        return _follow(args, entry, options)

    if multi_run:
        jobs = [(list(args.runs), _output_path(args, args.runs[0], entry))]
    else:
        jobs = [(run_path, _output_path(args, run_path, entry)) for run_path in args.runs]

    for source, out in jobs:
        check_extension(args.kind, out)
        if multi_run:
            _check_output(out, args.overwrite)
            render(source, args.kind, out, backend=args.backend, style=args.style, **options)
            continue

        from ganlab.store import open_trajectory

        # Opening the store first reports a missing or invalid RUN before any
        # complaint about the output path derived from it.
        with open_trajectory(source) as traj:
            _check_output(out, args.overwrite)
            target = source if args.backend == "makie" else traj
            render(target, args.kind, out, backend=args.backend, style=args.style, **options)
    return 0


def _follow(args, entry, options: dict) -> int:
    from ganlab.render import check_extension
    from ganlab.render.live import DEFAULT_INTERVAL, follow_run
    from ganlab.store import find_store

    if not args.follow:
        raise UsageError("--interval applies only with --follow; add --follow or drop --interval")
    if len(args.runs) > 1 or entry.extra.get("multi_run"):
        raise UsageError(
            f"--follow renders one run with a one-run kind, got {len(args.runs)} runs and kind "
            f"{args.kind!r}; follow each run in its own `ganlab render RUN --follow`"
        )
    out = _output_path(args, args.runs[0], entry)
    check_extension(args.kind, out)
    find_store(args.runs[0])
    _check_output(out, args.overwrite)
    interval = DEFAULT_INTERVAL if args.interval is None else args.interval
    follow_run(args.runs[0], args.kind, out, interval=interval, backend=args.backend,
               style=args.style, **options)
    return 0


def _options(args, entry) -> dict:
    """Collect the options given on the command line; unset ones keep the kind's defaults."""
    options = {}
    for name in ("step", "panels", "fps", "dpi", "every"):
        value = getattr(args, name)
        if value is not None:
            options[name] = value
    if args.size is not None:
        options["size"] = tuple(args.size)
    if args.no_progress and "progress" in _keyword_options(entry.obj):
        options["progress"] = False
    return options


def _keyword_options(function) -> set[str]:
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return set()


def _output_path(args, run_path: str, entry) -> Path:
    if args.out is not None:
        return Path(args.out)
    run_path = Path(run_path)
    run_dir = run_path.parent if run_path.suffix in STORE_SUFFIXES else run_path
    extension = entry.extra.get("default_extension", ".png")
    return run_dir / f"{args.kind}{extension}"


def _check_output(out: Path, overwrite: bool) -> None:
    if not out.parent.is_dir():
        raise UsageError(
            f"output directory {str(out.parent)!r} does not exist; create it first or choose "
            f"another --out"
        )
    if out.exists() and not overwrite:
        raise UsageError(f"output file {str(out)!r} already exists; pass --overwrite to replace it")
