"""The JSON shapes asked of the model.

Roots are objects, never bare lists: OpenAI's json_schema mode refuses array roots. Where a
prompt shows the model a bare list, a bare list is accepted too. Lengths are bounded on
purpose: a grammar-constrained local model always finishes a bounded document within its
token budget.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, BeforeValidator, Field, create_model, model_validator

TagName = Annotated[str, Field(min_length=1, max_length=80)]
QuestionText = Annotated[str, Field(min_length=1, max_length=400)]
MAX_CHILDREN = 12


def _wrap_list(key: str) -> Any:
    """A before-validator: a bare list is the list under `key`."""

    def wrap(cls: type[BaseModel], data: Any) -> Any:
        return {key: data} if isinstance(data, list) else data

    return model_validator(mode="before")(classmethod(wrap))  # type: ignore[arg-type]


@lru_cache(maxsize=32)
def tag_tree_schema(levels: int, max_top: int) -> type[BaseModel]:
    """{"tags": [{"name", "children": [...]}]}, nested exactly `levels` deep."""
    # Built innermost first; "children" is required so the model states an empty list
    # rather than leaving a level out by omission.
    node: type[BaseModel] = create_model(f"TagLevel{levels}", name=(TagName, ...))
    for depth in range(levels - 1, 0, -1):
        node = create_model(
            f"TagLevel{depth}",
            name=(TagName, ...),
            children=(list[node], Field(max_length=MAX_CHILDREN)),  # type: ignore[valid-type]
        )
    return create_model(
        "TagTree",
        __validators__={"bare_list": _wrap_list("tags")},
        tags=(list[node], Field(min_length=1, max_length=max_top)),  # type: ignore[valid-type]
    )


class PersonaOut(BaseModel):
    genre: str = Field(min_length=1, max_length=120)
    genre_description: str = Field(max_length=400)
    audience: str = Field(min_length=1, max_length=120)
    audience_description: str = Field(max_length=400)


@lru_cache(maxsize=16)
def personas_schema(count: int) -> type[BaseModel]:
    """{"pairs": [...]}: at least `count`; extras are tolerated here and cut by the caller."""
    return create_model(
        "GenreAudiencePairs",
        __validators__={"bare_list": _wrap_list("pairs")},
        pairs=(list[PersonaOut], Field(min_length=count, max_length=2 * count)),
    )


def _question_item(value: Any) -> Any:
    # A model that writes plain strings instead of {"question": ...} still asked questions.
    return {"question": value, "tag": None} if isinstance(value, str) else value


@lru_cache(maxsize=64)
def questions_schema(count: int, tags: tuple[str, ...] = ()) -> type[BaseModel]:
    """{"questions": [{"question", "tag"}]}, the tag one of `tags` (or null); no tag field
    without tags (a "tag" sent anyway is ignored).

    Empty is allowed, as the prompt allows it for a chunk with nothing to ask about. Up to
    twice `count` items are accepted: a model that overshoots is trimmed rather than asked
    again (a retry costs a whole call).
    """
    fields: dict[str, Any] = {"question": (QuestionText, ...)}
    if tags:
        label = cast(Any, Literal).__getitem__(tags)
        fields["tag"] = (Annotated[label | None, BeforeValidator(_tag_matcher(tags))], ...)
    item = create_model("Question", **fields)
    entry: Any = Annotated[item, BeforeValidator(_question_item)]
    return create_model(
        "Questions",
        __validators__={"bare_list": _wrap_list("questions")},
        questions=(list[entry], Field(max_length=2 * count)),
    )


def _tag_matcher(names: tuple[str, ...]) -> Any:
    by_key = {name.casefold(): name for name in names}

    def match(value: Any) -> Any:
        # A label with other casing is the same label; an unknown one becomes "no tag"
        # rather than a failed reply, since the question itself is still good.
        if isinstance(value, str):
            return by_key.get(" ".join(value.split()).casefold())
        return None

    return match


@lru_cache(maxsize=64)
def label_schema(labels: tuple[str, ...]) -> type[BaseModel]:
    """{"label": one of `labels`}."""
    label = cast(Any, Literal).__getitem__(labels)
    matched: Any = Annotated[label, BeforeValidator(match_label(labels))]
    return create_model("Label", label=(matched, ...))


def match_label(labels: tuple[str, ...]) -> Any:
    """Casing, spacing, quotes and a final full stop forgiven; anything else left to fail."""
    by_key = {_label_key(name): name for name in labels}

    def match(value: Any) -> Any:
        if isinstance(value, str):
            return by_key.get(_label_key(value), value)
        return value

    return match


def _label_key(text: str) -> str:
    return " ".join(text.strip().strip("\"'`“”‘’「」.。").split()).casefold()
