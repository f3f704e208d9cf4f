"""``ganlab diagnose RUN``: label a recorded run's phases and print the verdict."""

from __future__ import annotations

from typing import Any

from ganlab.diagnosis.options import DIAGNOSIS_FIELDS
from ganlab.errors import UsageError


def add_parser(subparsers):
    names = ", ".join(field.name for field in DIAGNOSIS_FIELDS)
    parser = subparsers.add_parser(
        "diagnose",
        help="label a run's phases (mode collapse, oscillation, divergence, ...) with evidence",
        description="Diagnose a recorded run: find divergence, mode collapse, mode hopping, "
        "oscillation, vanishing gradients and convergence, each with its steps and the "
        "measured evidence. Uses the run's recorded metrics, or computes them.",
    )
    parser.add_argument("run", help="run directory or trajectory store (.zarr, .h5)")
    parser.add_argument("--json", action="store_true",
                        help="print the diagnosis as JSON instead of text")
    parser.add_argument("--threshold", action="append", default=[], metavar="NAME=VALUE",
                        help=f"override a detector threshold (repeatable); names: {names}. "
                             "See docs/diagnosis.md for units and defaults")
    return parser


def parse_thresholds(items: list[str]) -> dict[str, Any]:
    """Parse NAME=VALUE strings into values of each threshold's declared type."""
    by_name = {field.name: field for field in DIAGNOSIS_FIELDS}
    values: dict[str, Any] = {}
    for item in items:
        name, separator, raw = item.partition("=")
        name = name.strip()
        if not separator or not name:
            raise UsageError(f"--threshold {item!r}: expected NAME=VALUE, for example hop_min_hops=4")
        field = by_name.get(name)
        if field is None:
            # Unknown names go through so check_fields reports them with the accepted names.
            values[name] = raw
            continue
        try:
            values[name] = field.kind(raw.strip()) if field.kind is not bool else raw.strip() == "true"
        except ValueError:
            raise UsageError(
                f"--threshold {item!r}: {raw.strip()!r} is not a valid {field.kind.__name__} for {name}"
            ) from None
    return values


def run(args) -> int:
    from ganlab.diagnosis import diagnose
    from ganlab.store import open_trajectory

    thresholds = parse_thresholds(args.threshold)
    with open_trajectory(args.run) as traj:
        result = diagnose(traj, **thresholds)
    print(result.to_json() if args.json else result.to_text())
    return 0
