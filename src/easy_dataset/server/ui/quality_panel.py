"""What the quality checks found for one QA pair, on its detail page: the judge's score and
verdict, grounding with the unsupported sentences marked, the flags of the scanning checks,
its duplicate cluster, and the review-sample verdict buttons. Every text from the pair,
the documents or a model is shown with labels (text, never HTML)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from easy_dataset.generate.hygiene import REASONS as HYGIENE_REASONS
from easy_dataset.generate.hygiene import REPAIRS as HYGIENE_REPAIRS
from easy_dataset.generate.refine import OUTCOMES
from easy_dataset.server.ui.context import UiContext
from easy_dataset.server.ui.helpers import guarded, notify_ok, off_loop
from easy_dataset.server.ui.i18n import STRINGS, t
from easy_dataset.server.ui.nav import project_path
from easy_dataset.services import quality
from easy_dataset.services.quality_results import ResultView

Done = Callable[[], Awaitable[None]]


def qa_link(project_id: int, qa_id: int) -> str:
    return f"{project_path(project_id, 'qa')}/{qa_id}"


def _field(name: object) -> str:
    key = f"quality.field.{name}"
    return t(key) if name in ("question", "answer", "cot") else str(name)


def kind_label(kind: str) -> str:
    """A check's name where its results are shown ("sample": the review sample)."""
    key = "quality.tab.sample" if kind == "sample" else f"quality.flag.{kind}"
    return t(key) if key in STRINGS else kind


def estimate_text(status: quality.SampleStatus) -> str:
    """The error rate the review sample estimates, or what to do before there is one."""
    if not status.size:
        return t("quality.note.draw_sample")
    if not status.reviewed:
        return t("quality.sample.no_estimate")
    return t(
        "quality.sample.estimate",
        rate=f"{status.rate * 100:.1f}",
        low=f"{status.low * 100:.1f}",
        high=f"{status.high * 100:.1f}",
        errors=status.errors,
        reviewed=status.reviewed,
    )


def verdict_label(flagged: bool | None) -> str:
    if flagged is None:
        return t("quality.verdict.none")
    return t("quality.verdict.error") if flagged else t("quality.verdict.ok")


def verdict_controls(
    ctx: UiContext,
    project_id: int,
    qa_id: int,
    result: ResultView,
    on_done: Done,
    prefix: str = "sample",
) -> None:
    """ "Correct" / "Error" (and undo) for a sampled pair, with an optional note."""
    note = ui.input(t("quality.sample.note"), value=str(result.detail.get("note") or ""))
    note.classes("w-full").props(f"dense outlined data-testid={prefix}-note")

    async def judge(verdict: str | None) -> None:
        await off_loop(
            quality.review_sample_item,
            ctx.core,
            project_id,
            qa_id,
            verdict,  # type: ignore[arg-type]  # one of the literal verdicts
            str(note.value or ""),
        )
        notify_ok(t("quality.sample.saved", id=qa_id))
        await on_done()

    with ui.row().classes("items-center gap-2"):
        ui.label(verdict_label(result.flagged)).props(f"data-testid={prefix}-verdict")
        ok = ui.button(t("quality.sample.ok"), icon="check", on_click=guarded(lambda: judge("ok")))
        ok.props(f"color=positive data-testid={prefix}-ok")
        error = ui.button(
            t("quality.sample.error"), icon="close", on_click=guarded(lambda: judge("error"))
        )
        error.props(f"color=negative data-testid={prefix}-error")
        if result.flagged is not None:
            ui.button(t("quality.sample.undo"), on_click=guarded(lambda: judge(None))).props(
                f"flat data-testid={prefix}-undo"
            )


class QualityPanel:
    """The quality card of the detail page; `refresh` re-reads the results."""

    def __init__(self, ctx: UiContext, project_id: int, qa_id: int) -> None:
        self.ctx = ctx
        self.project_id = project_id
        self.qa_id = qa_id
        self.box = ui.card().classes("w-full gap-2").props("data-testid=qa-quality")
        ui.timer(0, guarded(self.refresh), once=True)

    async def refresh(self) -> None:
        found = await off_loop(quality.item_results, self.ctx.core, self.project_id, self.qa_id)
        self.box.clear()
        with self.box:
            with ui.row().classes("w-full items-center"):
                ui.label(t("quality.panel.title")).classes("font-medium")
                ui.space()
                ui.link(t("quality.panel.open"), project_path(self.project_id, "quality"))
            if not found:
                ui.label(t("quality.panel.none")).classes("text-sm text-gray-600").props(
                    "data-testid=qa-quality-none"
                )
            for result in found:
                with (
                    ui.column()
                    .classes("w-full gap-1")
                    .props(f"data-testid=qa-quality-{result.kind}")
                ):
                    self._result(result)

    def _heading(self, result: ResultView, value: str = "") -> None:
        with ui.row().classes("items-center gap-2"):
            ui.label(kind_label(result.kind)).classes("font-medium text-sm")
            if value:
                ui.label(value).classes("text-sm")
            if result.detail.get("applicable") is False:
                # Nothing to check against: neither passed nor flagged.
                ui.badge(t("quality.na"), color="grey").props(
                    f"data-testid=qa-quality-{result.kind}-na"
                )
            elif result.kind != "sample" and result.flagged is not None:
                if result.kind == "duplicate":
                    text = t("quality.dup.marked") if result.flagged else t("quality.dup.kept")
                else:
                    text = t("quality.flagged") if result.flagged else t("quality.clean")
                ui.badge(text, color="negative" if result.flagged else "positive").props(
                    f"data-testid=qa-quality-{result.kind}-flag"
                )

    def _result(self, result: ResultView) -> None:
        detail = result.detail
        draw: dict[str, Callable[[ResultView, dict[str, Any]], None]] = {
            "judge": self._judge,
            "grounding": self._grounding,
            "duplicate": self._duplicate,
            "pii": self._pii,
            "refs": self._refs,
            "contamination": self._contamination,
            "sample": self._sample,
            "hygiene": self._hygiene,
            "citations": self._citations,
            "refine": self._refine,
        }
        if result.kind in draw:
            draw[result.kind](result, detail)
        else:
            score = "" if result.score is None else f"{result.score:g}"
            self._heading(result, score)

    def _judge(self, result: ResultView, detail: dict[str, Any]) -> None:
        score = "—" if result.score is None else f"{result.score:.2f} / 5"
        self._heading(result, score)
        if detail.get("applicable") is False:  # answered without a source chunk
            ui.label(t("quality.ground.na")).classes("text-sm").props("data-testid=qa-judge-na")
            return
        scores = detail.get("scores")
        if isinstance(scores, dict) and scores:
            parts = [f"{t(f'quality.criterion.{k}')} {v}" for k, v in scores.items()]
            ui.label(" · ".join(parts)).classes("text-sm text-gray-600")
        if detail.get("verdict"):
            ui.label(str(detail["verdict"])).classes("text-sm whitespace-pre-wrap").props(
                "data-testid=qa-quality-verdict"
            )

    def _grounding(self, result: ResultView, detail: dict[str, Any]) -> None:
        score = "" if result.score is None else t("quality.ground.support", score=result.score)
        self._heading(result, score)
        if detail.get("applicable") is False:  # answered without a source chunk
            ui.label(t("quality.ground.na")).classes("text-sm").props("data-testid=qa-ground-na")
            return
        if detail.get("unanswerable") and detail.get("declines") is False:
            ui.label(t("quality.ground.no_decline")).classes("text-sm text-red-900").props(
                "data-testid=qa-ground-no-decline"
            )
        sentences = detail.get("sentences") or []
        with ui.element("div").classes("text-sm leading-6").props("data-testid=qa-ground-text"):
            for sentence in sentences:
                if not isinstance(sentence, dict):
                    continue
                supported = bool(sentence.get("supported"))
                label = ui.label(str(sentence.get("text", "")) + " ").classes("inline")
                if not supported:
                    label.classes("bg-red-100 text-red-900 rounded px-1")
                    label.props("data-testid=qa-ground-unsupported")
                with label:
                    ui.tooltip(t("quality.ground.support", score=sentence.get("support", "—")))
        if sentences:
            ui.label(t("quality.ground.legend")).classes("text-xs text-gray-600")

    def _duplicate(self, result: ResultView, detail: dict[str, Any]) -> None:
        self._heading(result)
        keep = detail.get("keep")
        size = detail.get("size", "?")
        if keep == self.qa_id:
            ui.label(t("quality.dup.kept_size", size=size)).classes("text-sm")
        elif isinstance(keep, int):
            with ui.row().classes("items-center gap-1 text-sm"):
                ui.label(t("quality.dup.copy_of", size=size))
                ui.link(f"#{keep}", qa_link(self.project_id, keep)).props(
                    "data-testid=qa-quality-keep"
                )
        ui.link(
            t("quality.dup.all"), project_path(self.project_id, "quality") + "?tab=duplicates"
        ).classes("text-sm")

    def _pii(self, result: ResultView, detail: dict[str, Any]) -> None:
        self._heading(result)
        found = [f for f in detail.get("findings") or [] if isinstance(f, dict)]
        parts = sorted({f"{f.get('kind')} ({_field(f.get('field'))})" for f in found})
        if parts:
            ui.label(", ".join(parts)).classes("text-sm")
        if detail.get("masked"):
            ui.label(t("quality.pii.masked")).classes("text-sm text-gray-600")

    def _refs(self, result: ResultView, detail: dict[str, Any]) -> None:
        self._heading(result)
        fields = [_field(f) for f in detail.get("fields") or []]
        if fields:
            ui.label(t("quality.refs.in", fields=", ".join(fields))).classes("text-sm")

    def _hygiene(self, result: ResultView, detail: dict[str, Any]) -> None:
        self._heading(result)
        for issue in detail.get("issues") or []:
            if isinstance(issue, dict) and issue.get("reason") in HYGIENE_REASONS:
                ui.label(
                    t(
                        "hygiene.issue",
                        field=_field(issue.get("field")),
                        reason=t(f"hygiene.reason.{issue['reason']}"),
                    )
                ).classes("text-sm").props("data-testid=qa-hygiene-issue")
        repairs = detail.get("repairs") or {}
        done = sorted(
            {str(r) for rs in repairs.values() if isinstance(rs, list) for r in rs}
            & set(HYGIENE_REPAIRS)
        )
        if done:
            what = ", ".join(t(f"hygiene.repair.{r}") for r in done)
            ui.label(t("hygiene.repaired", what=what)).classes("text-sm text-gray-600")

    def _contamination(self, result: ResultView, detail: dict[str, Any]) -> None:
        share = "" if result.score is None else f"{result.score:.0%}"
        self._heading(result, share)
        fields = detail.get("fields") or {}
        for name, overlap in fields.items() if isinstance(fields, dict) else ():
            if not isinstance(overlap, dict):
                continue
            ui.label(
                t(
                    "quality.cont.overlap",
                    field=_field(name),
                    shared=overlap.get("shared", "?"),
                    total=overlap.get("total", "?"),
                    n=overlap.get("n", detail.get("n", "?")),
                )
            ).classes("text-sm")
            if overlap.get("example"):
                ui.label(str(overlap["example"])).classes("text-xs font-mono text-gray-600")

    def _citations(self, result: ResultView, detail: dict[str, Any]) -> None:
        share = "" if result.score is None else f"{result.score:.0%}"
        self._heading(result, share)
        ui.label(
            t(
                "quality.cite.verified",
                verified=detail.get("verified", 0),
                quotes=detail.get("quotes", 0),
            )
        ).classes("text-sm")
        for quote in detail.get("unverified") or []:
            ui.label(str(quote)).classes("text-sm bg-red-100 text-red-900 rounded px-1").props(
                "data-testid=qa-cite-unverified"
            )

    def _refine(self, result: ResultView, detail: dict[str, Any]) -> None:
        outcome = str(detail.get("outcome", ""))
        self._heading(result, t(f"quality.refine.{outcome}") if outcome in OUTCOMES else "")
        ui.label(
            t(
                "quality.refine.scores",
                before=detail.get("before", "—"),
                after=detail.get("after", "—"),
            )
        ).classes("text-sm")

    def _sample(self, result: ResultView, detail: dict[str, Any]) -> None:
        self._heading(result)
        verdict_controls(self.ctx, self.project_id, self.qa_id, result, self.refresh, "qa-sample")
