"""What a stage says about one of its jobs beyond the item counts: a table of figures (rows of
named columns, labelled in each language) and details, built from its items' results. Every
interface shows it the same way: the CLI after the job and in `jobs show`, REST in the job's
state, the web on the job's card."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Cell = int | float | str | None


class SummaryColumn(BaseModel):
    """A column of the table: the key of its cells in each row, and its heading."""

    key: str
    en: str
    zh: str

    def label(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class StageSummary(BaseModel):
    """A job's figures as its stage reports them."""

    title_en: str
    title_zh: str
    columns: list[SummaryColumn]
    rows: list[dict[str, Cell]] = Field(default_factory=list)
    totals: dict[str, Cell] | None = None  # the last line of the table, when there is one
    details: dict[str, Any] = Field(
        default_factory=dict, description="Whatever else the stage records (per item)."
    )

    def title(self, language: str) -> str:
        return self.title_zh if language == "zh" else self.title_en

    def cells(self, row: dict[str, Cell]) -> list[str]:
        """A row's cells as text, in column order ("" where a row has none)."""
        return ["" if row.get(col.key) is None else str(row.get(col.key)) for col in self.columns]
