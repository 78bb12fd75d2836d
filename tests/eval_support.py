"""Support for the evaluation tests (no tests here): evaluation sets written straight into
the tables, two scripted models on the fake server, and their expected scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, models, projects
from easy_dataset.store.evaluation import EvalItem, EvalSet


@dataclass
class Item:
    """An evaluation item as the tests write it."""

    kind: str
    question: str
    answer: str
    options: list[str] = field(default_factory=list)
    tag_path: list[str] = field(default_factory=list)


def make_set(app: App, project: str, name: str, items: list[Item]) -> list[int]:
    """An evaluation set with these items; their ids in order."""
    project_id = projects.get_project(app, project).id
    with app.db.session() as session:
        eval_set = EvalSet(project_id=project_id, name=name)
        session.add(eval_set)
        session.flush()
        rows = [
            EvalItem(
                project_id=project_id,
                set_id=eval_set.id,
                kind=item.kind,
                question=item.question,
                options=item.options,
                answer=item.answer,
                tag_path=item.tag_path,
                origin="manual",
            )
            for item in items
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


# Six items: four closed, one short answer, one open, under two top-level tags.
QUIZ = [
    Item("true_false", "Worker bees are sterile females.", "true", tag_path=["Bees"]),
    Item(
        "single_choice",
        "Which bee lays the eggs of the colony?",
        "B",
        ["A worker", "The queen", "A drone", "A forager"],
        ["Bees"],
    ),
    Item(
        "multiple_choice",
        "Which tasks do worker bees do?",
        "AC",
        ["Clean cells", "Lay eggs", "Build wax comb", "Mate on flights"],
        ["Work"],
    ),
    Item(
        "single_choice",
        "How long does a worker live in summer?",
        "B",
        ["One day", "About six weeks", "Ten years"],
        ["Work"],
    ),
    Item("short_answer", "What do bees store to live through winter?", "honey", tag_path=["Work"]),
    Item(
        "open",
        "Why is ripe honey sealed under wax?",
        "To keep ripe honey for winter, when no flowers bloom.",
        tag_path=["Work"],
    ),
]

# What each model answers, by a piece of each question. Model A gets 3 of the 4 closed items
# right; model B gets 2, with partial credit on the multiple-choice item (A, B, C for A, C:
# (2 right - 1 wrong) / 2 = 0.5).
ANSWERS = {
    "m-a": {
        "sterile females": "True.",
        "lays the eggs": "Answer: B",
        "tasks do worker": "A, C",
        "live in summer": "C",
        "through winter": "Honey.",
        "sealed under wax": "It keeps the ripe honey for winter when no flowers bloom.",
    },
    "m-b": {
        "sterile females": "False",
        "lays the eggs": "(b)",
        "tasks do worker": "The correct options are A, B and C.",
        "live in summer": "B. About six weeks",
        "through winter": "Nectar",
        "sealed under wax": "Bees like wax.",
    },
}


def scripted(answers: dict[str, dict[str, str]] = ANSWERS) -> list[dict[str, str]]:
    """`Faults.replies` for the two models."""
    return [
        {"model": model, "contains": piece, "reply": reply}
        for model, replies in answers.items()
        for piece, reply in replies.items()
    ]


def add_models(app: App, project: str, base_url: str, **settings: Any) -> None:
    """Configurations "model-a" and "model-b" (models m-a, m-b) beside the default "fake"."""
    for name, model in (("model-a", "m-a"), ("model-b", "m-b")):
        models.add_model(
            app,
            project,
            ModelConfig(
                name=name,
                provider="custom",
                base_url=base_url,
                model=model,
                **{"max_retries": 0, **settings},
            ),
        )


def bees_project(app: App, tmp: Path, base_url: str) -> str:
    """A project with the fake model as default ("fake", the judge), models A and B and
    the quiz set."""
    from tests.test_generate_support import make_project

    make_project(app, tmp, base_url)
    add_models(app, "bees", base_url)
    make_set(app, "bees", "quiz", QUIZ)
    return "bees"
