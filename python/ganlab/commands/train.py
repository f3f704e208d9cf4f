"""``ganlab train CONFIG --out RUN``: train a GAN and record its trajectory."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "train", help="train a GAN and record its trajectory",
        description="Train a GAN from a TOML config (or a built-in preset name, see "
                    "`ganlab list presets`) and record its trajectory into a run directory.")
    parser.add_argument("config", help="config file (.toml) or built-in preset name, e.g. ring8")
    parser.add_argument("--out", required=True, metavar="RUN",
                        help="run directory to create (must be new or empty unless --overwrite)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="override a config value, e.g. --set training.steps=300 "
                             "(repeatable; VALUE is parsed as TOML, bare words as strings)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing run in RUN")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def run(args) -> int:
    from ganlab.config import load_config
    from ganlab.progress import progress_bar
    from ganlab.training import Trainer

    config = load_config(args.config, args.overrides)
    trainer = Trainer(config, args.out, overwrite=args.overwrite)
    with progress_bar(config["training"]["steps"], "training",
                      enabled=False if args.no_progress else None) as update:
        trainer.on_step = update
        result = trainer.run()
    if result.status == "diverged":
        detail = result.detail
        log.warning("diverged at step %s (%s = %s); snapshots up to step %s are in %s",
                    detail["step"], detail["term"], detail["value"],
                    detail["last_snapshot_step"], result.run_dir)
    else:
        log.info("wrote run %s (%s, %.1f s)", result.run_dir, result.status, result.seconds)
    return 0
