"""What an export looks like: format, file type, reasoning and system prompt, checked together."""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from easy_dataset.errors import InputError

ExportFormat = Literal["alpaca", "sharegpt", "messages", "reasoning", "custom"]
FileType = Literal["json", "jsonl"]
# think: "<think>\n{cot}\n</think>\n\n{answer}"; field: reasoning in its own field; omit: dropped.
CotMode = Literal["think", "field", "omit"]
QuestionSlot = Literal["instruction", "input"]
MAX_PROMPT_TEXT = 10_000  # a system prompt or instruction written into every record

# What a custom field map may name, and the record value each one carries. A dialogue's
# question / answer / cot are its last exchange, `history` the exchanges before it.
CUSTOM_SOURCES = (
    "question",
    "answer",
    "cot",
    "system",
    "history",
    "id",
    "tags",
    "score",
    "confirmed",
)
SUFFIX_TYPES: dict[str, FileType] = {".json": "json", ".jsonl": "jsonl"}


def file_type_for(path: str | PurePath) -> FileType:
    """The file type a name's suffix asks for (`.json` or `.jsonl`)."""
    suffix = PurePath(path).suffix.lower()
    if suffix not in SUFFIX_TYPES:
        raise InputError(
            f"cannot tell the file type of {PurePath(path).name!r}; "
            "name it .json or .jsonl, or give the file type (json | jsonl)"
        )
    return SUFFIX_TYPES[suffix]


class ExportOptions(BaseModel):
    """How QA pairs become records; invalid combinations raise InputError when built."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: ExportFormat = "alpaca"
    file_type: FileType = "jsonl"
    system_prompt: str | None = Field(default=None, max_length=MAX_PROMPT_TEXT)
    # None: the format's own default (`field` for reasoning and for a custom map naming cot).
    cot: CotMode | None = None
    alpaca_question_as: QuestionSlot = "instruction"
    alpaca_instruction: str | None = Field(default=None, max_length=MAX_PROMPT_TEXT)
    field_map: dict[str, str] = {}
    include_provenance: bool = False
    # A `citations` list ({quote, verified}) on every record: the chunk spans its answer quotes.
    include_citations: bool = False

    @field_validator("system_prompt", "alpaca_instruction")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value is not None and value.strip() else None

    @property
    def cot_mode(self) -> CotMode:
        """The reasoning mode in force once the format's default is applied."""
        if self.cot is not None:
            return self.cot
        if self.format == "reasoning" or (self.format == "custom" and "cot" in self.field_map):
            return "field"
        return "think"

    @model_validator(mode="after")
    def _check(self) -> Self:
        # InputError is not a ValueError, so pydantic lets it through as our one-line error.
        self._check_alpaca()
        self._check_reasoning()
        self._check_custom()
        return self

    def _check_alpaca(self) -> None:
        if self.format != "alpaca":
            if self.alpaca_question_as != "instruction" or self.alpaca_instruction is not None:
                raise InputError("question placement and instruction text apply to alpaca only")
            return
        if self.alpaca_question_as == "input" and self.alpaca_instruction is None:
            raise InputError("alpaca with the question as input needs an instruction text")
        if self.alpaca_question_as == "instruction" and self.alpaca_instruction is not None:
            raise InputError("an alpaca instruction text needs the question placed as input")

    def _check_reasoning(self) -> None:
        if self.format == "reasoning" and self.cot_mode != "field":
            raise InputError("the reasoning format keeps the chain of thought in its own field")

    def _check_custom(self) -> None:
        if self.format != "custom":
            if self.field_map:
                raise InputError("a field map applies to the custom format only")
            return
        unknown = sorted(set(self.field_map) - set(CUSTOM_SOURCES))
        if unknown:
            raise InputError(
                f"unknown custom field source(s) {', '.join(unknown)}; "
                f"choose from {', '.join(CUSTOM_SOURCES)}"
            )
        if "question" not in self.field_map or "answer" not in self.field_map:
            raise InputError("a custom field map must name fields for question and answer")
        names = list(self.field_map.values())
        if any(not name.strip() for name in names):
            raise InputError("custom field names may not be empty")
        if len(set(names)) != len(names):
            raise InputError("custom field names must differ from each other")
        if self.include_provenance and "metadata" in names:
            raise InputError("the custom field name 'metadata' is taken by the provenance")
        if self.include_citations and "citations" in names:
            raise InputError("the custom field name 'citations' is taken by the citations")
        if ("cot" in self.field_map) != (self.cot_mode == "field"):
            raise InputError("in a custom format, map cot=NAME exactly when the cot mode is field")
        if ("system" in self.field_map) != (self.system_prompt is not None):
            raise InputError(
                "in a custom format, map system=NAME exactly when a system prompt is set"
            )
