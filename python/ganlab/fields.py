"""Declarations of config values: type, default, unit, range and documentation.

Config sections and the parameters of registered components (datasets,
regularizers, ...) are declared as ``Field`` objects. ``Field.check`` turns a
raw TOML value into a validated Python value or raises ``ConfigError`` with
the key, the value and what is accepted. ``docs/config.md`` is generated from
the same declarations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from ganlab.errors import ConfigError

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}


@dataclass(frozen=True)
class Field:
    """One config value.

    ``kind`` is ``bool``, ``int``, ``float``, ``str`` or ``list`` (a list of
    ``item`` values). ``low``/``high`` bound numbers (and list lengths), with
    ``low_open``/``high_open`` making a bound exclusive. ``choices`` restricts
    strings. ``optional`` allows the value ``"none"`` in TOML, stored as None.
    """

    name: str
    kind: type
    default: Any
    doc: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: Sequence[str] | None = None
    item: type | None = None
    optional: bool = False
    typical: str = ""

    def check(self, key: str, value: Any) -> Any:
        """Return ``value`` converted and validated, or raise ``ConfigError``."""
        if self.optional and (value is None or value == "none"):
            return None
        if self.kind is list:
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"{key}: expected a list, got {value!r}")
            if self.low is not None and len(value) < self.low:
                raise ConfigError(f"{key}: expected at least {int(self.low)} items, got {len(value)}")
            if self.high is not None and len(value) > self.high:
                raise ConfigError(f"{key}: expected at most {int(self.high)} items, got {len(value)}")
            item_field = Field(self.name, self.item or float, None, "")
            return [item_field.check(f"{key}[{i}]", v) for i, v in enumerate(value)]
        value = self._convert(key, value)
        self._check_range(key, value)
        return value

    def _convert(self, key: str, value: Any) -> Any:
        expected = _TYPE_NAMES.get(self.kind, self.kind.__name__)
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            raise ConfigError(f"{key}: expected true or false, got {value!r}")
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    return int(value)
                raise ConfigError(f"{key}: expected {expected}, got {value!r}")
            return value
        if self.kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{key}: expected {expected}, got {value!r}")
            value = float(value)
            if not math.isfinite(value):
                raise ConfigError(f"{key}: expected a finite number, got {value!r}")
            return value
        if self.kind is str:
            if not isinstance(value, str):
                raise ConfigError(f"{key}: expected {expected}, got {value!r}")
            if self.choices is not None and value not in self.choices:
                accepted = ", ".join(self.choices)
                raise ConfigError(f"{key}: invalid value {value!r}; accepted values: {accepted}")
            return value
        raise ConfigError(f"{key}: unsupported field type {self.kind!r}")

    def _check_range(self, key: str, value: Any) -> None:
        if self.kind not in (int, float):
            return
        if self.low is not None:
            if value < self.low or (self.low_open and value == self.low):
                relation = ">" if self.low_open else ">="
                raise ConfigError(
                    f"{key}: value {value!r} is out of range; expected {relation} {self.low:g}"
                )
        if self.high is not None:
            if value > self.high or (self.high_open and value == self.high):
                relation = "<" if self.high_open else "<="
                raise ConfigError(
                    f"{key}: value {value!r} is out of range; expected {relation} {self.high:g}"
                )

    def describe_range(self) -> str:
        """Return the accepted values in words, for docs and ``ganlab list``."""
        if self.choices:
            return ", ".join(self.choices)
        if self.low is None and self.high is None:
            return ""
        low = "" if self.low is None else f"{'>' if self.low_open else '≥'} {self.low:g}"
        high = "" if self.high is None else f"{'<' if self.high_open else '≤'} {self.high:g}"
        return ", ".join(part for part in (low, high) if part)


def check_fields(
    section: str, fields: Sequence[Field], values: dict[str, Any], *, what: str = "section"
) -> dict[str, Any]:
    """Validate ``values`` against ``fields``, filling defaults; reject unknown keys."""
    by_name = {f.name: f for f in fields}
    for key in values:
        if key not in by_name:
            import difflib

            close = difflib.get_close_matches(key, list(by_name), n=1)
            hint = f" (did you mean {section}.{close[0]}?)" if close else ""
            accepted = ", ".join(sorted(by_name)) or "none"
            raise ConfigError(
                f"{section}.{key}: unknown key{hint}; accepted keys in this {what}: {accepted}"
            )
    resolved = {}
    for field in fields:
        if field.name in values:
            resolved[field.name] = field.check(f"{section}.{field.name}", values[field.name])
        else:
            resolved[field.name] = field.default
    return resolved
