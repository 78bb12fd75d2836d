"""Reviewing QA pairs: list with filters, show with the source chunk, edit, confirm, rate,
tag, note, and revise an answer from advice."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError, validation_reasons
from easy_dataset.generate import RevisedAnswer, revise_answer
from easy_dataset.llm.context import call_scope
from easy_dataset.samples_shape import sample_messages
from easy_dataset.services.app import App
from easy_dataset.services.chunks import chunk_view
from easy_dataset.services.generation.citations import forget_citations
from easy_dataset.services.generation.qa_query import QAFilters, filtered
from easy_dataset.services.generation.views import QADetail, QAView, qa_view
from easy_dataset.services.hygiene import recheck_pairs
from easy_dataset.services.job_support.common import language_for, open_project_model
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.services.prompts import effective_template
from easy_dataset.services.qa_rewrite import ask_everywhere, mark_edited
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Chunk

MAX_SCORE = 5
MAX_USER_TAG = 100
MODEL_ANSWER = "model_answer"  # provenance: the model's answer before a person edited it


def find_pair(session: Session, project_id: int, qa_id: int) -> QAPair:
    row = session.get(QAPair, qa_id)
    if row is None or row.project_id != project_id:
        raise NotFoundError(f"no QA pair {qa_id} in this project", subject="qa")
    return row


def list_qa(
    app: App,
    project_ref: str | int,
    *,
    limit: int = 50,
    offset: int = 0,
    after: int | None = None,
    newest_first: bool = False,
    **filters: Any,
) -> list[QAView]:
    """QA pairs in id order, narrowed by `QAFilters` given as keywords.

    `after` (the last id of the previous page) pages without `offset`, at the same cost on
    page 20,000 as on page 1.
    """
    wanted = _filters(filters)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = select(QAPair).where(QAPair.project_id == project.id)
        query = filtered(query, wanted, session.get_bind().dialect.name)
        if after is not None:
            query = query.where(QAPair.id < after if newest_first else QAPair.id > after)
        query = query.order_by(QAPair.id.desc() if newest_first else QAPair.id)
        return [qa_view(row) for row in session.scalars(query.limit(limit).offset(offset))]


def count_qa(app: App, project_ref: str | int, **filters: Any) -> int:
    """How many QA pairs match `QAFilters` given as keywords."""
    wanted = _filters(filters)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        query = select(func.count(QAPair.id)).where(QAPair.project_id == project.id)
        return int(session.scalar(filtered(query, wanted, session.get_bind().dialect.name)) or 0)


def qa_neighbours(
    app: App, project_ref: str | int, qa_id: int, **filters: Any
) -> tuple[int | None, int | None]:
    """The ids just before and after `qa_id` among the pairs matching the filters, in id
    order: previous/next while reviewing a filtered list."""
    wanted = _filters(filters)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        find_pair(session, project.id, qa_id)
        query = select(QAPair.id).where(QAPair.project_id == project.id)
        query = filtered(query, wanted, session.get_bind().dialect.name)
        before = session.scalar(query.where(QAPair.id < qa_id).order_by(QAPair.id.desc()).limit(1))
        after = session.scalar(query.where(QAPair.id > qa_id).order_by(QAPair.id).limit(1))
        return before, after


def _filters(values: dict[str, Any]) -> QAFilters:
    try:
        return QAFilters(**values)
    except ValidationError as exc:
        raise InputError(f"bad QA filter: {validation_reasons(exc)}") from None


def get_qa(app: App, project_ref: str | int, qa_id: int) -> QADetail:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        return qa_detail(session, find_pair(session, project.id, qa_id))


def qa_detail(session: Session, row: QAPair) -> QADetail:
    """The sample as `get_qa` shows it: with its chunk and, for a dialogue, its turns."""
    chunk = session.get(Chunk, row.chunk_id) if row.chunk_id is not None else None
    messages = None
    if row.kind == "dialogue":
        messages = sample_messages(row.kind, row.question, row.answer, row.cot, row.messages)
    return QADetail(
        **qa_view(row).model_dump(),
        chunk=chunk_view(chunk) if chunk is not None else None,
        messages=messages,
    )


def refuse_dialogue(row: QAPair, action: str) -> None:
    """A dialogue's question and answer mirror its turns: changing them alone would split
    the two, so a QA pair's text actions refuse it."""
    if row.kind == "dialogue":
        raise InputError(
            f"sample {row.id} is a dialogue: {action} works on QA pairs; edit, cut or "
            "regenerate the dialogue's turns instead",
            subject="is_dialogue",
        )


def _update(app: App, project_ref: str | int, qa_id: int, **values: object) -> QAView:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_pair(session, project.id, qa_id)
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
        return qa_view(row)


def edit_qa(
    app: App,
    project_ref: str | int,
    qa_id: int,
    *,
    question: str | None = None,
    answer: str | None = None,
    cot: str | None = None,
    confirmed: bool | None = None,
) -> QAView:
    """Replace the question, answer and/or chain of thought, and confirm (or un-confirm) the
    pair in the same transaction, so a confirmation never leaves an edit behind.

    Text that really changes is noted in the provenance (`edited`; the first changed answer
    also keeps the model's answer as `model_answer`); a new question is asked
    by the pair's Question row, and so by every pair of that question, too, so the
    Questions list shows what the pair asks. The hygiene check runs again on every pair
    whose text changed, so a flag the edit fixed is gone at once."""
    values: dict[str, str] = {}
    for name, text in (("question", question), ("answer", answer)):
        if text is not None:
            if not text.strip():
                raise InputError(f"the {name} may not be empty")
            values[name] = text.strip()
    if cot is not None:
        values["cot"] = cot.strip()
    if not values and confirmed is None:
        raise InputError(
            "nothing to change: give a question, an answer, a chain of thought or a confirmation"
        )
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_pair(session, project.id, qa_id)
        if values:
            refuse_dialogue(row, "editing the question, answer or reasoning")
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if "answer" in changed and MODEL_ANSWER not in (row.provenance or {}):
            # The model's answer as the first edit found it: the rejected side of an edit
            # preference pair. Later edits keep it; a model's rewrite clears it.
            row.provenance = {**(row.provenance or {}), MODEL_ANSWER: row.answer}
        for name, value in changed.items():
            setattr(row, name, value)
        if changed:
            mark_edited(row)
        if "answer" in changed:
            forget_citations(session, row)
        if confirmed is not None:
            row.confirmed = confirmed
        touched = [row.id] if changed else []
        if "question" in changed and row.question_id is not None:
            touched += ask_everywhere(session, project.id, row.question_id, changed["question"])
        session.flush()
        recheck_pairs(session, project.id, touched)
        session.flush()
        return qa_view(row)


def confirm_qa(
    app: App, project_ref: str | int, qa_ids: list[int], confirmed: bool = True
) -> list[QAView]:
    """Mark QA pairs confirmed (or not); all ids must exist, or nothing changes."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = [find_pair(session, project.id, qa_id) for qa_id in dict.fromkeys(qa_ids)]
        for row in rows:
            row.confirmed = confirmed
        session.flush()
        return [qa_view(row) for row in rows]


def rate_qa(app: App, project_ref: str | int, qa_id: int, score: float | None) -> QAView:
    """A reviewer's score from 0 to 5, or None to clear it."""
    if score is not None and not 0 <= score <= MAX_SCORE:
        raise InputError(f"a score runs from 0 to {MAX_SCORE}, not {score}")
    return _update(app, project_ref, qa_id, score=score)


def tag_qa(
    app: App,
    project_ref: str | int,
    qa_id: int,
    tags: list[str],
    *,
    mode: Literal["add", "remove", "set"] = "add",
) -> QAView:
    """Add, remove or set the reviewer's own tags (kept apart from the domain tag)."""
    cleaned = [" ".join(tag.split()) for tag in tags]
    if any(not tag or len(tag) > MAX_USER_TAG for tag in cleaned):
        raise InputError(f"a tag needs 1 to {MAX_USER_TAG} characters")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_pair(session, project.id, qa_id)
        current = [str(tag) for tag in row.user_tags or []]
        if mode == "set":
            current = cleaned
        elif mode == "add":
            current = current + [tag for tag in cleaned if tag not in current]
        else:
            current = [tag for tag in current if tag not in cleaned]
        row.user_tags = list(dict.fromkeys(current))
        session.flush()
        return qa_view(row)


def note_qa(app: App, project_ref: str | int, qa_id: int, text: str) -> QAView:
    return _update(app, project_ref, qa_id, note=text.strip())


def revise_qa(
    app: App, project_ref: str | int, qa_id: int, advice: str, *, model: str | None = None
) -> QAView:
    """Ask the project's model to rewrite the answer following `advice`; the revision (advice,
    prompt, model, time) is added to the pair's provenance."""
    if not advice.strip():
        raise InputError("say what should change in the answer")
    with app.db.session() as session:
        project = find_project(session, project_ref)
        row = find_pair(session, project.id, qa_id)
        refuse_dialogue(row, "revising the answer")
        chunk = session.get(Chunk, row.chunk_id) if row.chunk_id is not None else None
        if chunk is None:
            raise InputError(f"QA pair {qa_id} has no source chunk to revise it against")
        project_id, settings = project.id, generation_settings(project)
        question, answer, content = row.question, row.answer, chunk.content
    language = language_for(settings, content)
    override = effective_template(app, project_id, "answer_revise", language)

    async def revise() -> RevisedAnswer:
        client = open_project_model(app, project_id, {"model": model})
        try:
            return await revise_answer(
                client,
                question=question,
                answer=answer,
                chunk=content,
                advice=advice.strip(),
                language=language,
                override=override,
            )
        finally:
            await client.aclose()

    with call_scope(project_id=project_id):
        revised = asyncio.run(revise())
    app.usage_recorder.flush()
    with app.db.session() as session:
        row = find_pair(session, project_id, qa_id)
        provenance = dict(row.provenance or {})
        provenance.pop(MODEL_ANSWER, None)  # the answer is the model's again
        provenance["revisions"] = [
            *provenance.get("revisions", []),
            {
                "advice": advice.strip(),
                "previous": answer,
                **revised.provenance.as_dict(),
                "created": utcnow().isoformat(),
            },
        ]
        row.answer, row.provenance = revised.answer, provenance
        forget_citations(session, row)
        session.flush()
        recheck_pairs(session, project_id, [row.id])
        session.flush()
        return qa_view(row)
