"""The dataset tables: domain tags, personas, questions, QA pairs, templates, prompt overrides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from easy_dataset.store.base import Base, utcnow


class Tag(Base):
    """A node of a project's domain tag tree; deleting one never deletes questions."""

    __tablename__ = "tags"
    __table_args__ = (Index("ix_tags_project_parent", "project_id", "parent_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GenreAudience(Base):
    """A genre–audience persona proposed for (or added to) one file."""

    __tablename__ = "ga_pairs"
    __table_args__ = (Index("ix_ga_pairs_file", "file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("files.id", ondelete="CASCADE"))
    genre: Mapped[str] = mapped_column(String(200))
    genre_description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(200))
    audience_description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionTemplate(Base):
    """A fixed question asked of every chunk, with the kind of answer it expects."""

    __tablename__ = "question_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    # text | label | json
    answer_type: Mapped[str] = mapped_column(String(20), default="text")
    labels: Mapped[list[Any]] = mapped_column(default=list)
    json_schema: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_project", "project_id"),
        Index("ix_questions_chunk", "chunk_id"),
        Index("ix_questions_tag", "project_id", "tag_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # Questions outlive what they point to: the links are cleared, never cascaded.
    chunk_id: Mapped[int | None] = mapped_column(
        ForeignKey("chunks.id", ondelete="SET NULL"), nullable=True
    )
    ga_pair_id: Mapped[int | None] = mapped_column(
        ForeignKey("ga_pairs.id", ondelete="SET NULL"), nullable=True
    )
    tag_id: Mapped[int | None] = mapped_column(
        ForeignKey("tags.id", ondelete="SET NULL"), nullable=True
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_templates.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    # generated | template | manual | distilled | cross_chunk | unanswerable
    origin: Mapped[str] = mapped_column(String(20), default="generated")
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QAPair(Base):
    """A sample, ready for review and export: a QA pair, or a dialogue of several turns.

    A QA pair keeps its one turn in question / answer / cot. A dialogue keeps all its turns
    in `messages` (dicts of `types.Message`) and mirrors its first question and last answer
    into question / answer for lists, search and filters. Read the turns with
    `samples_shape.sample_messages`; write a dialogue's columns with `dialogue_columns`.
    """

    __tablename__ = "qa_pairs"
    __table_args__ = (
        Index("ix_qa_pairs_project_id", "project_id", "id"),
        Index("ix_qa_pairs_question", "question_id"),
        # Counts confirmed pairs without reading rows; equal keys stay in id order, so
        # pages of a confirmed filter need no sort either.
        Index("ix_qa_pairs_confirmed", "project_id", "confirmed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL"), nullable=True
    )
    chunk_id: Mapped[int | None] = mapped_column(
        ForeignKey("chunks.id", ondelete="SET NULL"), nullable=True
    )
    # qa | dialogue (types.SampleKind)
    kind: Mapped[str] = mapped_column(String(20), default="qa", server_default="qa")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    cot: Mapped[str] = mapped_column(Text, default="")
    # Every turn of a dialogue; None for a QA pair, whose one turn is question / answer / cot.
    messages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    model: Mapped[str] = mapped_column(String(200), default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    judge_notes: Mapped[str] = mapped_column(Text, default="")
    user_tags: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    # file, chunk, heading path, persona, tag, model, prompt name and version, job, time
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PromptOverride(Base):
    """A project's own version of one prompt template in one language."""

    __tablename__ = "prompt_overrides"
    __table_args__ = (
        UniqueConstraint("project_id", "name", "language", name="uq_prompt_overrides"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QualityResult(Base):
    """What one quality check found for one QA pair or question: a score, a flag, details.

    `flagged` is the check's verdict (True: a problem), or None while it is undecided — a
    review-sample member nobody has judged yet. One row per kind of check and item: a re-run
    replaces it.
    """

    __tablename__ = "quality_results"
    __table_args__ = (
        UniqueConstraint("kind", "qa_id", name="uq_quality_results_kind_qa"),
        UniqueConstraint("kind", "question_id", name="uq_quality_results_kind_question"),
        Index("ix_quality_results_project_kind", "project_id", "kind", "flagged"),
        Index("ix_quality_results_qa", "qa_id"),
        Index("ix_quality_results_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # Which check: judge | grounding | duplicate | pii | refs | contamination | sample | votes
    kind: Mapped[str] = mapped_column(String(30))
    qa_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_pairs.id", ondelete="CASCADE"), nullable=True
    )
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), nullable=True
    )
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    flagged: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EmbeddingVector(Base):
    """A cached embedding of one text by one embedder, stored as float16 bytes."""

    __tablename__ = "embeddings"
    __table_args__ = (UniqueConstraint("model", "text_hash", name="uq_embeddings_model_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(50))
    # SHA-256 of the text: the text itself stays where it lives.
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
