"""Subcommands of the ``ganlab`` command line, one module each."""
