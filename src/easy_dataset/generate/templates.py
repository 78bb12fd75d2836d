"""Answers to question templates: free text, a label from a list, or JSON of a schema."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import GetJsonSchemaHandler, RootModel, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from easy_dataset.errors import InputError
from easy_dataset.generate.calls import ask_json, ask_text, prompt, provenance
from easy_dataset.generate.jsonshape import inline_refs, schema_errors
from easy_dataset.generate.results import AnswerType, TemplateAnswer
from easy_dataset.generate.schemas import label_schema, match_label
from easy_dataset.llm.reasoning import strip_reasoning
from easy_dataset.llm.types import ChatClient
from easy_dataset.prompts import RenderedPrompt


@dataclass(frozen=True)
class TemplateSpec:
    """A fixed question and the kind of answer it expects."""

    question: str
    answer_type: AnswerType = "text"
    labels: Sequence[str] = ()
    json_schema: dict[str, Any] | None = field(default=None)


def json_answer_type(schema: dict[str, Any]) -> type[RootModel[Any]]:
    """A pydantic type that shows the model `schema` and validates replies against it."""
    return _json_answer_type(json.dumps(schema, sort_keys=True))


@lru_cache(maxsize=64)
def _json_answer_type(schema_text: str) -> type[RootModel[Any]]:
    # One class per schema, not per call: building one compiles a validator.
    schema = json.loads(schema_text)
    try:
        # Inlined: pydantic re-indexes $refs in schemas it emits and loses foreign ones.
        frozen = inline_refs(schema)
    except ValueError as exc:
        raise InputError(f"unusable JSON schema: {exc}") from None

    class JsonAnswer(RootModel[Any]):
        @classmethod
        def __get_pydantic_json_schema__(
            cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
        ) -> JsonSchemaValue:
            return copy.deepcopy(frozen)

        @model_validator(mode="after")
        def _matches(self) -> JsonAnswer:
            problems = schema_errors(self.root, frozen)
            if problems:
                raise ValueError("; ".join(problems))
            return self

    return JsonAnswer


async def _label(
    client: ChatClient, rendered: RenderedPrompt, labels: tuple[str, ...]
) -> TemplateAnswer:
    """The prompt asks for the bare label; a reply that is not one of the labels gets one
    more, schema-constrained, request instead of failing outright."""
    completion = await ask_text(client, rendered)
    label = match_label(labels)(strip_reasoning(completion.text))
    if label not in labels:
        reply: Any = await ask_json(client, rendered, label_schema(labels))
        label, completion = str(reply.value.label), reply.completion
    return TemplateAnswer("label", label, label, provenance(client, rendered, completion))


def _check(template: TemplateSpec) -> None:
    if template.answer_type == "label" and not [x for x in template.labels if str(x).strip()]:
        raise InputError("a label template needs at least one label")
    if template.answer_type == "json" and not isinstance(template.json_schema, dict):
        raise InputError("a JSON template needs a JSON schema (an object)")


async def answer_template(
    client: ChatClient,
    *,
    template: TemplateSpec,
    chunk: str,
    language: str,
    override: str | None = None,
) -> TemplateAnswer:
    """The template's question answered from the chunk in the template's answer type."""
    _check(template)
    labels = tuple(dict.fromkeys(str(x).strip() for x in template.labels if str(x).strip()))
    rendered = prompt(
        "template_answer",
        language,
        {
            "question": template.question,
            "chunk": chunk,
            "answer_type": template.answer_type,
            "labels": list(labels) or None,
            "json_schema": (
                json.dumps(template.json_schema, ensure_ascii=False)
                if template.json_schema is not None
                else None
            ),
        },
        override,
    )
    if template.answer_type == "text":
        completion = await ask_text(client, rendered)
        text = completion.text.strip()
        return TemplateAnswer("text", text, text, provenance(client, rendered, completion))
    if template.answer_type == "label":
        return await _label(client, rendered, labels)
    assert template.json_schema is not None
    reply: Any = await ask_json(client, rendered, json_answer_type(template.json_schema))
    value = reply.value.root
    return TemplateAnswer(
        "json",
        json.dumps(value, ensure_ascii=False),
        value,
        provenance(client, rendered, reply.completion),
    )
