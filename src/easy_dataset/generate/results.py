"""What the generation functions return: drafts plus where they came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Provenance:
    """Which prompt (name, version, language) and which model produced a result."""

    prompt: str
    version: str
    language: str
    model: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class TagDraft:
    """A tag proposed by the model, with the tags under it."""

    name: str
    children: tuple[TagDraft, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "children": [child.to_dict() for child in self.children]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TagDraft:
        children = data.get("children") or []
        return cls(str(data["name"]), tuple(cls.from_dict(child) for child in children))


@dataclass(frozen=True)
class TagTreeResult:
    tags: list[TagDraft]
    provenance: Provenance


@dataclass(frozen=True)
class Persona:
    """A genre (how the text is written) and an audience (who it is written for)."""

    genre: str
    audience: str
    genre_description: str = ""
    audience_description: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def label(self) -> str:
        return f"{self.genre} / {self.audience}"


@dataclass(frozen=True)
class PersonasResult:
    personas: list[Persona]
    provenance: Provenance


@dataclass(frozen=True)
class QuestionDraft:
    text: str
    tag: str | None = None  # a name from the tags offered, or None when none fits


@dataclass(frozen=True)
class QuestionsResult:
    questions: list[QuestionDraft]
    dropped: int  # near-duplicates, blanks and any beyond the count, cut from the reply
    provenance: Provenance


CotSource = Literal["reasoning", "synthesized", "none"]
CotRewrite = Literal["model", "regex", "none"]


@dataclass(frozen=True)
class AnswerResult:
    """A grounded answer, its chain of thought, and every prompt that went into them."""

    answer: str
    cot: str
    cot_source: CotSource
    cot_rewrite: CotRewrite
    provenance: Provenance  # the answer prompt
    steps: tuple[Provenance, ...] = field(default_factory=tuple)  # every prompt, in order
    # The spans of the chunk the answer says it relies on (asked for with citations only).
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevisedAnswer:
    answer: str
    provenance: Provenance


AnswerType = Literal["text", "label", "json"]


@dataclass(frozen=True)
class TemplateAnswer:
    """A question template's answer: text, a label from its list, or JSON of its schema."""

    answer_type: AnswerType
    answer: str  # the text, the label, or the JSON serialised
    value: Any  # the text, the label, or the parsed JSON
    provenance: Provenance
