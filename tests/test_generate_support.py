"""Support for the generation tests (no tests here): a scripted ChatClient for the pure
functions, and projects wired to the fake server for the jobs, which use real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.types import Completion, Message, ModelConfig
from easy_dataset.services import App, files, models, projects
from easy_dataset.services.generation import update_generation_settings
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Chunk
from easy_dataset.types import ChunkSettings
from tests.helpers import write

# Three sections of a few hundred characters: three chunks under SMALL_CHUNKS.
BEES = """# Honey bees

## Workers

Worker bees are sterile females. They clean cells, feed the larvae, build wax comb,
guard the entrance and, in the last weeks of their life, forage for nectar and pollen.
A worker lives about six weeks in summer and several months in winter.

## The queen

The queen is the only fertile female of the colony. She mates early in life on a few
flights and then lays up to two thousand eggs a day. Her pheromones keep the workers
from raising another queen while she is healthy.

## Honey

Foragers carry nectar home, where house bees add enzymes and fan it with their wings
until most of the water has gone. The ripe honey is sealed under wax and eaten in
winter, when no flowers bloom.
"""
SMALL_CHUNKS = ChunkSettings(min_chars=100, max_chars=450, size=400)

Reply = str | tuple[str, str | None] | Exception  # text, (text, reasoning), or a failure


def completion(text: str, reasoning: str | None = None) -> Completion:
    return Completion(
        text=text,
        reasoning=reasoning,
        prompt_tokens=1,
        completion_tokens=1,
        usage_estimated=False,
        finish_reason="stop",
        model="stub-model",
        latency_ms=0,
        raw=text,
    )


class StubClient:
    """Answers each call with the next scripted reply and keeps what it was asked."""

    def __init__(self, *replies: Reply, structured: str = "prompt") -> None:
        self.config = ModelConfig(
            name="stub",
            provider="custom",
            base_url="http://127.0.0.1:9/v1",
            model="stub",
            structured=structured,  # type: ignore[arg-type]
            validation_retries=1,
        )
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    async def chat(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        self.calls.append({"messages": messages, "response_format": response_format})
        if not self.replies:
            raise ModelCallError("http", "the stub has no more replies")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, tuple):
            return completion(*reply)
        return completion(reply)

    async def aclose(self) -> None:
        pass

    def prompt_of(self, index: int) -> str:
        """The user message of call `index`."""
        return str(self.calls[index]["messages"][-1]["content"])


def make_project(app: App, tmp: Path, base_url: str, *, name: str = "bees", **config: Any) -> str:
    """A project with the bee document in three chunks and the fake model as its default."""
    projects.create_project(app, name, chunking=SMALL_CHUNKS)
    outcome = files.add_files(app, name, [write(tmp / f"{name}.md", BEES)])[0]
    assert outcome.status == "added", outcome.error
    settings = {"max_retries": 0, **config}
    models.add_model(
        app,
        name,
        ModelConfig(name="fake", provider="custom", base_url=base_url, model="m", **settings),
    )
    return name


def add_document(app: App, project: str, tmp: Path, name: str, text: str) -> int:
    outcome = files.add_files(app, project, [write(tmp / name, text)])[0]
    assert outcome.file is not None, outcome.error
    return outcome.file.id


def chunk_ids(app: App, project: str) -> list[int]:
    pid = projects.get_project(app, project).id
    with app.db.session() as session:
        return list(session.scalars(select(Chunk.id).where(Chunk.project_id == pid)))


def seed_qa_pairs(app: App, project: str | int, pairs: list[tuple[str, str]]) -> list[int]:
    """QA pairs (with their questions) on the project's first chunk, as the answer stage
    writes them; their ids."""
    found = projects.get_project(app, project)
    pid, chunk = found.id, chunk_ids(app, found.name)[0]
    ids = []
    with app.db.session() as session:
        for text, answer in pairs:
            question = Question(project_id=pid, chunk_id=chunk, text=text)
            session.add(question)
            session.flush()
            pair = QAPair(
                project_id=pid,
                question_id=question.id,
                chunk_id=chunk,
                question=text,
                answer=answer,
            )
            session.add(pair)
            session.flush()
            ids.append(pair.id)
    return ids


def settings(app: App, project: str, **changes: Any) -> None:
    update_generation_settings(app, project, **changes)
