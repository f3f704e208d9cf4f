"""``ganlab train CONFIG --out RUN``: train a GAN and record its trajectory."""

from __future__ import annotations

import logging

from ganlab.errors import UsageError

log = logging.getLogger(__name__)

# Exit status of a run stopped by SIGINT or SIGTERM (the shell's convention for SIGINT).
EXIT_INTERRUPTED = 130


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "train", help="train a GAN and record its trajectory",
        description="Train a GAN from a TOML config (or a built-in preset name, see "
                    "`ganlab list presets`) and record its trajectory into a run directory. "
                    "With --resume RUN, continue a stopped run from its last checkpoint.")
    parser.add_argument("config", nargs="?",
                        help="config file (.toml) or built-in preset name, e.g. ring8; with "
                             "--resume it is optional and defaults to the run's saved config")
    parser.add_argument("--out", metavar="RUN",
                        help="run directory to create (must be new or empty unless --overwrite)")
    parser.add_argument("--resume", metavar="RUN",
                        help="continue the run in RUN from its last checkpoint; only "
                             "training.steps, training.threads, record.flush_every and "
                             "record.checkpoint_every may change")
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
    from ganlab.training import Trainer, resume

    enabled = False if args.no_progress else None
    if args.resume is not None:
        if args.out is not None or args.overwrite:
            raise UsageError("--resume continues the run in place; drop --out and --overwrite")
        with progress_bar(0, "training", enabled=enabled) as update:
            result = resume(args.resume, args.config, args.overrides, on_step=update)
    else:
        if args.config is None or args.out is None:
            raise UsageError("give a config and --out RUN, for example `ganlab train ring8 "
                             "--out runs/ring8`, or --resume RUN to continue a run")
        config = load_config(args.config, args.overrides)
        trainer = Trainer(config, args.out, overwrite=args.overwrite)
        with progress_bar(config["training"]["steps"], "training", enabled=enabled) as update:
            trainer.on_step = update
            result = trainer.run()

    if result.status == "diverged":
        detail = result.detail
        log.warning("diverged at step %s (%s = %s); snapshots up to step %s are in %s",
                    detail["step"], detail["term"], detail["value"],
                    detail["last_snapshot_step"], result.run_dir)
    elif result.status == "interrupted":
        return EXIT_INTERRUPTED
    else:
        log.info("wrote run %s (%s, %.1f s)", result.run_dir, result.status, result.seconds)
    return 0
