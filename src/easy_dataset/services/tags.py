"""The domain tag tree by hand: view, add, rename, move, delete, import, lock."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services.app import App
from easy_dataset.services.generation.settings import update_generation_settings
from easy_dataset.services.projects import find_project
from easy_dataset.store.dataset import Tag
from easy_dataset.types import GenerationSettings

MAX_TAG_NAME = 200
MAX_TAG_DESCRIPTION = 2_000


class TagNode(BaseModel):
    id: int
    name: str
    description: str
    parent_id: int | None
    children: list[TagNode] = []


def tag_tree(app: App, project_ref: str | int) -> list[TagNode]:
    """The project's tags as a tree, siblings in their stored order."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        rows = session.scalars(
            select(Tag).where(Tag.project_id == project.id).order_by(Tag.ordinal, Tag.id)
        ).all()
    nodes = {
        row.id: TagNode(
            id=row.id, name=row.name, description=row.description, parent_id=row.parent_id
        )
        for row in rows
    }
    roots: list[TagNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent else roots).append(node)
    return roots


def _clean(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InputError("a tag needs a name")
    if len(name) > MAX_TAG_NAME:
        raise InputError(f"a tag name may have at most {MAX_TAG_NAME} characters")
    return name


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_TAG_DESCRIPTION:
        raise InputError(f"a tag description may have at most {MAX_TAG_DESCRIPTION:,} characters")
    return description


def _find(session: Session, project_id: int, tag_id: int) -> Tag:
    tag = session.get(Tag, tag_id)
    if tag is None or tag.project_id != project_id:
        raise NotFoundError(f"no tag {tag_id} in this project", subject="tag")
    return tag


def _next_ordinal(session: Session, project_id: int, parent_id: int | None) -> int:
    siblings = session.scalars(
        select(Tag.ordinal).where(
            Tag.project_id == project_id, Tag.parent_id.is_not_distinct_from(parent_id)
        )
    ).all()
    return max(siblings, default=-1) + 1


def _view(tag: Tag) -> TagNode:
    return TagNode(id=tag.id, name=tag.name, description=tag.description, parent_id=tag.parent_id)


def add_tag(
    app: App,
    project_ref: str | int,
    name: str,
    *,
    parent_id: int | None = None,
    description: str = "",
) -> TagNode:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        if parent_id is not None:
            _find(session, project.id, parent_id)
        tag = Tag(
            project_id=project.id,
            parent_id=parent_id,
            name=_clean(name),
            description=_clean_description(description),
            ordinal=_next_ordinal(session, project.id, parent_id),
        )
        session.add(tag)
        session.flush()
        return _view(tag)


def rename_tag(app: App, project_ref: str | int, tag_id: int, name: str) -> TagNode:
    with app.db.session() as session:
        project = find_project(session, project_ref)
        tag = _find(session, project.id, tag_id)
        tag.name = _clean(name)
        return _view(tag)


def move_tag(app: App, project_ref: str | int, tag_id: int, parent_id: int | None) -> TagNode:
    """Put a tag (with its subtree) under another parent, or at the top with None."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        tag = _find(session, project.id, tag_id)
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == tag_id:
                raise InputError(f"tag {tag_id} cannot move under itself or its own descendant")
            ancestor = _find(session, project.id, ancestor).parent_id
        tag.parent_id = parent_id
        tag.ordinal = _next_ordinal(session, project.id, parent_id)
        return _view(tag)


def delete_tag(app: App, project_ref: str | int, tag_id: int) -> TagNode:
    """Delete a tag and its subtree; questions that pointed to them keep existing, untagged."""
    with app.db.session() as session:
        project = find_project(session, project_ref)
        tag = _find(session, project.id, tag_id)
        view = _view(tag)
        session.delete(tag)
        return view


@dataclass
class _Line:
    depth: int
    name: str


_BULLET = re.compile(r"^(?:[-*+•]\s+|\d+(?:\.\d+)*[.)]?\s+|第[^\s章节]+[章节]\s*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")


def _outline_lines(text: str) -> list[_Line]:
    """Lines of a table of contents: Markdown headings, or an indented (bulleted) list."""
    lines: list[_Line] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        heading = _HEADING.match(raw.strip())
        if heading:
            lines.append(_Line(len(heading.group(1)) - 1, heading.group(2)))
            continue
        expanded = raw.replace("\t", "    ")
        indent = len(expanded) - len(expanded.lstrip(" "))
        name = _BULLET.sub("", expanded.strip(), count=1).strip()
        # Section numbers say the depth when indentation does not ("2.1 Install").
        numbered = re.match(r"^(\d+(?:\.\d+)+)\s", expanded.strip())
        depth = numbered.group(1).count(".") if numbered and indent == 0 else indent // 2
        if name:
            lines.append(_Line(depth, name))
    return lines


def _json_tree(text: str) -> list[dict[str, object]] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, list):
        raise InputError("a JSON tag tree must be a list of {name, children} objects")
    return data


def parse_tree(text: str) -> list[dict[str, object]]:
    """A tree of {name, children} from JSON, Markdown headings or an indented list."""
    as_json = _json_tree(text)
    if as_json is not None:
        return as_json
    roots: list[dict[str, object]] = []
    stack: list[tuple[int, list[dict[str, object]]]] = [(-1, roots)]
    for line in _outline_lines(text):
        while stack[-1][0] >= line.depth:
            stack.pop()
        node: dict[str, object] = {"name": line.name, "children": []}
        stack[-1][1].append(node)
        children = node["children"]
        assert isinstance(children, list)
        stack.append((line.depth, children))
    if not roots:
        raise InputError("no tags found: give JSON, Markdown headings or an indented list")
    return roots


def import_tags(
    app: App, project_ref: str | int, text: str, *, replace: bool = False
) -> list[TagNode]:
    """Add a whole tree (e.g. a book's table of contents); `replace` drops the old tree first."""
    tree = parse_tree(text)
    with app.db.session() as session:
        project = find_project(session, project_ref)
        if replace:
            for tag in session.scalars(
                select(Tag).where(Tag.project_id == project.id, Tag.parent_id.is_(None))
            ):
                session.delete(tag)
            session.flush()

        def insert(nodes: list[dict[str, object]], parent_id: int | None) -> None:
            start = _next_ordinal(session, project.id, parent_id)
            for offset, node in enumerate(nodes):
                if not isinstance(node, dict) or not isinstance(node.get("name"), str):
                    raise InputError('every tag needs a "name" string')
                tag = Tag(
                    project_id=project.id,
                    parent_id=parent_id,
                    name=_clean(str(node["name"])),
                    description=_clean_description(str(node.get("description", ""))),
                    ordinal=start + offset,
                )
                session.add(tag)
                session.flush()
                children = node.get("children") or []
                if not isinstance(children, list):
                    raise InputError('"children" must be a list')
                insert(children, tag.id)

        insert(tree, None)
    return tag_tree(app, project_ref)


def set_tag_options(
    app: App, project_ref: str | int, *, locked: bool | None = None, enabled: bool | None = None
) -> GenerationSettings:
    """Lock the tree against model rebuilds, or switch tagging off (or back on)."""
    changes = {"tags_locked": locked, "tags_enabled": enabled}
    return update_generation_settings(
        app, project_ref, **{name: value for name, value in changes.items() if value is not None}
    )
