"""Self-Instruct's filters over the instructions a model proposes, and the examples each round
shows it. Pure functions: no model, no database.

A proposed instruction is dropped, for the first reason that applies, when it is
- malformed: empty once cleaned, shorter than 3 tokens or longer than 150;
- duplicate: the same (after normalisation) as one proposed earlier in the same reply;
- keyword: it names one of the user's keywords (by default the paper's: tasks about images,
  files, maps, plots... that a text model cannot do);
- rouge: its ROUGE-L against a seed or a kept instruction reaches the threshold (0.7).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from easy_dataset.generate.hygiene import strip_leaked_tags
from easy_dataset.quality.rouge import RougeIndex, tokens

DropReason = Literal["rouge", "keyword", "duplicate", "malformed"]
REASONS: tuple[DropReason, ...] = ("rouge", "keyword", "duplicate", "malformed")

DEFAULT_THRESHOLD = 0.7
# The paper's list (tasks a language model cannot do from text alone), with Chinese words
# for the same things so that a Chinese project is filtered too.
DEFAULT_KEYWORDS: tuple[str, ...] = (
    "image",
    "picture",
    "graph",
    "file",
    "map",
    "draw",
    "plot",
    "go to",
    "video",
    "audio",
    "music",
    "flowchart",
    "diagram",
    "图片",
    "图像",
    "图表",
    "画出",
    "绘制",
    "文件",
    "地图",
    "视频",
    "音频",
    "流程图",
)
MIN_TOKENS = 3
MAX_TOKENS = 150
EXAMPLES = 8  # shown per round: 6 seeds and 2 generated ones once there are some
FROM_GENERATED = 2

_NUMBERING = re.compile(
    r"^\s*(?:(?:task|instruction|任务|指令)\s*\d*\s*[:：.]|\d+\s*[.)、:：])\s*", re.I
)
_CJK_KEYWORD = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def clean_instruction(text: str) -> str:
    """The instruction without leaked tags, list numbering ("3.", "Task 4:") or extra space."""
    cleaned = " ".join(strip_leaked_tags(text).split())
    return _NUMBERING.sub("", cleaned).strip().strip('"“”')


def normalised(text: str) -> str:
    """What two texts share when they say the same thing in different case or spacing."""
    return " ".join(tokens(text))


def keyword_pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    """One pattern for the keywords: whole words (with a plural "s") for alphabetic ones,
    anywhere in the text for CJK ones, case-insensitive; None for no keywords."""
    parts = []
    for keyword in keywords:
        word = " ".join(keyword.split())
        if not word:
            continue
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        parts.append(escaped if _CJK_KEYWORD.search(word) else rf"\b{escaped}(?:s|es)?\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


@dataclass(frozen=True)
class Dropped:
    """A proposed instruction the filters took out, and why."""

    instruction: str
    reason: DropReason
    match: str | None = None  # rouge: the kept instruction it is too close to
    score: float | None = None  # rouge: their ROUGE-L

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"instruction": self.instruction, "reason": self.reason}
        if self.match is not None:
            found["match"] = self.match
            found["score"] = round(self.score or 0.0, 4)
        return found


@dataclass
class Screening:
    """What the filters kept of one reply, in order, and what they dropped."""

    kept: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {reason: sum(d.reason == reason for d in self.dropped) for reason in REASONS}


def screen(
    proposed: Sequence[str],
    pool: RougeIndex,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    keywords: Sequence[str] = DEFAULT_KEYWORDS,
) -> Screening:
    """Filter one reply's instructions. Each one kept joins `pool`, so the next ones of the
    same reply are compared with it too."""
    pattern = keyword_pattern(keywords)
    result = Screening()
    seen: set[str] = set()
    for raw in proposed:
        text = clean_instruction(raw)
        size = len(tokens(text))
        if size < MIN_TOKENS or size > MAX_TOKENS:
            result.dropped.append(Dropped(text, "malformed"))
            continue
        key = normalised(text)
        if key in seen:
            result.dropped.append(Dropped(text, "duplicate"))
            continue
        seen.add(key)
        if pattern is not None and pattern.search(text):
            result.dropped.append(Dropped(text, "keyword"))
            continue
        close = pool.closest(text, threshold)
        if close is not None:
            result.dropped.append(Dropped(text, "rouge", close.text, close.score))
            continue
        pool.add(text)
        result.kept.append(text)
    return result


def pick_examples(
    seeds: Sequence[str],
    generated: Sequence[str],
    rng: random.Random,
    *,
    total: int = EXAMPLES,
    from_generated: int = FROM_GENERATED,
) -> list[str]:
    """The instructions a round shows the model: `from_generated` of the generated ones
    (fewer while there are fewer), seeds for the rest, drawn by `rng`, in shuffled order."""
    machine = rng.sample(list(generated), min(from_generated, len(generated)))
    human = rng.sample(list(seeds), min(total - len(machine), len(seeds)))
    shown = human + machine
    rng.shuffle(shown)
    return shown
