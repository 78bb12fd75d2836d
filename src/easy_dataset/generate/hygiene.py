"""Hygiene of generated text: repairs what is safe, flags the rest, with a reason.

Small models leave debris in what they write: a question ending in `',` or `?,` (a JSON
list half-parsed), an answer wrapped in `<pre><code>…</code></pre>` or `<p>…</p>`, chat
template tags (`</answer>`, `<think>`, `<|im_end|>`) leaked into answers and reasoning,
doubled spaces. Those are repaired here, always the same way, with the repair named.
Only chat-template debris counts as a leaked tag, and never inside inline or fenced code:
`<output>`, `<question>` or any other element name is content (an answer about HTML or
XML), and so is everything between backticks. What cannot be
repaired without guessing is flagged with a reason instead: a "question" that is an
instruction about the question ("This question requires a detailed answer based on the
given information."), a text that asks nothing, a text empty once repaired.

Pure functions over strings: no model, no database.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Field = Literal["question", "answer", "cot"]
Repair = Literal["tags", "html", "quotes", "punctuation", "numbering", "whitespace"]
Reason = Literal["instruction", "not_a_question", "empty", "needs_repair"]

# `needs_repair`: a repair is due in a text nobody may rewrite without a reviewer (a
# confirmed pair); the scan flags it with the repair it would make instead.
REASONS: tuple[Reason, ...] = ("instruction", "not_a_question", "empty", "needs_repair")
REPAIRS: tuple[Repair, ...] = ("tags", "html", "quotes", "punctuation", "numbering", "whitespace")

# Chat-template debris a model may echo: the reasoning and answer delimiters of reasoning
# chat templates and special tokens (`<|im_end|>`, `<|eot_id|>`). Element names such as
# `<output>`, `<question>` or `<response>` are left alone: they are HTML or XML content.
_LEAKED_TAG = re.compile(r"</?\s*(?:think|answer)\s*>", re.IGNORECASE)
_SPECIAL_TOKEN = re.compile(r"<\|[A-Za-z][\w.-]{0,40}\|>")
# Markdown code: a fence opens with three or more backticks or tildes (indented at most
# three spaces) and closes with a line of at least as many of the same; an inline span is
# a run of backticks closed by a run of the same length.
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_PRE_CODE_OPEN = r"<pre[^>]*>\s*<code[^>]*>"
_PRE_CODE_CLOSE = r"</code>\s*</pre>"
_WHOLE_PRE = re.compile(rf"^\s*{_PRE_CODE_OPEN}(.*?){_PRE_CODE_CLOSE}\s*$", re.DOTALL)
_PRE_BLOCK = re.compile(rf"{_PRE_CODE_OPEN}(.*?){_PRE_CODE_CLOSE}", re.DOTALL)
_LANGUAGE = re.compile(r'<code[^>]*class="(?:language-)?([\w+-]+)"')
_LONE_PRE = re.compile(rf"^\s*{_PRE_CODE_OPEN}|{_PRE_CODE_CLOSE}\s*$")
_WHOLE_P = re.compile(r"^\s*<p>(.*)</p>\s*$", re.DOTALL | re.IGNORECASE)
_P_BREAK = re.compile(r"</p>\s*<p>", re.IGNORECASE)
_FENCE = re.compile(r"^\s*(```|~~~)")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
_BLANK_LINES = re.compile(r"\n{3,}")
_NUMBERING = re.compile(r"^\s*(?:(?:Q|Question|问题)\s*\d*\s*[:：.)]|\d{1,3}\s*[.)、]|[-*•])\s+")
_TRAILING_JUNK = re.compile(r"[\s,，;；]+$")
_QUOTES = "\"'“”‘’`"

# A text that talks about the question or its answer instead of asking something.
_INSTRUCTION = re.compile(
    r"^\s*(?:this|the following|the above|the) (?:question|task|prompt) "
    r"(?:requires|asks|needs|is|will|should|calls)\b"
    r"|\b(?:requires?|needs?) an? (?:detailed|brief|short|long|complete|thorough) "
    r"(?:answer|response|explanation)\b"
    r"|^\s*(?:please )?(?:generate|write|create|produce) (?:a|an|the|\d+) "
    r"(?:question|answer|response)s?\b"
    r"|^\s*(?:answer|respond to) (?:the|this) (?:following )?question\b"
    r"|^\s*(?:本|这个|该|此)问题(?:需要|要求|旨在)"
    r"|^\s*请(?:生成|根据.{0,12}生成)",
    re.IGNORECASE,
)
_ASKS_EN = re.compile(
    r"^\W*(?:what|why|how|when|where|who|whom|whose|which|is|are|am|was|were|do|does|did|"
    r"can|could|should|would|will|shall|may|might|must|has|have|had|in what|to what|"
    r"explain|describe|list|compare|contrast|summari[sz]e|give|name|define|identify|outline|"
    r"discuss|state|tell|show|write|provide|calculate|compute|find|determine|evaluate|"
    r"analy[sz]e|suggest|recommend|propose|illustrate|justify|translate|convert|classify|"
    r"design|implement|derive|prove|estimate|predict|assess|discuss|elaborate|clarify|"
    r"in which|under what|for what|on what|from what|with what|by what)\b",
    re.IGNORECASE,
)
_ASKS_ZH = re.compile(
    r"[吗呢么]|什么|如何|为何|为什么|怎么|怎样|哪|多少|几|是否|能否|请|简述|说明|解释|列举|比较|描述|介绍|分析"
)


@dataclass(frozen=True)
class Issue:
    """One thing flagged in one field."""

    field: Field
    reason: Reason

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class Cleaned:
    """A text after repair, with what was repaired and what is still wrong."""

    text: str
    repairs: tuple[Repair, ...] = ()
    issues: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class PairHygiene:
    """A question, answer and chain after repair, with what was repaired and flagged."""

    question: str
    answer: str
    cot: str
    repairs: dict[str, tuple[Repair, ...]] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()

    @property
    def flagged(self) -> bool:
        return bool(self.issues)

    @property
    def repaired(self) -> bool:
        return any(self.repairs.values())

    def detail(self) -> dict[str, Any]:
        """What a quality result keeps: the issues and the repairs made."""
        return {
            "issues": [issue.as_dict() for issue in self.issues],
            "repairs": {name: list(done) for name, done in self.repairs.items() if done},
        }


def _fenced_parts(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (part, is fenced code) in order; joined, the parts are `text`. A
    fence left open runs to the end, as Markdown reads it."""
    parts: list[tuple[str, bool]] = []
    lines: list[str] = []
    fence = ""
    for line in text.splitlines(keepends=True):
        if not fence:
            opened = _FENCE_OPEN.match(line)
            # A backtick fence's info string has no backtick (else it is inline code).
            if opened and not (opened.group(1)[0] == "`" and "`" in line[opened.end() :]):
                parts.append(("".join(lines), False))
                lines, fence = [line], opened.group(1)
            else:
                lines.append(line)
            continue
        lines.append(line)
        closing = line.strip()
        if len(closing) >= len(fence) and closing == fence[0] * len(closing):
            parts.append(("".join(lines), True))
            lines, fence = [], ""
    parts.append(("".join(lines), bool(fence)))
    return [(part, code) for part, code in parts if part]


def _inline_parts(text: str) -> list[tuple[str, bool]]:
    """`text` (outside fenced code) cut into (part, is an inline code span)."""
    parts: list[tuple[str, bool]] = []
    runs = list(_BACKTICKS.finditer(text))
    start = index = 0
    while index < len(runs):
        opener = runs[index]
        closer = next(
            (j for j in range(index + 1, len(runs)) if len(runs[j].group()) == len(opener.group())),
            None,
        )
        if closer is None:  # an unmatched run is literal backticks
            index += 1
            continue
        parts.append((text[start : opener.start()], False))
        parts.append((text[opener.start() : runs[closer].end()], True))
        start, index = runs[closer].end(), closer + 1
    parts.append((text[start:], False))
    return [(part, code) for part, code in parts if part]


def outside_code(text: str, change: Callable[[str], str], *, inline: bool = True) -> str:
    """`text` with `change` applied to its prose only: fenced code (and, when `inline`,
    inline code spans) kept byte for byte."""
    out: list[str] = []
    for part, code in _fenced_parts(text):
        if code:
            out.append(part)
        elif not inline:
            out.append(change(part))
        else:
            out.extend(piece if span else change(piece) for piece, span in _inline_parts(part))
    return "".join(out)


def _strip_debris(text: str) -> str:
    return _SPECIAL_TOKEN.sub("", _LEAKED_TAG.sub("", text))


def strip_leaked_tags(text: str) -> str:
    """`text` without chat-template debris (`<think>`, `</answer>`, `<|im_end|>` …) outside
    code; any other tag, and anything in inline or fenced code, is kept. A text without
    debris comes back unchanged, byte for byte."""
    # Nearly every text has none: one search says so without cutting the code out (a
    # million-row export calls this several times a row).
    if _LEAKED_TAG.search(text) is None and _SPECIAL_TOKEN.search(text) is None:
        return text
    without = outside_code(text, _strip_debris)
    if without == text:
        return text
    return outside_code(without, lambda part: _BLANK_LINES.sub("\n\n", part), inline=False).strip()


def _unwrap_html(text: str) -> str:
    whole = _WHOLE_PRE.match(text)
    if whole:
        return html.unescape(whole.group(1)).strip()

    def fenced(match: re.Match[str]) -> str:
        language = _LANGUAGE.search(match.group(0))
        body = html.unescape(match.group(1)).strip("\n")
        return f"\n```{language.group(1) if language else ''}\n{body}\n```\n"

    # HTML shown in a Markdown fence is an example, not a wrapper.
    text = outside_code(text, lambda part: _PRE_BLOCK.sub(fenced, part), inline=False)
    if any(code for _, code in _fenced_parts(text)):
        return text
    text = _LONE_PRE.sub("", text)
    paragraph = _WHOLE_P.match(text)
    if paragraph and "<p" not in _P_BREAK.sub("", paragraph.group(1)).lower():
        text = html.unescape(_P_BREAK.sub("\n\n", paragraph.group(1)))
    return text.strip()


def _tidy_spaces(text: str) -> str:
    """Runs of spaces inside a line made one, trailing ones and extra blank lines dropped;
    fenced code kept as it is (indentation means something there)."""
    lines: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            lines.append(line.rstrip())
        elif in_code:
            lines.append(line)
        else:
            lines.append(_INNER_SPACES.sub(" ", line).rstrip())
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _balanced(text: str) -> bool:
    return all(text.count(q) % 2 == 0 for q in "\"'`") and (
        text.count("“") == text.count("”") and text.count("‘") == text.count("’")
    )


def _strip_stray_quotes(text: str) -> str:
    """Quotes around the whole text, or one left alone at an end, removed; quotes that
    pair up inside the text kept."""
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        if not _balanced(text[1:-1]):
            break
        text = text[1:-1].strip()
    if text and text[-1] in _QUOTES and not _balanced(text):
        text = text[:-1].rstrip()
    if text and text[0] in _QUOTES and not _balanced(text):
        text = text[1:].lstrip()
    return text


def asks_something(text: str) -> bool:
    """Whether `text` reads as a question or a task (a question mark, an interrogative
    word, an imperative such as "Explain"; in English or Chinese)."""
    return "?" in text or "？" in text or bool(_ASKS_EN.match(text) or _ASKS_ZH.search(text))


def is_instruction(text: str) -> bool:
    """Whether `text` talks about the question or its answer instead of asking."""
    return bool(_INSTRUCTION.search(text))


class _Steps:
    """The text through a series of repairs, remembering which ones changed it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.repairs: list[Repair] = []

    def __call__(self, name: Repair, new: str) -> None:
        if new != self.text:
            self.repairs.append(name)
            self.text = new

    def done(self, issues: tuple[Reason, ...]) -> Cleaned:
        return Cleaned(self.text, tuple(dict.fromkeys(self.repairs)), issues)


def clean_question(text: str) -> Cleaned:
    step = _Steps(text)
    step("tags", strip_leaked_tags(step.text))
    step("whitespace", " ".join(step.text.split()))
    for _ in range(3):  # `"What is X?",` → quotes and commas come off in turns
        step("punctuation", _TRAILING_JUNK.sub("", step.text))
        step("quotes", _strip_stray_quotes(step.text))
    step("numbering", _NUMBERING.sub("", step.text))
    issues: list[Reason] = []
    if not step.text:
        issues.append("empty")
    elif is_instruction(step.text):
        issues.append("instruction")
    elif not asks_something(step.text):
        issues.append("not_a_question")
    return step.done(tuple(issues))


def clean_answer(text: str) -> Cleaned:
    step = _Steps(text)
    step("tags", strip_leaked_tags(step.text))
    step("html", _unwrap_html(step.text))
    step("whitespace", _tidy_spaces(step.text))
    return step.done(() if step.text else ("empty",))


def clean_reasoning(text: str) -> Cleaned:
    """A chain of thought: leaked tags and doubled spaces repaired; empty is allowed."""
    repairs: list[Repair] = []
    stripped = strip_leaked_tags(text)
    if stripped != text:
        repairs.append("tags")
    tidy = _tidy_spaces(stripped)
    if tidy != stripped.strip():
        repairs.append("whitespace")
    return Cleaned(tidy, tuple(repairs))


def check_pair(question: str, answer: str, cot: str = "") -> PairHygiene:
    """The three texts of a QA pair repaired, and flagged where repair is not enough."""
    q, a, c = clean_question(question), clean_answer(answer), clean_reasoning(cot)
    issues = [Issue("question", reason) for reason in q.issues]
    issues += [Issue("answer", reason) for reason in a.issues]
    repairs = {"question": q.repairs, "answer": a.repairs, "cot": c.repairs}
    return PairHygiene(q.text, a.text, c.text, repairs, tuple(issues))


def check_question(question: str) -> PairHygiene:
    """A question alone (before it is answered), in the same shape as a pair's."""
    q = clean_question(question)
    issues = tuple(Issue("question", reason) for reason in q.issues)
    return PairHygiene(q.text, "", "", {"question": q.repairs}, issues)
