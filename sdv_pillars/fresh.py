"""Fresh names and keys that can never collide with what the user's data holds."""

from __future__ import annotations

import numpy as np
import pandas as pd


def free_marker(columns, words: tuple[str, ...] = ("parent", "children")) -> str:
    """The shortest ``"__"``, ``"___"``, ... that starts no user column's name followed by
    one of ``words``: the internal columns can never overwrite a real one."""
    marker = "__"
    while any(str(c).startswith(tuple(f"{marker}{w}" for w in words)) for c in columns):
        marker += "_"
    return marker


def new_keys(dtype, n: int, prefix: str) -> np.ndarray:
    """Fresh unique keys: 1..n for a numeric key, ``"<prefix>_<i>"`` otherwise (the prefix is
    a table's name, or a sequence key's)."""
    if pd.api.types.is_numeric_dtype(dtype):
        return np.arange(1, n + 1)
    return np.array([f"{prefix}_{i}" for i in range(1, n + 1)], dtype=object)
