"""Checks that scan text without a model: personal data, answers that refer to "the
text", and questions copied from benchmarks. Items are batches of samples; only samples
with a finding get a result row, so a clean sample is one without a row. A QA pair's
fields are question, answer and cot; a dialogue's are its messages, named
`messages[<index>].content` (or `.reasoning`, see `quality.samples`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError
from easy_dataset.generate.cot import mentions_source
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, StageParams, Words, register_stage
from easy_dataset.quality.contamination import BenchmarkIndex
from easy_dataset.quality.pii import find_pii, mask_pii
from easy_dataset.quality.samples import field_name, spoken
from easy_dataset.samples_shape import dialogue_columns, sample_messages
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import id_filter, parse_key, unfinished_keys
from easy_dataset.services.quality.benchmark_files import benchmark_ids, benchmark_items
from easy_dataset.services.quality.selection import batch_keys, qa_ids
from easy_dataset.services.quality_results import record_many
from easy_dataset.services.quality_settings import get_quality_settings
from easy_dataset.services.stage_options import QAIds
from easy_dataset.store.dataset import QAPair, QualityResult, Question
from easy_dataset.store.models import Job, JobItem
from easy_dataset.types import Message

FIELDS = ("question", "answer", "cot")


@dataclass(frozen=True)
class ScanRow:
    """One sample as a scan reads it; `messages` only for a dialogue."""

    qa_id: int
    kind: str
    question: str
    answer: str
    cot: str
    messages: tuple[Message, ...] = ()

    def texts(self) -> list[tuple[str, str]]:
        """(field, text) for every text of the sample: a dialogue's every message, content
        and reasoning."""
        if self.kind != "dialogue":
            return list(zip(FIELDS, (self.question, self.answer, self.cot), strict=True))
        found: list[tuple[str, str]] = []
        for index, turn in enumerate(self.messages):
            found.append((field_name(index), turn.text))
            if turn.reasoning:
                found.append((field_name(index, "reasoning"), turn.reasoning))
        return found

    def said(self) -> list[tuple[str, str]]:
        """(field, text) for what is said: a pair's question and answer, a dialogue's user
        and assistant messages."""
        if self.kind != "dialogue":
            return [("question", self.question), ("answer", self.answer)]
        return [(field_name(index), turn.text) for index, turn in spoken(self.messages)]


class ScanJob(Stage[Any]):
    """A batch of QA pairs per item; `find` says what one pair has (None: nothing)."""

    kind: ClassVar[str]

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        with app.db.session() as session:
            keys = batch_keys(qa_ids(session, project_id, params))
            busy = unfinished_keys(session, project_id, self.type)
        return [key for key in keys if key not in busy]

    def rows(self, ctx: JobContext[App], key: str) -> list[ScanRow]:
        bounds = parse_key(key)
        only = id_filter(ctx.params, "qa_ids")
        query = (
            select(
                QAPair.id,
                QAPair.kind,
                QAPair.question,
                QAPair.answer,
                QAPair.cot,
                QAPair.messages,
            )
            .where(
                QAPair.project_id == ctx.project_id,
                QAPair.id >= bounds["f"],
                QAPair.id <= bounds["l"],
            )
            .order_by(QAPair.id)
        )
        with ctx.app.db.session() as session:
            found = [
                ScanRow(
                    qa_id,
                    kind,
                    question,
                    answer,
                    cot,
                    tuple(sample_messages(kind, question, answer, cot, messages))
                    if kind == "dialogue"
                    else (),
                )
                for qa_id, kind, question, answer, cot, messages in session.execute(query)
                if only is None or qa_id in only
            ]
        return found

    def find(self, ctx: JobContext[App], row: ScanRow) -> dict[str, Any] | None:
        raise NotImplementedError

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        rows = self.rows(ctx, key)
        findings = {}
        for row in rows:
            found = self.find(ctx, row)
            if found is not None:
                findings[str(row.qa_id)] = found
        return {"scanned": [row.qa_id for row in rows], "found": findings}

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        scanned = [int(qa_id) for qa_id in result["scanned"]]
        session.execute(
            delete(QualityResult).where(
                QualityResult.kind == self.kind, QualityResult.qa_id.in_(scanned)
            )
        )
        found = {int(qa_id): detail for qa_id, detail in result["found"].items()}
        # Pairs deleted while they were scanned have nothing left to flag.
        present = set(session.scalars(select(QAPair.id).where(QAPair.id.in_(found))))
        for qa_id in present:
            self.apply(session, qa_id, found[qa_id])
        rows = (
            {
                "qa_id": qa_id,
                "score": detail.get("score"),
                # A finding flags the pair unless the check says it only repaired it.
                "flagged": detail.pop("flagged", True),
                "detail": detail,
            }
            for qa_id, detail in found.items()
            if qa_id in present
        )
        record_many(session, job.project_id, self.kind, job.id, rows)

    def apply(self, session: Session, qa_id: int, detail: dict[str, Any]) -> None:
        """Change the pair itself, if this check does (masking); nothing by default."""


class PiiParams(StageParams):
    action: Literal["flag", "mask"] | None = Field(
        default=None,
        description="flag: only mark pairs; mask: also replace the data with placeholders "
        "(default: the project's setting, flag).",
    )
    qa_ids: QAIds = None


class QAScope(StageParams):
    qa_ids: QAIds = None


class ContaminationParams(StageParams):
    benchmarks: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=1000, description="Benchmark ids (default: all of them)."
    )
    n: int | None = Field(default=None, ge=3, le=50, description="Words in a shared n-gram.")
    qa_ids: QAIds = None


@register_stage
class PiiScan(ScanJob):
    """Personal data in questions, answers and reasoning; params: action ("flag" or "mask",
    default the project's setting), qa_ids."""

    name: ClassVar[str] = "quality.pii"
    group = "quality"
    order = 140
    label = Words("Personal data", "个人信息")
    help = Words(
        "Find personal data (e-mail addresses, phone numbers, ids...) in the QA pairs.",
        "查找问答对中的个人信息（电子邮件、电话号码、证件号等）。",
    )
    Params = PiiParams
    command = ("quality", "pii")
    kind: ClassVar[str] = "pii"

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        action = params.get("action")
        if action is not None and action not in ("flag", "mask"):
            raise InputError(f"a PII action is 'flag' or 'mask', not {action!r}")
        return super().plan(app, project_id, params)

    async def setup(self, ctx: JobContext[App]) -> None:
        assert ctx.project_id is not None
        action = (
            ctx.params.get("action") or get_quality_settings(ctx.app, ctx.project_id).pii_action
        )
        ctx.state["mask"] = action == "mask"

    def find(self, ctx: JobContext[App], row: ScanRow) -> dict[str, Any] | None:
        # Kinds and places only: the personal data itself is never copied into results.
        found = [
            {"field": name, "kind": f.kind} for name, text in row.texts() for f in find_pii(text)
        ]
        if not found:
            return None
        return {"findings": found, "masked": bool(ctx.state["mask"])}

    def apply(self, session: Session, qa_id: int, detail: dict[str, Any]) -> None:
        if not detail.get("masked"):
            return
        pair = session.get(QAPair, qa_id)
        assert pair is not None
        if pair.kind == "dialogue":
            turns = sample_messages(pair.kind, pair.question, pair.answer, pair.cot, pair.messages)
            masked = [
                turn.model_copy(
                    update={
                        "content": mask_pii(turn.content)[0],
                        "reasoning": mask_pii(turn.reasoning)[0],
                    }
                )
                for turn in turns
            ]
            # The first question and last answer mirrored in their columns change with them.
            for name, value in dialogue_columns(masked).items():
                setattr(pair, name, value)
        else:
            pair.question = mask_pii(pair.question)[0]
            pair.answer = mask_pii(pair.answer)[0]
            pair.cot = mask_pii(pair.cot)[0]
        if pair.question_id is not None and (question := session.get(Question, pair.question_id)):
            question.text = mask_pii(question.text)[0]


@register_stage
class SourceReferenceScan(ScanJob):
    """Answers that talk about "the text" or "the document" instead of answering."""

    name: ClassVar[str] = "quality.refs"
    group = "quality"
    order = 150
    label = Words("References to the text", "提及原文")
    help = Words(
        'Find answers that talk about "the text" or "the document" instead of answering.',
        "查找谈论“本文”“该文档”而不直接作答的答案。",
    )
    Params = QAScope
    command = ("quality", "refs")
    kind: ClassVar[str] = "refs"

    def find(self, ctx: JobContext[App], row: ScanRow) -> dict[str, Any] | None:
        # A dialogue's every turn: a user who asks about "the text" leaks the setup too.
        said = (
            row.said()
            if row.kind == "dialogue"
            else [("answer", row.answer), ("question", row.question)]
        )
        fields = [name for name, text in said if mentions_source(text)]
        return {"fields": fields} if fields else None


@register_stage
class ContaminationScan(ScanJob):
    """Questions sharing n-grams with benchmark items; params: benchmarks (stored ids, default
    all of the project's), n (default the project's setting, 13)."""

    name: ClassVar[str] = "quality.contamination"
    group = "quality"
    order = 170
    label = Words("Benchmark contamination", "基准污染")
    help = Words(
        "Find questions and answers sharing n-grams with the project's benchmark files.",
        "查找与项目基准文件共享 n 元组的问题和答案。",
    )
    Params = ContaminationParams
    command = ("quality", "contamination")
    kind: ClassVar[str] = "contamination"

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        n = params.get("n")
        if n is not None and not (isinstance(n, int) and not isinstance(n, bool) and 3 <= n <= 50):
            raise InputError(f"n-grams for contamination run from 3 to 50 words, not {n!r}")
        if not benchmark_ids(app, project_id, params.get("benchmarks")):
            raise InputError(
                "no benchmark files to compare with; add one first", subject="no_benchmarks"
            )
        return super().plan(app, project_id, params)

    async def setup(self, ctx: JobContext[App]) -> None:
        assert ctx.project_id is not None
        n = ctx.params.get("n") or get_quality_settings(ctx.app, ctx.project_id).contamination_ngram
        items = benchmark_items(ctx.app, ctx.project_id, ctx.params.get("benchmarks"))
        ctx.state["index"] = BenchmarkIndex(items, int(n))

    def find(self, ctx: JobContext[App], row: ScanRow) -> dict[str, Any] | None:
        index: BenchmarkIndex = ctx.state["index"]
        overlaps = {
            name: overlap for name, text in row.said() if (overlap := index.check(text)) is not None
        }
        if not overlaps:
            return None
        worst = max(overlaps.values(), key=lambda o: o.ratio)
        return {
            "score": round(worst.ratio, 4),
            "n": index.n,
            "fields": {
                name: {"shared": o.shared, "total": o.total, "example": o.example, "n": o.n}
                for name, o in overlaps.items()
            },
        }
