"""``ganlab reproduce NAME --out DIR``: rerun the experiment behind a classic figure and draw it."""

from __future__ import annotations

import logging
import textwrap

from ganlab.errors import UsageError

log = logging.getLogger(__name__)


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "reproduce",
        help="rerun the experiment behind a classic GAN figure and draw it for print",
        description="Train the runs behind a classic figure of the GAN literature with the "
        "published settings and draw a figure in the same spirit, as vector PDF/SVG with "
        "embedded fonts and as PNG. The runs are kept in DIR/NAME/runs/ (readable by `ganlab "
        "render`) and reused when their config is unchanged. See docs/gallery.md.",
    )
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="gallery entry; `ganlab reproduce --list` lists them")
    parser.add_argument("--list", action="store_true",
                        help="list the gallery entries with their sources and exit")
    parser.add_argument("--out", metavar="DIR",
                        help="output directory; the runs and figures go to DIR/NAME/ "
                        "(created if missing)")
    parser.add_argument("--quick", action="store_true",
                        help="small networks, few steps and coarse surfaces: a preview in "
                        "seconds, not the published result")
    parser.add_argument("--steps", type=int, metavar="N",
                        help="generator steps of every run, in place of the published number "
                        "(or the quick one); the figure's columns spread over the N steps")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE",
                        help="config override applied to every run after the entry's settings, "
                        "for example --set generator.hidden=128; repeatable")
    parser.add_argument("--format", default="pdf,png", metavar="LIST",
                        help="comma-separated figure formats among pdf, png and svg "
                        "(default: pdf,png)")
    parser.add_argument("--size", choices=("one-column", "two-column"), default="two-column",
                        help="figure width: one-column is 3.4 in, two-column 7.0 in "
                        "(default: two-column)")
    parser.add_argument("--dpi", type=float, default=300, metavar="N",
                        help="pixels per inch of PNG output and of images embedded in PDF and "
                        "SVG (default: 300)")
    parser.add_argument("--style", metavar="FILE",
                        help="matplotlib style applied on top of ganlab's: a .mplstyle file or a "
                        "style name")
    parser.add_argument("--usetex", action="store_true",
                        help="render text with LaTeX (needs a `latex` executable on PATH)")
    parser.add_argument("--retrain", action="store_true",
                        help="train every run again even when a finished run with the same "
                        "config exists in DIR/NAME/runs/")
    return parser


def run(args) -> int:
    from ganlab.gallery import GALLERY, reproduce

    if args.list:
        _print_list(GALLERY)
        return 0
    if args.name is None:
        raise UsageError(f"give a gallery entry NAME (one of: {', '.join(GALLERY.names())}) or "
                         f"--list")
    if args.out is None:
        raise UsageError("--out DIR is required: the directory for the entry's runs and figures")
    if args.dpi <= 0:
        raise UsageError(f"--dpi must be positive, got {args.dpi:g}")

    result = reproduce(
        args.name, args.out, quick=args.quick, steps=args.steps,
        overrides=args.overrides, formats=args.format.split(","), size=args.size,
        style=args.style, usetex=args.usetex, dpi=args.dpi, retrain=args.retrain,
    )
    log.info("%s: trained %d runs in %.1f s, reused %d, drew the figure in %.1f s",
             args.name, len(result.trained), result.train_seconds, len(result.reused),
             result.draw_seconds)
    for path in result.figures:
        print(path)
    return 0


def _print_list(gallery) -> None:
    for entry in gallery:
        item = entry.obj
        print(item.name)
        for text in (item.title, f"source: {item.source}", f"published: {item.finding}"):
            print(textwrap.fill(text, width=88, initial_indent="    ",
                                subsequent_indent="      "))
