"""Run configuration: loading TOML, applying ``--set`` overrides, validating.

A config has the sections ``[data]``, ``[generator]``, ``[discriminator]``,
``[objective]``, ``[optimizer]``, ``[training]``, ``[record]`` and the
optional ones other modules declare (``[regularizer]``, ``[metrics]``, ...).
Each section's fields are declared once (``ganlab.fields.Field``) with type,
default, unit and range; ``docs/config.md`` is generated from them. The
resolved config is a plain nested dict with every default filled in. It is
saved with the run and compared on resume.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from ganlab.errors import ConfigError
from ganlab.fields import Field, check_fields

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

log = logging.getLogger(__name__)

PRESET_DIR = Path(__file__).parent / "presets"

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu", "selu", "gelu", "silu", "softplus", "sigmoid")
INITS = ("default", "orthogonal", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")


def _network_fields(hidden: int, depth: int) -> list[Field]:
    return [
        Field("kind", str, "mlp", "Network family (see `ganlab list networks`); 'mlp' is a "
              "multilayer perceptron."),
        Field("hidden", int, hidden, "Units per hidden layer.", "units", low=1, high=8192,
              typical="16 to 512"),
        Field("depth", int, depth, "Number of hidden layers (0 makes a linear map).", "layers",
              low=0, high=32, typical="1 to 4"),
        Field("activation", str, "relu", "Activation after each hidden layer.", choices=ACTIVATIONS),
        Field("init", str, "default", "Weight initialization of the linear layers; 'default' keeps "
              "PyTorch's.", choices=INITS),
        Field("batch_norm", bool, False, "Batch normalization after each hidden linear layer."),
    ]


SECTION_FIELDS: dict[str, list[Field]] = {
    "generator": [
        Field("latent_dim", int, 2, "Dimension of the latent vector z.", "dimensions", low=1,
              high=4096, typical="2 to 256"),
        Field("latent", str, "gaussian", "Latent distribution: standard normal or uniform on "
              "[-1, 1] per dimension.", choices=("gaussian", "uniform")),
        *_network_fields(128, 2),
        Field("initial", list, [], "Initial parameter values of the 'dirac' kind (θ); empty "
              "uses 1.0, one value sets every entry. The 'mlp' kind ignores it.", item=float),
        Field("noise_std", float, 1.0, "Standard deviation σ of the Gaussian noise that the "
              "'data_noise' kind adds to real data points (1 in the WGAN-GP toy script); "
              "the other kinds ignore it.", "data units", low=0.0, typical="0.1 to 1"),
    ],
    "discriminator": [
        *_network_fields(128, 2),
        Field("initial", list, [], "Initial parameter values of the 'linear' and 'quadratic' "
              "kinds: empty uses ψ = 1, ψ₂ = 0, b = 0; one value sets every entry of ψ; else one "
              "value per parameter in parameter-vector order. The 'mlp' kind ignores it.",
              item=float),
        Field("bias", bool, False, "Add a bias b to the 'linear' and 'quadratic' kinds (the "
              "'mlp' kind always has biases)."),
        Field("input_scale", float, 1.0, "Factor applied to the discriminator's input before the "
              "first layer (the unrolled GAN paper divides by 4, that is 0.25).", low=0.0,
              low_open=True),
    ],
    "objective": [
        Field("loss", str, "nonsaturating", "GAN objective: a pair of discriminator and generator "
              "losses (see `ganlab list losses`)."),
        Field("label_smoothing", float, 0.0, "One-sided label smoothing s: the discriminator's "
              "target on real data is 1 − s (Salimans et al. 2016); the Wasserstein and hinge "
              "losses have no targets and ignore it.", low=0.0, high=1.0, high_open=True,
              typical="0 or 0.1 to 0.3"),
    ],
    "optimizer": [],  # filled below: shared keys plus per-player tables
    "training": [
        Field("steps", int, 5000, "Generator steps to train.", "generator steps", low=1,
              high=10**9, typical="1000 to 100000"),
        Field("batch_size", int, 256, "Real and generated samples per step.", "samples", low=1,
              high=10**6, typical="64 to 512"),
        Field("d_steps", int, 1, "Discriminator steps per generator step (alternating scheme).",
              "steps", low=1, high=1000, typical="1 to 5"),
        Field("scheme", str, "alternating", "Update scheme: 'alternating' updates the "
              "discriminator, then the generator against the updated discriminator; "
              "'simultaneous' takes both gradients at the same point; 'extragradient' "
              "extrapolates both players by one step and updates from the original point "
              "with the gradients taken there.",
              choices=("alternating", "simultaneous", "extragradient")),
        Field("seed", int, 0, "Seed for every random number generator of the run.", low=0,
              high=2**63 - 1),
        Field("device", str, "auto", "'auto' (a GPU when one is present, else the CPU), 'cpu', "
              "'cuda' or 'cuda:N'."),
        Field("precision", str, "float32", "Floating point precision of networks and data.",
              choices=("float32", "float64")),
        Field("threads", int, 1, "PyTorch intra-op CPU threads; 0 keeps PyTorch's default "
              "(one per core). On cores shared with other work, toy networks train fastest on one "
              "thread, because with two every small matrix product waits for a busy thread "
              "(see docs/benchmarks.md).",
              "threads", low=0, high=1024),
    ],
    "record": [
        Field("every", int, 100, "Generator steps between snapshots.", "generator steps", low=1,
              typical="20 to 1000"),
        Field("scalars_every", int, 10, "Generator steps between scalar records (losses, "
              "gradient norms).", "generator steps", low=1, typical="1 to 100"),
        Field("samples", int, 512, "Size of the fixed latent batch drawn at every snapshot.",
              "samples", low=1, high=10**6, typical="256 to 2500"),
        Field("real", int, 2048, "Real points stored once with the run, for plots and metrics.",
              "samples", low=1, high=10**7),
        Field("grid", int, 128, "Resolution of the discriminator surface per axis.", "points",
              low=2, high=2048, typical="64 to 256"),
        Field("field_grid", int, 20, "Resolution of the coarse grid for the input gradient "
              "arrows per axis.", "points", low=2, high=512, typical="15 to 30"),
        Field("manifold_grid", int, 24, "Latent grid points per axis for the generator manifold.",
              "points", low=2, high=512),
        Field("padding", float, 0.25, "Margin added around the data's bounding box for the "
              "grids, as a fraction of its size.", low=0.0, high=10.0),
        Field("backend", str, "zarr", "Trajectory store format.", choices=("zarr", "hdf5")),
        Field("flush_every", int, 10, "Snapshots buffered in memory before they are written.",
              "snapshots", low=1, high=10**6),
        Field("params_every", int, 100, "Generator steps between records of the flattened "
              "parameters of both players (series 'params', for the parameter and field "
              "views); 0 turns them off.", "generator steps", low=0, typical="1 to 100"),
        Field("params_limit", int, 20000, "Largest parameter count, both players together, "
              "whose parameters are recorded; larger models skip the 'params' series.",
              "parameters", low=1, high=10**8),
        Field("spectrum_every", int, 0, "Generator steps between records of the eigenvalues of "
              "the game's Jacobian and of the update map (series 'spectrum'); 0 turns them off. "
              "The cost grows with the cube of the parameter count.", "generator steps", low=0),
        Field("spectrum_limit", int, 5000, "Largest parameter count, both players together, "
              "for which the spectrum is computed; a larger model with spectrum_every > 0 is "
              "rejected.", "parameters", low=1, high=10**6),
        Field("spectrum_batches", int, 1, "Minibatches of training.batch_size samples, drawn "
              "once with a fixed seed, whose Jacobians are averaged for the spectrum.",
              "batches", low=1, high=1000),
        Field("checkpoint_every", int, 1000, "Generator steps between checkpoints for resuming "
              "(`ganlab train --resume`); 0 writes one at the end only. A stop by SIGINT or "
              "SIGTERM also writes one.", "generator steps", low=0),
    ],
}

OPTIMIZER_FIELDS = [
    Field("name", str, "adam", "Optimizer (see `ganlab list optimizers`)."),
    Field("lr", float, 1e-3, "Learning rate (step size).", low=0.0, low_open=True,
          typical="1e-5 to 1e-2"),
    Field("beta1", float, 0.5, "Adam: first-moment decay.", low=0.0, high=1.0, high_open=True),
    Field("beta2", float, 0.999, "Adam: second-moment decay.", low=0.0, high=1.0, high_open=True),
    Field("momentum", float, 0.0, "SGD and RMSprop momentum; negative values give negative "
          "momentum where the optimizer allows it.", low=-1.0, high=1.0, high_open=True),
    Field("alpha", float, 0.99, "RMSprop: squared-gradient decay.", low=0.0, high=1.0),
    Field("eps", float, 1e-8, "Term added to denominators for numerical stability.", low=0.0),
    Field("weight_decay", float, 0.0, "L2 weight decay.", low=0.0),
]
PLAYERS = ("generator", "discriminator")

# Sections contributed by other modules (regularizers, metrics, ...), each a
# resolver taking the raw table and returning the resolved one.
EXTRA_SECTIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
EXTRA_SECTION_FIELDS: dict[str, list[Field]] = {}


def register_section(name: str, fields: list[Field],
                     resolver: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
    """Declare an optional config section with its fields, for validation and docs.

    Without ``resolver`` the section is checked against ``fields`` alone; a
    resolver can add cross-field checks or nested tables.
    """
    EXTRA_SECTION_FIELDS[name] = list(fields)
    if resolver is None:
        def resolver(values: dict[str, Any], _fields=list(fields), _name=name) -> dict[str, Any]:
            return check_fields(_name, _fields, values)
    EXTRA_SECTIONS[name] = resolver


# Modules that declare optional sections when imported.
SECTION_MODULES = ("ganlab.regularizers", "ganlab.metrics")


def _import_section_modules() -> None:
    import importlib

    for name in SECTION_MODULES:
        importlib.import_module(name)


def section_names() -> list[str]:
    _import_section_modules()
    return ["data", *SECTION_FIELDS, *EXTRA_SECTIONS]


# Loading -----------------------------------------------------------------


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file; syntax errors become one ``ConfigError`` line with the position."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} not found; check the path or run "
                          f"`ganlab list presets` for built-in configs") from None
    except IsADirectoryError:
        raise ConfigError(f"config path {str(path)!r} is a directory; give a .toml file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {str(path)!r} is not UTF-8 text; save it with UTF-8 "
                          f"encoding") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {error}; fix the "
                          f"syntax there") from None


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def locate(source: str | Path) -> Path:
    """Return the TOML file for a config path or a built-in preset name."""
    path = Path(source)
    if path.suffix == ".toml" or path.exists():
        return path
    preset = PRESET_DIR / f"{source}.toml"
    if preset.exists():
        return preset
    close = difflib.get_close_matches(str(source), preset_names(), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(
        f"config {str(source)!r} is neither a file nor a built-in preset{hint}; "
        f"presets: {', '.join(preset_names())}"
    )


def parse_override(text: str, require_section: bool = True) -> tuple[str, Any]:
    """Split ``KEY=VALUE`` and parse VALUE as a TOML value (bare words become strings).

    With ``require_section`` (run configs) KEY must be dotted; sweep files also
    take top-level keys such as ``seeds``.
    """
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, for example training.steps=300")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or (require_section and "." not in key):
        raise ConfigError(f"--set {text!r}: KEY must be SECTION.NAME, for example objective.loss")
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key, value


def apply_overrides(raw: dict[str, Any], overrides: Iterable[str] | Mapping[str, Any]) -> dict:
    """Return a copy of ``raw`` with dotted-key overrides applied."""
    raw = copy.deepcopy(raw)
    pairs = overrides.items() if isinstance(overrides, Mapping) else map(parse_override, overrides)
    for key, value in pairs:
        parts = key.split(".")
        table = raw
        for part in parts[:-1]:
            existing = table.setdefault(part, {})
            if not isinstance(existing, dict):
                raise ConfigError(f"--set {key}: {part!r} is a value, not a section")
            table = existing
        table[parts[-1]] = value
        if len(parts) == 2 and parts[0] == "optimizer" and parts[1] not in PLAYERS:
            # A shared optimizer key set on the command line applies to both players, also
            # when the config (a saved, resolved one for instance) sets it per player.
            for player in PLAYERS:
                player_table = raw["optimizer"].get(player)
                if isinstance(player_table, dict):
                    player_table.pop(parts[1], None)
    return raw


def load_config(
    source: str | Path | Mapping[str, Any] = "ring8",
    overrides: Iterable[str] | Mapping[str, Any] = (),
) -> dict[str, Any]:
    """Load, override and validate a config; return the resolved nested dict.

    ``source`` is a TOML path, a built-in preset name (``ganlab list presets``)
    or an already parsed mapping. ``overrides`` are ``"section.key=value"``
    strings or a mapping of dotted keys to values.
    """
    if isinstance(source, Mapping):
        raw, base_dir = copy.deepcopy(dict(source)), Path.cwd()
    else:
        path = locate(source)
        raw, base_dir = read_toml(path), path.resolve().parent
    raw = apply_overrides(raw, overrides)
    return resolve(raw, base_dir)


def resolve(raw: Mapping[str, Any], base_dir: Path | None = None) -> dict[str, Any]:
    """Validate a raw config mapping and fill in every default."""
    base_dir = Path.cwd() if base_dir is None else base_dir
    raw = dict(raw)

    plugins = raw.pop("plugins", [])
    if plugins:
        from ganlab.plugins import load_plugins

        plugins = load_plugins(plugins, base_dir)

    for name, value in raw.items():
        if name not in section_names():
            close = difflib.get_close_matches(name, section_names(), n=1)
            hint = f" (did you mean [{close[0]}]?)" if close else ""
            raise ConfigError(f"[{name}]: unknown section{hint}; accepted sections: "
                              f"{', '.join(section_names())}, and the key plugins")
        if not isinstance(value, dict):
            raise ConfigError(f"{name}: expected a [{name}] table, got the value {value!r}")

    resolved: dict[str, Any] = {"plugins": list(plugins)}
    resolved["data"] = _resolve_data(raw.get("data", {}), base_dir)
    for name, fields in SECTION_FIELDS.items():
        if name == "optimizer":
            resolved[name] = _resolve_optimizer(raw.get(name, {}))
        else:
            resolved[name] = check_fields(name, fields, raw.get(name, {}))
    for name, resolver in EXTRA_SECTIONS.items():
        resolved[name] = resolver(dict(raw.get(name, {})))

    _check_consistency(resolved)
    return resolved


def _resolve_data(section: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    from ganlab.data import resolve_data_section

    name, params = resolve_data_section(dict(section), base_dir)
    return {"name": name, **params}


def _resolve_optimizer(section: dict[str, Any]) -> dict[str, Any]:
    shared = {k: v for k, v in section.items() if k not in PLAYERS}
    shared_resolved = check_fields("optimizer", OPTIMIZER_FIELDS, shared)
    resolved = {}
    for player in PLAYERS:
        table = section.get(player, {})
        if not isinstance(table, dict):
            raise ConfigError(f"optimizer.{player}: expected a table [optimizer.{player}]")
        fields = [dataclasses.replace(f, default=shared_resolved[f.name]) for f in OPTIMIZER_FIELDS]
        resolved[player] = check_fields(f"optimizer.{player}", fields, table)
    return resolved


def _check_consistency(config: dict[str, Any]) -> None:
    from ganlab.networks import DISCRIMINATORS, GENERATORS
    from ganlab.objectives import LOSSES
    from ganlab.optimizers import OPTIMIZERS

    for section, registry in (("generator", GENERATORS), ("discriminator", DISCRIMINATORS)):
        if config[section]["kind"] not in registry:
            raise ConfigError(registry.unknown_message(config[section]["kind"]))

    if config["objective"]["loss"] not in LOSSES:
        raise ConfigError(LOSSES.unknown_message(config["objective"]["loss"]))
    from ganlab.regularizers import check_combinations

    check_combinations(config)
    from ganlab.data_noise import check_fixed_generator

    check_fixed_generator(config)
    for player in PLAYERS:
        name = config["optimizer"][player]["name"]
        if name not in OPTIMIZERS:
            raise ConfigError(f"optimizer.{player}.name: " + OPTIMIZERS.unknown_message(name))
    device = config["training"]["device"]
    if device not in ("auto", "cpu", "cuda", "mps") and not (
        device.startswith("cuda:") and device[5:].isdigit()
    ):
        raise ConfigError(f"training.device: invalid value {device!r}; accepted values: auto, "
                          f"cpu, cuda, cuda:N, mps")
    for key in ("every", "scalars_every"):
        if config["record"][key] > config["training"]["steps"]:
            log.debug("record.%s is larger than training.steps; only the first and last "
                      "steps are recorded", key)


# Saving and comparing ----------------------------------------------------


def to_json(config: Mapping[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


def to_toml(config: Mapping[str, Any]) -> str:
    """Write a resolved config as TOML text (tables for nested dicts)."""
    lines: list[str] = []
    top = {k: v for k, v in config.items() if not isinstance(v, dict)}
    for key, value in top.items():
        lines.append(f"{key} = {_toml_value(value)}")

    def emit(prefix: str, table: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
        lines.append("")
        lines.append(f"[{prefix}]")
        for key, value in scalars.items():
            if value is not None:
                lines.append(f"{key} = {_toml_value(value)}")
        for key, value in table.items():
            if isinstance(value, dict):
                emit(f"{prefix}.{key}", value)

    for key, value in config.items():
        if isinstance(value, dict):
            emit(key, value)
    return "\n".join(lines).lstrip("\n") + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if value is None:
        return '"none"'
    raise ConfigError(f"cannot write {value!r} as a TOML value")


def diff(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> list[str]:
    """List the dotted keys whose values differ, as ``key: old -> new`` lines."""
    lines = []
    for key in sorted(set(old) | set(new)):
        dotted = f"{prefix}{key}"
        a, b = old.get(key, "<absent>"), new.get(key, "<absent>")
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            lines.extend(diff(a, b, dotted + "."))
        elif a != b:
            lines.append(f"{dotted}: {a!r} -> {b!r}")
    return lines
