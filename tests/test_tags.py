"""The tag tree by hand: add, rename, move (no cycles), delete (questions stay), import, lock."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.services import App, projects, tags
from easy_dataset.store.dataset import Question
from tests.conftest import Cli


@pytest.fixture
def project(app: App) -> str:
    projects.create_project(app, "p")
    return "p"


def _names(nodes: list[tags.TagNode]) -> list[object]:
    return [(node.name, _names(node.children)) for node in nodes]


def test_build_edit_and_move(app: App, project: str) -> None:
    law = tags.add_tag(app, project, "Contract law")
    tort = tags.add_tag(app, project, "  Tort   law ")
    formation = tags.add_tag(app, project, "Formation", parent_id=law.id)
    tags.add_tag(app, project, "Remedies", parent_id=law.id)
    assert tort.name == "Tort law"
    assert _names(tags.tag_tree(app, project)) == [
        ("Contract law", [("Formation", []), ("Remedies", [])]),
        ("Tort law", []),
    ]
    tags.rename_tag(app, project, formation.id, "Offer and acceptance")
    tags.move_tag(app, project, law.id, tort.id)
    assert _names(tags.tag_tree(app, project)) == [
        ("Tort law", [("Contract law", [("Offer and acceptance", []), ("Remedies", [])])]),
    ]
    with pytest.raises(InputError, match="descendant"):
        tags.move_tag(app, project, tort.id, formation.id)
    with pytest.raises(NotFoundError):
        tags.add_tag(app, project, "x", parent_id=9999)
    with pytest.raises(InputError):
        tags.add_tag(app, project, "   ")


def test_deleting_a_tag_keeps_its_questions(app: App, project: str) -> None:
    parent = tags.add_tag(app, project, "Bees")
    child = tags.add_tag(app, project, "Queens", parent_id=parent.id)
    project_id = projects.get_project(app, project).id
    with app.db.session() as session:
        session.add_all(
            [
                Question(project_id=project_id, text="What does a queen do?", tag_id=child.id),
                Question(project_id=project_id, text="How many bees?", tag_id=parent.id),
            ]
        )
    tags.delete_tag(app, project, parent.id)
    assert tags.tag_tree(app, project) == []
    with app.db.session() as session:
        kept = session.scalars(select(Question.tag_id).order_by(Question.id)).all()
    assert kept == [None, None]


@pytest.mark.parametrize(
    "text",
    [
        "# Guide\n## Install\n## Use\n# Appendix\n",
        "- Guide\n  - Install\n  - Use\n- Appendix\n",
        "1 Guide\n1.1 Install\n1.2 Use\n2 Appendix\n",
        '[{"name": "Guide", "children": [{"name": "Install"}, {"name": "Use"}]}, '
        '{"name": "Appendix"}]',
    ],
)
def test_import_a_table_of_contents(app: App, project: str, text: str) -> None:
    tree = tags.import_tags(app, project, text)
    assert _names(tree) == [("Guide", [("Install", []), ("Use", [])]), ("Appendix", [])]
    replaced = tags.import_tags(app, project, "# Only\n", replace=True)
    assert _names(replaced) == [("Only", [])]


def test_import_refuses_nonsense(app: App, project: str) -> None:
    with pytest.raises(InputError):
        tags.import_tags(app, project, '{"name": "not a list"}')
    with pytest.raises(InputError):
        tags.import_tags(app, project, '[{"title": "no name"}]')
    assert tags.tag_tree(app, project) == []


def test_cli(cli: Cli) -> None:
    cli("project", "create", "p")
    added = cli.json("tags", "add", "养蜂", "-p", "p")
    cli("tags", "add", "蜂王", "-p", "p", "--parent", str(added["id"]))
    shown = cli("tags", "list", "-p", "p")
    assert "养蜂" in shown.stdout and "蜂王" in shown.stdout
    imported = cli("tags", "import", "-", "-p", "p", "--replace", "--json", input="# A\n## B\n")
    assert imported.exit_code == 0, imported.output
    assert [node["name"] for node in cli.json("tags", "list", "-p", "p")] == ["A"]
    assert cli("tags", "lock", "-p", "p").exit_code == 0
    assert cli.json("project", "show", "p")["generation"]["tags_locked"] is True
    missing = cli("tags", "delete", "999", "-p", "p")
    assert missing.exit_code == 1 and "no tag 999" in missing.stderr


def test_lock_and_disable_are_stored(app: App, project: str) -> None:
    settings = tags.set_tag_options(app, project, locked=True, enabled=False)
    assert settings.tags_locked and not settings.tags_enabled
    assert projects.get_project(app, project).generation == settings
