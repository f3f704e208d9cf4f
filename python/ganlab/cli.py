"""The ``ganlab`` command line: one subcommand per module in ``ganlab.commands``.

Errors caused by user input (``GanlabError``) are printed as one line on
stderr with exit status 2; ``-v`` adds debug logs and the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from ganlab.errors import GanlabError

log = logging.getLogger("ganlab")

COMMANDS = ("train", "render", "diagnose", "list", "demo", "sweep", "reproduce")


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors exit with status 2 after one line."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}; see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ganlab",
        description="See, measure and explain how GANs train on low-dimensional problems.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output: -v for debug logs and tracebacks")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="only warnings and errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"ganlab.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"ganlab.commands.{name}":
                raise
            continue
        sub = module.add_parser(subparsers)
        sub.set_defaults(_module=module)
    return parser


class _StderrHandler(logging.StreamHandler):
    """Log handler writing to whatever ``sys.stderr`` is at the time of each record.

    ``main`` may run several times in one process (tests, notebooks) while
    ``sys.stderr`` is swapped; a handler bound to the first stream would write to
    a closed one.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(verbose: int, quiet: bool) -> None:
    if verbose:
        level = logging.DEBUG
    elif quiet:
        level = logging.WARNING
    else:
        level = logging.INFO
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose
                                           else "%(message)s"))
    root = logging.getLogger("ganlab")
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Records still reach handlers on the root logger (pytest capture, notebooks).


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.quiet)
    try:
        return int(args._module.run(args) or 0)
    except GanlabError as error:
        if args.verbose:
            log.exception("error")
        print(f"ganlab {args.command}: error: {error}", file=sys.stderr)
        return error.exit_status
    except KeyboardInterrupt:
        print(f"ganlab {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output (for example `head`) closed the pipe early.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
