"""Chains of thought that reason about the subject, not about "the text" they were read in.

A fine-tuned model should learn to reason from knowledge; "according to the text" teaches it
to cite a document the user never gave it. Detection is a regex: only a chain that has such
phrases costs a rewrite call, and the same patterns scrub whatever a rewrite leaves behind
(or stand in for it when the rewrite call fails).
"""

from __future__ import annotations

import re

_EN_SOURCE = (
    r"(?:given |provided |above |original |reference |source |following )?"
    r"(?:text|document|passage|article|context|material|excerpt|chunk|paragraph|section)"
)
_EN_LEAD = (
    r"(?:according to|based on|as (?:stated|mentioned|described|noted|shown|explained) in)"
    r" the " + _EN_SOURCE
)
_EN_VERB = r"the " + _EN_SOURCE + r" (?:also )?(?:says|states|mentions|notes|explains|shows)"
_ZH_SOURCE = r"(?:文本|文中|原文|材料|上文|文章|段落|资料|参考内容)"

_DETECT = re.compile(
    rf"\b{_EN_LEAD}\b|\b{_EN_VERB}\b|根据{_ZH_SOURCE}|{_ZH_SOURCE}中?(?:提到|指出|说明|表明|所述)",
    re.IGNORECASE,
)
_SCRUB = (
    # ", according to the text," in the middle of a sentence.
    (re.compile(rf",\s*{_EN_LEAD}\s*(?=[,.;:!?])", re.IGNORECASE), ""),
    # "According to the text, X" / "The passage says that X" at the start of a clause.
    (re.compile(rf"\b{_EN_LEAD}\s*,?\s*", re.IGNORECASE), ""),
    (re.compile(rf"\b{_EN_VERB}\s*(?:that\s+)?,?\s*", re.IGNORECASE), ""),
    (re.compile(rf"(?:根据|依据|按照){_ZH_SOURCE}的?(?:内容|所述|描述|信息|说法)?[，,]?"), ""),
    (re.compile(rf"(?:如|正如)?{_ZH_SOURCE}中?(?:提到|指出|说明|表明|所述)的?[，,：:]?"), ""),
)
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n\s*)([a-z])")


def mentions_source(cot: str) -> bool:
    """Whether the chain refers to "the text" (or 根据文本, 文中...) it was written from."""
    return _DETECT.search(cot) is not None


def scrub_source_mentions(cot: str) -> str:
    """The chain with those references cut out and sentence starts capitalised again."""
    text = cot
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    text = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()
