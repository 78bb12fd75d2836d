"""An assistant's reply as exported, with its reasoning in the form the options ask for."""

from __future__ import annotations

from easy_dataset.export.options import ExportOptions
from easy_dataset.generate.hygiene import strip_leaked_tags


def think_answer(cot: str, answer: str) -> str:
    """The answer with its reasoning in front, the way reasoning chat templates train on it."""
    # A tag the model leaked (`</answer>`, a second `</think>`) would end the block early or
    # teach the template's tags as content: none reaches the file. Only that debris goes,
    # outside code: `<output>` or XML in a code fence is content and is kept as written.
    cot, answer = strip_leaked_tags(cot).strip(), strip_leaked_tags(answer).strip()
    # Without reasoning there is nothing to wrap: an empty think block would teach silence.
    return f"<think>\n{cot}\n</think>\n\n{answer}" if cot else answer


def reply_text(answer: str, cot: str, options: ExportOptions) -> str:
    """The reply's text: with a think block in `think` mode, else the answer alone."""
    if options.cot_mode == "think":
        return think_answer(cot, answer)
    return answer
