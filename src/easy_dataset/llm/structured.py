"""Replies as validated values: ask for JSON the way the provider supports, parse it
tolerantly, and on a bad reply show the model its error and ask again."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, Literal, TypeVar, cast

import json_repair
from pydantic import TypeAdapter, ValidationError

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.presets import PRESETS
from easy_dataset.llm.reasoning import strip_reasoning
from easy_dataset.llm.types import ChatClient, Completion, Message, ModelConfig

T = TypeVar("T")
Mode = Literal["json_schema", "json_object", "prompt"]
ERRORS_SHOWN = 5  # validation errors quoted back to the model
MAX_SPANS = 20  # bracketed candidates tried in one reply
# The fake server (tests/fake_openai.py) finds the schema by these words and the fence.
INSTRUCTIONS = (
    "Reply with JSON only: no prose and no code fences. "
    "The JSON must match this JSON schema:\n```json\n{schema}\n```"
)
RETRY_PROMPT = "Your reply was not valid: {error}. Reply again with JSON only, matching the schema."
TRUNCATED_PROMPT = (
    "Your reply was cut off before its JSON ended. Reply again with the whole JSON, matching "
    "the schema, and keep it short enough to end within your length limit."
)


@dataclass(frozen=True)
class Structured(Generic[T]):
    """A validated value, the completion it came from, and how many calls it took."""

    value: T
    completion: Completion
    attempts: int


class ReplyError(ValueError):
    """A reply that is not JSON ("parse"), not of the expected shape ("validation"), or cut
    off before its JSON ended ("truncated": never repaired into a shorter value)."""

    def __init__(self, kind: Literal["parse", "validation", "truncated"], message: str) -> None:
        super().__init__(message)
        self.kind = kind


def resolve_mode(config: ModelConfig) -> Mode:
    """How to ask for JSON: the configured mode, or for "auto" what the provider supports."""
    if config.structured == "auto":
        return "json_schema" if PRESETS[config.provider].json_schema else "prompt"
    return config.structured


@lru_cache(maxsize=256)
def _adapter(schema: Hashable) -> TypeAdapter[Any]:
    return TypeAdapter(cast(Any, schema))  # building one compiles a validator: worth keeping


def schema_name(schema: Any) -> str:
    """A response_format name: letters, digits, _ and - only, at most 64 characters."""
    name = getattr(schema, "__name__", None) or "response"
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(name))[:64] or "response"


def request_for(
    messages: list[Message], schema: Any, mode: Mode
) -> tuple[list[Message], dict[str, Any] | None]:
    """The messages and response_format that ask for JSON of `schema` in `mode`."""
    json_schema = _adapter(cast(Hashable, schema)).json_schema()
    if mode == "json_schema":
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": schema_name(schema), "schema": json_schema, "strict": False},
        }
        return list(messages), response_format
    note = INSTRUCTIONS.format(schema=json.dumps(json_schema, ensure_ascii=False))
    prepared = list(messages)
    if prepared and prepared[-1].get("role") == "user":
        # Appended to the request itself: small models heed the last user turn best.
        last = prepared[-1]
        prepared[-1] = {**last, "content": f"{last.get('content', '')}\n\n{note}"}
    else:
        prepared.append({"role": "user", "content": note})
    return prepared, {"type": "json_object"} if mode == "json_object" else None


async def chat_structured(
    client: ChatClient,
    messages: list[Message],
    schema: type[T],
    *,
    retries: int | None = None,
) -> Structured[T]:
    """Asks for JSON matching `schema` and validates it, retrying on bad replies."""
    retries = client.config.validation_retries if retries is None else retries
    adapter: TypeAdapter[T] = _adapter(cast(Hashable, schema))
    conversation, response_format = request_for(messages, schema, resolve_mode(client.config))
    for attempt in range(1, retries + 2):
        completion = await client.chat(conversation, response_format=response_format)
        try:
            return Structured(parse_reply(completion.text, adapter), completion, attempt)
        except ReplyError as exc:
            error = exc
        if error.kind == "parse" and completion.finish_reason == "length":
            error = ReplyError("truncated", "the reply was cut off at the token limit")
        again = TRUNCATED_PROMPT if error.kind == "truncated" else RETRY_PROMPT.format(error=error)
        conversation = [
            *conversation,
            {"role": "assistant", "content": completion.text or "(an empty reply)"},
            {"role": "user", "content": again},
        ]
    raise ModelCallError(
        error.kind,
        f"the model's reply was still not valid after {retries + 1} attempts: {error}",
        raw_output=completion.raw,
    )


def parse_reply(text: str, adapter: TypeAdapter[T]) -> T:
    """The validated value in a reply; ReplyError says why there is none."""
    data = extract_json(text)
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        raise ReplyError("validation", describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """A short account of what did not match, for the model to correct."""
    problems = []
    for error in exc.errors()[:ERRORS_SHOWN]:
        where = ".".join(str(part) for part in error["loc"]) or "the value"
        problems.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - ERRORS_SHOWN
    return "; ".join(problems) + (f"; and {more} more" if more > 0 else "")


_FENCE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """JSON from a reply: bare, fenced, wrapped in prose, or repairable (quotes, commas).

    JSON that never closes was cut off: closing its brackets would make a valid but shorter
    value (a list missing its last items), so it is refused as "truncated" instead."""
    text = strip_reasoning(text).strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
        try:
            return json.loads(text)
        except ValueError:
            pass
    spans = _top_level_spans(text)
    if not spans:
        raise ReplyError("parse", "the reply holds no JSON object or array")
    for begin, finish in spans:
        if finish is not None:
            try:
                return json.loads(text[begin:finish])
            except ValueError:
                pass
    # The payload is usually the bulk of the reply: repair the longest candidate.
    begin, finish = max(spans, key=lambda span: (span[1] or len(text)) - span[0])
    if finish is None:
        raise ReplyError("truncated", f"the reply's JSON never ends (cut off?): …{text[-60:]!r}")
    candidate = text[begin:finish]
    repaired = json_repair.loads(candidate)
    if isinstance(repaired, dict | list) and (repaired or candidate.strip() in ("{}", "[]")):
        return repaired
    raise ReplyError("parse", f"the reply is not valid JSON: {candidate[:80]!r}…")


def _top_level_spans(text: str) -> list[tuple[int, int | None]]:
    """Bracketed spans outside each other; the last may be unclosed (end None)."""
    spans: list[tuple[int, int | None]] = []
    index = 0
    while len(spans) < MAX_SPANS:
        starts = [p for p in (text.find("{", index), text.find("[", index)) if p != -1]
        if not starts:
            break
        begin = min(starts)
        finish = _balanced_end(text, begin)
        spans.append((begin, finish))
        if finish is None:
            break
        index = finish
    return spans


def _balanced_end(text: str, start: int) -> int | None:
    """The index after the bracket closing the one at `start`, or None if it never closes."""
    depth = 0
    in_string = escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
    return None
