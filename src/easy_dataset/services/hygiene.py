"""The hygiene check (see `generate.hygiene`): recorded where questions and answers are
committed, re-run on a pair whenever a person edits its text, and runnable as a scan over
existing QA pairs (`quality.hygiene_job`), which stores the safe repairs and flags the
rest. A result of kind "hygiene" is flagged when something could not be repaired; a pair
only repaired by a scan keeps a result that is not flagged (what was repaired), so the
repair stays visible.

A confirmed pair is never rewritten: a repair it needs is flagged (`needs_repair`, with
the text the repair would make under `proposed`) for a reviewer to accept or not. A
repair on an unconfirmed pair is stamped in its provenance (`edited`, `edited_by`
"hygiene"), and a repaired question is asked by its Question row and every pair of it,
unless one of them is confirmed (then it is flagged instead).

A dialogue is checked turn by turn (`quality.dialogue_hygiene`): its fields are its
messages (`messages[<index>].content`, `.reasoning`), and a repair rewrites the message and
the first question and last answer mirrored in its columns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.generate.hygiene import PairHygiene, check_pair, check_question
from easy_dataset.quality.dialogue_hygiene import check_turns, texts_of, with_texts
from easy_dataset.samples_shape import dialogue_columns, sample_messages
from easy_dataset.services.app import App
from easy_dataset.services.projects import find_project
from easy_dataset.services.qa_rewrite import ask_everywhere, mark_edited
from easy_dataset.services.quality_results import record
from easy_dataset.store.dataset import QAPair, QualityResult, Question
from easy_dataset.types import Message

KIND = "hygiene"
BY = "hygiene"  # who edited a pair, in its provenance
FIELDS = ("question", "answer", "cot")


@dataclass(frozen=True)
class _Found:
    """What hygiene finds in one sample, field by field: its texts as stored and repaired,
    the repairs and the issues ({field, reason})."""

    texts: dict[str, str]
    repaired: dict[str, str]
    repairs: dict[str, tuple[str, ...]]
    issues: list[dict[str, str]]

    def due(self) -> dict[str, str]:
        """The texts hygiene would repair, repaired."""
        return {
            name: self.repaired[name]
            for name, text in self.texts.items()
            if text != self.repaired[name]
        }


def _messages(pair: QAPair) -> list[Message]:
    return sample_messages(pair.kind, pair.question, pair.answer, pair.cot, pair.messages)


def _check(pair: QAPair) -> _Found:
    if pair.kind == "dialogue":
        turns = _messages(pair)
        dialogue = check_turns(turns)
        issues = [{"field": name, "reason": reason} for name, reason in dialogue.issues]
        return _Found(texts_of(turns), dialogue.texts(), dict(dialogue.repairs), issues)
    now = check_pair(pair.question, pair.answer, pair.cot)
    return _Found(
        {name: getattr(pair, name) for name in FIELDS},
        {name: getattr(now, name) for name in FIELDS},
        dict(now.repairs),
        [issue.as_dict() for issue in now.issues],
    )


def _write(pair: QAPair, texts: dict[str, str]) -> None:
    """Store repaired texts into the pair (a dialogue's messages and mirrored columns)."""
    if pair.kind != "dialogue":
        for name, text in texts.items():
            setattr(pair, name, text)
        return
    for name, value in dialogue_columns(with_texts(_messages(pair), texts)).items():
        setattr(pair, name, value)


def _record(
    session: Session,
    project_id: int,
    found: PairHygiene,
    *,
    qa_id: int | None = None,
    question_id: int | None = None,
    job_id: int | None = None,
) -> bool:
    if not found.flagged:
        return False
    record(
        session,
        project_id,
        KIND,
        qa_id=qa_id,
        question_id=question_id,
        flagged=True,
        detail=found.detail(),
        job_id=job_id,
    )
    return True


def record_question(
    session: Session, project_id: int, question: Question, job_id: int | None = None
) -> bool:
    """Flag a question just stored (flushed) if hygiene finds what it cannot repair."""
    return _record(
        session, project_id, check_question(question.text), question_id=question.id, job_id=job_id
    )


def record_pair(session: Session, project_id: int, pair: QAPair, job_id: int | None = None) -> bool:
    """Flag a sample just stored (flushed) if hygiene finds what it cannot repair."""
    found = _check(pair)
    if not found.issues:
        return False
    record(
        session,
        project_id,
        KIND,
        qa_id=pair.id,
        flagged=True,
        detail={"issues": found.issues, "repairs": _repairs(found)},
        job_id=job_id,
    )
    return True


def _repairs(found: _Found, only: Iterable[str] | None = None) -> dict[str, list[str]]:
    """The repairs of each field (of those in `only`, if given) that had any."""
    names = found.repairs if only is None else only
    return {
        name: [str(r) for r in found.repairs.get(name, ())]
        for name in names
        if found.repairs.get(name)
    }


def _shared_question(session: Session, pair: QAPair) -> Question | None:
    """The pair's Question row when it asks what the pair asks (a repair goes to both)."""
    if pair.question_id is None or pair.kind == "dialogue":
        return None
    question = session.get(Question, pair.question_id)
    return question if question is not None and question.text == pair.question else None


def _held(session: Session, pair: QAPair, due: dict[str, str]) -> dict[str, str]:
    """The repairs nobody but a reviewer may make: all of a confirmed sample's, and a
    question's that another, confirmed pair of the same question asks, and one that would
    leave a dialogue's message empty (a dialogue has no empty turn: a reviewer decides)."""
    if pair.confirmed:
        return due
    if pair.kind == "dialogue":
        return {name: text for name, text in due.items() if not text and "content" in name}
    if "question" in due and (question := _shared_question(session, pair)) is not None:
        confirmed = session.scalar(
            select(QAPair.id)
            .where(
                QAPair.question_id == question.id,
                QAPair.id != pair.id,
                QAPair.confirmed.is_(True),
            )
            .limit(1)
        )
        if confirmed is not None:
            return {"question": due["question"]}
    return {}


def _detail(found: _Found, held: dict[str, str], repairs: dict[str, Any]) -> dict[str, Any]:
    issues = [*found.issues, *({"field": name, "reason": "needs_repair"} for name in held)]
    detail: dict[str, Any] = {"issues": issues, "repairs": repairs, "flagged": bool(issues)}
    if held:
        detail["proposed"] = {
            name: {"text": text, "repairs": list(found.repairs.get(name, ()))}
            for name, text in held.items()
        }
    return detail


def repair_pair(session: Session, pair: QAPair) -> dict[str, Any]:
    """Make the safe repairs of one sample now, where they may be made (see the module), and
    say what a result of the scan keeps: issues, repairs made, repairs held, flagged."""
    found = _check(pair)
    due = found.due()
    held = _held(session, pair, due)
    made = {name: text for name, text in due.items() if name not in held}
    if "question" in made and (question := _shared_question(session, pair)) is not None:
        for qa_id in ask_everywhere(session, pair.project_id, question.id, made["question"]):
            other = session.get(QAPair, qa_id)
            if other is not None and other is not pair:
                mark_edited(other, BY)
    _write(pair, made)
    if made:
        mark_edited(pair, BY)
    return _detail(found, held, _repairs(found, made))


def recheck_pairs(session: Session, project_id: int, qa_ids: Iterable[int]) -> None:
    """Hygiene again for pairs whose text a person just changed (flushed), in the same
    transaction: the result says what the check finds in the text now (a flag the edit fixed
    is gone), rewriting nothing; repairs made earlier stay noted."""
    for qa_id in dict.fromkeys(qa_ids):
        pair = session.get(QAPair, qa_id)
        if pair is None or pair.project_id != project_id:
            continue
        found = _check(pair)
        # A confirmed sample keeps its text: a repair due is a flag, as the scan would say.
        held = found.due() if pair.confirmed else {}
        row = session.scalar(
            select(QualityResult).where(QualityResult.kind == KIND, QualityResult.qa_id == qa_id)
        )
        earlier = dict(row.detail or {}).get("repairs") if row is not None else None
        detail = _detail(found, held, earlier if isinstance(earlier, dict) else {})
        flagged = bool(detail.pop("flagged"))
        if flagged or detail["repairs"]:
            record(session, project_id, KIND, qa_id=qa_id, flagged=flagged, detail=detail)
        elif row is not None:
            session.delete(row)


def question_flags(
    app: App, project_ref: str | int, question_ids: Iterable[int]
) -> dict[int, list[str]]:
    """What hygiene flagged in each of these questions of the project and still finds in
    its text (an edit that fixed it clears the flag): id -> reasons."""
    wanted = set(question_ids)
    if not wanted:
        return {}
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.execute(
            select(Question.id, Question.text)
            .join(QualityResult, QualityResult.question_id == Question.id)
            .where(
                QualityResult.project_id == project.id,
                QualityResult.kind == KIND,
                QualityResult.flagged.is_(True),
                QualityResult.question_id.in_(wanted),
            )
        )
        found: dict[int, list[str]] = {}
        for question_id, text in rows:
            now = check_question(text)
            if now.flagged:
                found[int(question_id)] = [issue.reason for issue in now.issues]
        return found
