"""The CLI's own advice after an error: the command or option that helps, by the error's
`subject` (service messages name no interface's commands; see errors.py)."""

from __future__ import annotations

# subject -> what the CLI adds after the message; "; ..." says what to run, " (...)" names
# the option or command that does what the message advises.
HINTS: dict[str, str] = {
    "project": "; `easy-dataset project list` shows the projects there are",
    "file": "; `easy-dataset files list` shows the project's files",
    "chunk": "; `easy-dataset chunks list` shows the chunks",
    "question": "; `easy-dataset questions list` shows them",
    "qa": "; `easy-dataset qa list` shows them",
    "tag": "; `easy-dataset tags list` shows them",
    "template": "; `easy-dataset templates list` shows them",
    "persona": "; `easy-dataset personas list` shows them",
    "job": "; `easy-dataset jobs list` shows the jobs there are",
    "model": "; `easy-dataset models list` shows them",
    "battle": "; `easy-dataset arena battles` shows them",
    "benchmark": "; `easy-dataset quality benchmarks list` shows them",
    "prompt_override": "; `easy-dataset prompts list` shows which are",
    "is_dialogue": " (`easy-dataset dialogues edit-turn`, `truncate` or `regenerate`)",
    "not_dialogue": " (`easy-dataset qa edit`)",
    "sample_item": " (`easy-dataset quality sample`)",
    "not_interrupted": " (`easy-dataset jobs retry JOB_ID`)",
    "chunks_exist": " (--replace)",
    "export_exists": " (--overwrite)",
    "no_base_url": " (`easy-dataset models edit NAME --base-url URL`)",
    "invalid_override": " (`easy-dataset prompts set` or `easy-dataset prompts reset`)",
    "no_benchmarks": " (`easy-dataset quality benchmarks add FILE`)",
    "too_large": "; --max-file-mb sets the limit",
    "encrypted": " (--password)",
    "cleaning": "; `easy-dataset chunks cleaning list` shows the proposals waiting",
    "cleaning_stale": " (`easy-dataset chunks clean --chunk ID` proposes again)",
    "chunk_changed": " (--force)",
}


def with_hint(message: str, subject: str | None) -> str:
    """`message` and, where the CLI has one for `subject`, its hint."""
    return message + HINTS.get(subject or "", "")
