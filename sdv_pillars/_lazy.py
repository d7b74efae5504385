"""Lazy package exports (PEP 562): a name is imported on first use, not with the package.

Importing SDV loads torch and sdmetrics (seconds), so ``sdv-pillars --help`` and modules
that need only pandas must not pay for it through a package ``__init__``.
"""

from __future__ import annotations

import importlib


def lazy_exports(package: str, modules: dict[str, tuple[str, ...]]):
    """``(__getattr__, __dir__, __all__)`` for a package exporting ``{module: names}``."""
    where = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str):
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(where[name]), name)

    def __dir__() -> list[str]:
        return sorted(where)

    return __getattr__, __dir__, sorted(where)
