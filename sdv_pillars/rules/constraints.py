"""A mined CART rule as an SDV 2 programmable constraint.

The backbone never sees the derived column: ``transform`` drops it and ``reverse_transform``
rebuilds it from the generated features with the fitted tree. Every synthetic row therefore
satisfies the rule by construction, and ``is_valid`` (which SDV uses to drop rows) holds on
every row the constraint itself produced, so SDV never falls back to reject sampling.

A label rule draws the label from its leaf's real labels: an exact rule has pure leaves and
always gives the leaf's label; a near-rule (real rows that break it, say 0.3% of them) keeps
its exceptions at the rate and in the leaves where the real ones are. ``holds`` says whether
a row keeps the rule (its label is the leaf's majority label); ``is_valid``, what SDV uses to
drop rows, accepts any label the leaf has seen. A numeric rule is a tree that rebuilds at
least 99% of held-out rows exactly, or a lookup whose key has shown the value of at least 99%
of them (mining leaves near-functions to the backbone); its rebuilt value is the leaf's
prediction plus a residual drawn from the real rows of that leaf, which is one of the leaf's
real values: an exact lookup is rebuilt exactly, and a key with several values (a sub-grade's
rates in a month when they changed) gives each at its real share. The rule says "the value
lies within the band the real rows of its leaf span".
"""

from __future__ import annotations

import contextlib
import warnings
import zlib

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from sdv_pillars.defaults import MAX_DEPTH, STREAM_RULE
from sdv_pillars.draws import draw_in_ranges
from sdv_pillars.encoding import make_encoder, model_frame
from sdv_pillars.pillar_constraint import DerivedColumn
from sdv_pillars.profiling import ColumnProfile

CLASSIFICATION, REGRESSION = "cart_classification", "cart_regression"


def make_tree(task: str, max_depth: int | None, random_state: int | None):
    """The CART tree of a rule (classifier for labels, regressor for numbers)."""
    tree_class = DecisionTreeClassifier if task == CLASSIFICATION else DecisionTreeRegressor
    return tree_class(max_depth=max_depth, random_state=random_state)


@contextlib.contextmanager
def label_tree_fits():
    """Fits of label trees on small samples: scikit-learn's hint that many classes "could
    represent a regression problem" is noise here (the rule's held-out score decides)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The number of unique classes is greater")
        yield


def encode_target(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Class codes of a categorical target, with null as a class of its own.

    Returns the codes and the class values (``NaN`` for the null class), so a rule can
    rebuild nulls where the real data has them (a cascade of nulls is itself a rule).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def _resolution(values: np.ndarray) -> float:
    """Half the smallest step in which ``values`` are written (how SDV rounds them back)."""
    finite = values[np.isfinite(values)]
    for digits in range(16):
        if np.allclose(finite, np.round(finite, digits), rtol=0, atol=1e-12):
            return 0.5 * 10.0**-digits
    return 0.0


class CARTRule(DerivedColumn):
    """``target`` is rebuilt as a CART function of ``features``.

    Args:
        target: the derived column.
        features: the columns it is a function of.
        task: ``"cart_classification"`` or ``"cart_regression"``.
        column_profiles: the ``ColumnProfile`` of target and features (how to read them).
        max_depth: depth of the tree (None for a lookup: grown to every combination seen).
        random_state: seed of the tree's tie-breaking.
        table_name: the table, for multi-table metadata.
    """

    def __init__(
        self,
        target: str,
        features: list[str],
        task: str,
        column_profiles: dict[str, ColumnProfile],
        max_depth: int | None = MAX_DEPTH,
        random_state: int | None = None,
        table_name: str | None = None,
    ):
        self.target = target
        self.features = list(features)
        self.task = task
        self.column_profiles = column_profiles
        self.max_depth = max_depth
        self.random_state = random_state
        self.table_name = table_name

    def reads(self) -> list[str]:
        return list(self.features)

    def _columns_read(self, data: pd.DataFrame) -> list[str]:
        return [self.target, *self.reads()]

    def _stream(self) -> tuple[int, ...]:
        # one stream per rule: two rules of a table never share their residual draws
        return (STREAM_RULE, zlib.crc32(self.target.encode()))

    def _fit(self, data: pd.DataFrame) -> None:
        X = model_frame(data[self.features], self.column_profiles)
        self.model_ = Pipeline([
            ("encode", make_encoder(self.features, self.column_profiles, one_hot=False)),
            ("tree", make_tree(self.task, self.max_depth, self.seed_)),
        ])
        if self.task == CLASSIFICATION:
            codes, self.classes_ = encode_target(data[self.target])
            with label_tree_fits():
                self.model_.fit(X, codes)
        else:
            y = model_frame(data[[self.target]], self.column_profiles)[self.target]
            if y.isna().any():
                raise ValueError(
                    f"Column '{self.target}' has nulls and cannot be the target of a regression "
                    "rule; make it a classification rule or drop the rule."
                )
            self.model_.fit(X, y.to_numpy())
            self.tolerance_ = _resolution(y.to_numpy())
            prediction, leaves = self._tree_view(X)
            residuals = y.to_numpy() - prediction
            # Residuals sorted by leaf, then value: leaf k's residuals are one slice.
            order = np.lexsort((residuals, leaves))
            self.residuals_ = residuals[order]
            counts = np.bincount(leaves, minlength=self.model_[-1].tree_.node_count)
            self.leaf_start_ = np.cumsum(counts) - counts
            self.leaf_count_ = counts

    def _tree_view(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The tree's prediction and leaf id for each row of a ``model_frame``."""
        encoded = self.model_[:-1].transform(X)
        tree = self.model_[-1]
        return tree.predict(encoded), tree.apply(encoded)

    def _band(self, data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Prediction and the slice ``[start, stop)`` of the leaf's residuals, per row."""
        prediction, leaves = self._tree_view(model_frame(data[self.features], self.column_profiles))
        start = self.leaf_start_[leaves]
        return prediction, start, start + self.leaf_count_[leaves]

    def predict(self, data: pd.DataFrame) -> np.ndarray:
        """The target value the rule assigns to each row of ``data`` (a leaf's label or
        mean; a regression rule adds a real residual of that leaf when rebuilding)."""
        prediction = self.model_.predict(model_frame(data[self.features], self.column_profiles))
        if self.task == CLASSIFICATION:
            return self.classes_[prediction.astype(int)]
        return prediction

    def can_take(self, value) -> bool:
        """Whether a rebuilt row can hold ``value``: a label some leaf predicts, or a number
        some leaf rebuilds (a leaf's mean plus one of its real residuals: a real value of the
        target, so conditions on real values can be met by drawing)."""
        tree = self.model_[-1]
        if self.task == CLASSIFICATION:
            leaves = tree.tree_.children_left == -1
            codes = tree.classes_[tree.tree_.value[leaves, 0].argmax(axis=1)].astype(int)
            labels = self.classes_[np.unique(codes)]
            return any(value == label or (pd.isna(value) and pd.isna(label)) for label in labels)
        if pd.isna(value):
            return False
        means = tree.tree_.value[:, 0, 0]
        rebuilt = self.residuals_ + np.repeat(means, self.leaf_count_)
        return bool(np.isclose(rebuilt, float(value), rtol=1e-9, atol=self.tolerance_).any())

    def _leaf_shares(self, data: pd.DataFrame) -> np.ndarray:
        """Per row, the share of each class among the real rows of its leaf."""
        _, leaves = self._tree_view(model_frame(data[self.features], self.column_profiles))
        shares = self.model_[-1].tree_.value[leaves, 0, :]
        return shares / shares.sum(axis=1, keepdims=True)

    def _label_codes(self, values: pd.Series) -> np.ndarray:
        """The tree's class position of each label (-1 for a label the rule never saw)."""
        codes = pd.Index(self.classes_).get_indexer(values)
        position = {int(c): i for i, c in enumerate(self.model_[-1].classes_)}
        return np.array([position.get(int(c), -1) for c in codes], dtype=int)

    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        data = transformed_data.copy()
        if self.task == CLASSIFICATION:
            cumulative = self._leaf_shares(data).cumsum(axis=1)
            drawn = (cumulative < self._rng.random((len(data), 1)) * cumulative[:, -1:]).sum(axis=1)
            drawn = np.minimum(drawn, cumulative.shape[1] - 1)
            data[self.target] = self.classes_[self.model_[-1].classes_[drawn].astype(int)]
            return data
        prediction, start, stop = self._band(data)
        data[self.target] = prediction + self.residuals_[draw_in_ranges(self._rng, start, stop)]
        return data

    def holds(self, data: pd.DataFrame) -> pd.Series:
        """Per row: does it keep the rule? A label rule is kept by the leaf's majority label
        (a near-rule's real exceptions do not keep it); a numeric rule as in ``is_valid``."""
        if self.task != CLASSIFICATION:
            return self.is_valid(data)
        actual = data[self.target]
        expected = np.asarray(self.predict(data), dtype=object)
        present = actual.notna().to_numpy()
        both_null = ~present & pd.isna(expected)
        # only present values are compared: pandas' NA (nullable dtypes) has no truth value
        same = np.zeros(len(actual), dtype=bool)
        same[present] = actual.to_numpy(dtype=object)[present] == expected[present]
        return pd.Series(both_null | same, index=data.index)

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        """Whether the row is one the rule can give: a label its leaf has among its real rows,
        or a number within the band of its leaf's real values."""
        actual = synthetic_data[self.target]
        if self.task == CLASSIFICATION:
            codes = self._label_codes(actual)
            shares = self._leaf_shares(synthetic_data)
            seen = shares[np.arange(len(codes)), np.maximum(codes, 0)] > 0
            return pd.Series((codes >= 0) & seen, index=synthetic_data.index)
        prediction, start, stop = self._band(synthetic_data)
        low, high = prediction + self.residuals_[start], prediction + self.residuals_[stop - 1]
        actual = pd.to_numeric(actual, errors="coerce").to_numpy(dtype=float)
        tolerance = self.tolerance_ + 1e-9 * np.abs(prediction)
        valid = (actual >= low - tolerance) & (actual <= high + tolerance)
        return pd.Series(valid, index=synthetic_data.index)
