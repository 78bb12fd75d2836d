"""What the tags, personas, questions and chunks screens share: starting a generation job
from a page (and following it until it ends), the estimate asked for before a long one,
dialogs that remove themselves, tag paths."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from nicegui import ui

from easy_dataset.errors import NotFoundError
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.nav import project_path
from easy_dataset.services import jobs, stages
from easy_dataset.services.generation import Estimate
from easy_dataset.services.tags import TagNode
from easy_dataset.services.views import ProjectView

Reload = Callable[[], Awaitable[None]]
ACTIVE = ("pending", "running")


class JobLauncher:
    """Starts a stage as a job (planning runs off the event loop; the work runs on the
    server's job thread) and shows a line per started job with a link to the Jobs screen.
    A timer follows the jobs; `on_done` runs once a job has ended, to show its results."""

    def __init__(self, ctx: UiContext, project: ProjectView, on_done: Reload | None) -> None:
        self.ctx = ctx
        self.project = project
        self.on_done = on_done
        self.watched: dict[int, ui.label] = {}
        self.area = ui.column().classes("w-full gap-1").props("data-testid=job-notices")
        self.timer = ui.timer(1.0, self._tick, active=False)

    async def start(self, kind: str, **options: Any) -> int:
        job_id = await self.plan(kind, **options)
        self.ctx.submit(job_id)
        notify_ok(t("gen.job_started", id=job_id, kind=self.job_type(kind)))
        with self.area, ui.row().classes("items-center gap-2"):
            line = ui.label().props(f"data-testid=job-notice-{job_id}")
            ui.link(
                t("gen.open_job"), f"{project_path(self.project.id, 'jobs')}?job={job_id}"
            ).props(f"data-testid=job-link-{job_id}")
        self.watched[job_id] = line
        self.timer.activate()
        await self._tick()
        return job_id

    async def start_after_estimate(
        self, kind: str, title: str, scope: str, **options: Any
    ) -> int | None:
        """Show the job's estimate (`confirm_estimate`) and start it when the person says
        so; the new job's id, None when cancelled (nothing is created then)."""
        found = await self.estimate(kind, **options)
        if not await confirm_estimate(found, title, scope):
            return None
        return await self.start(kind, **options)

    async def estimate(self, kind: str, **options: Any) -> Estimate:
        """What the job would do (nothing is created)."""
        return await off_loop(
            stages.estimate_stage, self.ctx.core, self.project.id, kind, **options
        )

    async def plan(self, kind: str, **options: Any) -> int:
        """Create the job (nothing runs yet); its id."""
        return await off_loop(stages.start_stage, self.ctx.core, self.project.id, kind, **options)

    def job_type(self, kind: str) -> str:
        """The job type `kind` starts, as the Jobs screen names it."""
        return kind

    async def _tick(self) -> None:
        ended = False
        for job_id, line in list(self.watched.items()):
            try:
                job = jobs.show_job(self.ctx.core, job_id, failures=0, summary=False).job
            except NotFoundError:  # deleted meanwhile
                del self.watched[job_id]
                continue
            if job.total == 0:
                line.set_text(t("gen.job_nothing", id=job_id, kind=job.type))
            else:
                line.set_text(
                    t(
                        "gen.job_line",
                        id=job_id,
                        kind=job.type,
                        status=t(f"jobs.status.{job.status}"),
                        done=job.succeeded + job.failed,
                        total=job.total,
                    )
                )
            if job.status not in ACTIVE:
                del self.watched[job_id]
                ended = True
        if not self.watched:
            self.timer.deactivate()
        if ended and self.on_done is not None:
            await self.on_done()


def duration(seconds: float) -> str:
    """ "about 45 s", "about 18 min", "about 2.5 h" in the page's language: never a clock."""
    if seconds < 90:
        return t("scope.seconds", n=max(1, round(seconds)))
    if seconds < 90 * 60:
        return t("scope.minutes", n=round(seconds / 60))
    return t("scope.hours", n=f"{seconds / 3600:.1f}")


def latency(ms: int) -> str:
    """ "850 ms", "4.2 s": units both languages read."""
    return f"{ms} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def estimate_lines(found: Estimate) -> list[tuple[str, str]]:
    """(test id, text) per line of an estimate."""
    lines = [
        ("estimate-items", t("scope.items", count=found.items)),
        ("estimate-calls", t("scope.calls", count=f"{found.calls:,}")),
        (
            "estimate-tokens",
            t(
                "scope.tokens",
                total=f"{found.tokens:,}",
                prompt=f"{found.prompt_tokens:,}",
                completion=f"{found.completion_tokens:,}",
            ),
        ),
    ]
    if found.seconds is None or found.latency_ms is None:
        lines.append(("estimate-time", t("scope.time_unknown", model=found.model)))
    else:
        lines.append(
            (
                "estimate-time",
                t(
                    "scope.time",
                    duration=duration(found.seconds),
                    latency=latency(found.latency_ms),
                    calls=found.latency_calls,
                    at=found.concurrency,
                ),
            )
        )
    if found.without_context:
        lines.append(("estimate-no-chunk", t("scope.without_context", count=found.without_context)))
    if found.skipped_no_chunk:
        lines.append(("estimate-skipped", t("scope.skipped", count=found.skipped_no_chunk)))
    return lines


async def confirm_job(
    ctx: UiContext, project: ProjectView, kind: str, title: str, scope: str, **options: Any
) -> bool:
    """Show what `kind` with these options would do (its estimate; nothing is created) and
    ask before starting it; True when the person starts it. With nothing to do there is
    only a Close button."""
    found = await off_loop(stages.estimate_stage, ctx.core, project.id, kind, **options)
    return await confirm_estimate(found, title, scope)


async def confirm_estimate(found: Estimate, title: str, scope: str) -> bool:
    """The estimate in a dialog that asks before the job starts; True when the person
    starts it. With nothing to do there is only a Close button."""
    with ui.dialog().props("data-testid=estimate-dialog") as box, ui.card().classes("w-[36rem]"):
        ui.label(title).classes("text-lg")
        ui.label(t("scope.for", what=scope)).props("data-testid=estimate-scope")
        if found.items == 0:
            ui.label(t("scope.nothing")).props("data-testid=estimate-nothing")
        else:
            for testid, text in estimate_lines(found):
                ui.label(text).props(f"data-testid={testid}")
            ui.label(t("scope.note")).classes("text-xs text-gray-600")
        with ui.row().classes("w-full justify-end"):
            if found.items == 0:
                ui.button(t("scope.close"), on_click=lambda: box.submit(False)).props(
                    "flat data-testid=confirm-no"
                )
            else:
                ui.button(t("common.cancel"), on_click=lambda: box.submit(False)).props(
                    "flat data-testid=confirm-no"
                )
                ui.button(t("scope.start"), on_click=lambda: box.submit(True)).props(
                    "data-testid=confirm-yes"
                )
    answer = await box
    box.clear()
    box.delete()
    return answer is True


def dialog(testid: str) -> tuple[ui.dialog, ui.card]:
    """A dialog that removes itself from the page once closed."""
    box = ui.dialog().props(f"data-testid={testid}")
    box.on("hide", lambda: box.delete())
    with box:
        card = ui.card().classes("w-[40rem] max-w-full")
    return box, card


def walk(nodes: list[TagNode], depth: int = 0) -> Iterator[tuple[TagNode, int]]:
    """Every tag of a tree with its depth, parents before children."""
    for node in nodes:
        yield node, depth
        yield from walk(node.children, depth + 1)


def tag_paths(tree: list[TagNode], *, skip: int | None = None) -> dict[int, str]:
    """Tag id -> "Parent › Child", in tree order; `skip` leaves out a tag and its subtree."""
    paths: dict[int, str] = {}

    def visit(nodes: list[TagNode], prefix: str) -> None:
        for node in nodes:
            if node.id == skip:
                continue
            path = f"{prefix} › {node.name}" if prefix else node.name
            paths[node.id] = path
            visit(node.children, path)

    visit(tree, "")
    return paths
