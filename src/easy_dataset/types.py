"""The small typed objects that stages pass to one another."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DocumentFormat = Literal["pdf", "docx", "epub", "html", "markdown", "text"]


@dataclass
class OutlineNode:
    """One heading of a document and the headings nested under it."""

    level: int
    title: str
    children: list[OutlineNode] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "title": self.title,
            "children": [child.to_dict() for child in self.children],
        }


@dataclass
class ParsedDocument:
    """A document turned into Markdown, with what we learned about it on the way."""

    format: DocumentFormat
    markdown: str
    outline: list[OutlineNode]
    page_count: int | None = None


ChunkStrategy = Literal["markdown", "recursive", "fixed", "token", "code", "delimiter"]


class ChunkSettings(BaseModel):
    """How a project splits documents; stored with the project.

    `size` and `overlap` count characters, except for the token strategy where they
    count tokens (cl100k_base, counted offline).
    """

    model_config = ConfigDict(extra="forbid")

    strategy: ChunkStrategy = "markdown"
    min_chars: int = Field(default=1500, ge=0)
    max_chars: int = Field(default=3000, ge=1)
    size: int = Field(default=1500, ge=1)
    overlap: int = Field(default=0, ge=0)
    separators: list[str] | None = None
    delimiter: str = "\n\n"
    language: str | None = None

    @model_validator(mode="after")
    def _check_ranges(self) -> ChunkSettings:
        if self.min_chars > self.max_chars:
            raise ValueError(
                f"min_chars ({self.min_chars}) must not exceed max_chars ({self.max_chars})"
            )
        if self.overlap >= self.size:
            raise ValueError(f"overlap ({self.overlap}) must be smaller than size ({self.size})")
        if self.strategy == "delimiter" and not self.delimiter:
            raise ValueError("the delimiter strategy needs a non-empty delimiter")
        if self.separators is not None and not any(self.separators):
            raise ValueError("separators must contain at least one non-empty string")
        return self


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk as a splitter produced it, before it is stored."""

    content: str
    heading_path: tuple[str, ...]
    start: int
    end: int


MAX_DOMAIN_RULES = 10_000


class GenerationSettings(BaseModel):
    """How a project generates questions and answers; stored with the project."""

    model_config = ConfigDict(extra="forbid")

    # "auto": each document's language, detected from its text.
    language: Literal["auto", "en", "zh"] = "auto"
    tags_enabled: bool = True
    # A locked tree is never rebuilt or revised by the model; hand edits still apply.
    tags_locked: bool = False
    tag_levels: int = Field(default=2, ge=1, le=4)
    chars_per_question: int = Field(default=240, ge=20)
    min_questions: int = Field(default=1, ge=0)
    max_questions: int = Field(default=10, ge=1)
    # Exactly this many per chunk, overriding the density above.
    exact_questions: int | None = Field(default=None, ge=1)
    # The project's own rules for every answer ("always cite the clause number"), written by
    # its users; the self-correction loop rewrites answers by them.
    domain_rules: str = Field(default="", max_length=MAX_DOMAIN_RULES)

    @model_validator(mode="after")
    def _check_bounds(self) -> GenerationSettings:
        if self.min_questions > self.max_questions:
            raise ValueError(
                f"min_questions ({self.min_questions}) must not exceed "
                f"max_questions ({self.max_questions})"
            )
        return self


JudgeCriterion = Literal["question", "accuracy", "relevance", "consistency"]
DEFAULT_JUDGE_WEIGHTS: dict[JudgeCriterion, float] = {
    "question": 1.0,
    "accuracy": 2.0,
    "relevance": 1.0,
    "consistency": 1.0,
}


class QualityTargets(BaseModel):
    """The figures a dataset report holds the dataset to; each one the user can change."""

    model_config = ConfigDict(extra="forbid")

    # Mean cosine of answers to their source chunks (e5-small; unrelated text sits ~0.75).
    consistency: float = Field(default=0.85, ge=0, le=1)
    # Share of answers that use at least one of the documents' key terms.
    domain_terms: float = Field(default=0.7, ge=0, le=1)
    # Shannon entropy, in bits, of how questions open.
    opening_entropy: float = Field(default=3.8, ge=0, le=20)
    # Errors found in the reviewed random sample (upper bound on the estimate, as a share).
    error_rate: float = Field(default=0.015, ge=0, le=1)
    # Share of QA pairs marked as duplicates.
    duplicate_rate: float = Field(default=0.05, ge=0, le=1)
    # Share of the answers' quotes found in their chunks (answers with citations).
    citations: float = Field(default=0.95, ge=0, le=1)


class QualitySettings(BaseModel):
    """How a project's quality checks judge its data; stored with the project."""

    model_config = ConfigDict(extra="forbid")

    # Relative weight of each judge criterion in the 0–5 judge score.
    judge_weights: dict[JudgeCriterion, Annotated[float, Field(allow_inf_nan=False)]] = (
        DEFAULT_JUDGE_WEIGHTS
    )
    # The judge's model configuration (None: the project's default model).
    judge_model: str | None = None
    # Answers whose sentences fall below this support are flagged by the grounding check.
    grounding_threshold: float | None = Field(default=None, ge=0, le=1)
    dedup_mode: Literal["exact", "minhash", "semantic"] = "minhash"
    # Jaccard for MinHash, cosine for semantic; None: the mode's calibrated default.
    dedup_threshold: float | None = Field(default=None, gt=0, le=1)
    sample_fraction: float = Field(default=0.05, gt=0, le=1)
    pii_action: Literal["flag", "mask"] = "flag"
    contamination_ngram: int = Field(default=13, ge=3, le=50)
    # Consistency voting: answers generated per question when voting is on, and the
    # cosine two answers need to count as agreeing (None: the calibrated default).
    votes: int = Field(default=3, ge=2, le=9)
    vote_threshold: float | None = Field(default=None, gt=0, le=1)
    targets: QualityTargets = QualityTargets()

    @field_validator("judge_weights", mode="before")
    @classmethod
    def _fill_weights(cls, value: Any) -> Any:
        # Criteria left out keep their default weight, so {"accuracy": 3} changes one.
        if isinstance(value, dict):
            return {**DEFAULT_JUDGE_WEIGHTS, **value}
        return value

    @model_validator(mode="after")
    def _check_weights(self) -> QualitySettings:
        if any(weight < 0 for weight in self.judge_weights.values()):
            raise ValueError("judge weights must not be negative")
        if not any(self.judge_weights.values()):
            raise ValueError("at least one judge weight must be above 0")
        return self


Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    """One turn of a sample: who speaks, what they say, and (for the assistant) its reasoning.

    `content` is text; images will join it as a list of parts, so code that only reads text
    goes through `text` rather than `content`.
    """

    model_config = ConfigDict(extra="forbid")

    role: Role
    content: str
    reasoning: str = ""

    @property
    def text(self) -> str:
        return self.content


SampleKind = Literal["qa", "dialogue"]
