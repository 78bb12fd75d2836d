"""What every check found for one QA pair, for its detail view."""

from __future__ import annotations

from easy_dataset.errors import NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.quality_results import ResultView, results_for
from easy_dataset.store.dataset import QAPair


def item_results(app: App, project_ref: str | int, qa_id: int) -> list[ResultView]:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        pair = session.get(QAPair, qa_id)
        if pair is None or pair.project_id != project.id:
            raise NotFoundError(f"no QA pair {qa_id} in project {project.name!r}", subject="qa")
        return results_for(session, qa_id=qa_id)
