"""Prompt cost of the pipeline: tokens and model calls per exported QA pair.

    .venv/bin/python benchmarks/cost.py [--document PATH]

Runs `easy-dataset generate` (tags, questions, answers, export) on a fixed document (the
bundled beekeeping guide by default) against the fake OpenAI server, and prints prompt and
completion tokens and model calls per exported QA pair, per stage and in total. Every figure
should only ever go down: a prompt change that raises them needs a reason.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `tests.fake_openai` lives in the test suite

from tests.fake_openai import FakeOpenAI  # noqa: E402

from easy_dataset.config import Settings  # noqa: E402
from easy_dataset.llm.types import ModelConfig  # noqa: E402
from easy_dataset.services import App  # noqa: E402
from easy_dataset.services.pipeline import PipelineRequest, run_pipeline  # noqa: E402
from easy_dataset.store.models import Job, LLMCall  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--document", type=Path, default=None)
    args = parser.parse_args()
    document = args.document or Path(str(files("easy_dataset.samples") / "beekeeping.md"))

    with tempfile.TemporaryDirectory(prefix="easy-dataset-cost-") as home, FakeOpenAI() as fake:
        app = App(Settings.load(home=home))
        config = ModelConfig(
            name="fake", provider="custom", base_url=fake.base_url, model="fake-model"
        )
        request = PipelineRequest(
            paths=[document], output=Path(home) / "cost.jsonl", model=config, cache=False
        )
        summary = run_pipeline(app, request)
        with app.db.session() as session:
            by_stage = session.execute(
                select(
                    Job.type,
                    func.count(LLMCall.id),
                    func.sum(LLMCall.prompt_tokens),
                    func.sum(LLMCall.completion_tokens),
                )
                .join(Job, Job.id == LLMCall.job_id)
                .group_by(Job.type)
                .order_by(func.min(Job.id))
            ).all()
        app.close()

    pairs = max(summary.export.count, 1)
    print(f"document: {document.name} · {summary.chunks} chunks · {summary.questions} questions")
    print(f"exported QA pairs: {summary.export.count}")
    print(f"{'stage':<22}{'calls':>8}{'prompt tok':>12}{'completion':>12}{'calls/QA':>10}")
    for stage, calls, prompt, completion in by_stage:
        print(
            f"{stage:<22}{calls:>8}{prompt or 0:>12,}{completion or 0:>12,}{calls / pairs:>10.2f}"
        )
    print(
        f"per exported QA pair: {summary.prompt_tokens / pairs:,.0f} prompt tokens, "
        f"{summary.completion_tokens / pairs:,.0f} completion tokens, "
        f"{summary.calls / pairs:.2f} model calls"
    )


if __name__ == "__main__":
    main()
