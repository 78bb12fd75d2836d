"""Near-duplicates: mark them, show the clusters, delete the marked members."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    counted,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.cli.quality.options import TargetOption
from easy_dataset.errors import InputError
from easy_dataset.services import quality


@guarded
def clusters(
    ctx: typer.Context,
    project: ProjectOption,
    target: TargetOption = "qa",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Clusters to show.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """Show the duplicate clusters the last `quality dedup` found, largest first."""
    found, total = quality.list_clusters(
        state(ctx).app(), project, target, limit=limit, offset=offset
    )
    if as_json:
        print_json({"total": total, "clusters": [_cluster_json(cluster) for cluster in found]})
        return
    if not total:
        console.print("no duplicate clusters (run `easy-dataset quality dedup` first)")
        return
    table = Table("cluster", "id", "kept", "similarity", "text")
    for cluster in found:
        for member in cluster.members:
            table.add_row(
                f"#{cluster.keep} ({escape(cluster.mode)})" if member.keep else "",
                str(member.id),
                "✓ kept" if member.keep else "marked",
                "" if member.similarity is None else f"{member.similarity:.2f}",
                escape(member.text),
            )
        table.add_section()
    console.print(table)
    console.print(f"{len(found)} of {counted(total, 'cluster')} shown")


def _cluster_json(cluster: quality.ClusterView) -> dict[str, Any]:
    return {
        "keep": cluster.keep,
        "mode": cluster.mode,
        "members": [member.__dict__ for member in cluster.members],
    }


@guarded
def delete_duplicates(
    ctx: typer.Context,
    project: ProjectOption,
    target: TargetOption = "qa",
    yes: Annotated[bool, typer.Option("--yes", help="Really delete them.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete every member the last `quality dedup` marked (the kept ones stay)."""
    if not yes:
        _clusters, marked = quality.count_duplicates(state(ctx).app(), project, target)
        raise InputError(
            f"this deletes {counted(marked, 'marked duplicate')} for good; add --yes to go ahead"
        )
    count = quality.delete_duplicates(state(ctx).app(), project, target)
    if as_json:
        print_json({"deleted": count})
    else:
        console.print(f"deleted {counted(count, 'duplicate')}")
