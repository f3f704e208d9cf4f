"""Errors that ganlab reports to users.

Every error a user can cause (a bad config, data file, store or command-line
argument) is a ``GanlabError``. The command line prints its message on one line
and exits with status 2. Each class also subclasses the matching builtin, so
callers that catch ``ValueError`` or ``FileNotFoundError`` keep working.
"""


class GanlabError(Exception):
    """Base class for errors caused by user input; the CLI exits with status 2."""

    exit_status = 2


class ConfigError(GanlabError, ValueError):
    """Invalid config: unknown key, wrong type, out-of-range or inconsistent value."""


class DataError(GanlabError, ValueError):
    """Invalid data file or data distribution parameters."""


class DataFileNotFoundError(DataError, FileNotFoundError):
    """A point file named in the config does not exist."""


class StoreError(GanlabError, ValueError):
    """A trajectory store that cannot be opened or written."""


class StoreNotFoundError(StoreError, FileNotFoundError):
    """No trajectory store at the given path."""


class RunExistsError(GanlabError, FileExistsError):
    """The output directory already holds a run and overwriting was not requested."""


class UsageError(GanlabError, ValueError):
    """A command-line or API argument that cannot be used as given."""


class BackendUnavailableError(GanlabError, RuntimeError):
    """An optional backend (Makie through Julia, Ray) is not installed."""
