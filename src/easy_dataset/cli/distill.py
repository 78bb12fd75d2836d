"""`easy-dataset distill TOPIC`: distillation from a topic with no documents, every step in
one go (the tree, questions per leaf, answers or dialogues); and the topic's tree printed
after `tags distill`, the first step on its own."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.tree import Tree

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.generate import print_stage_reports
from easy_dataset.cli.jobs import run_stages
from easy_dataset.cli.stage_commands import after_stage
from easy_dataset.cli.stage_run import Addition
from easy_dataset.jobs import JobSummary
from easy_dataset.services import tags
from easy_dataset.services.distill import DistillRequest, DistillSummary, distill_topic
from easy_dataset.services.tags import TagNode


def _topic_tree(nodes: list[TagNode], topic: str) -> Tree | str:
    """The topic's subtree (its tag at the top level, named like the topic)."""
    name = " ".join(topic.split()).casefold()
    root = next((node for node in nodes if " ".join(node.name.split()).casefold() == name), None)
    if root is None:
        return f"no tag named {escape(topic)!r} at the top of the tree"
    tree = Tree(f"{escape(root.name)} [dim]#{root.id}[/]", guide_style="dim")

    def grow(branch: Tree, children: list[TagNode]) -> None:
        for node in children:
            grow(branch.add(f"{escape(node.name)} [dim]#{node.id}[/]"), node.children)

    grow(tree, root.children)
    return tree


@after_stage("distill.tags")
def _grown(
    ctx: typer.Context, project: str, summary: JobSummary, options: dict[str, Any]
) -> Addition:
    found = tags.tag_tree(state(ctx).app(), project)
    topic = str(options["topic"])
    return Addition(
        lines=[
            _topic_tree(found, topic),
            "edit it with `easy-dataset tags` (rename, move, delete), then "
            "`easy-dataset questions distill`",
        ],
        nothing=f"the topic {topic!r} has its tree already (delete its tag to grow it again)",
    )


def print_summary(summary: DistillSummary) -> None:
    print_stage_reports(summary.stages)
    if summary.root_id is None:
        console.print(f"[red]no tree was grown for {escape(summary.topic)!r}[/]")
        return
    console.print(
        f"topic {escape(summary.topic)} (tag #{summary.root_id}): {summary.leaves} leaves, "
        f"{summary.questions} questions, {summary.samples} samples"
    )
    console.print("export them with `easy-dataset export`")


@guarded
def distill(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="The topic to distil data from.")],
    project: ProjectOption,
    description: Annotated[
        str, typer.Option("--description", "-d", help="What the topic covers.")
    ] = "",
    depth: Annotated[int, typer.Option("--depth", help="Levels of sub-topics (1–4).")] = 2,
    breadth: Annotated[int, typer.Option("--breadth", help="Sub-topics per tag (1–10).")] = 3,
    questions: Annotated[
        int, typer.Option("--questions", "-n", help="Questions per leaf tag.")
    ] = 5,
    multi_turn: Annotated[
        bool,
        typer.Option("--multi-turn", help="Make the questions into dialogues, not answers."),
    ] = False,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model configuration name.")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="Model calls in flight.")
    ] = None,
    cache: Annotated[
        bool, typer.Option("--cache", help="Reuse stored model replies for identical requests.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Distil data from a topic with no documents: grow its tag tree, ask questions of its
    leaves, then answer them (or, with --multi-turn, make them into dialogues).

    Running it again resumes. To edit the tree before the questions, run the steps one by
    one: `tags distill`, `questions distill`, then `questions answer` or `dialogues distill`.
    """
    request = DistillRequest(
        topic=topic,
        description=description,
        depth=depth,
        breadth=breadth,
        questions=questions,
        multi_turn=multi_turn,
        model=model,
        concurrency=concurrency,
        cache=cache,
    )
    app = state(ctx).app()
    summary = run_stages(
        lambda on_stage, on_progress: distill_topic(
            app, project, request, on_stage=on_stage, on_progress=on_progress
        ),
        quiet=as_json,
    )
    if as_json:
        print_json(summary)
    else:
        print_summary(summary)
    if summary.root_id is None or any(stage.failed for stage in summary.stages):
        raise typer.Exit(1)
