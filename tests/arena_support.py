"""Support for the arena tests (no tests here): a project with two models on the fake
server whose answers are scripted, and battles written straight into the table."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, models, projects
from easy_dataset.store.evaluation import ArenaBattle, EvalItem, EvalSet
from tests.test_generate_support import make_project

QUESTIONS = ["Who lays the eggs?", "How long does a worker live?", "What is honey made of?"]


def two_models(app: App, tmp: Path, base_url: str, name: str = "bees") -> str:
    """The bee project with model configurations "alpha" (fake model m-a) and "beta" (m-b)."""
    make_project(app, tmp, base_url, name=name)
    for config, model in (("alpha", "m-a"), ("beta", "m-b")):
        models.add_model(
            app,
            name,
            ModelConfig(
                name=config, provider="custom", base_url=base_url, model=model, max_retries=0
            ),
        )
    return name


def eval_set(app: App, project: str, questions: list[str], name: str = "holdout") -> list[int]:
    """An evaluation set of open questions; its items' ids."""
    pid = projects.get_project(app, project).id
    with app.db.session() as session:
        found = EvalSet(project_id=pid, name=name)
        session.add(found)
        session.flush()
        items = [
            EvalItem(project_id=pid, set_id=found.id, kind="open", question=text, answer="-")
            for text in questions
        ]
        session.add_all(items)
        session.flush()
        return [item.id for item in items]


def battles(
    app: App, project: str, rows: list[tuple[str, str, bool]], models_: tuple[str, str]
) -> list[int]:
    """Unvoted battles (prompt, answer of model a, swapped?) between two models; their ids.
    Model b's answer is the prompt's answer with " (b)" added."""
    pid = projects.get_project(app, project).id
    with app.db.session() as session:
        made = [
            ArenaBattle(
                project_id=pid,
                prompt=prompt,
                model_a=models_[0],
                model_b=models_[1],
                answer_a=answer,
                answer_b=f"{answer} (b)",
                swapped=swapped,
            )
            for prompt, answer, swapped in rows
        ]
        session.add_all(made)
        session.flush()
        return [row.id for row in made]
