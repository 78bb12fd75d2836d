"""An evaluation set as a task folder that lm-evaluation-harness runs: data as JSON Lines
and a task YAML (`dataset_path: json`, `dataset_kwargs.data_files`).

True/false and single-choice items make a `multiple_choice` task (the model's likelihood
of each choice, scored `acc`); multiple-choice items (several correct letters, which a
single gold index cannot express), short answers and open items make a `generate_until`
task scored by `exact_match` on the reference (case and punctuation ignored: a floor for
open items, which this project scores with its judge). A set with both becomes two tasks
in one group named after the set. The data paths are relative: run the harness from the
folder (`lm_eval --include_path . --tasks NAME ...`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from easy_dataset.evaluate.item_files import ItemOut
from easy_dataset.evaluate.kinds import LETTERS, letters_for

CHOICE_TASK_KINDS = ("true_false", "single_choice")
TRUE_FALSE = ["true", "false"]
_NOT_NAME = re.compile(r"[^a-z0-9_]+")
PROMPT = "{{question}}\nAnswer:"


def task_name(set_name: str) -> str:
    """A harness task name for a set: lower-case letters, digits and underscores."""
    name = _NOT_NAME.sub("_", set_name.lower()).strip("_")
    return f"eval_{name}" if not name or not name[0].isalpha() else name


def _listed(item: ItemOut) -> str:
    lines = [item.question]
    lines += [f"{letter}. {option}" for letter, option in zip(LETTERS, item.options, strict=False)]
    return "\n".join(lines)


def _choice_row(item: ItemOut) -> dict[str, Any]:
    if item.kind == "true_false":
        return {
            "question": f"True or false: {item.question}",
            "choices": TRUE_FALSE,
            "label": TRUE_FALSE.index(item.answer),
        }
    letters = letters_for(len(item.options))
    return {
        "question": _listed(item),
        "choices": list(letters),
        "label": letters.index(item.answer),
    }


def _generate_row(item: ItemOut) -> dict[str, Any]:
    if item.options:
        text = _listed(item) + "\nAnswer with the letters of every correct option."
        return {"question": text, "answer": item.answer}
    return {"question": item.question, "answer": item.answer}


def _yaml_value(value: Any, indent: int) -> str:
    """YAML for a value; scalars as JSON (which YAML reads as the same scalar)."""
    pad = "  " * indent
    if isinstance(value, dict):
        return "".join(
            f"\n{pad}{key}:{_yaml_value(inner, indent + 1)}" for key, inner in value.items()
        )
    if isinstance(value, list) and value and all(isinstance(inner, dict) for inner in value):
        out = ""
        for inner in value:
            first, *rest = inner.items()
            out += f"\n{pad}- {first[0]}: {json.dumps(first[1])}"
            out += "".join(f"\n{pad}  {key}: {json.dumps(val)}" for key, val in rest)
        return out
    return " " + json.dumps(value, ensure_ascii=False)


def to_yaml(document: dict[str, Any]) -> str:
    return "".join(f"{key}:{_yaml_value(value, 1)}\n" for key, value in document.items())


def _task(name: str, data_file: str, generate: bool) -> dict[str, Any]:
    task: dict[str, Any] = {
        "task": name,
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": data_file}},
        "test_split": "test",
        "output_type": "generate_until" if generate else "multiple_choice",
        "doc_to_text": PROMPT,
    }
    if generate:
        task["doc_to_target"] = "{{answer}}"
        task["generation_kwargs"] = {"until": ["\n\n"], "do_sample": False}
        task["metric_list"] = [
            {
                "metric": "exact_match",
                "aggregation": "mean",
                "higher_is_better": True,
                "ignore_case": True,
                "ignore_punctuation": True,
            }
        ]
    else:
        task["doc_to_choice"] = "{{choices}}"
        task["doc_to_target"] = "label"
        task["metric_list"] = [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}]
    task["metadata"] = {"version": 1.0}
    return task


def task_files(set_name: str, items: Sequence[ItemOut]) -> dict[str, str]:
    """File name -> text of the task folder: data, task YAML(s), a group YAML when the set
    needs two tasks, and a README saying how to run it."""
    name = task_name(set_name)
    choice = [_choice_row(item) for item in items if item.kind in CHOICE_TASK_KINDS]
    generate = [_generate_row(item) for item in items if item.kind not in CHOICE_TASK_KINDS]
    parts = [
        (rows, suffix, suffix == "generate")
        for rows, suffix in ((choice, "choice"), (generate, "generate"))
        if rows
    ]
    if not parts:
        parts = [(generate, "generate", True)]
    mixed = len(parts) > 1
    files: dict[str, str] = {}
    tasks = []
    for rows, suffix, is_generate in parts:
        task = f"{name}_{suffix}" if mixed else name
        data = f"{task}.jsonl"
        files[data] = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        files[f"{task}.yaml"] = to_yaml(_task(task, data, is_generate))
        tasks.append(task)
    if mixed:
        files[f"{name}.yaml"] = to_yaml(
            {"group": name, "task": tasks, "metadata": {"version": 1.0}}
        )
    files["README.md"] = (
        f"# {set_name}\n\nlm-evaluation-harness task(s) exported by easy-dataset: "
        f"{', '.join(tasks)}{f' in the group {name}' if mixed else ''}.\n\n"
        "Run from this folder (the data paths are relative to it):\n\n"
        f"    lm_eval --model hf --model_args pretrained=MODEL --include_path . --tasks {name}\n"
    )
    return files
