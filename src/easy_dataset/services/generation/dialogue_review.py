"""Reviewing dialogues: edit one message, cut the last turns, or have the model write the
dialogue again from a chosen turn on.

Every change goes through `dialogue_columns`, so the row's question / answer columns (its
first question, last answer) stay in step with its turns and a change that would break the
dialogue's shape is refused with what is wrong. Like `edit_qa`, a confirmed dialogue may be
changed and stays confirmed: confirming says a person approved it, and a person is changing it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, validation_reasons
from easy_dataset.generate import DialogueSpec, continue_dialogue
from easy_dataset.generate.dialogue_schema import MAX_TURNS
from easy_dataset.generate.dialogues import DialogueResult
from easy_dataset.llm.context import call_scope
from easy_dataset.samples_shape import dialogue_columns, sample_messages
from easy_dataset.services.app import App
from easy_dataset.services.generation.dialogue_jobs import DEFAULT_ROLES
from easy_dataset.services.generation.review import find_pair, qa_detail
from easy_dataset.services.generation.views import QADetail
from easy_dataset.services.hygiene import recheck_pairs
from easy_dataset.services.job_support.common import language_for, open_project_model
from easy_dataset.services.projects import find_project, generation_settings
from easy_dataset.services.prompts import effective_template
from easy_dataset.services.qa_rewrite import mark_edited
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair
from easy_dataset.store.models import Chunk, SourceFile
from easy_dataset.types import Message


def _dialogue(session: Session, project_ref: str | int, qa_id: int) -> QAPair:
    row = find_pair(session, find_project(session, project_ref).id, qa_id)
    if row.kind != "dialogue":
        raise InputError(
            f"sample {qa_id} is a QA pair, not a dialogue: edit its question and answer instead",
            subject="not_dialogue",
        )
    return row


def _turns(row: QAPair) -> list[Message]:
    return sample_messages(row.kind, row.question, row.answer, row.cot, row.messages)


def _lead(turns: list[Message]) -> int:
    """1 when the dialogue opens with a system message, else 0."""
    return 1 if turns and turns[0].role == "system" else 0


def _store(session: Session, row: QAPair, turns: list[Message]) -> QADetail:
    """Write the turns (checked) and their mirrored columns, and hygiene runs again."""
    for name, value in dialogue_columns(turns).items():
        setattr(row, name, value)
    session.flush()
    recheck_pairs(session, row.project_id, [row.id])
    session.flush()
    return qa_detail(session, row)


def _change(
    app: App, project_ref: str | int, qa_id: int, change: Callable[[list[Message]], list[Message]]
) -> QADetail:
    with app.db.session() as session:
        row = _dialogue(session, project_ref, qa_id)
        before = _turns(row)
        after = change(before)
        if after == before:
            return qa_detail(session, row)
        mark_edited(row)
        return _store(session, row, after)


def edit_turn(
    app: App,
    project_ref: str | int,
    qa_id: int,
    index: int,
    *,
    content: str | None = None,
    reasoning: str | None = None,
) -> QADetail:
    """Replace the text and/or reasoning of message `index` (0-based, the system message
    counts); only the assistant reasons. A real change is noted in the provenance."""
    if content is None and reasoning is None:
        raise InputError("nothing to change: give the message's new content or reasoning")
    if content is not None and not content.strip():
        raise InputError("a message may not be empty")

    def change(turns: list[Message]) -> list[Message]:
        if not 0 <= index < len(turns):
            raise InputError(
                f"message {index} does not exist: this dialogue has messages 0 to {len(turns) - 1}"
            )
        old = turns[index]
        if reasoning is not None and reasoning.strip() and old.role != "assistant":
            raise InputError(f"message {index} is the {old.role}'s; only the assistant reasons")
        new = old.model_copy(
            update={
                "content": old.content if content is None else content.strip(),
                "reasoning": old.reasoning if reasoning is None else reasoning.strip(),
            }
        )
        return [*turns[:index], new, *turns[index + 1 :]]

    return _change(app, project_ref, qa_id, change)


def delete_last_turns(app: App, project_ref: str | int, qa_id: int, count: int = 1) -> QADetail:
    """Drop the last `count` turns (a user message and the reply to it, each); at least one
    turn stays."""
    if count < 1:
        raise InputError(f"say how many turns to delete (1 or more), not {count}")

    def change(turns: list[Message]) -> list[Message]:
        spoken = (len(turns) - _lead(turns)) // 2
        if count >= spoken:
            raise InputError(
                f"this dialogue has {spoken} {'turn' if spoken == 1 else 'turns'}; at least one "
                f"must stay, so delete at most {spoken - 1}"
            )
        return turns[: len(turns) - 2 * count]

    return _change(app, project_ref, qa_id, change)


def regenerate_from(
    app: App,
    project_ref: str | int,
    qa_id: int,
    from_turn: int,
    *,
    model: str | None = None,
    turns: int | None = None,
) -> QADetail:
    """The model writes the dialogue again from turn `from_turn` (0-based) on, with the
    sample's chunk, roles and scenario; the turns before stay as they are. `turns` is the
    total wanted (default: as many as now, and at least one new). The provenance keeps the
    turns replaced, the prompt and model that replaced them, and when."""
    with app.db.session() as session:
        row = _dialogue(session, project_ref, qa_id)
        chunk = session.get(Chunk, row.chunk_id) if row.chunk_id is not None else None
        if chunk is None:
            raise InputError(f"dialogue {qa_id} has no source chunk to write its turns from")
        source = session.get(SourceFile, chunk.file_id)
        project_id = row.project_id
        settings = generation_settings(find_project(session, project_id))
        current, provenance = _turns(row), dict(row.provenance or {})
        content, headings = chunk.content, [str(h) for h in chunk.heading_path]
        file_name = source.name if source is not None else ""
    spoken = (len(current) - _lead(current)) // 2
    if not 0 <= from_turn < spoken:
        raise InputError(
            f"turn {from_turn} does not exist: this dialogue has turns 0 to {spoken - 1}"
        )
    total = max(spoken, from_turn + 1) if turns is None else turns
    if not from_turn < total <= MAX_TURNS:
        raise InputError(
            f"turns (the total wanted) must be between {from_turn + 1} and {MAX_TURNS}, not {total}"
        )
    language: Literal["en", "zh"] = "zh" if language_for(settings, content) == "zh" else "en"
    stored_roles = provenance.get("roles")
    roles: dict[str, Any] = stored_roles if isinstance(stored_roles, dict) else {}
    try:
        spec = DialogueSpec(
            user_role=str(roles.get("user") or DEFAULT_ROLES[language][0]),
            assistant_role=str(roles.get("assistant") or DEFAULT_ROLES[language][1]),
            scenario=str(provenance.get("scenario") or ""),
            min_turns=1,
            max_turns=MAX_TURNS,
            language=language,
            reasoning=any(turn.reasoning for turn in current if turn.role == "assistant"),
        )
    except ValidationError as exc:
        raise InputError(
            f"dialogue {qa_id}'s roles or scenario cannot be written again: "
            f"{validation_reasons(exc)}"
        ) from None
    override = effective_template(app, project_id, "dialogue_continue", language)

    async def regenerate() -> DialogueResult:
        client = open_project_model(app, project_id, {"model": model})
        try:
            return await continue_dialogue(
                client,
                chunk=content,
                spec=spec,
                messages=current,
                from_turn=from_turn,
                heading_path=headings,
                title=file_name,
                turns=total,
                overrides={"dialogue_continue": override} if override is not None else None,
            )
        finally:
            await client.aclose()

    with call_scope(project_id=project_id):
        result = asyncio.run(regenerate())
    app.usage_recorder.flush()
    with app.db.session() as session:
        row = _dialogue(session, project_id, qa_id)
        if _turns(row) != current:
            raise InputError(
                f"dialogue {qa_id} changed while the model wrote its new turns; nothing was "
                "replaced: look at it again and regenerate once more if you still want to"
            )
        kept = _lead(current) + 2 * from_turn
        provenance = dict(row.provenance or {})
        provenance["turns"] = result.turns
        provenance["regenerations"] = [
            *provenance.get("regenerations", []),
            {
                "from_turn": from_turn,
                "previous": [turn.model_dump() for turn in current[kept:]],
                **result.provenance.as_dict(),
                "created": utcnow().isoformat(),
            },
        ]
        row.provenance = provenance
        return _store(session, row, result.messages)
