"""Subcommands of ``ecopark``: one module each, each with ``register(subparsers)``."""
