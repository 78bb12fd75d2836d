"""Models' runs on evaluation sets: the list, one run's report and items, and runs compared.
A run is started by the eval.run stage (POST /api/projects/{project}/stages/eval.run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from easy_dataset.evaluate.kinds import EvalKind
from easy_dataset.server.api.common import MAX_ID, IdPath, ProjectRef
from easy_dataset.server.deps import Core
from easy_dataset.services.evaluation import results
from easy_dataset.services.evaluation.results import (
    MAX_COMPARED,
    Comparison,
    ResultView,
    RunReport,
    RunView,
)

router = APIRouter(prefix="/projects/{project}/eval-runs", tags=["evaluation"])

SetFilter = Annotated[
    str | None, Query(min_length=1, max_length=200, description="Only runs on this set.")
]
RunIds = Annotated[
    list[Annotated[int, Query(ge=1, le=MAX_ID)]],
    Query(min_length=1, max_length=MAX_COMPARED, description="The runs, on one set."),
]


@router.get("")
def list_runs(project: ProjectRef, core: Core, set: SetFilter = None) -> list[RunView]:
    """The project's evaluation runs, oldest first, with each one's mean score."""
    return results.list_runs(core, project, set)


@router.get("/compare")
def compare_runs(project: ProjectRef, core: Core, run: RunIds) -> Comparison:
    """Runs of one set side by side (`?run=1&run=2`): all, each kind and each top-level
    tag, with n, mean and 95 % interval per run."""
    return results.compare_runs(core, project, run)


@router.get("/{run_id}")
def run_report(project: ProjectRef, run_id: IdPath, core: Core) -> RunReport:
    """One run's scores overall, per kind and per top-level tag, with 95 % intervals."""
    return results.run_report(core, project, run_id)


@router.get("/{run_id}/items")
def run_items(
    project: ProjectRef,
    run_id: IdPath,
    core: Core,
    kind: EvalKind | None = None,
    wrong: Annotated[bool, Query(description="Only items short of full marks.")] = False,
) -> list[ResultView]:
    """A run's per-item results: question, reference, response, score and method."""
    return results.run_results(core, project, run_id, kind=kind, wrong_only=wrong)
