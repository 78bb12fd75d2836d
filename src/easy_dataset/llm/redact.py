"""Keeping the API key out of every text that leaves the model layer.

Providers echo what they were sent ("Incorrect API key provided: sk-…"), whole or cut short,
and those words travel on into error replies, job failures, the usage log and pages. So
every message and raw reply of a failed call is scrubbed of the key, and of any long piece
of it, before anything else sees it.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from urllib.parse import quote

from easy_dataset.errors import ModelCallError

MASK = "[redacted]"
# A run of this many characters of the key is the key as far as a reader is concerned.
PIECE = 10
_TOKEN = re.compile(rf"[A-Za-z0-9_\-.+/=~]{{{PIECE},}}")


def redact(text: str, secret: str | None) -> str:
    """`text` with the secret, and every word sharing a long piece of it, masked."""
    if not secret or not text:
        return text
    for form in {secret, quote(secret, safe="")}:
        text = text.replace(form, MASK)
    if len(secret) < PIECE:
        return text

    def scrub(match: re.Match[str]) -> str:
        word = match.group(0)
        shared = SequenceMatcher(None, word, secret, autojunk=False).find_longest_match(
            0, len(word), 0, len(secret)
        )
        return MASK if shared.size >= PIECE else word

    return _TOKEN.sub(scrub, text)


def redact_error(error: ModelCallError, secret: str | None) -> ModelCallError:
    """The same error with its message and raw output scrubbed (itself when nothing shows)."""
    if not secret:
        return error
    message = redact(str(error), secret)
    raw = redact(error.raw_output, secret) if error.raw_output is not None else None
    if message == str(error) and raw == error.raw_output:
        return error
    clean = type(error).__new__(type(error))
    clean.__dict__.update(error.__dict__)
    clean.raw_output = raw
    clean.args = (message,)
    return clean
