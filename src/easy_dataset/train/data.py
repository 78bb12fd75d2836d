"""Training data: conversations from samples or a JSONL file, a seeded split by tag, general
data mixed in at a ratio, and tokens with the loss on the assistant's replies only."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from easy_dataset.errors import InputError
from easy_dataset.export.records import ExportRecord
from easy_dataset.samples_shape import sample_messages

IGNORE = -100  # the label PyTorch's cross-entropy skips
UNTAGGED = ""

# For tokenizers that ship no chat template: ChatML, which most open chat models use.
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass(frozen=True)
class Conversation:
    """One training example: turns as {"role", "content"} and the tag it is stratified by."""

    turns: tuple[tuple[str, str], ...]
    tag: str = UNTAGGED
    general: bool = False

    def messages(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.turns]


@dataclass(frozen=True)
class Tokenized:
    """A conversation's token ids and labels (IGNORE wherever the assistant is not speaking)."""

    input_ids: list[int]
    labels: list[int]

    @property
    def trained_tokens(self) -> int:
        return sum(1 for label in self.labels if label != IGNORE)


@dataclass
class Splits:
    train: list[Conversation]
    validation: list[Conversation]
    general: int = 0  # general conversations among `train`
    by_tag: dict[str, tuple[int, int]] = field(default_factory=dict)  # tag: (train, validation)


def _assistant_text(content: str, reasoning: str) -> str:
    # The reasoning is trained too, in the <think> form reasoning models read and write.
    return f"<think>\n{reasoning}\n</think>\n{content}" if reasoning else content


def _conversation(
    turns: Iterable[tuple[str, str, str]], tag: str, general: bool = False
) -> Conversation:
    """(role, content, reasoning) turns as a Conversation; InputError when there is no reply."""
    shaped = tuple(
        (role, _assistant_text(content, reasoning) if role == "assistant" else content)
        for role, content, reasoning in turns
    )
    if not any(role == "assistant" and content.strip() for role, content in shaped):
        raise InputError("a training example needs at least one assistant reply")
    return Conversation(shaped, tag, general)


def from_records(records: Iterable[ExportRecord], system: str | None = None) -> list[Conversation]:
    """The project's samples (QA pairs and dialogues) as conversations, tagged by domain tag."""
    found = []
    for record in records:
        turns = sample_messages(
            record.kind, record.question, record.answer, record.cot, record.messages, system
        )
        tag = str(record.provenance.get("tag") or UNTAGGED)
        found.append(_conversation(((t.role, t.text, t.reasoning) for t in turns), tag))
    return found


def _turns_of(row: dict[str, Any]) -> list[tuple[str, str, str]]:
    if isinstance(row.get("messages"), list):
        return [
            (str(m["role"]), str(m.get("content") or ""), str(m.get("reasoning") or ""))
            for m in row["messages"]
        ]
    if isinstance(row.get("conversations"), list):  # ShareGPT
        roles = {"human": "user", "gpt": "assistant", "system": "system", "user": "user"}
        found = [
            (roles.get(str(m.get("from")), "assistant"), str(m.get("value") or ""), "")
            for m in row["conversations"]
        ]
        return ([("system", str(row["system"]), "")] if row.get("system") else []) + found
    if "instruction" in row and "output" in row:  # Alpaca
        prompt = str(row["instruction"])
        if row.get("input"):
            prompt += "\n\n" + str(row["input"])
        system = [("system", str(row["system"]), "")] if row.get("system") else []
        return [*system, ("user", prompt, ""), ("assistant", str(row["output"]), "")]
    if "question" in row and "answer" in row:
        return [("user", str(row["question"]), ""), ("assistant", str(row["answer"]), "")]
    raise InputError(
        "a line has none of messages, conversations (ShareGPT), instruction/output (Alpaca) "
        "or question/answer"
    )


def read_jsonl(path: str | Path, *, general: bool = False) -> list[Conversation]:
    """Conversations from an exported JSONL file (messages, ShareGPT, Alpaca or QA lines)."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise InputError(f"no training data file at {source}; give the path of a JSONL export")
    found = []
    with source.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise InputError("a line is not a JSON object")
                meta = row.get("metadata") if isinstance(row.get("metadata"), dict) else {}
                tag = str(row.get("tag") or (meta or {}).get("tag") or UNTAGGED)
                found.append(_conversation(_turns_of(row), tag, general))
            except (json.JSONDecodeError, KeyError, InputError) as exc:
                raise InputError(f"{source.name} line {number}: {exc}") from None
    return found


def split(conversations: Sequence[Conversation], ratio: float, seed: int) -> Splits:
    """A seeded train / validation split that keeps each tag's share in both parts."""
    by_tag: dict[str, list[Conversation]] = {}
    for conversation in conversations:
        by_tag.setdefault(conversation.tag, []).append(conversation)
    rng = random.Random(seed)
    train: list[Conversation] = []
    validation: list[Conversation] = []
    counts: dict[str, tuple[int, int]] = {}
    for tag in sorted(by_tag):
        group = by_tag[tag]
        rng.shuffle(group)
        held = round(len(group) * ratio)
        # A tag with a few samples still gets one held out, as long as one stays to train on.
        if ratio > 0 and held == 0 and len(group) >= 2:
            held = 1
        validation += group[:held]
        train += group[held:]
        counts[tag] = (len(group) - held, held)
    if ratio > 0 and not validation and len(train) >= 2:
        validation.append(train.pop())
    rng.shuffle(train)
    return Splits(train, validation, 0, counts)


def mix_general(splits: Splits, general: Sequence[Conversation], ratio: float, seed: int) -> Splits:
    """The training part with general conversations making up `ratio` of it (as many as the
    file has, drawn without repeats); the validation part stays the project's own."""
    if ratio <= 0 or not general:
        return splits
    wanted = round(ratio * len(splits.train) / (1 - ratio))
    rng = random.Random(seed + 1)
    drawn = rng.sample(list(general), min(wanted, len(general)))
    train = splits.train + drawn
    rng.shuffle(train)
    return Splits(train, splits.validation, len(drawn), splits.by_tag)


def ensure_chat_template(tokenizer: Any) -> None:
    """Give a tokenizer without a chat template the ChatML one."""
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = CHATML_TEMPLATE


def _render(tokenizer: Any, messages: list[dict[str, str]], prompt: bool) -> str:
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=prompt)
    return str(text)


def assistant_spans(tokenizer: Any, conversation: Conversation) -> tuple[str, list[range]]:
    """The rendered text and the character ranges of the assistant's replies in it (each
    with the end-of-turn text the template puts after it, so the model learns to stop)."""
    messages = conversation.messages()
    text = _render(tokenizer, messages, prompt=False)
    spans = []
    for place, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = _render(tokenizer, messages[:place], prompt=True) if place else ""
        through = _render(tokenizer, messages[: place + 1], prompt=False)
        if not text.startswith(through) or not through.startswith(before):
            raise InputError(
                "the tokenizer's chat template renders a conversation differently from its "
                "beginning, so the assistant's replies cannot be located; use a model whose "
                "template renders turns in order"
            )
        spans.append(range(len(before), len(through)))
    return text, spans


def tokenize(tokenizer: Any, conversation: Conversation, max_length: int) -> Tokenized | None:
    """Token ids with labels on the assistant's tokens only; None when truncation to
    `max_length` leaves no assistant token to learn from."""
    text, spans = assistant_spans(tokenizer, conversation)
    encoded = tokenizer(
        text, add_special_tokens=False, return_offsets_mapping=True, truncation=False
    )
    ids: list[int] = list(encoded["input_ids"])[:max_length]
    offsets = list(encoded["offset_mapping"])[:max_length]
    labels = [
        token if any(start in span for span in spans) else IGNORE
        for token, (start, _end) in zip(ids, offsets, strict=True)
    ]
    example = Tokenized(ids, labels)
    return example if example.trained_tokens else None


def tokenize_all(
    tokenizer: Any, conversations: Iterable[Conversation], max_length: int
) -> tuple[list[Tokenized], int]:
    """The conversations tokenized, and how many were left out for lack of reply tokens."""
    kept, dropped = [], 0
    for conversation in conversations:
        example = tokenize(tokenizer, conversation, max_length)
        if example is None:
            dropped += 1
        else:
            kept.append(example)
    return kept, dropped
