"""Pillar 2 (search) and pillar 4 (order): find the rules a table obeys.

Two shapes are searched:

* CART rules: a column that is a (near) deterministic function of other columns. Every
  candidate target gets a depth-limited tree on all other columns, scored on held-out rows
  (out-of-fold predictions of a k-fold split): held-out accuracy for labels, and for numbers
  the held-out share of rows the tree rebuilds exactly, within the column's rounding (a
  lookup such as an interest rate by grade). Scores on training rows "find" rules in small
  tables that are not there. A rule must also remove at least half of the errors of always
  guessing the most frequent value, so a column that is 99% one value is not a "rule".
  A function with more values than the tree has leaves (R^2 at the threshold, too few rows
  rebuilt exactly) is scored again as a lookup: a tree grown to every combination of its
  columns seen, which rebuilds a value by drawing among the real values of its key. Scored
  as that draw: a held-out row keeps the lookup when its value is one its key has shown
  (at least ``threshold`` of rows), and the draw must give the right value far more often
  than guessing the most frequent one (``MIN_SKILL``). openintro's loans set
  ``interest_rate`` by ``sub_grade`` and issue date; a month holds up to three rates for a
  sub-grade (rates changed mid-month), so the lookup by sub-grade and month holds on 99.9% of
  held-out rows and draws the right rate on 88%. Its key is the fewest columns that draw as
  well, within one standard error (the "one-SE rule" of CART's pruning); a column that
  only splits keys into fragments is dropped (``_Scorer.lookup_keys``). A label rule that
  its tree gets wrong on a few held-out rows is scored as a lookup too, and becomes one when
  the lookup draws the right label more often than the tree's label is right: loans'
  ``grade``, the letter of its ``sub_grade``, is right on 99.86% of held-out rows by a
  depth-5 tree (which splits on the rate) and on all of them as ``lookup(sub_grade)``; a
  tree's wrong labels would come back as false exceptions.
  A numeric near-function (held-out R^2 0.994 for a diamond's width from its price and
  length) is not a rule: a tree would rebuild it from a few dozen leaves and cut the
  relation the backbone keeps continuous (the CART backbone's pair trends on diamonds fell
  from 0.998 to 0.905). It is listed under ``rejected`` with its R^2.
* Inequalities ``low <= high`` between two numeric or two datetime columns that hold on every
  row, expressed with SDV's own ``sdv.cag.Inequality``. An order that holds by chance is
  left out: the pair must be one that independent columns with the same marginals would
  break on at least ``min_violations`` rows (10 by default, so a chance order survives with
  probability about e^-10). Pairs whose ranges barely overlap are implied by the marginals.

The rule graph (feature -> target) is kept acyclic by construction: candidates are accepted
lookups first, then strongest first, and a candidate that would use a column derived from its
own target is refitted without it, or rejected with the reason recorded. A lookup goes first
because it keeps the rules that read its target too: the rate it draws is one its key has
shown, so the grade a rate implies is kept, while ``grade = CART(rate)`` would leave the
backbone to generate rates that no grade and month have shown. ``RuleSet.order`` is the
topological order in which derived columns are rebuilt.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

from sdv_pillars.defaults import (
    CV_FOLDS,
    MAX_DEPTH,
    MIN_INEQUALITY_VIOLATIONS,
    MIN_RULE_ROWS,
    MIN_SKILL,
    MINING_MAX_ROWS,
    RULE_THRESHOLD,
)
from sdv_pillars.encoding import make_encoder, model_frame
from sdv_pillars.profiling import NUMERIC_KINDS, ColumnProfile
from sdv_pillars.rules.constraints import (
    CLASSIFICATION,
    REGRESSION,
    encode_target,
    label_tree_fits,
    make_tree,
)
from sdv_pillars.rules.formulas import (
    FORMULA_KINDS,
    decimals,
    find_formulas,
    formula_text,
    rounding_tolerance,
)

INEQUALITY, STRICT_INEQUALITY = "inequality", "strict_inequality"


@dataclass(frozen=True)
class Rule:
    """One rule: ``target`` is determined by ``features`` (for inequalities: bounded by it)."""

    target: str
    features: tuple[str, ...]
    kind: str
    score: float
    baseline: float
    lookup: bool = False  # a rule whose tree grows to every combination of its columns seen
    drawn: float | None = None  # a lookup's held-out share of rows whose value its draw gives

    def __str__(self) -> str:
        if self.kind in FORMULA_KINDS:
            return formula_text(self.target, self.features, self.kind)
        if self.kind in (INEQUALITY, STRICT_INEQUALITY):
            sign = ">" if self.kind == STRICT_INEQUALITY else ">="
            return f"{self.target} {sign} {self.features[0]} (holds on every real row)"
        shown = f"{self.target} = {'lookup' if self.lookup else 'CART'}({', '.join(self.features)})"
        if self.lookup:
            return (f"{shown}  held-out rows with a value of their key {self.score:.4f}, "
                    f"drawn right {self.drawn:.4f} (baseline {self.baseline:.4f})")
        measure = "accuracy" if self.kind == CLASSIFICATION else "exact share"
        return f"{shown}  held-out {measure} {self.score:.4f} (baseline {self.baseline:.4f})"


@dataclass(frozen=True)
class RejectedRule:
    """A candidate that was not kept, and why."""

    target: str
    features: tuple[str, ...]
    score: float
    reason: str


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)
    rejected: list[RejectedRule] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def cart_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.kind in (CLASSIFICATION, REGRESSION)]

    @property
    def formulas(self) -> list[Rule]:
        return [r for r in self.rules if r.kind in FORMULA_KINDS]

    @property
    def inequalities(self) -> list[Rule]:
        return [r for r in self.rules if r.kind in (INEQUALITY, STRICT_INEQUALITY)]


def _task(profile: ColumnProfile, max_depth: int) -> str | None:
    """Which tree can model this target, or None when it is no candidate."""
    if profile.kind in NUMERIC_KINDS:
        return REGRESSION if profile.null_rate == 0 else None
    if profile.kind in ("categorical", "boolean") and profile.n_unique <= 2**max_depth:
        return CLASSIFICATION
    return None


class _Scorer:
    """Held-out scores of candidate trees on one (sub)sample of the table.

    The table is encoded once (ordinal, NaN kept); each candidate takes its columns from
    that matrix, so the search costs trees, not encoders.
    """

    def __init__(self, raw, profile, max_depth, cv, random_state, threshold):
        self.raw, self.profile = raw, profile
        self.frame = model_frame(raw, profile)
        encoder = make_encoder(list(raw.columns), profile, one_hot=False)
        self.encoded = encoder.fit_transform(self.frame)
        self.position = {str(n): i for i, n in enumerate(encoder.get_feature_names_out())}
        self.max_depth, self.cv, self.random_state = max_depth, cv, random_state
        self.r2: dict[str, float] = {}  # held-out R^2 of each numeric target's first tree
        self.threshold = threshold

    def score(self, target: str, features: list[str], task: str):
        """(held-out score, baseline, features the full-data tree uses, lookup's drawn share).

        A numeric target that the depth-limited tree approximates well (R^2) but rebuilds
        exactly on too few rows may be a function with more values than the tree has
        leaves (``fee = a ** 2`` for 50 values of ``a``; a rate by sub-grade and month); a
        label rule that the tree gets wrong on a few rows may be an exact function that the
        tree cannot cut well (loans' grade, the letter of its sub-grade: 99.86% held out).
        Either is scored as a lookup on the fewest of the tree's columns (module docstring),
        which replaces a kept tree only when it draws the right value more often than the
        tree's label is right. The last item is the lookup's held-out share of values drawn
        right, None for a tree.
        """
        held_out, baseline, used = self._score(target, features, task, self.max_depth)
        tree_passes = _passes(held_out, baseline, task, self.threshold)
        if task == CLASSIFICATION:
            wanted = tree_passes and held_out < 1
        else:
            wanted = held_out < self.threshold <= self.r2[target]
        if used and wanted:
            keys, shown, drawn = self.lookup_keys(target, used, task)
            if (shown >= self.threshold and drawn - baseline >= MIN_SKILL * (1 - baseline)
                    and not (tree_passes and drawn <= held_out)):
                return shown, baseline, keys, drawn
        return held_out, baseline, used, None

    def lookup_keys(self, target: str, features: list[str], task: str) -> tuple[list[str], float, float]:
        """The key of a lookup and its held-out scores (shown, drawn; ``_lookup``): columns
        are dropped one at a time, the one whose loss draws best first, while the draw stays
        within one standard error of the best seen (CART's one-SE rule: the simplest key
        that does as well as the data can tell)."""
        keys = list(features)
        shown, hits = self._lookup(target, keys, task)
        best = hits.mean() - hits.std() / np.sqrt(len(hits))
        while len(keys) > 1:
            fewer = [[k for k in keys if k != dropped] for dropped in keys]
            scored = [(self._lookup(target, key, task), key) for key in fewer]
            (fewer_shown, fewer_hits), key = max(scored, key=lambda item: item[0][1].mean())
            if fewer_hits.mean() < best:
                break
            keys, shown, hits = key, fewer_shown, fewer_hits
            best = max(best, hits.mean() - hits.std() / np.sqrt(len(hits)))
        return keys, shown, float(hits.mean())

    def _design(self, features: list[str]) -> np.ndarray:
        """The encoded columns of ``features``, as a tree reads them."""
        return self.encoded[:, [self.position[f] for f in features]]

    def _lookup(self, target: str, features: list[str], task: str) -> tuple[float, np.ndarray]:
        """Held-out scores of a lookup of ``target`` by ``features``: the share of rows whose
        value (a label, or a number within its rounding) the training rows of their key have
        shown, and per row the chance that a value drawn among those rows' is the row's own."""
        X = self._design(features)
        if task == CLASSIFICATION:
            y = value = encode_target(self.raw[target])[0]
        else:
            y = self.frame[target].to_numpy()
            value = np.round(y * 10.0 ** decimals(y)).astype(np.int64)  # a value, as written
        hits = np.zeros(len(y))
        splitter = KFold(self.cv, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(X):
            with label_tree_fits():
                tree = make_tree(task, None, self.random_state).fit(X[train], y[train])
            seen = pd.DataFrame({"key": tree.apply(X[train]), "value": value[train]})
            pairs = seen.groupby(["key", "value"]).size()
            shares = pairs / seen.groupby("key").size().reindex(pairs.index.get_level_values(0)).to_numpy()
            asked = pd.MultiIndex.from_arrays([tree.apply(X[test]), value[test]])
            hits[test] = shares.reindex(asked).fillna(0).to_numpy()
        return float(np.mean(hits > 0)), hits

    def _score(self, target: str, features: list[str], task: str, max_depth: int | None):
        model = make_tree(task, max_depth, self.random_state)
        X = self._design(features)
        if task == CLASSIFICATION:
            y, _ = encode_target(self.raw[target])
            counts = np.bincount(y)
            stratify = counts.min() >= self.cv
            splitter = (StratifiedKFold if stratify else KFold)(
                self.cv, shuffle=True, random_state=self.random_state
            )
            with label_tree_fits():
                held_out = accuracy_score(y, cross_val_predict(model, X, y, cv=splitter))
                model.fit(X, y)
            baseline = counts.max() / counts.sum()
        else:
            y = self.frame[target].to_numpy()
            splitter = KFold(self.cv, shuffle=True, random_state=self.random_state)
            predicted = cross_val_predict(model, X, y, cv=splitter)
            self.r2.setdefault(target, float(r2_score(y, predicted)))
            held_out = np.mean(np.abs(predicted - y) <= rounding_tolerance([decimals(y)]))
            baseline = np.unique(y, return_counts=True)[1].max() / len(y)
            model.fit(X, y)
        used = [f for f, imp in zip(features, model.feature_importances_) if imp > 0]
        return float(held_out), float(baseline), used


def _passes(score: float, baseline: float, task: str, threshold: float) -> bool:
    return score >= threshold and (score - baseline) >= MIN_SKILL * (1 - baseline)


def mine_cart_rules(
    data: pd.DataFrame,
    profile: dict[str, ColumnProfile],
    threshold: float = RULE_THRESHOLD,
    max_depth: int = MAX_DEPTH,
    cv: int = CV_FOLDS,
    max_rows: int = MINING_MAX_ROWS,
    random_state: int | None = None,
    progress=None,
    reserved: frozenset[str] = frozenset(),
    user_rules: dict[str, list[str]] | None = None,
) -> RuleSet:
    """Search every candidate target; keep an acyclic set of rules (see module docstring).

    Tables longer than ``max_rows`` are mined on a random sample of that many rows (the
    kept rules are refitted on every row when the constraints are fitted). ``reserved``
    columns may drive a rule but are never derived by one. ``user_rules`` are the user's
    own derived columns (target -> the columns it is rebuilt from): they are edges of the
    rule graph, so a mined rule may derive a column the user's rule reads, but never from
    the user's target or what is derived from it.
    """
    usable = [c for c, p in profile.items() if p.is_modelled_value and p.kind != "constant"]
    if len(data) > max_rows:
        data = data.sample(max_rows, random_state=random_state)
    raw = data[usable]
    scorer = _Scorer(raw, profile, max_depth, cv, random_state, threshold)
    targets = [(c, _task(profile[c], max_depth)) for c in usable if c not in reserved]
    # a label with a value for every other row has too few rows per value to learn it from
    targets = [(c, task) for c, task in targets if task is not None
               and not (task == CLASSIFICATION and raw[c].nunique() > len(raw) / 2)]
    ruleset = RuleSet()
    candidates = []
    for target, task in targets:
        features = [c for c in usable if c != target]
        if features:
            score, baseline, used, drawn = scorer.score(target, features, task)
            if _passes(score, baseline, task, threshold) and used:
                candidates.append((drawn is not None, score, -len(used), target, task, used,
                                   baseline, drawn))
            elif task == REGRESSION and scorer.r2[target] >= threshold:
                ruleset.rejected.append(RejectedRule(
                    target, tuple(used), score,
                    f"a near-function (held-out R^2 {scorer.r2[target]:.4f}) that the tree rebuilds "
                    f"exactly on only {score:.1%} of held-out rows: left to the backbone, which "
                    "keeps the relation continuous instead of cutting it into leaves"))
        if progress is not None:
            progress.update(1)

    graph: dict[str, set[str]] = {t: set(reads) for t, reads in (user_rules or {}).items()}
    for _, score, _, target, task, used, baseline, drawn in sorted(candidates, reverse=True):
        derived_from_target = _descendants(graph, target)
        if set(used) & derived_from_target:
            allowed = [c for c in usable if c != target and c not in derived_from_target]
            score, baseline, used, drawn = (scorer.score(target, allowed, task) if allowed
                                            else (0, 0, [], None))
            if not used or not _passes(score, baseline, task, threshold):
                ruleset.rejected.append(
                    RejectedRule(
                        target,
                        tuple(used),
                        score,
                        "would close a cycle with "
                        + ", ".join(sorted(derived_from_target))
                        + "; without those columns its held-out score is below the threshold",
                    )
                )
                continue
        graph[target] = set(used)
        ruleset.rules.append(Rule(target, tuple(used), task, score, baseline,
                                  drawn is not None, drawn))
    ruleset.order = rebuild_order(graph, {r.target for r in ruleset.rules})
    return ruleset


def rebuild_order(graph: dict[str, set[str]], targets: set[str]) -> list[str]:
    """``targets`` in an order that rebuilds every column after the columns it reads
    (``graph``: target -> features)."""
    return [c for c in graphlib.TopologicalSorter(graph).static_order() if c in targets]


def _descendants(graph: dict[str, set[str]], column: str) -> set[str]:
    """Columns computed (directly or through other rules) from ``column``."""
    found, frontier = set(), {column}
    while frontier:
        frontier = {t for t, feats in graph.items() if feats & frontier} - found
        found |= frontier
    return found


def _expected_violations(low: np.ndarray, high: np.ndarray, strict: bool) -> float:
    """Rows on which ``high < low`` would fail if the two columns were independent."""
    ordered = np.sort(high)
    below = np.searchsorted(ordered, low, side="right" if strict else "left")
    return float(below.sum() / len(high))


def find_inequalities(
    data: pd.DataFrame,
    profile: dict[str, ColumnProfile],
    exclude: set[str],
    min_violations: float = MIN_INEQUALITY_VIOLATIONS,
) -> list[Rule]:
    """``high >= low`` pairs that hold on every row where both are present.

    Each column takes part in at most one inequality (a repair rewrites the high column,
    which could break a second inequality the column took part in); the pairs that independent columns would
    break most often are preferred, since those are the ones a backbone breaks most often.
    """
    families = {
        "number": [c for c, p in profile.items() if p.kind in NUMERIC_KINDS and c not in exclude],
        "date": [c for c, p in profile.items() if p.kind == "datetime" and c not in exclude],
    }
    candidates = []
    for columns in families.values():
        if len(columns) < 2:
            continue
        # every pair at once: one column as ``low`` against all others as ``high``
        values = model_frame(data[columns], profile).to_numpy(dtype=float)
        present = ~np.isnan(values)
        for j, low in enumerate(columns):
            both = present & present[:, [j]]
            at_least = ((values >= values[:, [j]]) | ~both).all(axis=0)
            above = ((values > values[:, [j]]) | ~both).all(axis=0)
            equal = ((values == values[:, [j]]) | ~both).all(axis=0)
            for k in np.flatnonzero(at_least & ~equal & both.any(axis=0)):
                if k == j:
                    continue
                rows = both[:, k]
                strict = bool(above[k])
                chance = _expected_violations(values[rows, j], values[rows, k], strict)
                if chance >= min_violations:
                    kind = STRICT_INEQUALITY if strict else INEQUALITY
                    candidates.append((chance, columns[k], low, kind))
    chosen, used = [], set()
    for _, high, low, kind in sorted(candidates, reverse=True):
        if high in used or low in used:
            continue
        used |= {high, low}
        chosen.append(Rule(high, (low,), kind, 1.0, 0.0))
    return chosen


def mine_rules(
    data: pd.DataFrame,
    profile: dict[str, ColumnProfile],
    threshold: float = RULE_THRESHOLD,
    max_depth: int = MAX_DEPTH,
    random_state: int | None = None,
    reserved: dict[str, str] | None = None,
    user_rules: dict[str, list[str]] | None = None,
) -> RuleSet:
    """Formulas (exact sums, ``formulas``), then CART rules among the other columns, then
    inequalities among the columns no rule derives.

    A table of fewer than ``MIN_RULE_ROWS`` rows has too few held-out rows to show that a
    column is a function of others: no rule is mined, and ``notes`` says so.

    ``reserved`` maps the columns the user's own constraints write or read to a description
    of those constraints. The user's constraint owns them: a mined rule never derives a
    reserved column and no mined inequality bounds one (the user's constraint would be
    undone or duplicated), but a reserved column may drive a rule. A formula that gives way
    is listed in ``rejected``; ``notes`` says which columns were reserved.

    ``user_rules`` maps the target of each of the user's derived-column constraints
    (``FormulaRule``, ``ExpressionRule``, ``CARTRule``; their targets are ``reserved``) to
    the columns it reads. A CART rule or lookup may derive a column the user's rule reads
    (openintro's ``interest_rate``, a lookup of sub-grade and month, read by a declared
    amortisation of ``installment``), as long as the rule graph stays acyclic; SDV then
    rebuilds it before the user's rule (``TablePillars.constraints``). A formula does not:
    formulas are rebuilt after every other rule. No inequality bounds a column they read.
    """
    if len(data) < MIN_RULE_ROWS:
        return RuleSet(notes=[f"{len(data)} rows: too few to test a rule on held-out rows "
                              f"(at least {MIN_RULE_ROWS}); no rule was mined."])
    user_rules = user_rules or {}
    reserved = {**{t: "derived column" for t in user_rules}, **(reserved or {})}
    read_by_user = {c: reserved[t] for t, reads in user_rules.items() for c in reads
                    if c not in reserved}
    owned = {**reserved, **read_by_user}
    formulas = find_formulas(data, profile)
    given_way = [f for f in formulas if f.target in owned]
    formulas = [f for f in formulas if f.target not in owned]
    summed = {f.target for f in formulas}
    rest = {c: p for c, p in profile.items() if c not in summed}
    ruleset = mine_cart_rules(data, rest, threshold, max_depth, random_state=random_state,
                              reserved=frozenset(reserved), user_rules=user_rules)
    ruleset.rules[:0] = [Rule(f.target, f.parts, f.operation, 1.0, 0.0) for f in formulas]
    ruleset.rejected.extend(
        RejectedRule(f.target, f.parts, 1.0, f"gives way to the user's {owned[f.target]}"
                     + (", which reads it (formulas are rebuilt last)"
                        if f.target in read_by_user else ""))
        for f in given_way
    )
    derived = {r.target for r in ruleset.rules}
    ruleset.rules.extend(find_inequalities(data, profile, exclude=derived | set(owned)))
    if reserved:
        ruleset.notes.append(
            "columns of the user's constraints, never derived or bounded by a mined rule: "
            + ", ".join(f"{c} ({reserved[c]})" for c in sorted(reserved))
        )
    if read_by_user:
        ruleset.notes.append(
            "columns the user's rules read, never bounded by a mined rule and derived only "
            "by a CART rule or lookup, rebuilt before them: "
            + ", ".join(f"{c} ({read_by_user[c]})" for c in sorted(read_by_user))
        )
    return ruleset
