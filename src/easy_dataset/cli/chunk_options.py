"""The chunking options shared by `project create` and `chunks split`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from easy_dataset.errors import InputError, validation_reasons
from easy_dataset.types import ChunkSettings, ChunkStrategy

Strategy = Annotated[
    ChunkStrategy | None,
    typer.Option(
        "--strategy",
        help="markdown | recursive | fixed | token | code | delimiter.",
        show_default=False,
    ),
]
MinChars = Annotated[
    int | None, typer.Option("--min", help="markdown: smallest chunk in characters (1500).")
]
MaxChars = Annotated[
    int | None, typer.Option("--max", help="markdown: largest chunk in characters (3000).")
]
Size = Annotated[
    int | None,
    typer.Option("--size", help="recursive/fixed/code: characters; token: tokens (1500)."),
]
Overlap = Annotated[
    int | None, typer.Option("--overlap", help="Characters (tokens) shared by neighbours (0).")
]
Separators = Annotated[
    list[str] | None,
    typer.Option("--separator", help="recursive: a separator, in order of preference; repeat."),
]
Delimiter = Annotated[
    str | None, typer.Option("--delimiter", help=r"delimiter: split at this text ('\n' allowed).")
]
Language = Annotated[
    str | None, typer.Option("--language", help="code: python, javascript, go... (auto).")
]


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t")


@dataclass
class ChunkOptions:
    strategy: ChunkStrategy | None = None
    min_chars: int | None = None
    max_chars: int | None = None
    size: int | None = None
    overlap: int | None = None
    separators: list[str] | None = None
    delimiter: str | None = None
    language: str | None = None

    def given(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            key: value for key, value in vars(self).items() if value is not None
        }
        if "separators" in values:
            values["separators"] = [_unescape(item) for item in values["separators"]]
        if "delimiter" in values:
            values["delimiter"] = _unescape(values["delimiter"])
        return values

    def apply(self, base: ChunkSettings | None = None) -> ChunkSettings | None:
        """`base` with the options given on top; None when no option was given."""
        given = self.given()
        if not given:
            return None
        merged = (base or ChunkSettings()).model_dump() | given
        try:
            return ChunkSettings.model_validate(merged)
        except ValidationError as exc:
            raise InputError(f"invalid chunking options: {validation_reasons(exc)}") from None
