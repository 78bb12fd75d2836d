"""The arena screen (`/projects/{id}/arena`): one battle at a time, its two answers side by
side as A and B with no model names, voted by button or key (a, b, t, x; s skips), the
progress, and the results: win rates as bars with their 95 % intervals, and the ranking.

The battle shown comes from the blind service view, which carries no model names; the
names appear only in the results panel.
"""

from __future__ import annotations

from fastapi import Request
from nicegui import ui
from nicegui.events import KeyEventArguments

from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.layout import content, project_page
from easy_dataset.services.evaluation import arena
from easy_dataset.services.evaluation.arena import CHOICES, ArenaResults, BlindBattle
from easy_dataset.services.views import ProjectView

KEYS = {"a": "A", "b": "B", "t": "tie", "x": "both_bad"}
RANK_COLUMNS = ("rank", "model", "elo", "record", "part")


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def rate_bar(testid: str, name: str, rate: float, low: float, high: float, battles: int) -> None:
    """A name, a bar as long as the win rate, and a line across its 95 % interval."""
    with ui.row().classes("w-full items-center gap-3 no-wrap").props(f"data-testid={testid}"):
        ui.label(name).classes("w-48 truncate font-medium")
        with ui.element("div").classes("relative flex-grow h-5 bg-gray-100 rounded"):
            ui.element("div").classes("absolute h-5 bg-primary rounded opacity-70").style(
                f"left: 0; width: {100 * rate:.2f}%"
            )
            ui.element("div").classes("absolute bg-black").style(
                f"left: {100 * low:.2f}%; width: {100 * (high - low):.2f}%; top: 9px; height: 2px"
            )
        ui.label(
            t(
                "arena.rate",
                rate=_percent(rate),
                low=_percent(low),
                high=_percent(high),
                battles=battles,
            )
        ).classes("w-64 text-sm").props(f"data-testid={testid}-rate")


class ArenaScreen:
    def __init__(self, ctx: UiContext, project: ProjectView) -> None:
        self.ctx = ctx
        self.project = project
        self.battle: BlindBattle | None = None
        self.skipped: set[int] = set()

    def build(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            ui.label(t("arena.title")).classes("text-2xl")
            ui.space()
            self.progress = ui.label().classes("font-medium").props("data-testid=arena-progress")
        self.stage = ui.column().classes("w-full gap-3")
        ui.label(t("arena.keys")).classes("text-sm text-gray-500")
        ui.separator()
        ui.label(t("arena.results")).classes("text-xl")
        self.results = ui.column().classes("w-full gap-2").props("data-testid=arena-results")
        ui.keyboard(on_key=self._key)
        ui.timer(0, self.reload, once=True)

    async def reload(self, after: int = 0) -> None:
        core, project_id = self.ctx.core, self.project.id
        battle = await off_loop(arena.next_battle, core, project_id, after=after)
        if battle is not None and battle.id in self.skipped:
            battle = None  # every battle left was skipped: round the list once only
        progress = await off_loop(arena.progress, core, project_id)
        found = await off_loop(arena.results, core, project_id)
        self.battle = battle
        self.progress.set_text(t("arena.progress", voted=progress.voted, battles=progress.battles))
        self._show_battle(battle)
        self._show_results(found)

    def _show_battle(self, battle: BlindBattle | None) -> None:
        self.stage.clear()
        with self.stage:
            if battle is None:
                ui.label(t("arena.empty")).props("data-testid=arena-empty")
                return
            if battle.system:
                ui.label(f"{t('arena.system')}: {battle.system}").classes(
                    "text-sm text-gray-600 whitespace-pre-wrap"
                )
            with ui.card().classes("w-full"):
                ui.label(t("arena.prompt")).classes("text-sm text-gray-500")
                ui.label(battle.prompt).classes("whitespace-pre-wrap").props(
                    "data-testid=arena-prompt"
                )
            with ui.row().classes("w-full gap-3 no-wrap items-stretch"):
                for side, text in (("a", battle.answer_a), ("b", battle.answer_b)):
                    with ui.card().classes("w-1/2"):
                        ui.label(t(f"arena.answer_{side}")).classes("text-lg font-bold")
                        ui.label(text).classes("whitespace-pre-wrap").props(
                            f"data-testid=arena-answer-{side}"
                        )
            with ui.row().classes("gap-2"):
                for choice in CHOICES:
                    ui.button(
                        t(f"arena.vote.{choice.lower()}"),
                        on_click=guarded(lambda c=choice: self.vote(c)),
                    ).props(f"data-testid=arena-vote-{choice}")
                ui.button(t("arena.skip"), on_click=guarded(self.skip)).props(
                    "flat data-testid=arena-skip"
                )

    def _show_results(self, found: ArenaResults) -> None:
        self.results.clear()
        with self.results:
            if not found.voted:
                ui.label(t("arena.no_votes")).props("data-testid=arena-no-votes")
                return
            ui.label(t("arena.models")).classes("font-medium")
            for number, row in enumerate(found.models):
                rate_bar(
                    f"arena-model-{number}", row.model, row.win_rate, row.low, row.high,
                    row.battles,
                )  # fmt: skip
            ui.label(t("arena.pairs")).classes("font-medium")
            for number, pair in enumerate(found.pairs):
                name = t("arena.pair_name", a=pair.model_a, b=pair.model_b)
                rate_bar(
                    f"arena-pair-{number}", name, pair.win_rate_a, pair.low,
                    pair.high, pair.battles,
                )  # fmt: skip
            ui.label(t("arena.ranking")).classes("font-medium")
            records = {row.model: row for row in found.models}
            rows = [
                {
                    "rank": ranked.rank,
                    "model": ranked.model,
                    "elo": f"{ranked.elo:.0f}",
                    "record": " / ".join(
                        str(value)
                        for value in (
                            records[ranked.model].wins,
                            records[ranked.model].losses,
                            records[ranked.model].ties,
                            records[ranked.model].both_bad,
                        )
                    ),
                    "part": ranked.component,
                }
                for ranked in found.ranking
            ]
            parts = len({row["part"] for row in rows})
            columns = [
                {"name": key, "label": t(f"arena.col.{key}"), "field": key, "align": "left"}
                for key in RANK_COLUMNS
                if key != "part" or parts > 1
            ]
            ui.table(columns=columns, rows=rows, row_key="model").classes("w-full").props(
                "flat bordered dense data-testid=arena-ranking"
            )

    async def vote(self, choice: str) -> None:
        if self.battle is None:
            return
        shown = self.battle.id
        await off_loop(arena.vote, self.ctx.core, self.project.id, shown, choice)
        await self.reload(after=shown)

    async def skip(self) -> None:
        if self.battle is None:
            return
        self.skipped.add(self.battle.id)
        await self.reload(after=self.battle.id)

    async def _key(self, event: KeyEventArguments) -> None:
        if not event.action.keydown or event.action.repeat or self.battle is None:
            return
        if event.modifiers.ctrl or event.modifiers.meta or event.modifiers.alt:
            return
        name = str(event.key.name).lower()
        if name == "s":
            await guarded(self.skip)()
        elif name in KEYS:
            await guarded(self.vote)(KEYS[name])


def register() -> None:
    @ui.page("/projects/{project_id}/arena")
    def arena_page(request: Request, project_id: int) -> None:
        opened = project_page(request, project_id, "arena")
        if opened is None:
            return
        with content():
            ArenaScreen(*opened).build()
