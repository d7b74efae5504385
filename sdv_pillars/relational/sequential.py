"""Relational synthesis table by table, parents first, with any single-table backbone.

SDV's HMA models every table with GaussianCopula and refuses schemas of more than 5 tables
or deeper than 2 levels. This mode has no such limit and takes any backbone per table.

Fitting, per table in topological order (parents first):

* the table's own columns (keys removed: they are regenerated);
* for each child relationship, the number of children of each row (``__children__<child>__<fk>``; the
  ``__`` marker grows until no user column starts with it),
  so the table's model learns how many children a row has together with its values;
* for its first parent relationship, the parent row's columns (``__parent__<column>``), so the
  model learns the child's values together with its parent's (its "context").

A ``PillarsSynthesizer`` is fitted on that augmented table: rules and missingness work on it
as on any table. The tables' fits learn from real rows only and do not depend on each other:
with a Dask client open they run as Dask tasks (``distributed.run_all``).

Sampling, in the same order: every table gets ``scale`` times its real rows (with its real
share of rows with no parent). The children counts its sampled parents drew are rescaled
(largest remainders) to add up to that, so each parent keeps its share of the children.
Each child row is then given a parent: rows are matched to parents whose values are
nearest to the row's generated context, each parent taking exactly its (rescaled) number of
children (greedy nearest-neighbour assignment with capacities; the largest counts go to the
parents most children are nearest to, so the counts keep their distribution and the
children their parents' values; beyond a few thousand parents the matching runs in blocks
along the parents' main axis, so its cost grows linearly). Further parent
relationships are filled from their own counts. Every foreign key therefore refers to a
sampled parent.
"""

from __future__ import annotations

import graphlib

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from tqdm.auto import tqdm

from sdv_pillars.distributed import run_all
from sdv_pillars.encoding import make_encoder, model_frame
from sdv_pillars.fresh import free_marker, new_keys
from sdv_pillars.relational.keys import key_columns

NEIGHBOURS = 20
# parents compared with each child at most (match_to_parents)
BLOCK_PARENTS = 2_048


def table_order(metadata) -> list[str]:
    """Tables with every parent before its children."""
    graph = {name: set() for name in metadata.tables}
    for relation in metadata.relationships:
        graph[relation["child_table_name"]].add(relation["parent_table_name"])
    return list(graphlib.TopologicalSorter(graph).static_order())


def _as_dtype(values: np.ndarray, dtype) -> pd.Series:
    """Foreign keys in the real column's dtype (floats when an integer key has nulls)."""
    series = pd.Series(values, dtype=object)
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = pd.to_numeric(series)
        return numbers if numbers.isna().any() else numbers.astype(dtype)
    return series


def rescale_counts(counts: np.ndarray, total: int) -> np.ndarray:
    """Integer counts proportional to ``counts`` that sum to ``total`` (largest remainders), so
    a table keeps its real size while each parent keeps its share of the children."""
    counts = np.clip(np.asarray(counts, dtype=float), 0, None)
    if total <= 0 or len(counts) == 0:
        return np.zeros(len(counts), dtype=int)
    if counts.sum() == 0:
        counts = np.ones(len(counts))
    scaled = counts * total / counts.sum()
    base = np.floor(scaled).astype(int)
    remainder = total - base.sum()
    base[np.argsort(base - scaled)[:remainder]] += 1
    return base


def match_to_parents(context: pd.DataFrame, parents: pd.DataFrame, capacity: np.ndarray,
                     profile: dict, rng: np.random.Generator) -> np.ndarray:
    """Parent position for each row of ``context``: nearest parents first, within capacities.

    ``context`` holds the generated parent columns of the child rows, ``parents`` the sampled
    parents' own columns (same names); ``capacity`` sums to ``len(context)``.

    Beyond ``BLOCK_PARENTS`` parents, no child is compared with every parent: parents and
    children are sorted along the parents' first principal axis, parents cut into blocks of
    ``BLOCK_PARENTS``, and each block takes the next children in that order, as many as its
    capacities add up to (a one-dimensional optimal transport); children are then matched
    inside their block. The cost grows linearly with the rows.
    """
    columns = list(parents.columns)
    if not columns or not len(parents):
        return _match_block(None, None, capacity, rng, len(context))
    encoder = make_encoder(columns, profile, one_hot=True)
    parent_x = encoder.fit_transform(model_frame(parents[columns], profile))
    child_x = encoder.transform(model_frame(context[columns], profile))
    if len(parents) <= BLOCK_PARENTS:
        return _match_block(child_x, parent_x, capacity, rng, len(context))
    axis = PCA(n_components=1, random_state=0).fit(parent_x)
    parent_order = np.argsort(axis.transform(parent_x)[:, 0], kind="stable")
    child_order = np.argsort(axis.transform(child_x)[:, 0], kind="stable")
    assigned = np.empty(len(context), dtype=int)
    start = 0
    for block in np.array_split(parent_order, -(-len(parents) // BLOCK_PARENTS)):
        stop = start + int(capacity[block].sum())
        rows = child_order[start:stop]
        assigned[rows] = block[_match_block(child_x[rows], parent_x[block], capacity[block], rng,
                                            len(rows))]
        start = stop
    return assigned


def _match_block(child_x, parent_x, capacity: np.ndarray, rng: np.random.Generator,
                 num_children: int) -> np.ndarray:
    """``match_to_parents`` on encoded rows, every child compared with every parent."""
    capacity = capacity.astype(int).copy()
    assigned = np.full(num_children, -1)
    if child_x is not None and num_children:
        k = min(NEIGHBOURS, len(parent_x))
        neighbours = NearestNeighbors(n_neighbors=k).fit(parent_x).kneighbors(child_x, return_distance=False)
        # The parents' model drew how many children each parent has (the cardinality); the
        # children's model drew which parents they want. Hand the largest counts to the most
        # wanted parents, so both hold: the counts keep their distribution, the children
        # their parents' values.
        demand = np.bincount(neighbours[:, 0], minlength=len(parent_x)) + rng.random(len(parent_x))
        capacity[np.argsort(-demand)] = np.sort(capacity)[::-1]
        for row in rng.permutation(num_children):
            for candidate in neighbours[row]:
                if capacity[candidate] > 0:
                    assigned[row] = candidate
                    capacity[candidate] -= 1
                    break
    left = np.flatnonzero(assigned < 0)
    free = np.repeat(np.arange(len(capacity)), np.maximum(capacity, 0))
    assigned[left] = rng.permutation(free)[: len(left)]
    return assigned


def _fitted(synthesizer, table: str, augmented: pd.DataFrame):
    return synthesizer.fit({table: augmented})


class SequentialRelationalModel:
    """Fitted per-table synthesizers and what sampling needs to put keys back."""

    def __init__(self, metadata, make_synthesizer, random_state: int | None = None, verbose: bool = True):
        self.metadata = metadata
        self.make_synthesizer = make_synthesizer
        self.random_state = random_state
        self.verbose = verbose

    def _count(self, child: str, key: str) -> str:
        """The column holding each row's number of children of one relationship."""
        return f"{self.marker_}children{self.marker_}{child}{self.marker_}{key}"

    def _context(self, column: str) -> str:
        """The column holding a parent's value, beside its child's own columns."""
        return f"{self.marker_}parent{self.marker_}{column}"

    def _augment(self, tables: dict[str, pd.DataFrame], table: str) -> pd.DataFrame:
        frame = tables[table]
        own = [c for c in frame.columns if c not in key_columns(self.metadata, table)]
        augmented = frame[own].copy()
        key = self.metadata.tables[table].primary_key
        for r in self.children_[table]:
            counts = tables[r["child_table_name"]][r["child_foreign_key"]].value_counts()
            name = self._count(r["child_table_name"], r["child_foreign_key"])
            augmented[name] = frame[key].map(counts).fillna(0).astype(int).to_numpy()
        primary = self.parents_[table][:1]
        for r in primary:
            parent = tables[r["parent_table_name"]]
            parent_own = self.own_columns_[r["parent_table_name"]]
            by_key = parent.set_index(r["parent_primary_key"])[parent_own]
            joined = by_key.reindex(frame[r["child_foreign_key"]])
            for column in parent_own:
                augmented[self._context(column)] = joined[column].to_numpy()
        return augmented

    def fit(self, tables: dict[str, pd.DataFrame]) -> "SequentialRelationalModel":
        self.marker_ = free_marker([c for frame in tables.values() for c in frame.columns])
        self.order_ = table_order(self.metadata)
        relations = list(self.metadata.relationships)
        self.parents_ = {t: [r for r in relations if r["child_table_name"] == t] for t in self.order_}
        self.children_ = {t: [r for r in relations if r["parent_table_name"] == t] for t in self.order_}
        self.rows_ = {t: len(tables[t]) for t in self.order_}
        self.columns_ = {t: list(tables[t].columns) for t in self.order_}
        self.key_dtypes_ = {t: tables[t].dtypes.to_dict() for t in self.order_}
        self.null_share_ = {(r["child_table_name"], r["child_foreign_key"]):
                            float(tables[r["child_table_name"]][r["child_foreign_key"]].isna().mean())
                            for r in relations}
        self.own_columns_ = {t: [c for c in tables[t].columns if c not in key_columns(self.metadata, t)]
                             for t in self.order_}
        fits = {}
        for table in self.order_:
            augmented = self._augment(tables, table)
            if augmented.shape[1] == 0:
                raise ValueError(f"Table '{table}' has only key columns and no children: there is "
                                 "nothing to model; drop it or give it a column.")
            fits[table] = (_fitted, self.make_synthesizer(table), table, augmented)
        # each table's model learns from real rows only, so the fits are independent tasks
        self.synthesizers_ = run_all(fits, desc="Tables", verbose=self.verbose)
        return self

    def sample(self, scale: float = 1.0) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        """``({table: synthetic frame}, {table: augmented synthetic frame})``."""
        rng = np.random.default_rng(self.random_state)
        augmented, final = {}, {}
        for table in tqdm(self.order_, desc="Sampling tables", disable=not self.verbose, leave=False):
            parents = self.parents_[table]
            if not parents:
                n = max(1, int(round(scale * self.rows_[table])))
                linked = None
            else:
                r = parents[0]
                share = self.null_share_[(table, r["child_foreign_key"])]
                count = self._count(table, r["child_foreign_key"])
                wanted = int(round(scale * self.rows_[table] * (1 - share)))
                linked = rescale_counts(augmented[r["parent_table_name"]][count].to_numpy(), wanted)
                n = wanted + int(round(scale * self.rows_[table] * share))
            synth = self.synthesizers_[table]
            rows = synth.sample_table(n) if n > 0 else pd.DataFrame(columns=synth._columns)
            out = rows[self.own_columns_[table]].copy()
            key = self.metadata.tables[table].primary_key
            if key:
                out[key] = new_keys(self.key_dtypes_[table][key], n, table)
            for position, r in enumerate(parents):
                column = r["child_foreign_key"]
                keys = self._foreign_keys(rows, r, position, linked, final, augmented, rng)
                out[column] = _as_dtype(keys, self.key_dtypes_[table][column]).to_numpy()
            augmented[table], final[table] = rows, out[self.columns_[table]]
        return final, augmented

    def _foreign_keys(self, rows: pd.DataFrame, relation: dict, position: int, linked,
                      final: dict, augmented: dict, rng: np.random.Generator) -> np.ndarray:
        """The foreign key of each sampled child row for one relationship (module docstring)."""
        parent_name, child = relation["parent_table_name"], relation["child_table_name"]
        parent_keys = final[parent_name][relation["parent_primary_key"]].to_numpy()
        keys = np.full(len(rows), None, dtype=object)
        if position == 0:
            context_names = {self._context(c): c for c in self.own_columns_[parent_name]}
            context = rows[list(context_names)].rename(columns=context_names)
            # rows whose generated context is all null stand for the children with no parent
            no_parent = (context.isna().all(axis=1).to_numpy() if context_names
                         else np.zeros(len(rows), dtype=bool))
            order = np.lexsort((rng.random(len(rows)), ~no_parent))
            unlinked = order[: len(rows) - int(linked.sum())]
            with_parent = np.setdiff1d(np.arange(len(rows)), unlinked)
            parents = final[parent_name][self.own_columns_[parent_name]]
            profile = self.synthesizers_[parent_name].profile_
            chosen = match_to_parents(context.iloc[with_parent], parents, linked, profile, rng)
            keys[with_parent] = parent_keys[chosen]
        else:
            count = self._count(child, relation["child_foreign_key"])
            share = self.null_share_[(child, relation["child_foreign_key"])]
            wanted = int(round((1 - share) * len(rows)))
            counts = rescale_counts(augmented[parent_name][count].to_numpy(), wanted)
            keys[rng.permutation(len(rows))[:wanted]] = rng.permutation(np.repeat(parent_keys, counts))
        return keys
