"""`easy-dataset eval ...`: evaluation sets (generate, hold out, import, review, export) and
models scored on them.

This module builds the command group; each family of commands lives in its own module and
the stages placed in the group (`Stage.command = ("eval", ...)`) come from the registry.
"""

from __future__ import annotations

import typer

from easy_dataset.cli.evals import runs, sets, transfer
from easy_dataset.cli.stage_commands import StageGroup

app = typer.Typer(
    cls=StageGroup,
    help="Evaluation sets and models scored on them.",
    no_args_is_help=True,
)

# Sets and their items (`eval generate` comes from the stage registry).
app.command("sets")(sets.list_sets)
app.command("set-create")(sets.create_set)
app.command("set-rename")(sets.rename_set)
app.command("set-delete")(sets.delete_set)
app.command("items")(sets.list_items)
app.command("item-add")(sets.add_item)
app.command("item-edit")(sets.edit_item)
app.command("item-delete")(sets.delete_items)
app.command("confirm")(sets.confirm_items)
app.command("hold-out")(transfer.hold_out)
app.command("import")(transfer.import_file)
app.command("export")(transfer.export_file)

# Models scored on a set (`eval run` comes from the stage registry).
app.command("runs")(runs.runs)
app.command("results")(runs.report)
app.command("compare")(runs.compare)
