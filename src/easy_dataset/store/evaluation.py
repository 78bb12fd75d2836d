"""The evaluation tables: test sets and their items, models' runs on them with a score per
item, and the blind arena's battles with their votes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from easy_dataset.store.base import Base, utcnow


class EvalSet(Base):
    """A named evaluation set of a project."""

    __tablename__ = "eval_sets"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_eval_sets_project_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EvalItem(Base):
    """One test question with its reference answer.

    kind: true_false | single_choice | multiple_choice | short_answer | open. `options` holds
    the choices of the choice kinds in letter order (A, B, ...); `answer` is the reference:
    "true" / "false", the correct letters ("B", "ACD"), or a text. origin: generated |
    held_out (a copy of the project's QA pair `qa_id`, which is then never exported for
    training) | imported | manual.
    """

    __tablename__ = "eval_items"
    __table_args__ = (
        Index("ix_eval_items_set", "set_id", "id"),
        Index("ix_eval_items_qa", "project_id", "qa_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    set_id: Mapped[int] = mapped_column(ForeignKey("eval_sets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    question: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(default=list)
    answer: Mapped[str] = mapped_column(Text)
    chunk_id: Mapped[int | None] = mapped_column(
        ForeignKey("chunks.id", ondelete="SET NULL"), nullable=True
    )
    qa_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_pairs.id", ondelete="SET NULL"), nullable=True
    )
    tag_path: Mapped[list[Any]] = mapped_column(default=list)
    origin: Mapped[str] = mapped_column(String(20), default="generated")
    confirmed: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    # model, prompt, job, file, heading path; for imports the file and line
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EvalRun(Base):
    """One model evaluated on one set; its scores are the run's `EvalResult` rows."""

    __tablename__ = "eval_runs"
    __table_args__ = (Index("ix_eval_runs_project", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    set_id: Mapped[int] = mapped_column(ForeignKey("eval_sets.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(200))  # the model configuration's name
    judge_model: Mapped[str] = mapped_column(String(200), default="")
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvalResult(Base):
    """A model's answer to one item and its score from 0 to 1.

    method: exact | partial | normalised | judge | none (the model gave no usable answer);
    `detail` keeps what scoring saw (parsed letters, the judge's reason)."""

    __tablename__ = "eval_results"
    __table_args__ = (UniqueConstraint("run_id", "item_id", name="uq_eval_results_run_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("eval_items.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    method: Mapped[str] = mapped_column(String(20), default="none")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArenaBattle(Base):
    """Two models' answers to one prompt, shown blind, and the reviewer's vote.

    `swapped` says model B's answer is shown first (as "A"), drawn at random when the battle
    is made. vote: a | b | tie | both_bad, in terms of `model_a` / `model_b` (not of the
    order shown); None until someone votes."""

    __tablename__ = "arena_battles"
    __table_args__ = (Index("ix_arena_battles_project", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("eval_items.id", ondelete="SET NULL"), nullable=True
    )
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL"), nullable=True
    )
    prompt: Mapped[str] = mapped_column(Text)
    system: Mapped[str] = mapped_column(Text, default="")
    model_a: Mapped[str] = mapped_column(String(200))
    model_b: Mapped[str] = mapped_column(String(200))
    answer_a: Mapped[str] = mapped_column(Text)
    answer_b: Mapped[str] = mapped_column(Text)
    swapped: Mapped[bool] = mapped_column(default=False)
    vote: Mapped[str | None] = mapped_column(String(10), nullable=True)
    voted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    job_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
