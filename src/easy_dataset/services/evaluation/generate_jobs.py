"""`eval.generate`: test items of five kinds written from chunks, in the ratios the user
sets, into an evaluation set (made when missing).

An item is `s<set>:c<chunk>:k<kind>:n<i>`: one item of one kind from one chunk, the kinds
spread over the planned items by a smooth weighted round robin so that any run, however
short, keeps the ratios. `s` is a checksum of the set's name, so another set plans its own
items and a second run on the same set plans none that are done. An item's tag path is the
path of the tag most of the chunk's questions carry, else the chunk's heading path
(`provenance.tag_source` says which).
"""

from __future__ import annotations

import zlib
from collections import Counter
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.evaluate.item_generation import (
    OPEN_ANSWER_CHARS,
    PROMPT,
    generate_item,
)
from easy_dataset.evaluate.kinds import EVAL_KINDS, EvalKind
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.app import App
from easy_dataset.services.evaluation.sets import ensure_set
from easy_dataset.services.generation.distill_scope import tag_path
from easy_dataset.services.generation.question_jobs import load_chunk_item
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    succeeded_items,
    tag_scope,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.stage_options import ChunkIds, FileIds, ModelParams, TagIds
from easy_dataset.store.dataset import Question
from easy_dataset.store.evaluation import EvalItem
from easy_dataset.store.models import Chunk, Job, JobItem

TYPE = "eval.generate"
DEFAULT_SET = "generated"
Share = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class EvalGenerateParams(ModelParams):
    eval_set: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            description="The evaluation set to add to (made when missing).",
        ),
        Flag("--set"),
    ] = DEFAULT_SET
    file_ids: FileIds = None
    chunk_ids: ChunkIds = None
    tag_ids: TagIds = None
    per_chunk: int = Field(
        default=1, ge=1, le=50, description="Items per chunk (when no total is given)."
    )
    total: int | None = Field(
        default=None, ge=1, le=100_000, description="Items in all, spread over the chunks."
    )
    true_false: Share = Field(default=0.2, description="Share of true/false items.")
    single_choice: Share = Field(default=0.3, description="Share of single-choice items.")
    multiple_choice: Share = Field(default=0.2, description="Share of multiple-choice items.")
    short_answer: Share = Field(default=0.15, description="Share of short-answer items.")
    open: Share = Field(default=0.15, description="Share of open questions.")
    language: Literal["en", "zh"] | None = Field(
        default=None, description="Language of the items (default: the project's)."
    )

    @model_validator(mode="after")
    def _check(self) -> EvalGenerateParams:
        if not self.eval_set.strip():
            raise ValueError("the set's name may not be blank")
        if sum(self.shares().values()) <= 0:
            raise ValueError("at least one kind needs a share above 0")
        return self

    def shares(self) -> dict[EvalKind, float]:
        return {kind: float(getattr(self, kind)) for kind in EVAL_KINDS}


def spread_kinds(shares: dict[EvalKind, float], count: int) -> list[EvalKind]:
    """`count` kinds in the given ratios, interleaved: every prefix is as close to the
    ratios as whole items allow (smooth weighted round robin)."""
    total = sum(shares.values())
    current = {kind: 0.0 for kind in shares}
    picked: list[EvalKind] = []
    for _ in range(count):
        for kind, share in shares.items():
            current[kind] += share
        best = max(current, key=lambda kind: current[kind])
        current[best] -= total
        picked.append(best)
    return picked


def set_key(set_name: str) -> int:
    return zlib.crc32(set_name.strip().encode())


def item_key(set_code: int, chunk_id: int, kind: EvalKind, index: int) -> str:
    return f"s{set_code}:c{chunk_id}:k{EVAL_KINDS.index(kind)}:n{index}"


def _scoped_chunks(session: Session, project_id: int, params: dict[str, Any]) -> list[Any]:
    files, chunks = id_filter(params, "file_ids"), id_filter(params, "chunk_ids")
    tags = tag_scope(session, project_id, params)
    tagged: set[int] | None = None
    if tags is not None:
        tagged = set(
            session.scalars(
                select(Question.chunk_id).where(
                    Question.project_id == project_id,
                    Question.tag_id.in_(tags),
                    Question.chunk_id.is_not(None),
                )
            )
        )
    rows = session.execute(
        select(Chunk.id, Chunk.file_id, Chunk.updated_at)
        .where(Chunk.project_id == project_id)
        .order_by(Chunk.file_id, Chunk.ordinal)
    ).all()
    return [
        row
        for row in rows
        if (files is None or row.file_id in files)
        and (chunks is None or row.id in chunks)
        and (tagged is None or row.id in tagged)
    ]


def chunk_tag_path(session: Session, project_id: int, chunk_id: int) -> list[str]:
    """The path of the tag most of the chunk's questions carry ([] when none is tagged)."""
    tags = Counter(
        session.scalars(
            select(Question.tag_id).where(
                Question.chunk_id == chunk_id, Question.tag_id.is_not(None)
            )
        )
    )
    if not tags:
        return []
    top = min(tags, key=lambda tag_id: (-tags[tag_id], tag_id))
    return tag_path(session, project_id, top)


@register_stage
class GenerateEvalItems(ModelJob, Stage[EvalGenerateParams]):
    """Items `s<set>:c<chunk>:k<kind>:n<i>`, not done for that set since the chunk last
    changed."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 90
    label = Words("Generate evaluation items", "生成评测题")
    help = Words(
        "Write test questions (true/false, single and multiple choice, short answer, open) "
        "with reference answers from chunks into an evaluation set.",
        "根据文本块编写测试题（判断、单选、多选、简答、开放题）及参考答案，存入评测集。",
    )
    Params = EvalGenerateParams
    command = ("eval", "generate")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        options = self.options(params)
        with app.db.session() as session:
            rows = _scoped_chunks(session, project_id, params)
            finished = succeeded_items(session, project_id, TYPE)
            busy = unfinished_keys(session, project_id, TYPE)
        if not rows:
            return []
        count = options.total if options.total is not None else options.per_chunk * len(rows)
        kinds = spread_kinds(options.shares(), count)
        code = set_key(options.eval_set)
        keys: list[str] = []
        for position, kind in enumerate(kinds):
            chunk = rows[position % len(rows)]
            key = item_key(code, chunk.id, kind, position // len(rows))
            done_at = finished.get(key)
            if key in busy or (done_at is not None and done_at >= chunk.updated_at):
                continue
            keys.append(key)
        return keys

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        parts = parse_key(key)
        chunk_id, kind = parts["c"], EVAL_KINDS[parts["k"]]
        project_id = self.project_id(ctx)
        with ctx.app.db.session() as session:
            item = load_chunk_item(session, chunk_id, None, "test items")
            tags = chunk_tag_path(session, project_id, chunk_id)
        language = options.language or language_for(self.settings(ctx), item.content)
        language = "zh" if language == "zh" else "en"
        made = await generate_item(
            self.client(ctx),
            kind=kind,
            chunk=item.content,
            language=language,
            heading_path=item.heading_path,
            title=item.title,
            override=self.override(ctx, PROMPT, language),
        )
        return {
            "chunk_id": chunk_id,
            "kind": made.kind,
            "question": made.question,
            "options": made.options,
            "answer": made.answer,
            "tag_path": tags or item.heading_path,
            "provenance": {
                **made.provenance.as_dict(),
                "job": ctx.job_id,
                "chunk": chunk_id,
                "file": item.title,
                "heading_path": item.heading_path,
                "tag_source": "tag" if tags else "heading",
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        options = self.options(job.params)
        eval_set = ensure_set(session, job.project_id, options.eval_set)
        chunk = session.get(Chunk, result["chunk_id"])
        session.add(
            EvalItem(
                project_id=job.project_id,
                set_id=eval_set.id,
                kind=result["kind"],
                question=result["question"],
                options=result["options"],
                answer=result["answer"],
                # A chunk deleted while the item was being written: the item stays, unlinked.
                chunk_id=chunk.id if chunk is not None else None,
                tag_path=result["tag_path"],
                origin="generated",
                provenance=result["provenance"],
            )
        )


# Typical reply sizes (tokens) per kind: a question with its reference answer.
REPLY_TOKENS: dict[str, int] = {
    "true_false": 50,
    "single_choice": 120,
    "multiple_choice": 130,
    "short_answer": 60,
    "open": min(250, OPEN_ANSWER_CHARS // 4),
}


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per item: the chunk in, one test item out."""
    chunk_ids = sorted({parse_key(key)["c"] for key in keys})
    with given.app.db.session() as session:
        contents = dict(
            session.execute(select(Chunk.id, Chunk.content).where(Chunk.id.in_(chunk_ids))).all()
        )
    prompt = completion = 0
    for key in keys:
        parts = parse_key(key)
        kind = EVAL_KINDS[parts["k"]]
        content = contents.get(parts["c"], "")
        values = {"chunk": "", "kind": kind}
        prompt += given.overhead(PROMPT, given.language(content), values, kind)
        prompt += estimate_tokens(content)
        completion += REPLY_TOKENS[kind]
    return Figures(len(keys), prompt, completion)
