"""The folders show the data flow, and imports follow it.

registry -> detect -> insider -> incident -> notify / reports -> web, with ``store``
beneath them all and ``cli`` and ``samples`` on top. A package may import packages at
its own rank or below, never one further down the flow. ``law`` is the rule book: a
pure engine over its own input model that imports nothing of breachdesk but
``errors``, so every step from ``incident`` on may consult it.

The check reads every module's imports with ``ast``, top-level and function-level
alike, so a lazy import that runs back up the flow fails too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import breachdesk

PACKAGE = Path(breachdesk.__file__).parent

RANK: dict[str, float] = {
    "errors": 0,
    "settings": 0,
    "store": 0.5,
    "registry": 1,
    "workspace": 1.5,
    "detect": 2,
    "insider": 2.5,
    "incident": 3,
    "notify": 4,
    "reports": 4,
    "web": 5,
    "cli": 6,
    "samples": 7,
    "__main__": 8,
    "breachdesk": 0,
}
LAW_MAY_IMPORT = {"errors", "law"}
LAW_USERS_FROM = RANK["incident"]


def _area(parts: tuple[str, ...]) -> str:
    head = parts[0]
    return head.removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            bits = name.split(".")
            if bits[0] == "breachdesk":
                found.append((node.lineno, bits[1] if len(bits) > 1 else "breachdesk"))
    return found


def _violations() -> list[str]:
    bad: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        src = _area(path.relative_to(PACKAGE).parts)
        if src == "__init__":
            continue
        for line, dst in _imports(path):
            if dst == src:
                continue
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if src == "law":
                if dst not in LAW_MAY_IMPORT:
                    bad.append(f"{where}: law imports {dst} (the rule book stays pure)")
                continue
            if dst == "law":
                if RANK[src] < LAW_USERS_FROM:
                    bad.append(f"{where}: {src} consults law before the incident exists")
                continue
            if src not in RANK or dst not in RANK:
                bad.append(f"{where}: {src} -> {dst}: area missing from the RANK table")
            elif RANK[dst] > RANK[src]:
                bad.append(f"{where}: {src} imports {dst}, which is further down the flow")
    return bad


def test_every_area_is_ranked() -> None:
    areas = {
        _area(p.relative_to(PACKAGE).parts)
        for p in PACKAGE.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"
    }
    areas.discard("__init__")
    assert areas <= set(RANK) | {"law"}, sorted(areas - set(RANK) - {"law"})


def test_no_import_runs_back_up_the_flow() -> None:
    assert _violations() == []


def test_demo_scenes_live_in_samples() -> None:
    scenes = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*scene*.py"))
    assert scenes and all(s.startswith("samples/") for s in scenes), scenes


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The checker is not vacuous: an upstream module importing a downstream one fails."""
    bad = tmp_path / "m.py"
    bad.write_text("def f():\n    from breachdesk.notify import plan\n", encoding="utf-8")
    assert _imports(bad) == [(2, "notify")]
    assert RANK["notify"] > RANK["incident"]
