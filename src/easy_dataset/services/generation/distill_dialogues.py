"""`distill.dialogues`: distilled questions made into multi-turn dialogues, the multi-turn
road of distillation (the single-turn road is `answers.generate`, which answers distilled
questions from the model's own knowledge).

Each dialogue opens with its distilled question, word for word, and stays on the subject
its tag path names; there is no chunk, so replies come from the model's own knowledge (the
`dialogue_open` prompt). Everything else is the dialogue machinery: the spec, the reply
schema with its hygiene, the stored shape (`dialogue_columns`), the judge turn by turn and
the exports. A question makes one sample: a dialogue links its question as an answer does,
so a question already answered gets no dialogue, nor a question with a dialogue an answer.
"""

from __future__ import annotations

import zlib
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import NotFoundError
from easy_dataset.generate import DialogueSpec, generate_topic_dialogue
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.samples_shape import dialogue_columns
from easy_dataset.services.app import App
from easy_dataset.services.generation.dialogue_jobs import (
    DEFAULT_ROLES,
    REASONING_TOKENS,
    REPLY_TOKENS,
    USER_TOKENS,
    MaxTurns,
    MinTurns,
    Role,
    TurnReasoning,
    check_turn_bounds,
)
from easy_dataset.services.generation.distill_scope import (
    DISTILLED,
    distilled_questions,
    path_of,
    root_of,
    tag_rows,
)
from easy_dataset.services.job_support.common import (
    ModelJob,
    language_for,
    parse_key,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.stage_options import ModelParams, QuestionIds, TagIds
from easy_dataset.store.base import utcnow
from easy_dataset.store.dataset import QAPair, Question
from easy_dataset.store.models import Job, JobItem

TYPE = "distill.dialogues"
_EXPERT = {"en": "expert in {topic}", "zh": "{topic}方面的专家"}


class DistillDialoguesParams(ModelParams):
    tag_ids: Annotated[
        TagIds,
        Field(
            description="Only questions of these topics (or parts of them) (default: every "
            "distilled topic)."
        ),
    ] = None
    question_ids: QuestionIds = None
    user_role: Role | None = Field(
        default=None, description="Who asks, e.g. new beekeeper (default: a learner)."
    )
    assistant_role: Role | None = Field(
        default=None, description="Who answers (default: an expert in the topic)."
    )
    scenario: str = Field(
        default="",
        max_length=2000,
        description="The situation of every dialogue (default: the model proposes one each).",
    )
    min_turns: MinTurns = 2
    max_turns: MaxTurns = 4
    reasoning: TurnReasoning = False

    @model_validator(mode="after")
    def _check(self) -> DistillDialoguesParams:
        check_turn_bounds(self.min_turns, self.max_turns)
        return self


@register_stage
class DistillDialogues(ModelJob, Stage[DistillDialoguesParams]):
    """Items `q<question>` for distilled questions in scope with no sample yet."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 62
    label = Words("Distil: dialogues", "蒸馏：多轮对话")
    help = Words(
        "Make every distilled question with no answer yet into a multi-turn dialogue that "
        "opens with it, from the model's own knowledge.",
        "把每个尚无答案的蒸馏问题扩展成以它开场的多轮对话，内容来自模型自身的知识。",
    )
    Params = DistillDialoguesParams
    command = ("dialogues", "distill")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        with app.db.session() as session:
            found = distilled_questions(session, project_id, params)
            sampled = set(
                session.scalars(
                    select(QAPair.question_id).where(
                        QAPair.project_id == project_id, QAPair.question_id.is_not(None)
                    )
                )
            )
            busy = unfinished_keys(session, project_id, TYPE)
        keys = [f"q{question_id}" for question_id, _ in found if question_id not in sampled]
        return [key for key in keys if key not in busy]

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        question_id = parse_key(key)["q"]
        with ctx.app.db.session() as session:
            question = session.get(Question, question_id)
            if question is None:
                raise NotFoundError(f"question {question_id} was deleted before its dialogue")
            text, tag_id = question.text, question.tag_id
            rows = tag_rows(session, self.project_id(ctx))
            snapshot = [str(name) for name in question.provenance.get("tag_path") or []]
        path = path_of(rows, tag_id) if tag_id in rows else snapshot
        description = rows[root_of(rows, tag_id)].description if tag_id in rows else ""
        topic = path[0] if path else ""
        language: Literal["en", "zh"] = (
            "zh" if language_for(self.settings(ctx), text) == "zh" else "en"
        )
        user_role = options.user_role or DEFAULT_ROLES[language][0]
        assistant_role = options.assistant_role or (
            _EXPERT[language].format(topic=topic) if topic else DEFAULT_ROLES[language][1]
        )
        spec = DialogueSpec(
            user_role=user_role,
            assistant_role=assistant_role,
            scenario=options.scenario,
            min_turns=options.min_turns,
            max_turns=options.max_turns,
            language=language,
            reasoning=options.reasoning,
        )
        result = await generate_topic_dialogue(
            self.client(ctx),
            question=text,
            spec=spec,
            tag_path=path,
            description=description,
            # The same question draws the same number of turns when it is run again.
            seed=zlib.crc32(key.encode()),
            override=self.override(ctx, "dialogue_open", language),
        )
        return {
            "question_id": question_id,
            "messages": [message.model_dump() for message in result.messages],
            "provenance": {
                **result.provenance.as_dict(),
                "job": ctx.job_id,
                "created": utcnow().isoformat(),
                # No chunk: grounding has nothing to check against (not applicable), and
                # the judge scores by its own knowledge.
                "context": "none",
                "source": DISTILLED,
                "topic": topic or None,
                "tag_path": path,
                "tag": path[-1] if path else None,
                "tag_id": tag_id if tag_id in rows else None,
                "question_id": question_id,
                "scenario": result.scenario,
                "roles": {"user": user_role, "assistant": assistant_role},
                "turns": result.turns,
                "trimmed": result.trimmed,
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        question_id = int(result["question_id"])
        if session.get(Question, question_id) is None:
            raise NotFoundError(f"question {question_id} was deleted while its dialogue was made")
        if session.scalar(select(QAPair.id).where(QAPair.question_id == question_id)):
            return  # answered or made a dialogue by another run meanwhile: one sample each
        session.add(
            QAPair(
                project_id=job.project_id,
                question_id=question_id,
                chunk_id=None,
                model=result["provenance"].get("model", ""),
                provenance=result["provenance"],
                **dialogue_columns(result["messages"]),
            )
        )


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per question: the question and its subject in, a dialogue of the average
    number of turns out."""
    options = DistillDialoguesParams.model_validate(given.params)
    turns = (options.min_turns + options.max_turns) / 2
    per_turn = USER_TOKENS + REPLY_TOKENS + (REASONING_TOKENS if options.reasoning else 0)
    ids = sorted(parse_key(key)["q"] for key in keys)
    with given.app.db.session() as session:
        query = select(Question.id, Question.text).where(Question.id.in_(ids))
        texts: dict[int, str] = {row.id: row.text for row in session.execute(query)}
    prompt = 0
    for question_id in ids:
        text = texts.get(question_id, "")
        values = {"question": "", "user_role": "", "assistant_role": "", "turns": 1}
        prompt += given.overhead("dialogue_open", given.language(text), values)
        # The question, and a subject path about as long again.
        prompt += 2 * estimate_tokens(text)
    return Figures(len(keys), prompt, round(len(keys) * turns * per_turn))
