"""The Python API: the same stages the CLI runs, as methods on a workspace and its projects.

from easy_dataset import Workspace

ws = Workspace("data")                      # the data home (database + project folders)
docs = ws.project("manuals", create=True)
docs.add_files(["guide.pdf", "faq.docx"])
print(docs.estimate("questions.generate", file_ids=[1]))   # items, calls, tokens, time
docs.run_stage("questions.generate", file_ids=[1])       # chunk_ids, tag_ids narrow it too
docs.run_stage("answers.generate", citations=True)   # answers quote their chunk, verified
docs.generation_settings(domain_rules="Always cite the clause number.")
docs.run_stage("answers.refine")              # self-correction: judge, rewrite, judge again
docs.check("dedup", mode="minhash")           # quality checks run as jobs too
docs.check("judge", model="judge-model")
print(docs.report().figures)
for pair in docs.qa_pairs(limit=5):
    docs.confirm([pair.id])
docs.run_stage("dialogues.generate", min_turns=2, max_turns=4)
done = docs.run_stage("instructions.self_instruct", seeds=["Explain ...", "Write ..."], count=20)
print(docs.job(done.job_id).summary)          # Self-Instruct's rounds (generated → kept)
docs.run_stage("questions.evolve", methods=["constraints", "breadth"])
docs.regenerate_from(dialogue_id, 1)          # also edit_turn, delete_last_turns
docs.clean_chunks()                           # proposals only: nothing changes yet
for proposal in docs.cleaning_proposals():
    print(docs.cleaning_proposal(proposal.chunk_id).diff)
docs.accept_cleaning(all=True)                # or [ids]; reject_cleaning; restore_chunk(id)
docs.export("manuals.jsonl", format="sharegpt",
            filters=ExportFilters(min_judge=3.5, exclude_flagged=["duplicate", "pii"]))
topic = ws.project("bees", create=True)     # no documents: data distilled from a topic
topic.distill("Beekeeping", depth=2, breadth=3, questions=2, multi_turn=False)
for result in docs.playground("What is a drone?", models=["gpt", "local"], system="Be brief."):
    print(result.model, result.text, result.completion_tokens, result.latency_ms)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from easy_dataset.config import Settings
from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.evaluate.preferences import PreferencePair
from easy_dataset.export.options import ExportOptions, file_type_for
from easy_dataset.export.preferences import PreferenceFormat
from easy_dataset.jobs import JobSummary
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, chunk_cleaning, chunks, files, models, projects
from easy_dataset.services.chunk_cleaning import (
    CleaningOutcome,
    ProposalDetail,
    ProposalView,
    Status,
)
from easy_dataset.services.distill import DistillRequest, DistillSummary, distill_topic
from easy_dataset.services.evaluation import arena
from easy_dataset.services.evaluation import items as eval_items
from easy_dataset.services.evaluation import results as eval_results
from easy_dataset.services.evaluation import sets as eval_sets
from easy_dataset.services.evaluation.arena import ArenaResults, BlindBattle
from easy_dataset.services.evaluation.held_out import HoldOutReport, hold_out
from easy_dataset.services.evaluation.playground import (
    PlaygroundEvent,
    PlaygroundResult,
    run_playground,
    stream_playground,
)
from easy_dataset.services.evaluation.preferences import (
    PreferenceExport,
    PreferenceFilters,
    export_preferences,
    preference_pairs,
)
from easy_dataset.services.evaluation.results import Comparison, ResultView, RunReport, RunView
from easy_dataset.services.evaluation.transfer import (
    ExportedSet,
    ImportReport,
    export_set,
    import_items,
)
from easy_dataset.services.evaluation.views import EvalItemView, EvalSetView
from easy_dataset.services.export import ExportFilters, ExportSummary, export_dataset
from easy_dataset.services.generation import (
    QADetail,
    QAView,
    QuestionView,
    add_question,
    confirm_qa,
    delete_last_turns,
    edit_turn,
    get_generation_settings,
    get_qa,
    list_qa,
    regenerate_from,
    update_generation_settings,
)
from easy_dataset.services.generation import list_questions as _list_questions
from easy_dataset.services.generation.templates import TemplateView, add_template
from easy_dataset.services.job_support.estimate import Estimate
from easy_dataset.services.jobs import JobDetail, show_job
from easy_dataset.services.pipeline import PipelineRequest, PipelineSummary, run_pipeline
from easy_dataset.services.quality import (
    JudgeAgreement,
    Report,
    build_report,
    estimate_check,
    judge_agreement,
    run_check,
)
from easy_dataset.services.stages import estimate_stage, run_stage
from easy_dataset.services.training import TrainingRunView
from easy_dataset.services.training.evaluation import TrainingEvaluation
from easy_dataset.services.training.launch import (
    TrainingConfig,
    TrainingConfigExport,
    TrainingConfigRequest,
    export_training_config,
    training_config,
)
from easy_dataset.services.views import AddOutcome, ChunkView, ProjectView, SplitOutcome
from easy_dataset.types import ChunkSettings, GenerationSettings


class Project:
    """One project of a workspace; every method calls the service the CLI calls."""

    def __init__(self, app: App, view: ProjectView) -> None:
        self._app = app
        self.id = view.id
        self.name = view.name

    def info(self) -> ProjectView:
        return projects.get_project(self._app, self.id)

    def add_files(
        self, paths: list[str | Path], *, password: str | None = None
    ) -> list[AddOutcome]:
        """Ingest documents (folders are searched) and split them with the project's settings."""
        return files.add_files(self._app, self.id, [Path(p) for p in paths], password=password)

    def split(
        self, settings: ChunkSettings | None = None, *, replace: bool = False
    ) -> list[SplitOutcome]:
        return chunks.split_files(self._app, self.id, settings=settings, replace=replace)

    def chunks(self, *, limit: int = 1000, offset: int = 0) -> list[ChunkView]:
        return chunks.list_chunks(self._app, self.id, limit=limit, offset=offset)[1]

    def clean_chunks(self, **options: Any) -> JobSummary:
        """The model proposes cleaned chunks (`chunks.clean`: file_ids, chunk_ids, model...);
        nothing changes until a proposal is accepted."""
        return run_stage(self._app, self.id, "chunks.clean", **options)

    def cleaning_proposals(
        self, *, status: Status | None = "pending", limit: int = 1000, offset: int = 0
    ) -> list[ProposalView]:
        """The cleanings `run_stage("chunks.clean")` proposed (None: of every status)."""
        return chunk_cleaning.list_proposals(
            self._app, self.id, status=status, limit=limit, offset=offset
        )[1]

    def cleaning_proposal(self, chunk_id: int) -> ProposalDetail:
        """A chunk's proposed cleaning with both texts and the diff."""
        return chunk_cleaning.get_proposal(self._app, self.id, chunk_id)

    def edit_cleaning(self, chunk_id: int, text: str) -> ProposalDetail:
        """Change the text a pending proposal would give its chunk."""
        return chunk_cleaning.edit_proposal(self._app, self.id, chunk_id, text)

    def accept_cleaning(
        self, chunk_ids: list[int] | None = None, *, all: bool = False
    ) -> CleaningOutcome:
        """Give chunks their proposed text (`all`: every proposal waiting, stale ones left)."""
        return chunk_cleaning.decide(self._app, self.id, "accepted", _chosen(chunk_ids, all))

    def reject_cleaning(
        self, chunk_ids: list[int] | None = None, *, all: bool = False
    ) -> CleaningOutcome:
        return chunk_cleaning.decide(self._app, self.id, "rejected", _chosen(chunk_ids, all))

    def restore_chunk(self, chunk_id: int, *, force: bool = False) -> ChunkView:
        """Undo a chunk's last accepted cleaning: its original text comes back."""
        return chunk_cleaning.restore(self._app, self.id, chunk_id, force=force)

    def add_model(self, config: ModelConfig, *, api_key: str | None = None) -> None:
        """Add a model configuration and make it the project's default."""
        models.add_model(self._app, self.id, config, api_key=api_key, make_default=True)

    def run_stage(self, stage: str, **options: Any) -> JobSummary:
        """Run one stage as a durable job: chunks.clean, tags.build, personas.generate,
        questions.generate, questions.evolve, answers.generate, dialogues.generate,
        instructions.self_instruct, templates.apply, the distillation steps distill.tags,
        distill.questions, distill.dialogues... (`easy-dataset stage list` lists them all)."""
        return run_stage(self._app, self.id, stage, **options)

    def evaluate(self, eval_set: str, **options: Any) -> JobSummary:
        """Score a model on an evaluation set (the `eval.run` stage: model, judge_model,
        limit, temperature...); its run then shows in `eval_runs()`."""
        return run_stage(self._app, self.id, "eval.run", eval_set=eval_set, **options)

    def eval_runs(self, set_name: str | None = None) -> list[RunView]:
        """Models' runs on evaluation sets, oldest first."""
        return eval_results.list_runs(self._app, self.id, set_name)

    def eval_report(self, run: int) -> RunReport:
        """One run's scores overall, per kind and per top-level tag, with 95 % intervals."""
        return eval_results.run_report(self._app, self.id, run)

    def eval_results(self, run: int, *, wrong_only: bool = False) -> list[ResultView]:
        """One run's per-item results: response, score and how it was scored."""
        return eval_results.run_results(self._app, self.id, run, wrong_only=wrong_only)

    def compare_evals(self, runs: list[int]) -> Comparison:
        """Runs of one set side by side: all, each kind, each tag; a figure per run."""
        return eval_results.compare_runs(self._app, self.id, runs)

    def train(self, **options: Any) -> TrainingRunView | None:
        """Fine-tune a model on this project's samples (the `train.run` stage: method, base
        model, LoRA rank... see `TrainSettings`) and return the run; None when these settings
        were already trained on the data as it is."""
        from easy_dataset.services.training.start import train

        return train(self._app, self.id, **options)

    def resume_training(self, run_id: int) -> TrainingRunView:
        """Go on with a stopped training run from its last checkpoint."""
        from easy_dataset.services.training.start import resume_run

        return resume_run(self._app, self.id, run_id)

    def evaluate_training(self, run_id: int, eval_set: str, **options: Any) -> TrainingEvaluation:
        """Score a run's base and tuned model on an evaluation set, side by side
        (base_model_config, judge_model, limit...)."""
        from easy_dataset.services.training.evaluation import evaluate_run

        return evaluate_run(self._app, self.id, run_id, eval_set, **options)

    def training_evaluation(self, run_id: int) -> TrainingEvaluation | None:
        """A run's base-versus-tuned evaluation as it stands; None when none was started."""
        from easy_dataset.services.training.evaluation import evaluation

        return evaluation(self._app, self.id, run_id)

    def training_runs(self) -> list[TrainingRunView]:
        from easy_dataset.services.training import list_runs

        return list_runs(self._app, self.id)

    def training_config(self, **options: Any) -> TrainingConfig:
        """LLaMA-Factory's training YAML for these settings (`TrainSettings`, plus name,
        template, gpus, strategy, confirmed_only, tags) and the dataset's dataset_info.json
        entry, as text."""
        return training_config(self._app, self.id, TrainingConfigRequest(**options))

    def export_training_config(
        self, out_dir: str | Path, *, overwrite: bool = False, **options: Any
    ) -> TrainingConfigExport:
        """Write the samples as a LLaMA-Factory dataset with its dataset_info.json, the
        training YAML of these settings (as `training_config`) and a launch script into
        `out_dir`."""
        return export_training_config(
            self._app, self.id, out_dir, TrainingConfigRequest(**options), overwrite=overwrite
        )

    def job(self, job_id: int) -> JobDetail:
        """One job: its counts, failures, model calls and what its stage reports about it
        (`summary`: Self-Instruct's rounds, Evol-Instruct's eliminations)."""
        detail = show_job(self._app, job_id)
        if detail.job.project_id != self.id:
            raise NotFoundError(f"no job {job_id} in this project", subject="job")
        return detail

    def estimate(self, stage: str, **options: Any) -> Estimate:
        """What `run_stage(stage, **options)` would do, without doing it: items, model
        calls, tokens and time (every stage)."""
        return estimate_stage(self._app, self.id, stage, **options)

    def distill(self, topic: str, **options: Any) -> DistillSummary:
        """Distil data from a topic with no documents, every step in one go: its tag tree
        (depth, breadth), `questions` per leaf, then answers (or dialogues with
        multi_turn=True). Each step is also a stage: distill.tags, then (after editing the
        tree, if you like) distill.questions, then answers.generate or distill.dialogues."""
        return distill_topic(self._app, self.id, DistillRequest(topic=topic, **options))

    def playground(
        self, prompt: str, *, models: list[str], system: str | None = None, **params: Any
    ) -> list[PlaygroundResult]:
        """One prompt to up to three configured models at once (params: temperature,
        max_tokens, top_p); their whole replies with tokens and latency, in `models` order."""
        return asyncio.run(
            run_playground(self._app, self.id, prompt, models=models, system=system, **params)
        )

    def stream_playground(
        self, prompt: str, *, models: list[str], system: str | None = None, **params: Any
    ) -> AsyncIterator[PlaygroundEvent]:
        """`playground` as it happens, for `async for`: each model's pieces of text tagged
        with its name, then its "done" (or "error") event with the whole result."""
        return stream_playground(self._app, self.id, prompt, models=models, system=system, **params)

    def generation_settings(self, **changes: Any) -> GenerationSettings:
        """The generation settings, after the `changes` given (language, domain_rules: the
        rules answers.refine rewrites answers by, ...)."""
        if changes:
            return update_generation_settings(self._app, self.id, **changes)
        return get_generation_settings(self._app, self.id)

    def add_question(self, text: str, **options: Any) -> QuestionView:
        """A question written by hand (chunk_id, tag_id, ga_pair_id optional); without a
        chunk, answers.generate answers it without context."""
        return add_question(self._app, self.id, text, **options)

    def add_question_template(
        self,
        question: str,
        *,
        answer_type: str = "text",
        labels: list[str] | None = None,
        json_schema: dict[str, Any] | None = None,
    ) -> TemplateView:
        """A question `templates.apply` asks of every chunk: text, a label, or a JSON shape."""
        return add_template(
            self._app,
            self.id,
            question,
            answer_type=answer_type,
            labels=labels,
            json_schema=json_schema,
        )

    def check(self, check: str, **options: Any) -> JobSummary:
        """Run one quality check as a durable job: judge, ground, dedup, pii, refs,
        contamination or sample (options as the CLI's `quality` commands)."""
        return run_check(self._app, self.id, check, **options)

    def estimate_check(self, check: str, **options: Any) -> Estimate:
        """What `check(check, **options)` would do, without doing it: items, and for the
        judge (the check that calls a model) model calls, tokens and time."""
        return estimate_check(self._app, self.id, check, **options)

    def report(self) -> Report:
        """The dataset report: counts, diversity, consistency, duplicates, scores, error rate."""
        return build_report(self._app, self.id)

    def judge_agreement(self, *, reviewer_pass: float = 3.0) -> JudgeAgreement:
        """How well the judge agrees with reviewers: Spearman of ratings against judge
        scores, Cohen's kappa on pass / fail (a rating of `reviewer_pass` or more, or a
        sample verdict of ok, is a reviewer's pass)."""
        return judge_agreement(self._app, self.id, reviewer_pass=reviewer_pass)

    def preference_pairs(self, **filters: Any) -> list[PreferencePair]:
        """Preference pairs from arena votes, judged drafts and reviewer edits (filters:
        sources, min_margin, confirmed_only)."""
        return preference_pairs(self._app, self.id, PreferenceFilters(**filters))

    def export_preferences(
        self,
        out_dir: str | Path,
        format: PreferenceFormat = "trl",
        *,
        system: str | None = None,
        dataset_name: str = "preferences",
        overwrite: bool = False,
        **filters: Any,
    ) -> PreferenceExport:
        """Write the pairs for TRL (trl, trl-conversational) or LLaMA-Factory (llamafactory,
        llamafactory-sharegpt, with its dataset_info.json) into `out_dir`."""
        return export_preferences(
            self._app,
            self.id,
            out_dir,
            format,
            PreferenceFilters(**filters),
            system=system,
            dataset_name=dataset_name,
            overwrite=overwrite,
        )

    def questions(self, **filters: Any) -> list[QuestionView]:
        """Questions, narrowed by the filters of `questions list` (chunk_id, answered, ...)."""
        return _list_questions(self._app, self.id, **filters)

    def qa_pairs(self, **filters: Any) -> list[QAView]:
        """QA pairs, narrowed by the filters of `qa list` (confirmed, min_score, tag,
        min_judge, flagged, not_flagged, sampled...)."""
        return list_qa(self._app, self.id, **filters)

    def confirm(self, qa_ids: list[int], confirmed: bool = True) -> list[QAView]:
        return confirm_qa(self._app, self.id, qa_ids, confirmed)

    def sample(self, qa_id: int) -> QADetail:
        """A QA pair or dialogue with its chunk (and a dialogue's `messages`)."""
        return get_qa(self._app, self.id, qa_id)

    def edit_turn(
        self, qa_id: int, index: int, *, content: str | None = None, reasoning: str | None = None
    ) -> QADetail:
        """Rewrite message `index` (0-based, a system message counts) of a dialogue."""
        return edit_turn(self._app, self.id, qa_id, index, content=content, reasoning=reasoning)

    def delete_last_turns(self, qa_id: int, count: int = 1) -> QADetail:
        return delete_last_turns(self._app, self.id, qa_id, count)

    def regenerate_from(
        self, qa_id: int, from_turn: int, *, model: str | None = None, turns: int | None = None
    ) -> QADetail:
        """The model writes a dialogue again from turn `from_turn` (0-based) on."""
        return regenerate_from(self._app, self.id, qa_id, from_turn, model=model, turns=turns)

    def export(
        self,
        path: str | Path,
        *,
        filters: ExportFilters | None = None,
        overwrite: bool = False,
        **options: Any,
    ) -> ExportSummary:
        """Write the dataset; options are those of `ExportOptions` (format, cot, ...)."""
        options.setdefault("file_type", file_type_for(path))
        return export_dataset(
            self._app, self.id, Path(path), ExportOptions(**options), filters, overwrite=overwrite
        )

    def eval_sets(self) -> list[EvalSetView]:
        """The project's evaluation sets with their items per kind."""
        return eval_sets.list_sets(self._app, self.id)

    def eval_items(self, eval_set: str | int, **filters: Any) -> list[EvalItemView]:
        """A set's items (filters: kind, tag, confirmed, origin, limit, offset)."""
        return eval_items.list_items(self._app, self.id, eval_set, **filters)[0]

    def hold_out(
        self, eval_set: str, fraction: float, seed: int = 0, *, by_tag: bool = True
    ) -> HoldOutReport:
        """Move a seeded share of the QA pairs into a set; never exported for training."""
        return hold_out(self._app, self.id, eval_set, fraction, seed, by_tag=by_tag)

    def import_eval_set(
        self, eval_set: str, path: str | Path, *, skip_bad: bool = False
    ) -> ImportReport:
        """Import a benchmark file (.jsonl or .csv, MMLU-style columns) into a set."""
        file = Path(path)
        return import_items(
            self._app, self.id, eval_set, file.name, file.read_bytes(), skip_bad=skip_bad
        )

    def export_eval_set(
        self, eval_set: str | int, path: str | Path, *, format: str = "jsonl", **options: Any
    ) -> ExportedSet:
        """Write a set as jsonl, csv or an lm-eval task folder (confirmed_only, overwrite)."""
        return export_set(self._app, self.id, eval_set, format, Path(path), **options)

    def arena_next(self, *, after: int = 0) -> BlindBattle | None:
        """The next arena battle without a vote, blind: answers as A and B, no model names
        (battles come from `run_stage("arena.run", model_a=..., model_b=...)`)."""
        return arena.next_battle(self._app, self.id, after=after)

    def arena_vote(self, battle_id: int, choice: str | None) -> BlindBattle:
        """Vote on the order shown: "A", "B", "tie" or "both_bad" (None clears the vote)."""
        if choice is None:
            return arena.clear_vote(self._app, self.id, battle_id)
        return arena.vote(self._app, self.id, battle_id, choice)

    def arena_results(self) -> ArenaResults:
        """Win rates per pair and per model with 95 % intervals, and the ranking."""
        return arena.results(self._app, self.id)


def _chosen(chunk_ids: list[int] | None, every: bool) -> list[int] | None:
    if every == bool(chunk_ids):
        raise InputError("name the chunks, or pass all=True for every proposal waiting")
    return None if every else chunk_ids


class Workspace:
    """A data home: its database and project folders (default: EASY_DATASET_HOME)."""

    def __init__(self, home: str | Path | None = None, *, database_url: str | None = None) -> None:
        self.app = App(Settings.load(home=home, database_url=database_url))

    def project(self, name: str, *, create: bool = False) -> Project:
        try:
            view = projects.get_project(self.app, name)
        except NotFoundError:
            if not create:
                raise
            view = projects.create_project(self.app, name)
        return Project(self.app, view)

    def projects(self) -> list[ProjectView]:
        return projects.list_projects(self.app)

    def generate(
        self, paths: list[str | Path], output: str | Path, **options: Any
    ) -> PipelineSummary:
        """The one-shot pipeline; options are those of `PipelineRequest`."""
        request = PipelineRequest(paths=[Path(p) for p in paths], output=Path(output), **options)
        return run_pipeline(self.app, request)

    def close(self) -> None:
        self.app.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
