"""Free-text replies taken whole: one cut off at the token limit is continued, never kept
as if it had ended."""

from __future__ import annotations

from dataclasses import replace

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.types import ChatClient, Completion, Message

CONTINUE_PROMPT = (
    "Your reply was cut off. Continue it exactly where it stopped, without repeating "
    "anything and without any preface."
)


def _joined(first: Completion, more: Completion) -> Completion:
    """Two parts of one reply as one completion: texts joined, usage and time added up."""
    return replace(
        first,
        text=first.text + more.text,
        reasoning=first.reasoning or more.reasoning,
        prompt_tokens=first.prompt_tokens + more.prompt_tokens,
        completion_tokens=first.completion_tokens + more.completion_tokens,
        usage_estimated=first.usage_estimated or more.usage_estimated,
        finish_reason=more.finish_reason,
        latency_ms=first.latency_ms + more.latency_ms,
        raw=first.raw + more.raw,
        cached=first.cached and more.cached,
    )


async def chat_text(
    client: ChatClient, messages: list[Message], *, continuations: int | None = None
) -> Completion:
    """The model's whole reply: while it stops at the token limit, ask it to go on (at most
    `continuations` times, default the config's); still cut off, it fails as "truncated"."""
    limit = client.config.continuations if continuations is None else continuations
    completion = await client.chat(list(messages))
    asked = 0
    while completion.finish_reason == "length":
        if asked == limit:
            raise ModelCallError(
                "truncated",
                f"the reply was still cut off at the token limit after {asked} "
                f"continuation{'s' if asked != 1 else ''}; raise the model's max_tokens",
                raw_output=completion.raw,
            )
        asked += 1
        going_on = [
            *messages,
            {"role": "assistant", "content": completion.text},
            {"role": "user", "content": CONTINUE_PROMPT},
        ]
        completion = _joined(completion, await client.chat(going_on))
    return completion
