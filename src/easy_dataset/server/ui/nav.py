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
    Screen("evalsets", "quiz"),
    Screen("evaluations", "analytics"),
    Screen("arena", "sports_mma"),
    Screen("preferences", "thumbs_up_down"),
    Screen("playground", "science"),
    Screen("jobs", "pending_actions"),
    Screen("usage", "bar_chart"),
    Screen("settings", "settings"),
]


def screen(key: str) -> Screen:
    for candidate in SCREENS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
