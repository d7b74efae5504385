"""SDV's own integration tests, with the import swapped: how much of SDV's behaviour the
drop-in classes keep.

SDV's test suite is not vendored here. Give a checkout of SDV's repository (1.38, the newest
whose tests this was written against): the script ports ``tests/integration/single_table/
test_copulas.py``, ``test_base.py`` and ``multi_table/test_hma.py`` to the SDV 2 API
mechanically (``{table: DataFrame}`` in and out of single-table synthesizers,
``sample_scale`` for HMA's scale, the moved evaluation module), writes two copies of each
(plain SDV, and the same file with ``from sdv.single_table`` / ``from sdv.multi_table``
replaced by ``sdv_pillars``), runs both, and reports, of the tests that pass on plain SDV 2,
how many pass with the import swapped. Tests that cannot run here (SDV's demo datasets are
downloaded at run time) fail on both sides and are not counted.

    python benchmarks/sdv_suite.py /path/to/SDV
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

SYNTHESIZER_NAMES = (r"\b(synthesizer|synth|instance|model|gc|loaded_synthesizer|custom_synthesizer"
                     r"|transformers_synthesizer|anonymization_synthesizer)")
SINGLE_TABLE_HELPERS = '''

def _returns_table(method):  # port: SDV 2 returns {table_name: DataFrame}
    def call(*args, **kwargs):
        data = method(*args, **kwargs)
        return next(iter(data.values())) if isinstance(data, dict) else data
    return call


def _wrap(synthesizer, data):  # port: SDV 2 takes {table_name: DataFrame}
    return data if isinstance(data, dict) else {synthesizer._table_name: data}
'''


def port_hma(source: str) -> str:
    s = source.replace("from sdv.evaluation.multi_table import", "from sdv.evaluation import")
    s = s.replace("from sdv.metadata import MultiTableMetadata\n", "")
    s = s.replace("MultiTableMetadata", "Metadata")
    s = re.sub(r"\.sample\(\)", ".sample_scale()", s)
    s = re.sub(r"\.sample\(scale=", ".sample_scale(scale=", s)
    return re.sub(r"\.sample\((\d+(\.\d+)?)\)", r".sample_scale(\1)", s)


def port_single_table(source: str) -> str:
    s = source.replace("from sdv.evaluation.single_table import", "from sdv.evaluation import")
    s = s.replace("from sdv.metadata import SingleTableMetadata\n", "")
    s = s.replace("    CustomLabelEncoder,\n", "")
    for method in ("fit", "preprocess", "validate"):
        s = re.sub(SYNTHESIZER_NAMES + rf"\.{method}\((\w+)\)", rf"\1.{method}(_wrap(\1, \2))", s)
    for method in ("sample", "sample_from_conditions", "sample_remaining_columns"):
        s = re.sub(SYNTHESIZER_NAMES + rf"\.{method}\(", rf"_returns_table(\1.{method})(", s)
    return s + SINGLE_TABLE_HELPERS


def swap_imports(source: str) -> str:
    swapped = source.replace("from sdv.single_table import", "from sdv_pillars.single_table import")
    return swapped.replace("from sdv.multi_table import HMASynthesizer",
                           "from sdv_pillars.multi_table import HMASynthesizer")


def outcomes(root: Path, test_file: Path) -> dict[str, str]:
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider",
                          "-o", "addopts=", str(test_file.relative_to(root))],
                         cwd=root, capture_output=True, text=True)
    found = {}
    for line in run.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("PASSED", "FAILED", "ERROR") and "::" in parts[1]:
            found[parts[1].split("::", 1)[1]] = parts[0]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sdv_checkout", type=Path, help="a checkout of SDV's repository")
    args = parser.parse_args()
    root = args.sdv_checkout.resolve()
    files = {"multi_table/test_hma": port_hma, "single_table/test_copulas": port_single_table,
             "single_table/test_base": port_single_table}
    total_plain = total_swapped = 0
    for name, port in files.items():
        source = (root / "tests/integration" / f"{name}.py").read_text()
        plain_file = root / "tests/integration" / f"{name}_ported_plain.py"
        swapped_file = root / "tests/integration" / f"{name}_ported_swapped.py"
        plain_file.write_text(port(source))
        swapped_file.write_text(swap_imports(port(source)))
        plain, swapped = outcomes(root, plain_file), outcomes(root, swapped_file)
        passing = [t for t, status in plain.items() if status == "PASSED"]
        kept = [t for t in passing if swapped.get(t) == "PASSED"]
        total_plain, total_swapped = total_plain + len(passing), total_swapped + len(kept)
        print(f"{name}: {len(plain)} tests, {len(passing)} pass on plain SDV 2, "
              f"{len(kept)} of those with the import swapped")
        for test in passing:
            if swapped.get(test) != "PASSED":
                print(f"    differs: {test}")
    share = total_swapped / total_plain if total_plain else float("nan")
    print(f"all: {total_swapped} of {total_plain} ({share:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
