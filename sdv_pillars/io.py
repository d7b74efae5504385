"""Reading and writing tables by file extension, for the command line.

A single table is a ``.csv``, ``.parquet`` or ``.json`` (records) file; several related tables
are a folder of such files or a SQLite file (``.sqlite``, ``.db``). ``BatchWriter`` appends a
table batch after batch to a ``.csv`` or ``.parquet`` file, so a long sample never has to be
held in memory whole.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd

from sdv_pillars.relational.loading import load_tables, read_table_file

TABLE_SUFFIXES = (".csv", ".parquet", ".json")
DATABASE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def read_data(path: str | Path) -> pd.DataFrame | dict[str, pd.DataFrame]:
    """A DataFrame for a table file, ``{name: DataFrame}`` for a folder or SQLite file."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such file or folder: {path}")
    if path.is_dir() or path.suffix.lower() in DATABASE_SUFFIXES:
        return load_tables(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".parquet"):
        return read_table_file(path)
    if suffix == ".json":
        return pd.read_json(path, orient="records")
    raise ValueError(f"Cannot read {path}: use a {', '.join(TABLE_SUFFIXES)} file, a folder of "
                     f"them, or a SQLite file ({', '.join(DATABASE_SUFFIXES)}).")


def write_data(data: pd.DataFrame | dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write a table by ``path``'s extension; several tables to a SQLite file or a folder of CSVs."""
    path = Path(path)
    suffix = path.suffix.lower()
    if isinstance(data, dict):
        if suffix in DATABASE_SUFFIXES:
            with sqlite3.connect(path) as connection:
                for name, frame in data.items():
                    frame.to_sql(name, connection, index=False, if_exists="replace")
            return path
        if suffix:
            raise ValueError(f"Several tables go to a folder or a SQLite file, not {path}.")
        path.mkdir(parents=True, exist_ok=True)
        for name, frame in data.items():
            frame.to_csv(path / f"{name}.csv", index=False)
        return path
    if suffix == ".csv":
        data.to_csv(path, index=False)
    elif suffix == ".parquet":
        data.to_parquet(path, index=False)
    elif suffix == ".json":
        data.to_json(path, orient="records", date_format="iso")
    else:
        raise ValueError(f"Cannot write {path}: use {', '.join(TABLE_SUFFIXES)}.")
    return path


STREAM_SUFFIXES = (".csv", ".parquet")


class BatchWriter:
    """Append DataFrames with the same columns to one ``.csv`` or ``.parquet`` file.

    Parquet batches become row groups of one file, written with the first batch's schema (a
    label column with no value in that batch is typed as text, not as Arrow's null type).
    Used as a context manager; the file is complete when the block ends.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.suffix.lower() not in STREAM_SUFFIXES:
            raise ValueError(f"Cannot stream to {self.path}: use {' or '.join(STREAM_SUFFIXES)} "
                             "(a JSON array is one object and cannot be written in batches).")
        self._parquet = None
        self._schema = None
        self.rows = 0

    def __enter__(self) -> "BatchWriter":
        return self

    def write(self, batch: pd.DataFrame) -> None:
        if self.path.suffix.lower() == ".csv":
            batch.to_csv(self.path, mode="w" if self.rows == 0 else "a", header=self.rows == 0,
                         index=False)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            if self._parquet is None:
                schema = pa.Schema.from_pandas(batch, preserve_index=False)
                self._schema = pa.schema([field.with_type(pa.string()) if pa.types.is_null(field.type)
                                          else field for field in schema])
                self._parquet = pq.ParquetWriter(self.path, self._schema)
            self._parquet.write_table(pa.Table.from_pandas(batch, schema=self._schema,
                                                           preserve_index=False))
        self.rows += len(batch)

    def __exit__(self, *exc) -> None:
        if self._parquet is not None:
            self._parquet.close()
