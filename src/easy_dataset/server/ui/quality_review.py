"""The "Duplicates" and "Review sample" tabs of the quality screen.

Duplicates: the clusters the last deduplication found (largest first, a page at a time),
the kept member marked, each QA pair linked to its detail page, and deleting the marked
members behind a confirmation. Review sample: the sampled pairs one at a time (question,
answer, source chunk) with "correct" / "error" and a note; progress and the running
estimate of the error rate with its 95% interval."""

from __future__ import annotations

from nicegui import ui

from easy_dataset.errors import NotFoundError
from easy_dataset.server.ui import safe
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.gen_common import Reload
from easy_dataset.server.ui.helpers import confirm, guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import t
from easy_dataset.server.ui.quality_panel import estimate_text, qa_link, verdict_controls
from easy_dataset.server.ui.settings_prompts import text_block
from easy_dataset.services import generation, quality
from easy_dataset.services.generation import QADetail
from easy_dataset.services.quality import SampleStatus
from easy_dataset.services.quality_results import TARGETS as DEDUP_TARGETS
from easy_dataset.services.quality_results import ResultView
from easy_dataset.services.views import ProjectView

CLUSTERS_PER_PAGE = 20


class DuplicatesSection:
    def __init__(self, ctx: UiContext, project: ProjectView, on_change: Reload) -> None:
        self.ctx = ctx
        self.project = project
        self.on_change = on_change
        self.target = "qa"
        self.page = 1
        self.requests = 0

    def build(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            ui.select(
                {key: t(f"quality.dedup.target.{key}") for key in DEDUP_TARGETS},
                value=self.target,
                label=t("quality.dedup.target"),
                on_change=guarded(lambda e: self._retarget(str(e.value))),
            ).classes("min-w-[10rem]").props("data-testid=dup-target")
            self.summary = ui.label().classes("font-medium").props("data-testid=dup-summary")
            ui.space()
            ui.button(
                t("quality.dup.delete"), icon="delete_sweep", on_click=guarded(self._delete)
            ).props("color=negative data-testid=dup-delete")
        self.pager = ui.pagination(1, 1, direction_links=True, value=1)
        self.pager.props("max-pages=7 boundary-numbers data-testid=dup-pager")
        self.pager.on_value_change(guarded(lambda e: self._go(int(e.value or 1))))
        self.listing = ui.column().classes("w-full gap-2").props("data-testid=dup-list")

    async def _retarget(self, target: str) -> None:
        self.target, self.page = target, 1
        await self.reload()

    async def _go(self, page: int) -> None:
        if page != self.page:
            self.page = page
            await self.reload()

    async def reload(self) -> None:
        self.requests += 1
        mine = self.requests
        clusters, total = await off_loop(
            quality.list_clusters,
            self.ctx.core,
            self.project.id,
            self.target,
            limit=CLUSTERS_PER_PAGE,
            offset=(self.page - 1) * CLUSTERS_PER_PAGE,
        )
        if mine != self.requests:
            return
        pages = max(1, -(-total // CLUSTERS_PER_PAGE))
        if self.page > pages:
            self.page = pages
            await self.reload()
            return
        self.summary.set_text(t("quality.dup.summary", count=total))
        self.pager.max = pages
        self.pager.set_value(self.page)
        self.pager.set_visibility(pages > 1)
        self.listing.clear()
        with self.listing:
            if not clusters:
                ui.label(t("quality.dup.none")).props("data-testid=dup-none")
            for cluster in clusters:
                self._cluster(cluster)

    def _cluster(self, cluster: quality.ClusterView) -> None:
        with ui.card().classes("w-full gap-1").props(f"data-testid=dup-cluster-{cluster.keep}"):
            ui.label(
                t(
                    "quality.dup.cluster",
                    size=len(cluster.members),
                    mode=t(f"quality.dedup.mode.{cluster.mode}"),
                )
            ).classes("text-sm text-gray-600")
            for member in cluster.members:
                with (
                    ui.row()
                    .classes("w-full items-center gap-2 no-wrap")
                    .props(f"data-testid=dup-member-{member.id}")
                ):
                    if self.target == "qa":
                        ui.link(f"#{member.id}", qa_link(self.project.id, member.id)).props(
                            f"data-testid=dup-link-{member.id}"
                        )
                    else:
                        ui.label(f"#{member.id}")
                    ui.badge(
                        t("quality.dup.kept") if member.keep else t("quality.dup.marked"),
                        color="positive" if member.keep else "negative",
                    ).props(f"data-testid=dup-badge-{member.id}")
                    if member.similarity is not None:
                        ui.label(f"{member.similarity:.2f}").classes("text-sm font-mono")
                    ui.label(member.text).classes("text-sm truncate")

    async def _delete(self) -> None:
        if not await confirm(t(f"quality.dup.confirm.{self.target}")):
            return
        count = await off_loop(
            quality.delete_duplicates, self.ctx.core, self.project.id, self.target
        )
        notify_ok(t("quality.dup.deleted", count=count))
        await self.reload()
        await self.on_change()


class SampleSection:
    def __init__(self, ctx: UiContext, project: ProjectView, on_change: Reload) -> None:
        self.ctx = ctx
        self.project = project
        self.on_change = on_change
        self.current: int | None = None

    def build(self) -> None:
        with ui.card().classes("w-full gap-1"):
            self.progress = ui.label().classes("font-medium").props("data-testid=sample-progress")
            self.bar = ui.linear_progress(value=0, show_value=False)
            self.estimate = ui.label().props("data-testid=sample-estimate")
        self.item = ui.column().classes("w-full gap-2").props("data-testid=sample-item")

    def _show_status(self, status: SampleStatus) -> None:
        self.progress.set_text(
            t(
                "quality.sample.progress",
                reviewed=status.reviewed,
                size=status.size,
                errors=status.errors,
            )
        )
        self.bar.set_value(status.reviewed / status.size if status.size else 0)
        self.estimate.set_text(estimate_text(status))

    def _neighbour(self, qa_id: int | None, backwards: bool = False) -> int | None:
        """The sampled pair after (or before) `qa_id`; the first one for None."""
        found = generation.list_qa(
            self.ctx.core,
            self.project.id,
            limit=1,
            after=qa_id,
            newest_first=backwards,
            sampled=True,
        )
        return found[0].id if found else None

    def _load(self, qa_id: int | None) -> tuple[SampleStatus, QADetail | None, ResultView | None]:
        status = quality.sample_status(self.ctx.core, self.project.id)
        if qa_id is None:
            return status, None, None
        try:
            detail = generation.get_qa(self.ctx.core, self.project.id, qa_id)
            results = quality.item_results(self.ctx.core, self.project.id, qa_id)
        except NotFoundError:
            return status, None, None
        sample = next((r for r in results if r.kind == "sample"), None)
        return status, detail, sample

    async def reload(self, qa_id: int | None = None) -> None:
        """Show `qa_id` (or the current pair, or the first sampled one)."""
        wanted = qa_id if qa_id is not None else self.current
        status, detail, sample = await off_loop(self._load, wanted)
        if sample is None:  # not in the sample (any more): start from its beginning
            first = await off_loop(self._neighbour, None)
            status, detail, sample = await off_loop(self._load, first)
        self.current = detail.id if detail is not None and sample is not None else None
        self._show_status(status)
        self.item.clear()
        with self.item:
            if detail is None or sample is None:
                ui.label(t("quality.sample.empty")).props("data-testid=sample-empty")
                return
            self._pair(detail, sample)

    def _pair(self, detail: QADetail, sample: ResultView) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            ui.link(f"#{detail.id}", qa_link(self.project.id, detail.id)).props(
                "data-testid=sample-link"
            )
            ui.space()
            ui.button(
                t("qa.previous"), icon="chevron_left", on_click=guarded(lambda: self._step(True))
            ).props("flat data-testid=sample-prev")
            ui.button(
                t("qa.next"), icon="chevron_right", on_click=guarded(lambda: self._step(False))
            ).props("flat data-testid=sample-next")
        with ui.row().classes("w-full items-start gap-4 no-wrap max-md:flex-wrap"):
            with ui.column().classes("flex-1 min-w-[20rem] gap-2"):
                ui.label(t("qa.question")).classes("font-medium")
                text_block(detail.question, "sample-question")
                ui.label(t("qa.answer")).classes("font-medium")
                text_block(detail.answer, "sample-answer")
                if detail.cot:
                    ui.label(t("qa.reasoning")).classes("font-medium")
                    text_block(detail.cot, "sample-cot")
                verdict_controls(
                    self.ctx, self.project.id, detail.id, sample, self._judged, "sample"
                )
            with ui.column().classes("flex-1 min-w-[20rem] gap-2"):
                ui.label(t("qa.source")).classes("font-medium")
                if detail.chunk is None:
                    ui.label(t("qa.no_chunk"))
                else:
                    with ui.card().classes("w-full bg-gray-50"):
                        safe.markdown(detail.chunk.content).classes("w-full").props(
                            "data-testid=sample-chunk"
                        )

    async def _judged(self) -> None:
        """After a verdict: on to the next sampled pair (staying on the last one)."""
        following = await off_loop(self._neighbour, self.current)
        await self.reload(following if following is not None else self.current)
        await self.on_change()

    async def _step(self, backwards: bool) -> None:
        target = await off_loop(self._neighbour, self.current, backwards)
        if target is not None:
            await self.reload(target)
