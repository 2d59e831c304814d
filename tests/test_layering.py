"""The layering rules of the architecture, checked on the installed tree.

1. Simulators import codecs only, never the drivers.
2. Scenario and attack code never imports the simulators: a verdict may only
   use what a real device would show.
3. No import circle between modules (counting every import, also the ones
   under TYPE_CHECKING and inside functions).

Import checks run in a fresh interpreter, because in the test process the
drivers are already loaded by other tests and sys.modules would prove nothing.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import harness

PACKAGE = Path(harness.__file__).parent

SIMULATORS = (
    "harness.virtual.modem",
    "harness.virtual.card",
    "harness.virtual.network",
    "harness.virtual.vpcd",
    "harness.virtual.bench",
    "harness.virtual.simulate",
    "harness.virtual.serve",
    "harness.virtual.api",
)
DRIVERS = ("harness.sim.link", "harness.sim.card", "harness.sim.pin_service", "harness.modem")
VERDICT_PACKAGES = ("harness.scenarios", "harness.attack")
BASE = (
    "harness.errors",
    "harness.safety",
    "harness.secret_ins",
    "harness.secrets",
    "harness.transcript",
    "harness.transport",
)
BASE_MAY_LOAD = ("harness", *BASE)


def _loaded_after_import(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    probe = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"prefixes = {prefixes!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if any(m == p or m.startswith(p + '.') for p in prefixes))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return list(json.loads(done.stdout))


def _modules_under(package: str) -> list[str]:
    path = PACKAGE.joinpath(*package.split(".")[1:])
    found = [package]
    for info in pkgutil.walk_packages([str(path)], prefix=package + "."):
        found.append(info.name)
    return found


@pytest.mark.parametrize("module", SIMULATORS)
def test_a_simulator_loads_no_driver(module: str) -> None:
    assert _loaded_after_import([module], DRIVERS) == [], f"{module} loads driver modules"


def test_the_base_loads_nothing_above_it() -> None:
    """errors, safety, secrets, transcript, transport: the bottom of the stack."""
    loaded = _loaded_after_import(list(BASE), ("harness",))
    assert sorted(set(loaded) - set(BASE_MAY_LOAD)) == []


@pytest.mark.parametrize("package", VERDICT_PACKAGES)
def test_verdict_code_never_loads_a_simulator(package: str) -> None:
    """Every module of the package, imported together, loads no `harness.virtual` module."""
    modules = _modules_under(package)
    assert len(modules) > 3, f"found too few modules under {package}: {modules}"
    assert _loaded_after_import(modules, ("harness.virtual",)) == []


def _imports(path: Path, module: str, is_package: bool) -> Iterator[str]:
    """Every harness module that `module` names in an import, at any depth of its code."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    files: dict[str, tuple[Path, bool]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["harness", *path.relative_to(PACKAGE).with_suffix("").parts]
        is_package = parts[-1] == "__init__"
        files[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return {
        module: {n for n in _imports(path, module, pkg) if n in files and n != module}
        for module, (path, pkg) in files.items()
    }


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            child = next(edges, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_between_modules() -> None:
    graph = import_graph()
    assert "harness.sim.card" in graph and "harness.sim.pin_service" in graph["harness.sim.card"]
    assert import_cycles(graph) == []
