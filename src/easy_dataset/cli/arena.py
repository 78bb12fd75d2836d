"""`easy-dataset arena ...`: two models answer the same questions (`arena run`, the stage),
a reviewer votes blind on which answer is better, and the results rank the models.

The vote and battle views never name the models: answers are "A" and "B" in the order drawn
for each battle. Only `arena results` and `arena battles --reveal` name them.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.stage_commands import StageGroup
from easy_dataset.errors import InputError
from easy_dataset.services import App
from easy_dataset.services.evaluation import arena
from easy_dataset.services.evaluation.arena import ArenaResults, BlindBattle

app = typer.Typer(
    cls=StageGroup,
    help="Blind arena: two models answer the same questions and you vote on the better answer.",
    no_args_is_help=True,
)

KEYS = "a: A is better · b: B is better · t: tie · x: both bad · s: skip · q: quit"
VotedOption = Annotated[
    bool | None,
    typer.Option("--voted/--unvoted", help="Only battles with (or without) a vote."),
]


def _show(battle: BlindBattle, progress: arena.ArenaProgress) -> None:
    console.rule(f"battle #{battle.id} · {progress.voted} of {progress.battles} voted")
    if battle.system:
        console.print(f"[dim]system:[/] {escape(battle.system)}")
    console.print(Panel(escape(battle.prompt), title="prompt", title_align="left"))
    console.print(Panel(escape(battle.answer_a), title="A", title_align="left"))
    console.print(Panel(escape(battle.answer_b), title="B", title_align="left"))


def _interactive(core: App, project: str) -> None:
    after = 0
    skipped: set[int] = set()
    while True:
        battle = arena.next_battle(core, project, after=after)
        if battle is None or battle.id in skipped:
            done = arena.progress(core, project)
            console.print(f"{done.voted} of {done.battles} battles voted; nothing more to vote on")
            return
        _show(battle, arena.progress(core, project))
        while True:
            typed = typer.prompt(KEYS, prompt_suffix="\n> ").strip().lower()
            if typed in ("q", "s"):
                break
            try:
                arena.vote(core, project, battle.id, typed)
            except InputError as exc:
                console.print(f"[red]{escape(str(exc))}[/]")
                continue
            break
        if typed == "q":
            return
        if typed == "s":
            skipped.add(battle.id)
        after = battle.id


@app.command("vote")
@guarded
def vote(
    ctx: typer.Context,
    project: ProjectOption,
    battle: Annotated[
        int | None, typer.Argument(help="Battle id (with --choice); none: vote one by one.")
    ] = None,
    choice: Annotated[
        str | None,
        typer.Option("--choice", "-c", help="A, B, tie or both_bad, on the order shown."),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the battle's vote.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Vote blind: one battle at a time (a / b / t / x, q to stop), or BATTLE --choice."""
    core = state(ctx).app()
    if battle is None:
        if choice is not None or clear:
            raise InputError("--choice and --clear need a battle id")
        _interactive(core, project)
        return
    if clear == (choice is not None):
        raise InputError("give a battle either --choice A|B|tie|both_bad or --clear")
    shown = (
        arena.clear_vote(core, project, battle)
        if clear
        else arena.vote(core, project, battle, choice or "")
    )
    if as_json:
        print_json(shown)
    else:
        console.print(f"battle #{shown.id}: {shown.vote or 'no vote'}")


@app.command("battles")
@guarded
def battles(
    ctx: typer.Context,
    project: ProjectOption,
    voted: VotedOption = None,
    reveal: Annotated[
        bool, typer.Option("--reveal", help="Name the models (spoils blind voting).")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, max=arena.MAX_PAGE)] = 100,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """List the battles with their votes (blind unless --reveal)."""
    core = state(ctx).app()
    if reveal:
        total, named = arena.revealed_battles(
            core, project, voted=voted, limit=limit, offset=offset
        )
        if as_json:
            print_json(named)
            return
        table = Table("id", "model a", "model b", "vote", "prompt", title=f"{total} battles")
        for row in named:
            table.add_row(
                str(row.id), escape(row.model_a), escape(row.model_b), row.vote or "", _short(row)
            )
        console.print(table)
        return
    total, blind = arena.list_battles(core, project, voted=voted, limit=limit, offset=offset)
    if as_json:
        print_json(blind)
        return
    table = Table("id", "vote", "prompt", title=f"{total} battles")
    for shown in blind:
        table.add_row(str(shown.id), shown.vote or "", _short(shown))
    console.print(table)


def _short(row: BlindBattle | arena.RevealedBattle) -> str:
    text = " ".join(row.prompt.split())
    return escape(text if len(text) <= 70 else text[:69] + "…")


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def _interval(low: float, high: float) -> str:
    return f"{_percent(low)} – {_percent(high)}"


def print_results(found: ArenaResults) -> None:
    """The results as tables: per pair, per model, and the ranking."""
    console.print(f"{found.voted} of {found.battles} battles voted")
    pairs = Table(
        "model a", "model b", "battles", "a / b / tie / bad", "a win %", "95% interval",
        title="pairs",
    )  # fmt: skip
    for pair in found.pairs:
        pairs.add_row(
            escape(pair.model_a), escape(pair.model_b), str(pair.battles),
            f"{pair.wins_a} / {pair.wins_b} / {pair.ties} / {pair.both_bad}",
            _percent(pair.win_rate_a), _interval(pair.low, pair.high),
        )  # fmt: skip
    console.print(pairs)
    models = Table(
        "model", "battles", "win / loss / tie / bad", "win rate", "95% interval",
        title="models (a tie or both bad counts half)",
    )  # fmt: skip
    for row in found.models:
        models.add_row(
            escape(row.model), str(row.battles),
            f"{row.wins} / {row.losses} / {row.ties} / {row.both_bad}",
            _percent(row.win_rate), _interval(row.low, row.high),
        )  # fmt: skip
    console.print(models)
    ranking = Table("rank", "model", "Elo", "strength", title="ranking (Bradley–Terry)")
    parts = len({row.component for row in found.ranking})
    if parts > 1:
        ranking.add_column("part")
    for ranked in found.ranking:
        cells = [
            str(ranked.rank),
            escape(ranked.model),
            f"{ranked.elo:.0f}",
            f"{ranked.strength:.3f}",
        ]
        ranking.add_row(*cells, *([str(ranked.component)] if parts > 1 else []))
    console.print(ranking)
    if parts > 1:
        console.print(
            "[dim]models in different parts never met, directly or through others: their "
            "scores do not compare[/]"
        )


@app.command("results")
@guarded
def results(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """Win rates per pair and per model with 95% intervals, and the ranking (names shown)."""
    found = arena.results(state(ctx).app(), project)
    if as_json:
        print_json(found)
    elif not found.voted:
        console.print(
            f"no votes yet among {found.battles} battles (`easy-dataset arena vote` to vote)"
        )
    else:
        print_results(found)
