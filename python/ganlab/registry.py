"""Name-to-implementation registries for datasets, losses, optimizers and the rest.

Each concept keeps one ``Registry``. Entries carry a one-line description and,
where the idea comes from a paper, its source, so that ``ganlab list`` and the
docs describe each choice. An unknown name raises ``ConfigError`` naming the
config key, the value given and the accepted values.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ganlab.errors import ConfigError


@dataclass(frozen=True)
class Entry:
    """One registered implementation."""

    name: str
    obj: Any
    description: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)


class Registry:
    """Map of names to implementations for one concept (for example "loss")."""

    def __init__(self, kind: str, config_key: str):
        self.kind = kind
        self.config_key = config_key
        self._entries: dict[str, Entry] = {}

    def register(
        self,
        name: str,
        obj: Any = None,
        *,
        description: str = "",
        source: str = "",
        replace: bool = False,
        **extra: Any,
    ) -> Callable | Any:
        """Register ``obj`` under ``name``; without ``obj``, return a decorator."""
        if obj is None:

            def decorator(target: Any) -> Any:
                self.register(
                    name, target, description=description, source=source, replace=replace, **extra
                )
                return target

            return decorator

        if not name or not name.replace("_", "").replace("-", "").isalnum():
            raise ConfigError(
                f"invalid {self.kind} name {name!r}: use letters, digits, '_' and '-' only"
            )
        if name in self._entries and not replace:
            raise ConfigError(
                f"a {self.kind} named {name!r} is already registered; "
                f"pass replace=True to override it"
            )
        if not description and getattr(obj, "__doc__", None):
            description = obj.__doc__.strip().splitlines()[0]
        self._entries[name] = Entry(name, obj, description, source, dict(extra))
        return obj

    def get(self, name: str) -> Entry:
        """Return the entry for ``name`` or raise ``ConfigError`` listing the accepted names."""
        try:
            return self._entries[name]
        except KeyError:
            raise ConfigError(self.unknown_message(name)) from None

    def unknown_message(self, name: object) -> str:
        accepted = ", ".join(sorted(self._entries))
        hint = ""
        if isinstance(name, str):
            close = difflib.get_close_matches(name, list(self._entries), n=1)
            if close:
                hint = f" (did you mean {close[0]!r}?)"
        return f"{self.config_key}: unknown {self.kind} {name!r}{hint}; accepted values: {accepted}"

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries[name] for name in self.names())

    def __len__(self) -> int:
        return len(self._entries)
