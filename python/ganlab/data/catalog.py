"""The dataset registry.

Each entry maps a dataset name (the config's ``data.name``) to a factory
``make(params) -> Distribution``. The entry's ``extra["fields"]`` declares the
dataset's parameters as ``ganlab.fields.Field`` objects. ``extra["path_fields"]``
names parameters that hold file paths, which are resolved against the config
file's directory before the factory runs.
"""

from __future__ import annotations

from ganlab.registry import Registry

DATASETS = Registry("dataset", "data.name")
