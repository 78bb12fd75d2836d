"""`dialogues.generate`: multi-turn dialogues from chunks, each stored as a dialogue sample."""

from __future__ import annotations

import zlib
from typing import Annotated, Any, ClassVar

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.generate import DialogueSpec, generate_dialogue
from easy_dataset.generate.dialogue_schema import MAX_TURNS
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Stage, Words, register_stage
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.samples_shape import dialogue_columns
from easy_dataset.services.app import App
from easy_dataset.services.generation.question_jobs import load_chunk_item
from easy_dataset.services.job_support.common import (
    ModelJob,
    id_filter,
    language_for,
    parse_key,
    succeeded_items,
    unfinished_keys,
)
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.services.stage_options import ChunkIds, FileIds, ModelParams
from easy_dataset.store.dataset import GenreAudience, QAPair
from easy_dataset.store.models import Chunk, Job, JobItem

TYPE = "dialogues.generate"
Role = Annotated[str, Field(min_length=1, max_length=200)]


# The turn options every dialogue stage takes, declared once (a base class would move them
# ahead of each stage's own options in the CLI and the web form).
MinTurns = Annotated[int, Field(ge=1, le=MAX_TURNS, description="Fewest turns.")]
MaxTurns = Annotated[int, Field(ge=1, le=MAX_TURNS, description="Most turns.")]
TurnReasoning = Annotated[bool, Field(description="Ask for the reasoning of each reply.")]


def check_turn_bounds(min_turns: int, max_turns: int) -> None:
    if min_turns > max_turns:
        raise ValueError(f"min_turns ({min_turns}) must not exceed max_turns ({max_turns})")


class DialoguesParams(ModelParams):
    file_ids: FileIds = None
    chunk_ids: ChunkIds = None
    user_role: Role | None = Field(
        default=None,
        description="Who asks, e.g. new employee (default: each active persona's audience).",
    )
    assistant_role: Role | None = Field(
        default=None,
        description="Who answers, e.g. compliance officer (default: an expert in each active "
        "persona's genre).",
    )
    scenario: str = Field(
        default="",
        max_length=2000,
        description="The situation of every dialogue (default: the model proposes one per chunk).",
    )
    min_turns: MinTurns = 2
    max_turns: MaxTurns = 4
    reasoning: TurnReasoning = False

    @model_validator(mode="after")
    def _check(self) -> DialoguesParams:
        check_turn_bounds(self.min_turns, self.max_turns)
        return self


def item_key(chunk_id: int, ga_pair_id: int | None) -> str:
    return f"c{chunk_id}" if ga_pair_id is None else f"c{chunk_id}:g{ga_pair_id}"


@register_stage
class GenerateDialogues(ModelJob, Stage[DialoguesParams]):
    """Items `c<chunk>` (roles set by the user) or `c<chunk>:g<persona>` (roles from each
    active persona of the chunk's file), not done since the chunk last changed."""

    name: ClassVar[str] = TYPE
    group = "generation"
    order = 45
    label = Words("Generate dialogues", "生成多轮对话")
    help = Words(
        "Write a multi-turn dialogue about each chunk between two roles, every reply grounded "
        "in the chunk.",
        "为每个文本块编写两个角色之间的多轮对话，每个回答都以该文本块为依据。",
    )
    Params = DialoguesParams
    command = ("dialogues", "generate")

    def plan(self, app: App, project_id: int | None, params: dict[str, Any]) -> list[str]:
        assert project_id is not None
        options = self.options(params)
        files, chunks = id_filter(params, "file_ids"), id_filter(params, "chunk_ids")
        by_persona = options.user_role is None and options.assistant_role is None
        with app.db.session() as session:
            rows = session.execute(
                select(Chunk.id, Chunk.file_id, Chunk.updated_at)
                .where(Chunk.project_id == project_id)
                .order_by(Chunk.file_id, Chunk.ordinal)
            ).all()
            personas: dict[int, list[int]] = {}
            if by_persona:
                for ga_id, file_id in session.execute(
                    select(GenreAudience.id, GenreAudience.file_id)
                    .where(GenreAudience.project_id == project_id, GenreAudience.active.is_(True))
                    .order_by(GenreAudience.ordinal, GenreAudience.id)
                ):
                    personas.setdefault(file_id, []).append(ga_id)
            finished = succeeded_items(session, project_id, TYPE)
            busy = unfinished_keys(session, project_id, TYPE)
        keys: list[str] = []
        for chunk_id, file_id, changed in rows:
            if (files is not None and file_id not in files) or (
                chunks is not None and chunk_id not in chunks
            ):
                continue
            pairs: list[int | None] = list(personas.get(file_id, [])) or [None]
            for pair in pairs:
                key = item_key(chunk_id, pair)
                done_at = finished.get(key)
                if key in busy or (done_at is not None and done_at >= changed):
                    continue
                keys.append(key)
        return keys

    async def process(self, ctx: JobContext[App], key: str) -> dict[str, Any]:
        options = self.options(ctx.params)
        parts = parse_key(key)
        chunk_id, ga_id = parts["c"], parts.get("g")
        with ctx.app.db.session() as session:
            item = load_chunk_item(session, chunk_id, ga_id, "dialogues")
        content, headings, title, persona = (
            item.content,
            item.heading_path,
            item.title,
            item.persona,
        )
        genre = persona.genre if persona else ""
        audience = persona.audience if persona else ""
        language = language_for(self.settings(ctx), content)
        user_role = options.user_role or audience or DEFAULT_ROLES[language][0]
        assistant_role = options.assistant_role or (
            _EXPERT[language].format(genre=genre) if genre else DEFAULT_ROLES[language][1]
        )
        spec = DialogueSpec(
            user_role=user_role,
            assistant_role=assistant_role,
            scenario=options.scenario,
            min_turns=options.min_turns,
            max_turns=options.max_turns,
            language="zh" if language == "zh" else "en",
            reasoning=options.reasoning,
        )
        overrides = {
            name: text
            for name in ("dialogue",)
            if (text := self.override(ctx, name, spec.language)) is not None
        }
        result = await generate_dialogue(
            self.client(ctx),
            chunk=content,
            spec=spec,
            heading_path=headings,
            title=title,
            # The same item draws the same number of turns when it is run again.
            seed=zlib.crc32(key.encode()),
            overrides=overrides,
        )
        return {
            "chunk_id": chunk_id,
            "messages": [message.model_dump() for message in result.messages],
            "provenance": {
                **result.provenance.as_dict(),
                "job": ctx.job_id,
                "context": "chunk",
                "file": title,
                "chunk": chunk_id,
                "heading_path": headings,
                "persona": {"genre": genre, "audience": audience} if persona else None,
                "scenario": result.scenario,
                "roles": {"user": user_role, "assistant": assistant_role},
                "turns": result.turns,
                "trimmed": result.trimmed,
            },
        }

    def commit(self, session: Session, job: Job, item: JobItem, result: dict[str, Any]) -> None:
        assert job.project_id is not None
        session.add(
            QAPair(
                project_id=job.project_id,
                chunk_id=result["chunk_id"],
                model=result["provenance"].get("model", ""),
                provenance=result["provenance"],
                **dialogue_columns(result["messages"]),
            )
        )


# Typical reply sizes (tokens): a user's message and an assistant's grounded reply.
USER_TOKENS = 40
REPLY_TOKENS = 200
REASONING_TOKENS = 150


@token_estimator(TYPE)
def estimate(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per item: the chunk in, a dialogue of the average number of turns out."""
    options = DialoguesParams.model_validate(given.params)
    turns = (options.min_turns + options.max_turns) / 2
    per_turn = USER_TOKENS + REPLY_TOKENS + (REASONING_TOKENS if options.reasoning else 0)
    chunk_ids = sorted({parse_key(key)["c"] for key in keys})
    with given.app.db.session() as session:
        contents = dict(
            session.execute(select(Chunk.id, Chunk.content).where(Chunk.id.in_(chunk_ids))).all()
        )
    prompt = 0
    for key in keys:
        content = contents.get(parse_key(key)["c"], "")
        values = {"chunk": "", "user_role": "", "assistant_role": "", "turns": 1}
        prompt += given.overhead("dialogue", given.language(content), values)
        prompt += estimate_tokens(content)
    return Figures(len(keys), prompt, round(len(keys) * turns * per_turn))


DEFAULT_ROLES = {"en": ("learner", "expert"), "zh": ("学习者", "专家")}
_EXPERT = {"en": "expert in {genre}", "zh": "{genre}方面的专家"}
