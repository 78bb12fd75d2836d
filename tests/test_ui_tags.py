"""The tags screen in a real browser: the model builds the tree as a job started from the
page; tags are added, renamed, moved and deleted by hand; a tree is imported; the tree is
locked and tagging switched off; hostile tag names show as text."""

from __future__ import annotations

from pathlib import Path

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import files, generation, jobs, models, projects, tags
from easy_dataset.services.tags import TagNode
from easy_dataset.types import ChunkSettings
from tests.browser import Browser, LiveServer
from tests.fake_openai import FakeOpenAI
from tests.helpers import GUIDE, write

IMG = "<img src=x onerror=alert(1)>"


def make_project(server: LiveServer, tmp_path: Path, base_url: str) -> int:
    settings = ChunkSettings(strategy="fixed", size=120, overlap=0)
    project = projects.create_project(server.core, "Tags", chunking=settings)
    files.add_files(server.core, project.id, [write(tmp_path / "guide.md", GUIDE)])
    config = ModelConfig(name="fake", provider="custom", base_url=base_url, model="m")
    models.add_model(server.core, project.id, config)
    return project.id


def flat(tree: list[TagNode]) -> list[TagNode]:
    return [node for root in tree for node in [root, *flat(root.children)]]


def names(server: LiveServer, project_id: int) -> set[str]:
    return {node.name for node in flat(tags.tag_tree(server.core, project_id))}


def test_build_edit_move_delete_and_import(
    page: Browser, server: LiveServer, tmp_path: Path
) -> None:
    with FakeOpenAI() as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        page.open(f"/projects/{project_id}/tags")
        page.find("tags-none")
        page.click("tags-build")
        page.wait(lambda: page.find("estimate-calls").text == "Model calls: about 1")
        page.click("confirm-yes")
        page.wait(lambda: tags.tag_tree(server.core, project_id), timeout=60, what="the tree")
        [job] = jobs.list_jobs(server.core, project_ref=project_id)
        assert job.type == "tags.build"
        page.wait(lambda: "succeeded · 1/1" in page.find(f"job-notice-{job.id}").text)
        link = page.find(f"job-link-{job.id}").get_attribute("href") or ""
        assert link.endswith(f"/projects/{project_id}/jobs?job={job.id}")
        tree = tags.tag_tree(server.core, project_id)
        root, child = tree[0], tree[0].children[0]
        page.wait(lambda: page.find(f"tag-name-{child.id}").text == child.name)
        count = len(flat(tree))
        assert page.find("tags-count").text == f"{count} tags"

        # rename
        page.click(f"tag-rename-{child.id}")
        page.type("tag-dialog-name", "Renamed by hand")
        page.click("tag-dialog-save")
        page.wait(lambda: page.find(f"tag-name-{child.id}").text == "Renamed by hand")
        assert "Renamed by hand" in names(server, project_id)
        # add under a tag
        page.click(f"tag-add-{root.id}")
        page.type("tag-dialog-name", "Hand-made")
        page.click("tag-dialog-save")
        page.wait(lambda: "Hand-made" in names(server, project_id), what="the new tag")
        [made] = [n for n in flat(tags.tag_tree(server.core, project_id)) if n.name == "Hand-made"]
        assert made.parent_id == root.id
        # move to the top level
        page.click(f"tag-move-{child.id}")
        page.choose("tag-dialog-parent", "(top level)")
        page.click("tag-dialog-save")
        page.wait(
            lambda: child.id in {n.id for n in tags.tag_tree(server.core, project_id)},
            what="the move",
        )
        # delete after confirming (the dialog says questions stay)
        page.click(f"tag-delete-{made.id}")
        page.wait_text("keep existing, untagged")
        page.click("confirm-yes")
        page.wait(lambda: "Hand-made" not in names(server, project_id), what="the delete")
        page.wait(lambda: "Hand-made" not in page.find("tags-tree").text)
        # an empty name is refused with a notice, nothing changes
        page.type("tags-new-name", "   ")
        page.click("tags-add")
        page.wait_text("a tag needs a name")
        assert len(flat(tags.tag_tree(server.core, project_id))) == count

        # import a table of contents next to the tree, then replace the tree with JSON
        page.click("tags-import-open")
        page.paste("tags-import-text", "# Bees\n## Workers\n## Queens\n")
        page.click("tags-import-go")
        page.wait(lambda: {"Bees", "Workers", "Queens"} <= names(server, project_id))
        page.wait_text("Workers")
        page.paste("tags-import-text", '[{"name": "Hive", "children": [{"name": "Comb"}]}]')
        page.click("tags-import-replace")
        page.click("tags-import-go")
        page.click("confirm-yes")
        page.wait(lambda: names(server, project_id) == {"Hive", "Comb"}, what="the replace")
        page.wait(lambda: page.find("tags-count").text == "2 tags")
        assert "Workers" not in page.find("tags-tree").text


def test_lock_switch_off_and_rebuild(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    with FakeOpenAI() as fake:
        project_id = make_project(server, tmp_path, fake.base_url)
        tags.import_tags(server.core, project_id, "- Mine\n  - Also mine\n")
        page.open(f"/projects/{project_id}/tags")
        page.wait_text("Also mine")
        page.click("tags-locked")
        page.wait(lambda: generation.get_generation_settings(server.core, project_id).tags_locked)
        page.click("tags-build")  # locked: the estimate plans nothing, no job is made
        page.find("estimate-nothing")
        page.click("confirm-no")
        assert jobs.list_jobs(server.core, project_ref=project_id) == []
        page.click("tags-locked")
        page.click("tags-enabled")
        page.wait(
            lambda: not generation.get_generation_settings(server.core, project_id).tags_enabled
        )
        assert not generation.get_generation_settings(server.core, project_id).tags_locked
        page.click("tags-enabled")
        page.wait(lambda: generation.get_generation_settings(server.core, project_id).tags_enabled)
        page.open(f"/projects/{project_id}/tags")  # the switches show the stored state
        enabled = page.find("tags-enabled").get_attribute("innerHTML") or ""
        locked = page.find("tags-locked").get_attribute("innerHTML") or ""
        assert "q-toggle__inner--truthy" in enabled and "q-toggle__inner--falsy" in locked
        # a rebuild replaces the hand-made tree, after confirming
        page.click("tags-rebuild")
        page.click("tags-build")
        page.click("confirm-yes")
        page.find("estimate-items")  # then the estimate
        page.wait(
            lambda: len(page.driver.find_elements("css selector", "[data-testid=confirm-yes]")) == 1
        )
        page.click("confirm-yes")
        page.wait(lambda: "Mine" not in names(server, project_id), timeout=60, what="rebuild")
        page.wait(lambda: "Mine" not in page.find("tags-tree").text, what="the new tree shown")
        assert fake.stats().total >= 1


def test_hostile_tag_names_show_as_text(page: Browser, server: LiveServer, tmp_path: Path) -> None:
    project = projects.create_project(server.core, "XSS")
    page.open(f"/projects/{project.id}/tags")
    page.type("tags-new-name", IMG)
    page.click("tags-add")
    page.wait(lambda: IMG in names(server, project.id), what="the tag")
    [tag] = tags.tag_tree(server.core, project.id)
    page.wait(lambda: page.find(f"tag-name-{tag.id}").text == IMG)
    page.click(f"tag-move-{tag.id}")
    page.wait_text("Move <img")
    page.click_text("Cancel")
    page.open(f"/projects/{project.id}/tags")
    assert page.find(f"tag-name-{tag.id}").text == IMG
    assert not page.driver.find_elements("css selector", "img[src='x']")
    assert page.alerts() == []
