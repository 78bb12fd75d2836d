"""Offline token estimates, for budgets and for endpoints that report no usage.

No real tokenizer: tiktoken downloads its vocabularies, and the estimate only has to be
close enough for rate budgets and cost reports. BPE vocabularies give roughly one token per
CJK character and one per four characters of other text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from easy_dataset.llm.types import Message

# Han, kana, Hangul and CJK punctuation / full-width forms.
_CJK = re.compile(
    r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4  # role and separators around each message
REPLY_PRIMING = 3  # the tokens that open the assistant's reply


def estimate_tokens(text: str) -> int:
    """About how many tokens `text` is."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text)) if not text.isascii() else 0
    return cjk + -(-(len(text) - cjk) // CHARS_PER_TOKEN)


def estimate_messages(messages: Iterable[Message]) -> int:
    """About how many prompt tokens a chat request is."""
    return REPLY_PRIMING + sum(
        MESSAGE_OVERHEAD + estimate_tokens(m.get("content") or "") for m in messages
    )
