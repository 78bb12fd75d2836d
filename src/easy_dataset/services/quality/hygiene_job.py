"""The hygiene scan as a job: the checks and repairs of `services.hygiene` run over existing
samples (a dialogue turn by turn), the safe repairs stored and the rest flagged."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.orm import Session

from easy_dataset.generate.hygiene import PairHygiene, check_pair
from easy_dataset.jobs import JobContext
from easy_dataset.jobs.stage import Words, register_stage
from easy_dataset.quality.dialogue_hygiene import TurnsHygiene, check_turns
from easy_dataset.services.app import App
from easy_dataset.services.hygiene import KIND, repair_pair
from easy_dataset.services.quality.scan_jobs import QAScope, ScanJob, ScanRow
from easy_dataset.store.dataset import QAPair


@register_stage
class HygieneScan(ScanJob):
    """Stray quotes and commas, leaked tags, HTML wrappers, doubled spaces repaired in
    unconfirmed QA pairs (and their questions), flagged in confirmed ones; instructions
    posing as questions, texts that ask nothing and empty answers flagged. Params: qa_ids."""

    name: ClassVar[str] = "quality.hygiene"
    group = "quality"
    order = 160
    label = Words("Hygiene", "文本清理")
    help = Words(
        "Repair stray quotes and commas, leaked tags, HTML wrappers and doubled spaces; flag "
        "instructions posing as questions, texts that ask nothing and empty answers.",
        "修复多余的引号和逗号、泄漏的标签、HTML 包装和重复空格；标记伪装成问题的指令、"
        "没有提问的文本和空答案。",
    )
    Params = QAScope
    command = ("quality", "hygiene")
    kind: ClassVar[str] = KIND

    def find(self, ctx: JobContext[App], row: ScanRow) -> dict[str, Any] | None:
        # What is repaired, held or flagged is decided at commit (`apply`), on the sample as
        # it is then.
        found: PairHygiene | TurnsHygiene = (
            check_turns(row.messages)
            if row.kind == "dialogue"
            else check_pair(row.question, row.answer, row.cot)
        )
        return found.detail() if found.flagged or found.repaired else None

    def apply(self, session: Session, qa_id: int, detail: dict[str, Any]) -> None:
        pair = session.get(QAPair, qa_id)
        assert pair is not None
        # The pair may have been edited or confirmed while it was scanned: what is recorded
        # is what was done (or held) to what it says now.
        done = repair_pair(session, pair)
        detail.clear()
        detail.update(done)
