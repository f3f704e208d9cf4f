"""``ganlab list WHAT``: the built-in datasets, losses, optimizers, presets and more."""

from __future__ import annotations

import importlib
import textwrap

# Listing name -> (module, attribute) of the registry it prints.
LISTINGS = {
    "datasets": ("ganlab.data", "DATASETS"),
    "data-presets": ("ganlab.data.presets", "DATA_PRESETS"),
    "losses": ("ganlab.objectives", "LOSSES"),
    "optimizers": ("ganlab.optimizers", "OPTIMIZERS"),
    "regularizers": ("ganlab.regularizers", "REGULARIZERS"),
    "schemes": ("ganlab.schemes", "SCHEMES"),
    "networks": ("ganlab.networks", "GENERATORS"),
    "discriminators": ("ganlab.networks", "DISCRIMINATORS"),
    "kinds": ("ganlab.render", "RENDER_KINDS"),
}


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "list", help="list built-in datasets, losses, optimizers, presets, ...",
        description="List what a config or command can name.")
    parser.add_argument("what", choices=[*LISTINGS, "presets"],
                        help="presets are built-in run configs; data-presets are named dataset "
                             "scales from the literature; kinds are figure kinds of `render`")
    parser.add_argument("--plugin", action="append", default=[], metavar="FILE_OR_MODULE",
                        help="import a plugin first, so its entries are listed too: a .py file "
                             "(relative to the current directory) or a module name (repeatable)")
    parser.add_argument("--config", metavar="FILE",
                        help="import the plugins that this config file names in plugins = [...]")
    return parser


def run(args) -> int:
    _load_plugins(args)
    if args.what == "presets":
        _print_presets()
        return 0
    module_name, attribute = LISTINGS[args.what]
    registry = getattr(importlib.import_module(module_name), attribute)
    for entry in registry:
        print(entry.name)
        if entry.description:
            print(textwrap.indent(textwrap.fill(entry.description, 76), "    "))
        if entry.source:
            print(f"    source: {entry.source}")
        fields = entry.extra.get("fields")
        if fields:
            for field in fields:
                default = "none" if field.default is None else field.default
                unit = f" [{field.unit}]" if field.unit else ""
                print(f"    {field.name} = {default!r}{unit}: {field.doc}")
    return 0


def _load_plugins(args) -> None:
    from ganlab.plugins import load_plugins

    load_plugins(args.plugin)
    if args.config is not None:
        from ganlab.config import locate, read_toml

        path = locate(args.config)
        load_plugins(read_toml(path).get("plugins", []), path.resolve().parent)


def _print_presets() -> None:
    from ganlab.config import PRESET_DIR, preset_names

    for name in preset_names():
        first = (PRESET_DIR / f"{name}.toml").read_text(encoding="utf-8").splitlines()
        summary = first[0].lstrip("# ").strip() if first and first[0].startswith("#") else ""
        print(name)
        if summary:
            print(f"    {summary}")
