"""The direction of imports: the domain (``tracker/``) imports none of its edges, and the
reports do not import each other in a loop. Read from the source with ``ast`` (every import,
at the top or inside a function), so a lazy import cannot hide a dependency."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDGES = ("api", "service", "seed", "benchmarks", "tests")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[str]:
    """Each module ``path`` imports, with the packages Python runs on the way (importing
    ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            parts = name.split(".")
            yield from (".".join(parts[:k]) for k in range(1, len(parts) + 1))


def graph(package: str) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in (ROOT / package).rglob("*.py")}
    return {
        name: {other for other in imports(path) if other in modules and other != name}
        for name, path in modules.items()
    }


def cycle_from(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    """A path of imports from ``start`` back to itself, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for following in edges.get(node, ()):
            if following == start:
                return [*path, start]
            if following not in seen:
                seen.add(following)
                stack.append((following, [*path, following]))
    return None


def test_the_domain_imports_none_of_its_edges() -> None:
    offending = [
        f"{name} imports {other}"
        for name, path in ((module_name(p), p) for p in sorted((ROOT / "tracker").rglob("*.py")))
        for other in set(imports(path))
        if other.split(".")[0] in EDGES
    ]
    assert offending == []


def test_the_reports_import_each_other_without_a_loop() -> None:
    edges = graph("tracker")
    reports = sorted(n for n in edges if n.startswith("tracker.projections"))
    loops = [loop for name in reports if (loop := cycle_from(name, edges)) is not None]
    assert loops == []


def test_the_cycle_finder_finds_a_loop_through_a_package() -> None:
    """What the reports had: the package imported each report, and the closure report
    imported its siblings through the package."""
    edges = {
        "r": {"r.closure", "r.raid"},
        "r.closure": {"r", "r.raid"},
        "r.raid": {"r"},
    }
    assert cycle_from("r.closure", edges) is not None
    assert cycle_from("leaf", {"leaf": {"r.raid"}}) is None
