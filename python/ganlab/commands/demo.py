"""``ganlab demo``: train the built-in default run and render its figure and animation."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

DEMO_PRESET = "ring8"


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "demo", help="train the default ring run and render it",
        description=f"Train the built-in '{DEMO_PRESET}' preset, then write an overview figure "
                    f"(overview.png) and an animation (animation.mp4) into the run directory.")
    parser.add_argument("--out", default="runs/demo", metavar="RUN",
                        help="run directory (default: runs/demo)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a config value (repeatable)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing run")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    return parser


def run(args) -> int:
    from ganlab.config import load_config
    from ganlab.progress import progress_bar
    from ganlab.render import render
    from ganlab.training import Trainer

    config = load_config(DEMO_PRESET, args.overrides)
    trainer = Trainer(config, args.out, overwrite=args.overwrite)
    enabled = False if args.no_progress else None
    with progress_bar(config["training"]["steps"], "training", enabled=enabled) as update:
        trainer.on_step = update
        result = trainer.run()
    log.info("trained %s in %.1f s (%s)", result.run_dir, result.seconds, result.status)

    out = Path(args.out)
    render(out, "overview", out / "overview.png")
    render(out, "animation", out / "animation.mp4", progress=enabled)
    return 0
