"""Scoring a model's reply to an evaluation item, from 0 to 1.

Closed kinds are scored here exactly, from the letters or the true/false the reply states:

- true/false and single choice: 1 when the reply states the reference, else 0.
- multiple choice: 1 when the letters picked are exactly the correct ones; otherwise partial
  credit (correct picked − wrong picked) / correct, floored at 0 ("ACD" answered "AC" is
  2/3, "AB" is 0). Guessing every letter therefore earns nothing more than leaving one out.
- a reply that states no answer at all scores 0 with method `none`.

A short answer scores 1 when it equals the reference once both are normalised (full-width
characters folded, case, punctuation, English articles and whitespace dropped); anything
else goes to the judge. Containment ("the answer contains the reference") is not taken as
a match: "not 30 days" and "30, 60 or 90 days" contain "30 days". Open answers always go
to the judge, whose 1–5 score maps onto 0..1 as (score − 1) / 4.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

from easy_dataset.evaluate.kinds import letters_for, normal_letters

Method = Literal["exact", "partial", "normalised", "judge", "none"]
JUDGE_MIN, JUDGE_MAX = 1, 5


@dataclass(frozen=True)
class Scored:
    """A reply's score (None: the judge must decide), how it was reached, and what scoring
    read from the reply."""

    score: float | None
    method: Method
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_judge(self) -> bool:
        return self.score is None


# ---- letters ------------------------------------------------------------------------------

# Phrases after which the reply states its choice: "Answer: B", "the correct options are A
# and C", "I choose D", "答案：C", "选 B", "正确选项是 A、C".
_MARKER = re.compile(
    r"(?:\b(?:final\s+)?(?:answers?|options?|choices?|letters?)\b|\b(?:choose|chose|select|pick)\b"
    r"|答案|选项|选择|应选|选)",
    re.IGNORECASE,
)
# What may stand between the marker and the letters.
_FILLER = re.compile(
    r"(?:\s+|[:：=\-—]|\b(?:is|are|would|should|will|be|the|correct|right|options?|letters?|"
    r"one|ones)\b|应该|应当|应|是|为|的|正确)*",
    re.IGNORECASE,
)
# One letter: in brackets, "(b)" / "[B]" / "（B）", or bare, not part of a word; or capitals
# run together ("ACD").
_TOKEN = re.compile(
    r"[(\[（【]\s*([A-Za-z])\s*[)\]）】]|([A-Za-z])(?![A-Za-z])|([A-Z]{2,10})(?![A-Za-z])"
)
_SEPARATOR = re.compile(r"\s*(?:[,，、;；/&+]|\band\b|和|与|及|以及)\s*|\s+", re.IGNORECASE)
# After a bare lower-case letter, a word other than "and" means the letter was an article
# ("the answer is a bee").
_WORD_AFTER = re.compile(r"\s+(?!and\b)[A-Za-z]{2,}", re.IGNORECASE)
# What may follow a reply that is nothing but letters: closing punctuation.
_TAIL = re.compile(r"[\s.,;:!?。，；：！？)\]）】'\"]*\Z")
# A reply that opens with a letter and then the option's text: "B. 30 days", "C) Paris".
_OPENING = re.compile(r"\s*[(\[（]?([A-Z])\s*[.)\]）:：]")
# A capital letter standing alone before punctuation or the end ("I'd go with B."), or one
# in brackets ("(C) is right").
_LONE = re.compile(
    r"(?:(?<=[\s(\[（:：])|^)([A-Z])(?=\s*(?:[.,;!?。，；！？)\]）]|\Z))|[(\[（【]\s*([A-Za-z])\s*[)\]）】]"
)


def _clean(text: str) -> str:
    """Full-width letters folded to ASCII and Markdown emphasis dropped."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[*_`#]+", "", text)


def _letter_list(text: str, start: int, allowed: str) -> tuple[str, int] | None:
    """The letters listed from `start` ("B and D", "(a), (c)", "A、C") and where the list
    ends; None when no allowed letter stands there."""
    found: list[str] = []
    lower = False
    position = end = start
    while True:
        match = _TOKEN.match(text, position)
        if match is None:
            break
        run = match.group(3)
        if run is not None:
            # Capitals run together are letters only when each is an option, once.
            if len(set(run)) != len(run) or any(char not in allowed for char in run):
                break
            found.append(run)
            position = end = match.end()
            break
        bracketed = match.group(1) is not None
        letter = match.group(1) or match.group(2)
        if letter.upper() not in allowed:
            break
        if not bracketed and letter.islower():
            # A lower-case bare letter is a choice only in a list of lower-case letters and
            # not before a word: "b and d", not "a bee" nor "B, a classic".
            if (found and not lower) or _WORD_AFTER.match(text, match.end()):
                break
            lower = True
        found.append(letter.upper())
        position = end = match.end()
        separator = _SEPARATOR.match(text, position)
        if separator is None or _TOKEN.match(text, separator.end()) is None:
            break
        position = separator.end()
    if not found:
        return None
    return normal_letters("".join(found)), end


def parse_letters(reply: str, option_count: int) -> str | None:
    """The option letters a reply chooses, upper case in letter order ("AC"), or None when
    it names none.

    In order: the letters after the last phrase that announces an answer ("Answer: B",
    "the correct options are A and C", "答案：C", "选 B"); a reply that is only letters
    ("B", "(b)", "B, D", "**C**"); a reply that opens with a letter and the option's text
    ("B. 30 days"); capital letters standing alone before punctuation or in brackets ("I'd
    go with B."). A capital "A" opening a sentence ("A bee is...") is a word, not a choice.
    """
    allowed = letters_for(option_count)
    text = _clean(reply).strip()
    if not text:
        return None
    announced = None
    for marker in _MARKER.finditer(text):
        after = _FILLER.match(text, marker.end())
        position = after.end() if after else marker.end()
        listed = _letter_list(text, position, allowed)
        if listed is not None:
            announced = listed[0]
    if announced:
        return announced
    whole = _letter_list(text, 0, allowed)
    if whole is not None and _TAIL.match(text, whole[1]):
        return whole[0]
    opening = _OPENING.match(text)
    if opening is not None and opening.group(1) in allowed:
        return opening.group(1)
    lone = {
        (match.group(1) or match.group(2)).upper()
        for match in _LONE.finditer(text)
        if (match.group(1) or match.group(2)).upper() in allowed
    }
    return "".join(sorted(lone)) or None


# ---- true / false -------------------------------------------------------------------------

# Longest and negated forms first, so "incorrect" is not read as "correct" nor 不正确 as 正确.
_VERDICT = re.compile(
    r"不正确|不对|不是真的|错误|正确|\bnot\s+(?:true|correct|right)\b|\bincorrect\b|\bfalse\b"
    r"|\bwrong\b|\btrue\b|\bcorrect\b|\bright\b",
    re.IGNORECASE,
)
_FALSE_WORDS = {"不正确", "不对", "不是真的", "错误", "incorrect", "false", "wrong"}
# Short words that decide only a reply of their own (mid-sentence they mean other things:
# 对于 "regarding", "no doubt").
_ALONE = {"yes": True, "no": False, "对": True, "错": False, "是": True, "否": False}


def parse_true_false(reply: str) -> bool | None:
    """True or false as the reply states it ("True.", "**False**", "The statement is
    false", "正确", "错误", "对", "No"), or None when it states neither."""
    text = _clean(reply).strip()
    bare = re.sub(r"[\s.,;:!?。，；：！？'\"()（）]+", " ", text).strip().lower()
    first_word = bare.split(" ", 1)[0] if bare else ""
    if bare in _ALONE:
        return _ALONE[bare]
    match = _VERDICT.search(text)
    if match is not None:
        word = " ".join(match.group(0).lower().split())
        return not (word in _FALSE_WORDS or word.startswith("not "))
    if first_word in ("yes", "no"):
        return first_word == "yes"
    answer = re.search(r"答案\s*[:：是为]?\s*([对错是否])", text)
    if answer is not None:
        return _ALONE[answer.group(1)]
    return None


# ---- short answers ------------------------------------------------------------------------

_ARTICLES = {"a", "an", "the"}
_ANSWER_PREFIX = re.compile(
    r"^\s*(?:the\s+)?(?:final\s+)?answer\s*(?:is)?\s*[:：]?\s*|^\s*答案\s*[:：是为]?\s*",
    re.IGNORECASE,
)


def normalise_answer(text: str) -> str:
    """A short answer as compared: full-width folded, case folded, an "Answer:" prefix,
    punctuation, English articles and all whitespace dropped."""
    text = unicodedata.normalize("NFKC", _clean(text)).casefold()
    text = _ANSWER_PREFIX.sub("", text)
    kept = "".join(
        " " if unicodedata.category(char).startswith(("P", "S")) else char for char in text
    )
    return "".join(word for word in kept.split() if word not in _ARTICLES)


# ---- one item -----------------------------------------------------------------------------


def score_reply(kind: str, options: list[str], reference: str, reply: str) -> Scored:
    """A reply scored where that needs no judge; for open answers, and short answers that
    do not match the reference, `score` is None (the judge decides)."""
    if kind == "true_false":
        stated = parse_true_false(reply)
        if stated is None:
            return Scored(0.0, "none", {"parsed": None})
        value = "true" if stated else "false"
        return Scored(1.0 if value == reference else 0.0, "exact", {"parsed": value})
    if kind in ("single_choice", "multiple_choice"):
        picked = parse_letters(reply, len(options))
        if picked is None:
            return Scored(0.0, "none", {"parsed": None})
        if kind == "single_choice" or picked == reference:
            return Scored(1.0 if picked == reference else 0.0, "exact", {"parsed": picked})
        return Scored(partial_credit(picked, reference), "partial", {"parsed": picked})
    if (
        kind == "short_answer"
        and reply.strip()
        and normalise_answer(reply) == normalise_answer(reference)
    ):
        return Scored(1.0, "normalised", {})
    if not reply.strip():
        return Scored(0.0, "none", {})
    return Scored(None, "judge", {})


def partial_credit(picked: str, correct: str) -> float:
    """(correct picked − wrong picked) / correct, floored at 0; 1 only when equal."""
    right = len(set(picked) & set(correct))
    wrong = len(set(picked) - set(correct))
    if right == len(correct) and not wrong:
        return 1.0
    return max(0.0, (right - wrong) / len(correct))


def judge_fraction(score: int) -> float:
    """The judge's 1–5 mapped onto 0..1: 1 -> 0, 3 -> 0.5, 5 -> 1."""
    return (score - JUDGE_MIN) / (JUDGE_MAX - JUDGE_MIN)
