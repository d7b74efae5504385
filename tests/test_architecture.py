"""The package's shape: imports flow one way, no private SDV state is read, the CLI is light."""

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sdv_pillars"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports, anywhere in its body (deferred imports too)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def test_import_graph_has_no_circle():
    graph = _import_graph()
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"import circle: {' -> '.join(error.args[1])}")


@pytest.mark.parametrize("low, high", [
    ("sdv_pillars.quality", "sdv_pillars.synthesizer"),
    ("sdv_pillars.quality", "sdv_pillars.relational.synthesizer"),
    ("sdv_pillars.rules", "sdv_pillars.quality"),
    ("sdv_pillars.missingness", "sdv_pillars.quality"),
    ("sdv_pillars.table_pillars", "sdv_pillars.quality"),
    ("sdv_pillars.quality.vocabulary", "sdv_pillars.quality"),
    ("sdv_pillars.quality.report", "sdv_pillars.quality.result"),
    ("sdv_pillars.quality.figure", "sdv_pillars.quality.result"),
])
def test_no_arrow_runs_back_up(low, high):
    graph = _import_graph()
    wrong = {(m, t) for m, targets in graph.items() if m.startswith(low)
             for t in targets if t.startswith(high)}
    assert not wrong


def test_no_private_sdv_state_is_read():
    private = ("_chained_constraints", "_table_synthesizers", "_reject_sampling_constraints")
    hits = [f"{p.name}: {word}" for p in PACKAGE.rglob("*.py") for word in private
            if word in p.read_text()]
    assert not hits


def test_cli_import_loads_no_torch():
    code = "import sys, sdv_pillars.cli; assert 'torch' not in sys.modules and 'sdv' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
