"""The screens of a project, in the order the navigation shows them.

Adding a screen: append a `Screen` here (its `key` is the last part of its address and
`nav.<key>` its label in `i18n.STRINGS`), then write its page module (see the package
docstring).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Screen:
    key: str
    icon: str  # a Material icon name
    # Screens of one group share a menu in the header (label `nav.group.<group>`), so the
    # header stays one line however many screens there are.
    group: str | None = None

    @property
    def label_key(self) -> str:
        return f"nav.{self.key}"

    def path(self, project_id: int) -> str:
        return project_path(project_id, self.key)


def project_path(project_id: int, key: str) -> str:
    return f"/projects/{project_id}/{key}"


SCREENS: list[Screen] = [
    Screen("files", "description"),
    Screen("chunks", "view_agenda"),
    Screen("tags", "account_tree"),
    Screen("personas", "groups"),
    Screen("questions", "help_outline"),
    Screen("qa", "fact_check"),
    Screen("quality", "verified"),
    Screen("export", "download"),
    Screen("evalsets", "quiz", "evaluate"),
    Screen("training", "model_training", "evaluate"),
    Screen("evaluations", "analytics", "evaluate"),
    Screen("arena", "sports_mma", "evaluate"),
    Screen("preferences", "thumbs_up_down", "evaluate"),
    Screen("playground", "science", "evaluate"),
    Screen("jobs", "pending_actions"),
    Screen("usage", "bar_chart"),
    Screen("settings", "settings"),
]


def screen(key: str) -> Screen:
    for candidate in SCREENS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
