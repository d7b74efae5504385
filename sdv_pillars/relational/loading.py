"""Load several related tables: a folder of CSV/Parquet files, a SQLite file, or a dict."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pandas as pd

SQLITE_MAGIC = b"SQLite format 3\x00"


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == SQLITE_MAGIC


SNIFF_BYTES = 64 * 1024
SEPARATORS = ",;\t|"


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV file with its separator detected (comma, semicolon, tab or pipe), so a
    European ``a;b;c`` file is not read as one column of unique strings."""
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        head = handle.read(SNIFF_BYTES)
    try:
        separator = csv.Sniffer().sniff(head, delimiters=SEPARATORS).delimiter
    except csv.Error:
        separator = ","
    return pd.read_csv(path, sep=separator)


def read_table_file(path: Path) -> pd.DataFrame:
    """One ``.csv`` or ``.parquet`` file; an unreadable file is named in the error."""
    try:
        return read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except Exception as error:  # pandas and pyarrow raise many kinds; the file is what matters
        raise ValueError(f"Cannot read {path}: {type(error).__name__}: {error}") from error


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
            if file.suffix.lower() in (".csv", ".parquet"):
                tables[file.stem] = read_table_file(file)
        if not tables:
            raise ValueError(f"The folder {path} holds no .csv or .parquet file: one file per table.")
        return tables
    if _is_sqlite(path):
        with sqlite3.connect(path) as connection:
            names = pd.read_sql("SELECT name FROM sqlite_master WHERE type='table'", connection)["name"]
            return {name: pd.read_sql(f'SELECT * FROM "{name}"', connection) for name in names}
    raise ValueError(f"{path} is neither a folder of CSV/Parquet files nor a SQLite file.")
