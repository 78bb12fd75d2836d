"""Domain terms: the words that mark a corpus's subject ("queen", "brood", "varroa" in a
beekeeping guide), and the share of answers that use any of them; answers that use none are
usually generic filler that would read the same for any document.

No background corpus ships with the package, so a word is distinctive when it is frequent,
spread over many paragraphs, and not on a short built-in list of everyday words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

DEFAULT_TOP = 40
MIN_COUNT = 2  # a word said once is not what the corpus is about

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# Code and formulas name variables, not the subject.
_CODE = re.compile(r"```.*?```|~~~.*?~~~|\$\$.*?\$\$|`[^`\n]*`|\$[^$\n]*\$", re.DOTALL)
_PARAGRAPH = re.compile(r"\n\s*\n")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# English stop words plus everyday words that are frequent in any long text.
_COMMON = _word_set(
    """the and for are but not you all any can had her was one our out has him his how its
    may new now old see two who did get let put say she too use way about above after again
    against also because been before being below between both could does doing down during
    each few from further have having here hers herself himself into itself just more most
    much must myself only other over own same should some such than that their theirs them
    themselves then there these they this those through under until very what when where
    which while whom why will with would your yours yourself yourselves what's it's don't
    can't won't isn't there's that's let's i'm you're they're we're off once nor per via
    able about across actually add added after almost already always another anything area
    around away back bad best better big bit both bring call came case certain change check
    clear close come comes common could day days different does done during early easy
    either else enough even ever every everything example fact far feel find first follow
    following found full get gets give given go goes going good got great half hand happen
    hard help high hold however important include including keep kind know large last late
    later least leave less like likely little long look lot low made main make makes many
    mean means might more mostly move much need needed needs never next nothing number
    often once open part people place point possible quite rather read real really right
    said second see seem set several show side simple simply since small something sometimes
    soon start still sure take takes tell thing things think though three time times today
    together took toward true try turn two under use used useful uses using usually want
    way ways week weeks well went whether whole within without work works worth write year
    years yet guide chapter section table note notes page book read reading text become
    becomes build present remove daily run runs strong top bottom light heavy quick quickly
    slow slowly local instead especially single upon onto among per cent percent rough
    roughly approximately about various whose someone anyone everyone each either neither
    against along already although enough further indeed itself likely probably perhaps
    rather usual whatever whenever wherever yes""",
)
_CJK_STOP = frozenset(
    "的了是在和与及也就都而或把被让给对这那个之其我你他她它们有会要可以能"
    "很还又等着过吗呢吧啊所为于从到将并即如若该此些每不没"
)
_CJK_NUMERALS = frozenset("零〇一二两三四五六七八九十百千万亿几多半")
# Everyday two-character words that survive the stop characters.
_CJK_COMMON = _word_set(
    """时候 需要 进行 已经 还是 就是 知道 问题 方法 开始 应该 不要 一定 非常 比较 之后 之前
    以后 以前 时间 里面 下面 上面 起来 出来 看到 容易 可能 因为 所以 如果 但是 然而 虽然
    然后 或者 一起 一般 通常 可以 记住 千万 然后 最好 办法 情况 东西 地方 发现 觉得 表示"""
)


def key_terms(documents: Sequence[str], *, top: int = DEFAULT_TOP) -> list[str]:
    """The `top` most distinctive English words and Chinese 2-4 character terms, best first."""
    counts: Counter[str] = Counter()
    spread: Counter[str] = Counter()  # paragraphs in which each term appears
    surface: dict[str, Counter[str]] = {}  # how a folded word is written, to show it
    for document in documents:
        for paragraph in _PARAGRAPH.split(_CODE.sub(" ", document)):
            found = list(_terms(paragraph, surface))
            counts.update(found)
            spread.update(set(found))
    scores = {
        term: count * (1 + math.log(spread[term]))
        for term, count in counts.items()
        if count >= MIN_COUNT
    }
    ranked = sorted(scores, key=lambda term: (-scores[term], term))
    return [_shown(term, surface) for term in _drop_fragments(ranked, counts, top)]


def uses_terms(text: str, terms: Sequence[str]) -> bool:
    """Whether `text` uses any of `terms` (English as whole words, plurals folded)."""
    lowered = text.casefold()
    words = set(_WORD.findall(lowered))
    words |= {fold(word) for word in words}
    for term in terms:
        term = term.casefold()
        if (_CJK_RUN.fullmatch(term) or " " in term) and term in lowered:
            return True  # Chinese, or a phrase such as "royal jelly"
        if term in words or fold(term) in words:
            return True
    return False


def domain_term_ratio(answers: Sequence[str], terms: Sequence[str]) -> float:
    """Share of `answers` that use at least one of `terms`; 0.0 when there are none."""
    if not answers:
        return 0.0
    return sum(1 for answer in answers if uses_terms(answer, terms)) / len(answers)


def fold(word: str) -> str:
    """An English plural folded to its singular, simply ("colonies" -> "colony")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if (len(word) > 4 and word.endswith("xes")) or (
        len(word) > 5 and word.endswith(("sses", "ches", "shes"))  # not "aches" -> "ac"
    ):
        return word[:-2]
    if len(word) > 6 and word.endswith("uses"):  # "viruses", but "houses" -> "house"
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


def _terms(paragraph: str, surface: dict[str, Counter[str]]) -> Iterable[str]:
    """The candidate terms of one paragraph, one per occurrence."""
    for word in _WORD.findall(paragraph.casefold()):
        if len(word) < 3 or word in _COMMON:
            continue
        folded = fold(word)
        if folded in _COMMON:
            continue
        surface.setdefault(folded, Counter())[word] += 1
        yield folded
    for run in _CJK_RUN.findall(paragraph):
        for size in (2, 3, 4):
            for start in range(len(run) - size + 1):
                gram = run[start : start + size]
                if _cjk_candidate(gram):
                    yield gram


def _cjk_candidate(gram: str) -> bool:
    # A sequence that starts or ends on a particle or a numeral is a phrase fragment
    # ("蜂蜜的", "一张"), not a word.
    edges = gram[0] + gram[-1]
    if _CJK_STOP.intersection(edges) or _CJK_NUMERALS.intersection(edges):
        return False
    return gram not in _CJK_COMMON and not _CJK_STOP.intersection(gram)


def _drop_fragments(ranked: list[str], counts: Counter[str], top: int) -> list[str]:
    """The first `top` of `ranked`, less Chinese fragments of longer terms or extensions."""
    # "蜜机" lives almost only inside "摇蜜机"; "蜂蜜采" is "蜂蜜" plus a stray character.
    containers: dict[str, list[str]] = {}
    for term in ranked:
        if len(term) > 2 and _CJK_RUN.fullmatch(term):
            for size in range(2, len(term)):
                for start in range(len(term) - size + 1):
                    containers.setdefault(term[start : start + size], []).append(term)
    kept: list[str] = []
    for term in ranked:
        if len(kept) == top:
            break
        if _CJK_RUN.fullmatch(term):
            if any(counts[other] >= 0.75 * counts[term] for other in containers.get(term, ())):
                continue
            if any(other in term and counts[term] < 0.75 * counts[other] for other in kept):
                continue
        kept.append(term)
    return kept


def _shown(term: str, surface: dict[str, Counter[str]]) -> str:
    """A folded word as the text writes it most: its singular when that occurs."""
    forms = surface.get(term)
    if not forms or term in forms:
        return term
    return forms.most_common(1)[0][0]
