"""Stages as REST routes, built from the stage registry when the app is made.

Every registered stage gets `POST /projects/{p}/stages/{name}` (start it as a job) and
`POST /projects/{p}/stages/{name}/estimate`, their bodies validated by the stage's own
`Params` (so each stage's options have their own schema in OpenAPI); `GET /stages` lists
the stages with their labels, help and option schemas.
"""

# No `from __future__ import annotations`: the route functions are made in a loop, and
# FastAPI must see each one's real `Params` class, not a name to look up.

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from starlette.concurrency import run_in_threadpool

from easy_dataset.jobs.stage import Stage, StageParams, all_stages
from easy_dataset.server.api.common import ProjectRef
from easy_dataset.server.deps import Core, submit_job
from easy_dataset.services import jobs, stages
from easy_dataset.services.job_support.estimate import Estimate
from easy_dataset.services.jobs import JobView
from easy_dataset.services.stages import StageInfo

listing = APIRouter(tags=["stages"])


@listing.get("/stages")
def list_stages() -> list[StageInfo]:
    """Every stage: its name, group, label and help (en, zh) and its options' JSON schema."""
    return stages.list_stages()


def _add_routes(router: APIRouter, stage_cls: type[Stage[Any]]) -> None:
    name = stage_cls.name
    slug = name.replace(".", "_")

    def start(project: ProjectRef, request: Request, core: Core, body: Any = None) -> JobView:
        job_id = stages.start_stage(core, project, name, **_options(body))
        submit_job(request, job_id)
        return jobs.show_job(core, job_id, failures=0, summary=False).job

    async def estimate(project: ProjectRef, core: Core, body: Any = None) -> Estimate:
        return await run_in_threadpool(stages.estimate_stage, core, project, name, **_options(body))

    # The body's type is this stage's own `Params`, known only now.
    params_type: Any = stage_cls.Params
    body_type = Annotated[
        params_type | None,
        Body(description=f"{name}'s options; an absent body takes the defaults."),
    ]
    start.__annotations__["body"] = body_type
    estimate.__annotations__["body"] = body_type

    router.add_api_route(
        f"/{name}",
        start,
        methods=["POST"],
        status_code=202,
        summary=stage_cls.label.en,
        description=f"{stage_cls.help.en} Plans the work not done yet as a job and starts it "
        "in the background; poll /api/jobs/{id}.",
        operation_id=f"start_{slug}",
        response_model=JobView,
    )
    router.add_api_route(
        f"/{name}/estimate",
        estimate,
        methods=["POST"],
        summary=f"Estimate: {stage_cls.label.en}",
        description="What starting the stage with these options would do, without starting "
        "it: items (exact); for a stage that calls a model, its calls, prompt and completion "
        "tokens and time (estimates; time is null when the usage log has no recent call of "
        "the model).",
        operation_id=f"estimate_{slug}",
        response_model=Estimate,
    )


def _options(body: StageParams | None) -> dict[str, Any]:
    """The options the client set (defaults stay defaults, unset stays unset)."""
    return {} if body is None else body.model_dump(exclude_unset=True)


def build_router() -> APIRouter:
    """The stages' routes as the registry holds them now."""
    router = APIRouter(prefix="/projects/{project}/stages", tags=["stages"])
    for stage_cls in all_stages():
        _add_routes(router, stage_cls)
    return router
