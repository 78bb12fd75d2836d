"""Imports point down the layers (DESIGN.md): no module imports from a layer above its own.

Every module of the package is read with `ast`, so imports inside functions and under
`TYPE_CHECKING` count as much as those at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import easy_dataset

PACKAGE = Path(easy_dataset.__file__).parent

# From the top down; a module may import from its own layer and the layers below it. An
# entry names a module and everything under it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "interfaces",
        (
            "easy_dataset",  # the package itself only: `Workspace` and `Project` from api
            "easy_dataset.__main__",
            "easy_dataset.api",
            "easy_dataset.cli",
            "easy_dataset.server",
        ),
    ),
    ("services", ("easy_dataset.services",)),
    ("jobs", ("easy_dataset.jobs",)),
    (
        "domain",
        (
            "easy_dataset.generate",
            "easy_dataset.evaluate",
            "easy_dataset.quality",
            "easy_dataset.export",
            "easy_dataset.ingest",
            "easy_dataset.chunking",
            "easy_dataset.evaluate",
            "easy_dataset.train",
        ),
    ),
    ("model access", ("easy_dataset.llm", "easy_dataset.prompts")),
    ("storage", ("easy_dataset.store",)),
    (
        "base",
        (
            "easy_dataset.types",
            "easy_dataset.errors",
            "easy_dataset.config",
            "easy_dataset.markdown_headings",
            "easy_dataset.text_safety",
            "easy_dataset.samples_shape",
        ),
    ),
)

# Inside services: the generation and quality packages never import each other; what both
# use lives in the shared modules, which import neither.
SERVICE_PACKAGES = ("easy_dataset.services.generation", "easy_dataset.services.quality")
SERVICE_SHARED = (
    "easy_dataset.services.job_support",
    "easy_dataset.services.quality_results",
    "easy_dataset.services.quality_settings",
    "easy_dataset.services.embeddings",
    "easy_dataset.services.hygiene",
    "easy_dataset.services.qa_rewrite",
)


def _under(module: str, entry: str) -> bool:
    if entry == "easy_dataset":
        return module == entry
    return module == entry or module.startswith(entry + ".")


def _within(module: str, entries: tuple[str, ...]) -> str | None:
    return next((entry for entry in entries if _under(module, entry)), None)


def layer_of(module: str) -> int:
    """The layer's place in `LAYERS` (0 is the top); a module in none fails the test."""
    for rank, (_, entries) in enumerate(LAYERS):
        if _within(module, entries) is not None:
            return rank
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def package_modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["easy_dataset", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of the package that `source` imports (a name imported from a package
    counts as its submodule when it is one)."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in known else base)
    return {name for name in targets if name == "easy_dataset" or name.startswith("easy_dataset.")}


def violations(module: str, targets: set[str]) -> list[str]:
    """The imports of `module` that point up a layer or across the services packages."""
    found: list[str] = []
    rank = layer_of(module)
    for target in sorted(targets):
        above = layer_of(target)
        if above < rank:
            found.append(f"{module} ({LAYERS[rank][0]}) imports {target} ({LAYERS[above][0]})")
        home, other = _within(module, SERVICE_PACKAGES), _within(target, SERVICE_PACKAGES)
        if other is not None and other != home and home is not None:
            found.append(f"{module} imports {target}: generation and quality are siblings")
        if other is not None and _within(module, SERVICE_SHARED) is not None:
            found.append(f"{module} is shared by generation and quality but imports {target}")
    return found


def test_every_import_points_down() -> None:
    modules = package_modules()
    known = set(modules)
    found: list[str] = []
    for module, path in modules.items():
        targets = imported(module, path.read_text(encoding="utf-8"), path.stem == "__init__", known)
        found.extend(violations(module, targets))
    assert not found, "imports against the layers:\n" + "\n".join(found)


def test_an_import_up_or_across_is_found() -> None:
    known = {
        "easy_dataset.jobs.runner",
        "easy_dataset.services.app",
        "easy_dataset.services.generation",
        "easy_dataset.services.generation.review",
        "easy_dataset.services.quality.checks",
    }
    lazy_up = "def run():\n    from easy_dataset.services.app import App\n"
    runner = "easy_dataset.jobs.runner"
    assert violations(runner, imported(runner, lazy_up, False, known)) == [
        f"{runner} (jobs) imports easy_dataset.services.app (services)"
    ]
    relative_across = "from ..generation import review\n"
    checks = "easy_dataset.services.quality.checks"
    assert imported(checks, relative_across, False, known) == {
        "easy_dataset.services.generation.review"
    }
    assert violations(checks, imported(checks, relative_across, False, known)) == [
        f"{checks} imports easy_dataset.services.generation.review: generation and quality "
        "are siblings"
    ]
    shared = "easy_dataset.services.job_support.estimate"
    assert violations(shared, {checks}) == [
        f"{shared} is shared by generation and quality but imports {checks}"
    ]
    down = "from easy_dataset.store.db import Database\nimport easy_dataset.errors\nimport numpy\n"
    env = "easy_dataset.jobs.env"
    assert imported(env, down, False, known) == {"easy_dataset.store.db", "easy_dataset.errors"}
    assert violations(env, imported(env, down, False, known)) == []
