"""`easy-dataset instructions ...`: tasks made without documents. `self-instruct` is the
stage (its options from its `Params`), plus `--seeds FILE` read here from the user's disk."""

from __future__ import annotations

import typer

from easy_dataset.cli.stage_commands import FileOption, StageGroup, file_option
from easy_dataset.generate.seed_tasks import MAX_FILE_BYTES, parse_seed_file
from easy_dataset.services.generation.self_instruct_jobs import TYPE

app = typer.Typer(
    cls=StageGroup,
    help="Instruction data made without documents (Self-Instruct from seed tasks).",
    no_args_is_help=True,
)

file_option(
    TYPE,
    FileOption(
        flag="--seeds",
        field="seeds",
        help="A file of seed tasks: JSONL or JSON (instruction, input, output; the "
        "Self-Instruct seed file's instances too), CSV with those columns, or text with "
        "one instruction per line (repeatable).",
        read=parse_seed_file,
        max_bytes=MAX_FILE_BYTES,
    ),
)
