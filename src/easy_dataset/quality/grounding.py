"""Grounding: how well an answer is supported by the chunk it was generated from, judged
sentence by sentence with embeddings and word overlap, without asking a model.

A sentence is supported when it means something the chunk says (cosine to the closest chunk
sentence, or pair of adjacent sentences) and reuses the chunk's words; any number it states
must appear in the chunk, since a changed figure barely moves an embedding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from easy_dataset.quality.contamination import tokens
from easy_dataset.quality.embedding import Vectors, normalise

# Calibrated with E5Embedder on five passages of the bundled beekeeping guide (four English,
# one Chinese) against 108 hand-written sentences: 62 faithful restatements and paraphrases
# and 46 planted faults (13 wrong numbers, 6 off-topic claims, 27 invented on-topic facts).
# - Best cosine to the chunk: paraphrases 0.878-0.998 (median 0.958), off-topic 0.803-0.898,
#   invented facts 0.85-0.95 (median 0.895). Chinese runs high: its inventions reach 0.952
#   and its paraphrases start at 0.949, so the cosine cannot decide alone and weighs 30%.
# - Content-word share: paraphrases 0.44-1.00 (median 0.82; Chinese 0.45-0.93), inventions
#   and off-topic 0.00-0.44 but for contradictions made of the chunk's own words (0.57-0.67).
# - With the constants below every off-topic and wrong-number sentence is flagged, and 24 of
#   the 27 inventions; 61 of the 62 paraphrases pass (lowest support 0.57), the one that
#   fails swapping nearly every word for a synonym (lexical 0.44, support 0.49). The highest
#   flagged invention scores 0.53. The 3 that pass are contradictions made of the chunk's
#   own words ("Hives do best in a damp hollow", 0.69): those need an entailment model.
SEMANTIC_FLOOR = 0.86  # cosine that earns no semantic credit
SEMANTIC_CEILING = 0.93  # cosine that earns full semantic credit
SEMANTIC_WEIGHT = 0.3
DEFAULT_SUPPORT = 0.55

Embed = Callable[[Sequence[str]], Vectors]

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af"
_IS_CJK = re.compile(f"[{_CJK}]")
_LIST_MARKER = re.compile(
    r"^\s*(?:#{1,6}\s+|>\s*|[-*+•·]\s+|[(（]?\d{1,3}[.)）、．](?!\d)\s*|[a-z][.)]\s+|[A-Z]\)\s+)"
)
_EN_END = re.compile(r"[.!?;]+[\"'”’)\]]*\s+")
_ZH_END = re.compile(r"[。！？；]+[”’」』）)]*\s*")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ABBREVIATIONS = _word_set(
    "e.g i.e etc vs cf al fig no dr mr mrs ms prof st jr sr approx ca inc ltd co"
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")

_EN_STOP = _word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing done down during each
    few for from further had has have having he her here hers him his how i if in into is it
    its itself just may me might more most must my no nor not now of off on once only or other
    our out over own same she should so some such than that the their them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yes yeah ok okay well get gets got make makes made
    one ones thing things often usually around roughly approximately absolutely certainly sure
    indeed correct right true false note however therefore thus also example following
    answer summary short briefly main key point points step steps here"""
)
_ZH_STOP = frozenset(
    "的了是在和与及也就都而且或把被让给对这那个之其我你他她它们有会要可以能"
    "很还又等着过吗呢吧啊所为于从到将并即如若该此些每"
)

_SUFFIXES = (
    ("ies", "y"),
    ("ings", ""),
    ("ing", ""),
    ("ied", "y"),
    ("ed", ""),
    ("sses", "ss"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("xes", "x"),
    ("ss", "ss"),
    ("s", ""),
)
# Connectives and hedges written as two characters: grammar, not claims.
_ZH_STOP_PAIRS = _word_set(
    "没错 总之 综上 例如 比如 因此 但是 然而 因为 如果 可能 需要 "
    "应该 一般 通常 非常 比较 已经 还是 不是 没有 不要 进行 时候 "
    "方法 主要 以下 包括 这样 那么 就是 什么 怎么 如何"
)
_ZH_SKIP = _ZH_STOP | frozenset("零〇一二两三四五六七八九十百千万亿")
_EN_NUMBERS: dict[str, float] = {
    word: float(value)
    for value, word in enumerate(
        re.findall(
            r"\w+",
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty",
        )
    )
}
_EN_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70})
_EN_NUMBERS.update({"eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1e3})
_EN_NUMBERS.update({"million": 1e6, "dozen": 12, "half": 0.5})
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_ZH_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000, "亿": 100000000}
_EN_WORD = "|".join(sorted(_EN_NUMBERS, key=len, reverse=True))
_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*(?:\s*[万亿])?"  # "3万" is 30000
    r"|[零〇一二两三四五六七八九十百千万亿]+"
    rf"|\b(?:{_EN_WORD})(?:-\w+)?(?:\s+(?:hundred|thousand|million)\b)?\b",  # "two hundred"
    re.IGNORECASE,
)
# Words made of numerals that are not numbers: 十分 "very", 千万 "by all means", 万一 "in
# case", 两者 "both"; after another numeral they are part of one (五十分, 一千万, 三万一千).
_ZH_NOT_NUMBERS = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万])(?:十分|千万|万万|万一|[两二三]者)"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, cut at en/zh sentence ends, list items and lines, markers off."""
    sentences: list[str] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if line.startswith("```"):  # a code fence line names a language, not a claim
            continue
        if line.startswith("|"):  # a table row: its cells read as one clause
            line = ", ".join(cell.strip() for cell in line.strip("|").split("|"))
        line = _LIST_MARKER.sub("", line, count=1)
        for piece in _split_line(line):
            piece = piece.strip()
            if any(char.isalnum() for char in piece):
                sentences.append(piece)
    return sentences


def _split_line(line: str) -> list[str]:
    cuts: list[int] = []
    for match in _EN_END.finditer(line):
        if match.group().startswith("."):
            # "approx. three", "e.g. wax": a sentence never starts in lower case.
            if line[match.end() : match.end() + 1].islower():
                continue
            before = _WORD_BEFORE.search(line[: match.start()])
            word = before.group(1).rstrip(".").casefold() if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        cuts.append(match.end())
    cuts += [match.end() for match in _ZH_END.finditer(line)]
    pieces: list[str] = []
    start = 0
    for cut in sorted(set(cuts)):
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return pieces


@dataclass(frozen=True)
class SentenceSupport:
    """How one answer sentence is backed by the chunk."""

    text: str
    semantic: float  # best cosine to a chunk sentence or pair of adjacent sentences
    lexical: float  # share of its content words (and all its numbers) found in the chunk
    support: float  # the two combined, 0..1
    supported: bool


@dataclass(frozen=True)
class Grounding:
    """How one answer is backed by its chunk, overall and sentence by sentence."""

    score: float  # mean support over the answer's sentences, 0..1
    similarity: float  # cosine of the whole answer to the whole chunk
    sentences: tuple[SentenceSupport, ...]

    @property
    def unsupported(self) -> tuple[SentenceSupport, ...]:
        return tuple(sentence for sentence in self.sentences if not sentence.supported)

    @property
    def flagged(self) -> bool:
        return any(not sentence.supported for sentence in self.sentences)


def _fold(word: str) -> str:
    """A crude stem, so "colonies"/"colony", "opened"/"open" and "queens"/"queen" meet."""
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: len(word) - len(suffix)] + replacement
            # "feeding" -> "feed", but "swarming" -> "swarm" not "swar"; doubled
            # consonants before -ing/-ed fold too ("dropped" -> "drop").
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsaeiou":
                stem = stem[:-1]
            return stem
    return word


def numbers(text: str) -> set[float]:
    """The numbers written in `text`, digits or words (English and Chinese), as values."""
    values: set[float] = set()
    # "百分之十八" is eighteen per cent: the 百 of "per cent" is not a hundred.
    text = unicodedata.normalize("NFKC", text).replace("百分之", "%")
    text = _ZH_NOT_NUMBERS.sub(" ", text)
    for match in _NUMBER.finditer(text):
        values.add(_number_value(match.group()))
    # "one", "一" and "half" double as articles and idioms (一定, 一般, "one of"), so a
    # one never has to be found in the chunk.
    return values - {1.0, 0.5}


def _number_value(token: str) -> float:
    if token[0].isdigit():
        digits, unit = token.rstrip("万亿 "), token[-1]
        scale = _ZH_UNITS[unit] if unit in ("万", "亿") else 1
        try:
            return float(digits.replace(",", "")) * scale
        except ValueError:  # "1.2.3": a version or a section, compare it as written
            return float(re.sub(r"\D", "", digits)) * scale
    if _IS_CJK.match(token):
        return _zh_number(token)
    number, *multiplier = token.casefold().split()
    parts = number.split("-")
    if any(part not in _EN_NUMBERS for part in parts):
        parts = parts[:1]
    value = sum(_EN_NUMBERS[part] for part in parts)
    for word in multiplier:
        value *= _EN_NUMBERS[word]
    return float(value)


def _zh_number(token: str) -> float:
    total, section, digit = 0, 0, 0
    for char in token:
        if char in _ZH_DIGITS:
            digit = digit * 10 + _ZH_DIGITS[char] if digit and len(token) > 2 else _ZH_DIGITS[char]
        elif char in ("万", "亿"):
            total += ((section + digit) or 1) * _ZH_UNITS[char]  # a lone 万 is 10000
            section, digit = 0, 0
        else:
            section += (digit or 1) * _ZH_UNITS[char]
            digit = 0
    return float(total + section + digit)


def _content_words(text: str) -> list[str]:
    """Folded English words and Chinese character pairs, less stop words and numbers."""
    words: list[str] = []
    previous = ""
    for word in tokens(text):
        if _IS_CJK.match(word):
            # Chinese writes no spaces and single characters mean little alone, so
            # adjacent pairs stand in for words; a pair with a particle or a numeral in
            # it is grammar or a quantity, not content.
            pair = previous + word
            if previous and not _ZH_SKIP.intersection(pair) and pair not in _ZH_STOP_PAIRS:
                words.append(pair)
            previous = word
            continue
        previous = ""
        if word not in _EN_STOP and not word.isdigit() and word not in _EN_NUMBERS:
            words.append(_fold(word))
    return words


@dataclass(frozen=True)
class _Source:
    """What a sentence is checked against: the chunk's content words and numbers."""

    words: frozenset[str]
    numbers: frozenset[float]

    @classmethod
    def of(cls, text: str) -> _Source:
        return cls(frozenset(_content_words(text)), frozenset(numbers(text)))


def lexical_support(sentence: str, source: str) -> float:
    """Share (0..1) of the sentence's content words found in `source`, numbers weighing most."""
    return _lexical(sentence, _Source.of(source))[0]


def _lexical(sentence: str, source: _Source) -> tuple[float, bool]:
    """The lexical support, and whether the sentence states a number the source lacks."""
    words = _content_words(sentence)
    stated = numbers(sentence)
    if not words and not stated:
        return 1.0, False
    found = 0.0
    for word in words:
        if word in source.words:
            found += 1
        elif len(word) >= 5 and _near(word, source.words):
            found += 0.8  # another inflection or a misspelling: counts, a little less
    matched = len(stated & source.numbers)
    coverage = (found + matched) / (len(words) + len(stated))
    # A changed figure is the commonest invention and barely moves either measure, so
    # each missing number takes its share off the whole score.
    return coverage * (matched / len(stated) if stated else 1.0), matched < len(stated)


def _near(word: str, vocabulary: frozenset[str]) -> bool:
    """Whether `vocabulary` holds a word with `word`'s first five letters or nearly its spelling."""
    if any(other.startswith(word[:5]) for other in vocabulary):
        return True
    return process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=85) is not None


def ground(
    answer: str, chunk: str, embed: Embed, *, threshold: float = DEFAULT_SUPPORT
) -> Grounding:
    """How well `answer` is supported by `chunk`; `embed` is called once for each of them."""
    # Each call carries the sentences and then the whole text, so a caching embedder keeps
    # a chunk's vectors for the next question on the same chunk.
    answer_sentences = split_sentences(answer) or ([answer.strip()] if answer.strip() else [])
    chunk_sentences = split_sentences(chunk) or ([chunk.strip()] if chunk.strip() else [])
    if not answer_sentences:  # nothing claimed, so nothing unsupported
        return Grounding(1.0, 0.0, ())
    if not chunk_sentences:
        bare = tuple(SentenceSupport(text, 0.0, 0.0, 0.0, False) for text in answer_sentences)
        return Grounding(0.0, 0.0, bare)
    answer_vectors = np.asarray(embed([*answer_sentences, answer]), dtype=np.float32)
    chunk_vectors = np.asarray(embed([*chunk_sentences, chunk]), dtype=np.float32)
    similarity = float(answer_vectors[-1] @ chunk_vectors[-1])
    semantic = (answer_vectors[:-1] @ _with_windows(chunk_vectors[:-1]).T).max(axis=1)
    source = _Source.of(chunk)
    results = tuple(
        _judge(text, float(cosine), source, threshold)
        for text, cosine in zip(answer_sentences, semantic, strict=True)
    )
    score = sum(result.support for result in results) / len(results)
    return Grounding(score, similarity, results)


def _with_windows(vectors: Vectors) -> Vectors:
    """Chunk sentence vectors plus the normalised sum of each adjacent pair."""
    # A claim that joins two sentences meets both at once, with no extra embedding call.
    if len(vectors) < 2:
        return vectors
    windows: Vectors = np.concatenate([vectors, normalise(vectors[:-1] + vectors[1:])])
    return windows


def semantic_scale(cosine: float) -> float:
    """An e5 cosine mapped onto 0..1, from SEMANTIC_FLOOR (no credit) to SEMANTIC_CEILING."""
    scaled = (cosine - SEMANTIC_FLOOR) / (SEMANTIC_CEILING - SEMANTIC_FLOOR)
    return min(1.0, max(0.0, scaled))


def _judge(text: str, semantic: float, source: _Source, threshold: float) -> SentenceSupport:
    if _neutral(text):
        return SentenceSupport(text, semantic, 1.0, 1.0, True)
    lexical, wrong_number = _lexical(text, source)
    support = SEMANTIC_WEIGHT * semantic_scale(semantic) + (1 - SEMANTIC_WEIGHT) * lexical
    return SentenceSupport(
        text, semantic, lexical, support, support >= threshold and not wrong_number
    )


def _neutral(text: str) -> bool:
    """Whether a sentence claims nothing to check: "Yes.", "是的。", "The steps are:"."""
    # Without this a short reply would fail for being short, not for being wrong.
    if text.rstrip().endswith((":", "：")):
        return not numbers(text)
    return not _content_words(text) and not numbers(text)
