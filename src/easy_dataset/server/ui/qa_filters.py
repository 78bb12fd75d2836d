"""The QA review filters as the pages keep them: in the address (so the list, the detail
view and its previous/next share them) and as keywords for the review services."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from easy_dataset.services.generation.qa_query import FLAG_KINDS
from easy_dataset.services.tags import TagNode

STATUSES = ("all", "confirmed", "unconfirmed")
COT_CHOICES = ("any", "yes", "no")
KIND_CHOICES = ("any", "qa", "dialogue")
SAMPLE_CHOICES = ("any", "yes", "no")  # in the review sample or not
UNANSWERABLE_CHOICES = ("any", "yes", "no")  # answers an unanswerable question or not
MAX_TEXT = 200


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


def _kinds(text: str | None) -> tuple[str, ...]:
    """Known flag kinds from `a,b` (unknown ones dropped, each once, in FLAG_KINDS order)."""
    named = set((text or "").split(","))
    return tuple(kind for kind in FLAG_KINDS if kind in named)


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ReviewFilters:
    """What the review list shows; the defaults show every pair."""

    status: str = "all"  # all | confirmed | unconfirmed
    min_score: float | None = None
    max_score: float | None = None
    tag: str = ""  # a reviewer tag or a domain tag's name
    cot: str = "any"  # any | yes | no: has a chain of thought
    kind: str = "any"  # any | qa | dialogue
    unanswerable: str = "any"  # any | yes | no
    search: str = ""
    file_id: int | None = None
    # Quality checks: the judge's score, pairs some check flagged / none of them flagged,
    # membership of the review sample.
    min_judge: float | None = None
    max_judge: float | None = None
    flagged: tuple[str, ...] = ()
    not_flagged: tuple[str, ...] = ()
    sample: str = "any"  # any | yes | no

    def service(self) -> dict[str, Any]:
        """Keywords for `list_qa`, `count_qa` and `qa_neighbours`."""
        wanted: dict[str, Any] = {}
        if self.status != "all":
            wanted["confirmed"] = self.status == "confirmed"
        if self.min_score is not None:
            wanted["min_score"] = self.min_score
        if self.max_score is not None:
            wanted["max_score"] = self.max_score
        if self.tag.strip():
            wanted["tag"] = self.tag.strip()
        if self.cot != "any":
            wanted["has_cot"] = self.cot == "yes"
        if self.kind != "any":
            wanted["kind"] = self.kind
        if self.unanswerable != "any":
            wanted["unanswerable"] = self.unanswerable == "yes"
        if self.search.strip():
            wanted["search"] = self.search.strip()
        if self.file_id is not None:
            wanted["file_id"] = self.file_id
        if self.min_judge is not None:
            wanted["min_judge"] = self.min_judge
        if self.max_judge is not None:
            wanted["max_judge"] = self.max_judge
        if self.flagged:
            wanted["flagged"] = list(self.flagged)
        if self.not_flagged:
            wanted["not_flagged"] = list(self.not_flagged)
        if self.sample != "any":
            wanted["sampled"] = self.sample == "yes"
        return wanted

    def query(self) -> str:
        """The filters that differ from the defaults, as a query string ('' for none)."""
        values = {
            "status": self.status if self.status != "all" else None,
            "min": self.min_score,
            "max": self.max_score,
            "tag": self.tag.strip() or None,
            "cot": self.cot if self.cot != "any" else None,
            "kind": self.kind if self.kind != "any" else None,
            "unans": self.unanswerable if self.unanswerable != "any" else None,
            "q": self.search.strip() or None,
            "file": self.file_id,
            "jmin": self.min_judge,
            "jmax": self.max_judge,
            "flag": ",".join(self.flagged) or None,
            "noflag": ",".join(self.not_flagged) or None,
            "sample": self.sample if self.sample != "any" else None,
        }
        return urlencode({key: value for key, value in values.items() if value is not None})

    def suffix(self) -> str:
        """`?query` to append to an address, or ''."""
        query = self.query()
        return f"?{query}" if query else ""

    def with_(self, **changes: Any) -> ReviewFilters:
        return replace(self, **changes)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> ReviewFilters:
        """The filters in an address; values that make no sense are dropped."""
        status = params.get("status", "all")
        cot = params.get("cot", "any")
        kind = params.get("kind", "any")
        sample = params.get("sample", "any")
        unanswerable = params.get("unans", "any")
        return cls(
            status=status if status in STATUSES else "all",
            min_score=_number(params.get("min")),
            max_score=_number(params.get("max")),
            tag=params.get("tag", "")[:MAX_TEXT],
            cot=cot if cot in COT_CHOICES else "any",
            kind=kind if kind in KIND_CHOICES else "any",
            unanswerable=unanswerable if unanswerable in UNANSWERABLE_CHOICES else "any",
            search=params.get("q", "")[:MAX_TEXT],
            file_id=_integer(params.get("file")),
            min_judge=_number(params.get("jmin")),
            max_judge=_number(params.get("jmax")),
            flagged=_kinds(params.get("flag")),
            not_flagged=_kinds(params.get("noflag")),
            sample=sample if sample in SAMPLE_CHOICES else "any",
        )


def tag_names(nodes: list[TagNode]) -> list[str]:
    """Every domain tag's name in a tree, once each, sorted."""
    names: set[str] = set()
    for node in nodes:
        names.add(node.name)
        names.update(tag_names(node.children))
    return sorted(names, key=str.lower)
