"""The headless demo: the bundled sample document through the pipeline, in one call."""

from __future__ import annotations

import time
from importlib.resources import as_file, files

from pydantic import BaseModel

from easy_dataset.errors import IngestError, NotFoundError
from easy_dataset.services import chunks, projects
from easy_dataset.services import files as file_service
from easy_dataset.services.app import App
from easy_dataset.services.views import ChunkView, FileView, ProjectView

SAMPLE = "beekeeping.md"


class DemoSummary(BaseModel):
    project: ProjectView
    file: FileView
    newly_added: bool
    chunks: list[ChunkView]
    seconds: float


def run_demo(app: App, project_name: str = "demo") -> DemoSummary:
    """Create (or reuse) the project, add the sample (once) and return what came of it."""
    started = time.perf_counter()
    try:
        project = projects.get_project(app, project_name)
    except NotFoundError:
        project = projects.create_project(
            app, project_name, description="The bundled beekeeping guide, split into chunks."
        )
    with as_file(files("easy_dataset.samples") / SAMPLE) as sample:
        (outcome,) = file_service.add_files(app, project.id, [sample])
    if outcome.status == "failed":
        raise IngestError(SAMPLE, outcome.error or "the sample could not be added")
    file_id = outcome.file.id if outcome.file else outcome.duplicate_of
    assert file_id is not None
    _, found = chunks.list_chunks(app, project.id, file_id=file_id, limit=100_000)
    return DemoSummary(
        project=projects.get_project(app, project.id),
        file=file_service.get_file(app, project.id, file_id),
        newly_added=outcome.status == "added",
        chunks=found,
        seconds=time.perf_counter() - started,
    )
