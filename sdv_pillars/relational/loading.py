"""Load several related tables: a folder of CSV/Parquet files, a SQLite file, or a dict."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

SQLITE_MAGIC = b"SQLite format 3\x00"


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == SQLITE_MAGIC


def load_tables(source) -> dict[str, pd.DataFrame]:
    """``{table_name: DataFrame}`` from a folder (one table per ``.csv``/``.parquet`` file,
    named by the file's stem), a SQLite file (every table), or a dict of DataFrames (copied,
    so the caller's frames are never modified).

    Raises:
        FileNotFoundError: the path does not exist.
        ValueError: the folder holds no table, or the file is neither SQLite nor a folder.
        TypeError: a dict value is not a DataFrame.
    """
    if isinstance(source, dict):
        bad = [name for name, frame in source.items() if not isinstance(frame, pd.DataFrame)]
        if bad:
            raise TypeError(f"Tables {bad} are not pandas DataFrames: pass {{name: DataFrame}}.")
        return {str(name): frame.copy() for name, frame in source.items()}
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"No such folder or SQLite file: {path}")
    if path.is_dir():
        tables = {}
        for file in sorted(path.iterdir()):
            if file.suffix.lower() == ".csv":
                tables[file.stem] = pd.read_csv(file)
            elif file.suffix.lower() == ".parquet":
                tables[file.stem] = pd.read_parquet(file)
        if not tables:
            raise ValueError(f"The folder {path} holds no .csv or .parquet file: one file per table.")
        return tables
    if _is_sqlite(path):
        with sqlite3.connect(path) as connection:
            names = pd.read_sql("SELECT name FROM sqlite_master WHERE type='table'", connection)["name"]
            return {name: pd.read_sql(f'SELECT * FROM "{name}"', connection) for name in names}
    raise ValueError(f"{path} is neither a folder of CSV/Parquet files nor a SQLite file.")
