"""User extensions: Python files or modules that register datasets, networks, losses and more.

A plugin is an ordinary Python file (or an importable module) that adds
entries to ganlab's registries when it is imported, for example::

    from ganlab.regularizers import REGULARIZERS, Regularizer

    @REGULARIZERS.register("my_penalty", description="...", source="Author 2024")
    class MyPenalty(Regularizer):
        ...

A config names it in its top-level ``plugins`` list, as a path relative to
the config file or as a module name. ``ganlab.config.resolve`` imports the
plugins before it checks any other key, and stores file plugins by absolute
path, so a run's saved config imports them again on ``--resume``, ``render``
and ``diagnose``. Each file or module is imported at most once per process.
Every failure (missing file, syntax error, exception at import, a name
registered twice) becomes one ``ConfigError`` line naming the file and line.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import re
import sys
import traceback
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, Iterable, Mapping

from ganlab.errors import ConfigError, GanlabError

log = logging.getLogger(__name__)

# Package name under which plugin files are imported (they appear in sys.modules).
PLUGIN_PACKAGE = "ganlab_plugins"
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

# Absolute file path or module name -> name of the imported module.
_loaded: dict[str, str] = {}


def load_plugins(specs: Any, base_dir: str | Path | None = None) -> list[str]:
    """Import each plugin of ``specs`` once; return them as absolute paths or module names.

    ``specs`` is the config's ``plugins`` list. An entry ending in ``.py`` or
    containing a path separator is a file, resolved against ``base_dir`` (the
    config file's directory; the current directory when ``None``). Any other
    entry is the name of an importable module.
    """
    if isinstance(specs, (str, bytes)) or not isinstance(specs, (list, tuple)):
        raise ConfigError(f"plugins: expected a list of files or module names, got {specs!r}; "
                          f"write plugins = [\"my_method.py\"]")
    base = Path.cwd() if base_dir is None else Path(base_dir)
    return [load_plugin(spec, base) for spec in specs]


def load_plugin(spec: Any, base_dir: str | Path | None = None) -> str:
    """Import one plugin file or module once; return its absolute path or module name."""
    if not isinstance(spec, str) or not spec.strip():
        raise ConfigError(f"plugins: each entry must be a file path or a module name, got "
                          f"{spec!r}")
    spec = spec.strip()
    if is_file_spec(spec):
        return _load_file(spec, Path.cwd() if base_dir is None else Path(base_dir))
    return _load_module(spec)


def is_file_spec(spec: str) -> bool:
    """Return whether a ``plugins`` entry names a file rather than a module."""
    return spec.endswith(".py") or "/" in spec or os.sep in spec


def loaded_plugins() -> list[str]:
    """Return the plugins imported in this process, as absolute paths or module names."""
    return list(_loaded)


def load_run_plugins(config: Mapping[str, Any] | None, *, strict: bool = False) -> list[str]:
    """Import the plugins named by a run's saved config.

    Opening a stored run calls this, so that names a plugin registered (a
    figure kind, a loss) are known again. With ``strict=False`` a plugin that
    fails to load is logged as a warning and skipped, because most views of
    a run do not need it; the returned list holds the plugins that loaded.
    """
    if not isinstance(config, Mapping):
        return []
    specs = config.get("plugins") or []
    if not isinstance(specs, (list, tuple)):
        return []

    loaded = []
    for spec in specs:
        try:
            loaded.append(load_plugin(spec))
        except ConfigError as error:
            if strict:
                raise
            log.warning("the run's plugin %s was not loaded: %s", spec, error)
    return loaded


def load_plugins_of_runs(paths: Iterable[str | Path]) -> None:
    """Import the plugins of the runs at ``paths``; paths that are not runs are skipped.

    Commands call this before they look up a name that a plugin may have
    registered, such as a figure kind. A path that does not hold a readable
    store is left for the command to report when it opens it.
    """
    from ganlab.store import open_store

    for path in paths:
        try:
            reader = open_store(path)
        except (GanlabError, OSError):
            continue
        try:
            config = reader.attrs.get("config")
        finally:
            reader.close()
        if isinstance(config, str):
            import json

            try:
                config = json.loads(config)
            except ValueError:
                continue
        load_run_plugins(config)


# Importing ---------------------------------------------------------------


def _load_file(spec: str, base_dir: Path) -> str:
    path = Path(spec).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    path = path.resolve()
    key = str(path)
    if key in _loaded:
        return key

    if not path.is_file():
        where = "" if Path(spec).is_absolute() else f" (resolved against {str(base_dir)!r})"
        raise ConfigError(f"plugin file {str(path)!r} not found{where}; check the path in "
                          f"plugins, which is relative to the config file")
    if path.suffix != ".py":
        raise ConfigError(f"plugin file {str(path)!r} is not a Python file; plugins must end "
                          f"in .py")

    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    stem = re.sub(r"\W", "_", path.stem)
    module_name = f"{PLUGIN_PACKAGE}.{stem}_{digest}"
    _ensure_plugin_package()
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise ConfigError(f"plugin file {key!r} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(module_spec)

    # Registering the module first lets the plugin use dataclasses and pickling,
    # which look their module up in sys.modules.
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException as error:
        sys.modules.pop(module_name, None)
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise ConfigError(_failure_message(error, key)) from None
    _loaded[key] = module_name
    log.debug("loaded plugin file %s as module %s", key, module_name)
    return key


def _load_module(name: str) -> str:
    if not MODULE_NAME.match(name):
        raise ConfigError(f"plugins: {name!r} is neither a .py file nor a valid module name; "
                          f"give a path ending in .py or a dotted module name")
    if name in _loaded:
        return name
    try:
        found = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise ConfigError(f"plugin module {name!r} not found; install it, add its directory to "
                          f"PYTHONPATH, or give the plugin as a path ending in .py")

    origin = found.origin or name
    try:
        importlib.import_module(name)
    except BaseException as error:
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        sys.modules.pop(name, None)
        raise ConfigError(_failure_message(error, origin)) from None
    _loaded[name] = name
    log.debug("loaded plugin module %s from %s", name, origin)
    return name


def _ensure_plugin_package() -> None:
    if PLUGIN_PACKAGE not in sys.modules:
        package = ModuleType(PLUGIN_PACKAGE, "Namespace of the plugin files ganlab imported.")
        package.__path__ = []
        sys.modules[PLUGIN_PACKAGE] = package


# Error messages ----------------------------------------------------------


def _failure_message(error: BaseException, file: str) -> str:
    """Describe an import failure in one line: file, line, what failed, what to do."""
    if isinstance(error, SyntaxError) and error.filename and _same_file(error.filename, file):
        return (f"plugin {file}:{error.lineno}: syntax error: {error.msg}; fix the plugin "
                f"file")

    line = _line_in_file(error.__traceback__, file)
    location = f"{file}:{line}" if line is not None else file
    if isinstance(error, GanlabError):
        detail = str(error)
    else:
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    detail = " ".join(detail.split())
    return f"plugin {location}: import failed: {detail}; fix the plugin file"


def _line_in_file(tb: TracebackType | None, file: str) -> int | None:
    """Return the line of the innermost traceback frame that runs in ``file``."""
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if _same_file(frame.f_code.co_filename, file):
            line = lineno
    return line


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return a == b
