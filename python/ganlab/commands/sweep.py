"""``ganlab sweep SWEEP.toml --out DIR``: train many seeds and variants, then compare them."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "sweep", help="train every (variant, seed) of a sweep file and compare them",
        description="Train every run of a sweep file (a base config, seeds, a grid and named "
                    "variants; see docs/sweeps.md) into DIR/runs/<variant>/seed-<k>, then write "
                    "DIR/sweep.json, summary tables (summary.csv, .md, .tex) and "
                    "comparison.png/.pdf. Running it again skips finished runs and resumes "
                    "interrupted ones.")
    parser.add_argument("sweep", help="sweep file (.toml)")
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="output directory of the sweep (created if missing)")
    parser.add_argument("--engine", choices=("local", "ray"), default="local",
                        help="where runs execute: 'local' worker processes (default) or Ray "
                             "tasks (needs `pip install ganlab[ray]`)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (local) or CPUs of a Ray started here; default: "
                             "the number of CPU cores; 1 runs everything in this process")
    parser.add_argument("--batched", choices=("auto", "on", "off"), default="auto",
                        help="train runs that differ only in their seed as one stacked group: "
                             "'auto' follows the rule in docs/sweeps.md, 'on' batches every "
                             "eligible group, 'off' never")
    parser.add_argument("--ray-address", metavar="ADDR", default=None,
                        help="address of an existing Ray cluster, e.g. ray://head:10001; "
                             "without it --engine ray starts a local Ray for the sweep")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="override a key of the sweep file before it is validated, e.g. "
                             "--set seeds=2 --set sweep.steps=300 (repeatable; VALUE is parsed "
                             "as TOML, bare words as strings)")
    parser.add_argument("--overwrite", action="store_true",
                        help="train every run again, replacing runs already in DIR")
    parser.add_argument("--no-progress", action="store_true",
                        help="hide the progress bar (it shows only on a terminal anyway)")
    return parser


def run(args) -> int:
    from ganlab.sweep import run_sweep
    from ganlab.sweep.spec import load_sweep

    source = load_sweep(args.sweep, args.overrides) if args.overrides else args.sweep
    result = run_sweep(source, args.out, engine=args.engine, jobs=args.jobs,
                       batched=args.batched, ray_address=args.ray_address,
                       overwrite=args.overwrite, progress=False if args.no_progress else None)
    runs = result.index["runs"]
    counts = {status: sum(r["status"] == status for r in runs)
              for status in ("completed", "diverged", "interrupted", "failed")}
    log.info("sweep %s: %d completed, %d diverged, %d interrupted, %d failed; outputs in %s",
             result.index["name"], counts["completed"], counts["diverged"],
             counts["interrupted"], counts["failed"], result.out)
    if counts["failed"]:
        log.warning("%d runs failed; their reasons are in %s", counts["failed"],
                    result.out / "sweep.json")
        return 1
    return 0
