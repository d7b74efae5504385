"""One way to show table columns to a scikit-learn model, shared by the rule and missingness pillars.

Both pillars fit small models (CART trees, logistic regressions) on mixed columns. They need
the same conversions: numbers as floats, dates as seconds, labels as strings, nulls kept as
NaN so the model sees the gaps as they are in the real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from sdv_pillars.profiling import CATEGORY_KINDS, ColumnProfile, modelled_columns


def model_frame(data: pd.DataFrame, profile: dict[str, ColumnProfile]) -> pd.DataFrame:
    """``data`` as a model reads it: floats for numbers and dates, strings for labels."""
    out = {}
    for name in data.columns:
        col, kind = data[name], profile[name].kind
        if kind == "datetime":
            stamps = pd.to_datetime(col, format=profile[name].datetime_format, errors="coerce")
            out[name] = stamps.astype("int64").where(stamps.notna()).astype(float) / 1e9
        elif kind in CATEGORY_KINDS:
            out[name] = col.astype(object).where(col.isna(), col.astype(str))
        else:
            out[name] = pd.to_numeric(col, errors="coerce").astype(float)
    return pd.DataFrame(out, index=data.index)


def make_encoder(
    columns: list[str], profile: dict[str, ColumnProfile], one_hot: bool
) -> ColumnTransformer:
    """A ColumnTransformer for ``model_frame`` output.

    ``one_hot=False`` gives one ordinal feature per column with NaN kept (for trees, which
    split on missing values natively); ``one_hot=True`` gives a dense, imputed, scaled design
    for linear models, with the ten most frequent labels of each categorical column.
    """
    labels = [c for c in columns if profile[c].kind in CATEGORY_KINDS]
    numbers = [c for c in columns if c not in labels]
    if one_hot:
        num = make_pipeline(SimpleImputer(strategy="mean", keep_empty_features=True), StandardScaler())
        cat = make_pipeline(
            SimpleImputer(strategy="constant", fill_value="<null>"),
            OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=10, sparse_output=False),
        )
    else:
        num = "passthrough"
        cat = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
        )
    return ColumnTransformer(
        [("num", num, numbers), ("cat", cat, labels)],
        verbose_feature_names_out=False,
    )


def row_hashes(data: pd.DataFrame, profile: dict[str, ColumnProfile]) -> np.ndarray:
    """One 64-bit hash per row over the modelled columns, read as a model reads them (so an
    integer stored as float and the same integer hash alike)."""
    frame = model_frame(data[modelled_columns(profile)], profile)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy()
