"""What a dialogue is asked to be: the spec a caller gives, and the JSON shape the model
replies in, with hygiene applied as the reply is validated.

The model writes turns as {"user", "assistant"} pairs rather than a list of role-tagged
messages: the pair shape makes alternation structural, which small models get wrong far
less often than role sequences. A reply written as role-tagged messages anyway is paired
here when it alternates properly, and refused (so asked again) when it does not.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)

from easy_dataset.generate.cot import mentions_source, scrub_source_mentions
from easy_dataset.generate.hygiene import clean_answer, clean_reasoning

MAX_TURNS = 12
# Bounded so a grammar-constrained local model always finishes the document.
USER_CHARS = 2000
REPLY_CHARS = 4000
SCENARIO_CHARS = 600


class DialogueSpec(BaseModel):
    """What dialogue to write: the situation, who talks, how many turns, in which language.

    A turn is one user message and the assistant's reply. An empty scenario lets the model
    propose one that fits the chunk."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_role: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    assistant_role: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    scenario: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    min_turns: int = Field(default=2, ge=1, le=MAX_TURNS)
    max_turns: int = Field(default=4, ge=1, le=MAX_TURNS)
    language: Literal["en", "zh"] = "en"
    # The assistant's reasoning with each reply (Message.reasoning), for reasoning models.
    reasoning: bool = False
    # A leading system message naming the assistant's role, the user and the scenario.
    system_message: bool = True

    @model_validator(mode="after")
    def _check_turns(self) -> DialogueSpec:
        if self.min_turns > self.max_turns:
            raise ValueError(
                f"min_turns ({self.min_turns}) must not exceed max_turns ({self.max_turns})"
            )
        return self


def _message(text: str) -> str:
    cleaned = clean_answer(text).text
    if not cleaned:
        raise ValueError("is empty once leaked tags and markup are removed: write the message")
    return cleaned


def _reply(text: str) -> str:
    # The user never saw the chunk: "according to the text" would teach the model to cite
    # a document nobody gave it. Cut out here, as in chains of thought.
    cleaned = _message(text)
    return scrub_source_mentions(cleaned) if mentions_source(cleaned) else cleaned


def _reasoning(text: str) -> str:
    cleaned = clean_reasoning(text).text
    return scrub_source_mentions(cleaned) if mentions_source(cleaned) else cleaned


UserText = Annotated[str, Field(min_length=1, max_length=USER_CHARS), AfterValidator(_message)]
ReplyText = Annotated[str, Field(min_length=1, max_length=REPLY_CHARS), AfterValidator(_reply)]
ReasoningText = Annotated[str, Field(max_length=REPLY_CHARS), AfterValidator(_reasoning)]
ScenarioText = Annotated[
    str, Field(min_length=1, max_length=SCENARIO_CHARS), AfterValidator(_message)
]


class TurnOut(BaseModel):
    """One turn as the model writes it."""

    user: UserText
    assistant: ReplyText


class ReasonedTurnOut(TurnOut):
    """One turn with the assistant's reasoning behind its reply."""

    reasoning: ReasoningText


def pair_messages(items: list[Any]) -> list[Any]:
    """Role-tagged messages ({"role", "content"}) made into turns; other items left as they
    are. ValueError when the roles do not alternate user, assistant, starting with user."""
    if not items or not all(isinstance(item, dict) and "role" in item for item in items):
        return items
    spoken = [item for item in items if item.get("role") != "system"]
    roles = [str(item.get("role")) for item in spoken]
    expected = ["user", "assistant"] * (len(spoken) // 2)
    if roles != expected:
        raise ValueError(
            "the messages must alternate user, assistant, starting with the user and ending "
            f"with the assistant (got {', '.join(roles)}); write them as turns "
            '[{"user": "…", "assistant": "…"}]'
        )
    turns = []
    for user, assistant in zip(spoken[::2], spoken[1::2], strict=True):
        turn = {"user": user.get("content"), "assistant": assistant.get("content")}
        if "reasoning" in assistant:
            turn["reasoning"] = assistant["reasoning"]
        turns.append(turn)
    return turns


class _DialogueShape(BaseModel):
    """The base of the dialogue schemas: the shapes a model may reply in, made one."""

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        # A bare list is the turns; "messages" stands for "turns"; messages are paired.
        if isinstance(data, list):
            data = {"turns": data}
        if isinstance(data, dict):
            if "turns" not in data and isinstance(data.get("messages"), list):
                data = {**data, "turns": data["messages"]}
            if isinstance(data.get("turns"), list):
                data = {**data, "turns": pair_messages(data["turns"])}
        return data


@lru_cache(maxsize=128)
def dialogue_schema(
    min_turns: int, max_turns: int, *, scenario: bool, reasoning: bool
) -> type[BaseModel]:
    """{"scenario"?, "turns": [{"user", "assistant", "reasoning"?}]}: at least `min_turns`.

    Up to twice `max_turns` are accepted, and the caller keeps the first `max_turns`: each
    turn ends with the assistant's reply, so the kept part is still a whole conversation,
    and a retry would cost a call that rewrites every turn."""
    turn: Any = ReasonedTurnOut if reasoning else TurnOut
    fields: dict[str, Any] = {}
    if scenario:
        fields["scenario"] = (ScenarioText, ...)
    fields["turns"] = (list[turn], Field(min_length=min_turns, max_length=2 * max_turns))
    return create_model("Dialogue", __base__=_DialogueShape, **fields)
