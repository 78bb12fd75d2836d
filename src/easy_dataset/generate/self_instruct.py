"""Self-Instruct's model calls: new instructions from a round's examples, then the input and
output of each instruction the filters kept (`instruction_filters`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.hygiene import clean_answer
from easy_dataset.generate.results import Provenance
from easy_dataset.generate.seed_tasks import INSTRUCTION_CHARS, TEXT_CHARS, SeedTask
from easy_dataset.llm.types import ChatClient

MAX_PROPOSED = 40
INSTANCE_EXAMPLES = 3  # seed tasks with an output shown when an instance is written


class InstructionBatch(BaseModel):
    """{"instructions": [...]}: the new tasks of one round."""

    instructions: list[str] = Field(max_length=MAX_PROPOSED)


class InstructionInstance(BaseModel):
    """{"input": ..., "output": ...}: one task carried out."""

    input: str = Field(default="", max_length=TEXT_CHARS)
    output: str = Field(max_length=TEXT_CHARS)


@dataclass(frozen=True)
class Proposal:
    """The instructions a round's reply proposed (as written), and who wrote them."""

    instructions: list[str]
    provenance: Provenance


@dataclass(frozen=True)
class Instance:
    """A kept instruction with its input and output ("" output: the model gave none)."""

    instruction: str
    input: str
    output: str
    provenance: Provenance


async def propose_instructions(
    client: ChatClient,
    *,
    examples: Sequence[str],
    count: int,
    language: str,
    override: str | None = None,
) -> Proposal:
    """Up to `count` new instructions, different from the examples shown (one call)."""
    rendered = prompt(
        "self_instruct", language, {"examples": list(examples), "count": count}, override
    )
    reply: Any = await ask_json(client, rendered, InstructionBatch)
    written = [text[:INSTRUCTION_CHARS] for text in reply.value.instructions[: count * 2]]
    return Proposal(written, provenance(client, rendered, reply.completion))


def instance_examples(seeds: Sequence[SeedTask]) -> list[dict[str, str]]:
    """The first seed tasks that have an output, to show how a task is carried out."""
    found = [seed for seed in seeds if seed.output.strip()][:INSTANCE_EXAMPLES]
    return [seed.model_dump() for seed in found]


async def write_instance(
    client: ChatClient,
    *,
    instruction: str,
    language: str,
    examples: Sequence[Mapping[str, str]] = (),
    override: str | None = None,
) -> Instance:
    """The input (often none) and output of one instruction (one call)."""
    rendered = prompt(
        "self_instruct_instance",
        language,
        {"instruction": instruction, "examples": list(examples)},
        override,
    )
    reply: Any = await ask_json(client, rendered, InstructionInstance)
    return Instance(
        instruction=instruction,
        input=clean_answer(reply.value.input).text,
        output=clean_answer(reply.value.output).text,
        provenance=provenance(client, rendered, reply.completion),
    )


def sample_question(instruction: str, given: str) -> str:
    """A sample's question: the instruction, and its input below it when there is one."""
    return f"{instruction}\n\n{given}" if given.strip() else instruction
