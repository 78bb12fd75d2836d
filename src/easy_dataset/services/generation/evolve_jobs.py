"""`questions.evolve`: Evol-Instruct on selected questions. Each question is rewritten by one
method (drawn per question with a seeded RNG from `methods`): in depth (add a constraint,
deepen, concretise, more reasoning steps) or in breadth (a new question in its domain). An
evolution that adds nothing, copies the evolving prompt's words, or (when answered) gets an
answer that fails is eliminated, with its reason in the item's result and the job's summary.
A kept one becomes a new question linked to its parent (provenance `parent_question_id`,
`evolution`, `generation`) on the parent's chunk and tag, answered in the same item unless
`answer` is off.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import ModelCallError, NotFoundError
from easy_dataset.generate import draft_answer, finish_cot
from easy_dataset.generate.evolve import (
    DEFAULT_NO_CHANGE,
    ELIMINATIONS,
    METHODS,
    Method,
    answer_fails,
    choose_method,
    eliminated,
    evolve_question,
)
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Flag, Stage, Words, register_stage
from easy_dataset.jobs.summary import StageSummary, SummaryColumn
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.app import App
from easy_dataset.services.generation.answer_jobs import (
    PROMPTS as ANSWER_PROMPTS,
)
from easy_dataset.services.generation.answer_jobs import (
    answers_without_context,
    load_source,
    source_provenance,
)
from easy_dataset.services.generation.estimate_tokens import ANSWER_TOKENS, COT_TOKENS
from easy_dataset.services.hygiene import record_pair, record_question
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
from easy_dataset.services.stage_options import ModelParams, QuestionIds, TagIds
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Chunk, Job, JobItem

TYPE = "questions.evolve"
SOURCE = "evol-instruct"
PROMPTS = ("evolve_depth", "evolve_breadth", *ANSWER_PROMPTS)
ELIMINATED_SHOWN = 500  # eliminated evolutions listed in the summary
ANSWER_SHOWN = 500  # characters of a failed answer kept in the item's result


class EvolveParams(ModelParams):
    question_ids: QuestionIds = None
    tag_ids: Annotated[
        TagIds, Field(description="Only questions with one of these tags or a tag under it.")
    ] = None
    methods: Annotated[
        list[Method] | None,
        Field(
            min_length=1,
            max_length=len(METHODS),
            description="Methods each question's is drawn from (default: all: constraints, "
            "deepen, concretize, reasoning, breadth).",
        ),
        Flag("--method"),
    ] = None
    random_seed: int = Field(
        default=0, ge=0, le=2**31 - 1, description="Seed of each question's method."
    )
    answer: bool = Field(
        default=True,
        description="Answer each evolved question (and eliminate it when the answer fails).",
    )
    synthesize_cot: Annotated[
        bool,
        Field(description="Write the reasoning of an answer when the model gives none."),
        Flag("--cot"),
    ] = True
    no_change_threshold: float = Field(
        default=DEFAULT_NO_CHANGE,
        gt=0,
        le=1,
        description="Eliminate an evolution whose ROUGE-L against its parent is this or more.",
    )


def evolve_scope(app: App, project_id: int, params: dict[str, Any]) -> list[str]:
    """`q<id>` for the questions in scope not evolved yet (nor in an unfinished job); a
    generated question whose chunk was deleted asks about text that is gone: left out."""
    only = id_filter(params, "question_ids")
    query = (
        select(Question.id, Question.origin, Chunk.id)
        .outerjoin(Chunk, Chunk.id == Question.chunk_id)
        .where(Question.project_id == project_id)
        .order_by(Question.id)
    )
    if only is not None:
        query = query.where(Question.id.in_(sorted(only)))
    with app.db.session() as session:
        tags = tag_scope(session, project_id, params)
        if tags is not None:
            query = query.where(Question.tag_id.in_(sorted(tags)))
        rows = session.execute(query).all()
        done = succeeded_items(session, project_id, TYPE)
        busy = unfinished_keys(session, project_id, TYPE)
    keys = []
    for question_id, origin, chunk_id in rows:
        key = f"q{question_id}"
        if key in done or key in busy:
            continue
        if chunk_id is None and not answers_without_context(origin):
            continue
        keys.append(key)
    return keys


@register_stage
class EvolveQuestions(ModelJob, Stage[EvolveParams]):
    """Items `q<question>` for questions not evolved by an earlier job; an evolved question
    is a question too, so the next run evolves it again (its generation + 1)."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 35
    label = Words("Evolve questions", "进化问题（Evol-Instruct）")
    help = Words(
        "Rewrite questions into harder ones (add constraints, deepen, concretise, more "
        "reasoning) or new ones in their domain, eliminate the failed evolutions and answer "
        "the rest; each keeps a link to its parent.",
        "把问题改写得更难（增加约束、加深、具体化、多步推理）或在同一领域创作新问题，淘汰失败的"
        "进化并回答其余问题；每个新问题都保留与原问题的关联。",
    )
    Params = EvolveParams
    command = ("questions", "evolve")
    summary_keys = ("question_id", "method", "eliminated", "rejected")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        return evolve_scope(app, project_id, params)

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        question_id = parse_key(key)["q"]
        with ctx.app.db.session() as session:
            source = load_source(session, question_id)
        language = language_for(self.settings(ctx), source.content or source.text)
        overrides = {
            name: text
            for name in PROMPTS
            if (text := self.override(ctx, name, language)) is not None
        }
        method = choose_method(options.methods or METHODS, options.random_seed, question_id)
        evolution = await evolve_question(
            self.client(ctx),
            question=source.text,
            method=method,
            language=language,
            chunk=source.content,
            overrides=overrides,
        )
        found: dict[str, Any] = {"question_id": question_id, "method": method}
        reason = eliminated(source.text, evolution.text, options.no_change_threshold)
        if reason is not None:
            return {**found, "eliminated": reason, "rejected": evolution.text}
        found.update(evolved=evolution.text, provenance=evolution.provenance.as_dict())
        if not options.answer:
            return found
        try:
            draft = await draft_answer(
                self.client(ctx),
                question=evolution.text,
                chunk=source.content,
                language=language,
                heading_path=source.heading_path,
                title=source.file_name,
                persona=source.persona,
                overrides=overrides,
            )
        except ModelCallError as exc:
            if exc.kind != "validation":
                raise
            return {**found, "eliminated": "answer_failed", "rejected": evolution.text}
        if answer_fails(draft.answer):
            failed = draft.answer[:ANSWER_SHOWN]
            return {
                **found,
                "eliminated": "answer_failed",
                "rejected": evolution.text,
                "answer": failed,
            }
        result = await finish_cot(
            self.client(ctx),
            draft,
            question=evolution.text,
            chunk=source.content,
            language=language,
            heading_path=source.heading_path,
            synthesize_cot=options.synthesize_cot,
            overrides=overrides,
        )
        return {
            **found,
            "answer": result.answer,
            "cot": result.cot,
            "model": result.provenance.model,
            "answer_provenance": {
                **source_provenance(source),
                **result.provenance.as_dict(),
                "cot_source": result.cot_source,
                "cot_rewrite": result.cot_rewrite,
                "steps": [{"prompt": s.prompt, "version": s.version} for s in result.steps],
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        if result.get("eliminated"):
            return
        parent_id = int(result["question_id"])
        parent = session.get(Question, parent_id)
        if parent is None:
            raise NotFoundError(f"question {parent_id} was deleted while it was evolved")
        lineage = {
            "source": SOURCE,
            "parent_question_id": parent_id,
            "evolution": result["method"],
            "generation": _generation(parent) + 1,
            "job": job.id,
            "created": utcnow().isoformat(),
        }
        question = Question(
            project_id=job.project_id,
            chunk_id=parent.chunk_id,
            ga_pair_id=parent.ga_pair_id,
            tag_id=parent.tag_id,
            text=result["evolved"],
            # A question written by hand without a chunk is answered without context; any
            # other stays a question about its chunk (a template's fixed wording is gone).
            origin="manual" if parent.origin == "manual" else "generated",
            provenance={**result["provenance"], **lineage},
        )
        session.add(question)
        session.flush()
        record_question(session, job.project_id, question, job.id)
        if "answer" not in result:
            return
        pair = QAPair(
            project_id=job.project_id,
            question_id=question.id,
            chunk_id=parent.chunk_id,
            question=question.text,
            answer=result["answer"],
            cot=result["cot"],
            model=result["model"],
            provenance={**result["answer_provenance"], **lineage},
        )
        session.add(pair)
        session.flush()
        record_pair(session, job.project_id, pair, job.id)

    def summarize(self, results: list[tuple[str, dict[str, Any]]]) -> StageSummary:
        rows = {method: dict.fromkeys(FIGURES, 0) for method in METHODS}
        listed: list[dict[str, Any]] = []
        for _key, result in results:
            row = rows.get(result.get("method", ""))
            if row is None:
                continue
            row["evolved"] += 1
            reason = result.get("eliminated")
            if reason in ELIMINATIONS:
                row[reason] += 1
                if len(listed) < ELIMINATED_SHOWN:
                    listed.append(
                        {
                            "question_id": result.get("question_id"),
                            "method": result.get("method"),
                            "reason": reason,
                            "evolved": result.get("rejected", ""),
                        }
                    )
            else:
                row["kept"] += 1
        table: list[dict[str, Any]] = [
            {"method": method, **figures} for method, figures in rows.items() if figures["evolved"]
        ]
        totals: dict[str, Any] = {"method": "total"}
        totals.update({name: sum(row[name] for row in table) for name in FIGURES})
        return StageSummary(
            title_en="Evolutions by method: evolved → eliminated → kept",
            title_zh="按方法统计的进化：进化 → 淘汰 → 保留",
            columns=METHOD_COLUMNS,
            rows=table,
            totals=totals,
            details={"eliminated": listed},
        )


FIGURES = ("evolved", *ELIMINATIONS, "kept")
METHOD_COLUMNS = [
    SummaryColumn(key="method", en="method", zh="方法"),
    SummaryColumn(key="evolved", en="evolved", zh="进化"),
    SummaryColumn(key="no_change", en="no change", zh="无变化"),
    SummaryColumn(key="copied_prompt", en="copied prompt words", zh="照抄提示词"),
    SummaryColumn(key="answer_failed", en="answer failed", zh="回答失败"),
    SummaryColumn(key="kept", en="kept", zh="保留"),
]


def _generation(question: Question) -> int:
    value = (question.provenance or {}).get("generation")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# Typical reply size (tokens) of an evolved question.
EVOLVED_TOKENS = 60


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per question to evolve it; when answering, one for the answer and one for
    its reasoning (when the model gives none), as answers.generate counts them."""
    options = EvolveParams.model_validate(given.params)
    question_ids = sorted(parse_key(key)["q"] for key in keys)
    with given.app.db.session() as session:
        rows = {
            question_id: (text, content or "")
            for question_id, text, content in session.execute(
                select(Question.id, Question.text, Chunk.content)
                .outerjoin(Chunk, Chunk.id == Question.chunk_id)
                .where(Question.id.in_(question_ids))
            )
        }
    figures = Figures(0, 0, 0)
    for question_id in question_ids:
        text, content = rows.get(question_id, ("", ""))
        language = given.language(content or text)
        asked = estimate_tokens(text) + estimate_tokens(content)
        values = {"prompt": "", "method": "constraints", "chunk": ""}
        figures.calls += 1
        figures.prompt += given.overhead("evolve_depth", language, values) + asked
        figures.completion += EVOLVED_TOKENS
        if not options.answer:
            continue
        answer = (
            given.overhead("answer", language, {"question": "", "chunk": ""})
            if content
            else given.overhead("answer_open", language, {"question": ""})
        )
        figures.calls += 1
        figures.prompt += answer + asked
        figures.completion += ANSWER_TOKENS
        if options.synthesize_cot:
            figures.calls += 1
            figures.prompt += asked + ANSWER_TOKENS
            figures.completion += COT_TOKENS
        figures.without_context += not content
    return figures
