"""`easy-dataset prompts ...`: list, show, set, diff and reset a project's prompts."""

from __future__ import annotations

from pathlib import Path

import pytest

from easy_dataset import prompts
from easy_dataset.prompts.specs import TASKS
from tests.conftest import Cli
from tests.helpers import write

BAD = (
    "{% block system %}You are an expert.{% endblock %}\n"
    "{% block user %}{{ ''.__class__.__mro__ }}{% endblock %}\n"
)


@pytest.fixture
def project(cli: Cli) -> str:
    assert cli("project", "create", "p").exit_code == 0
    return "p"


def _edited(language: str = "zh") -> str:
    return prompts.default_template("answer", language).replace(
        "只输出答案本身。", "只输出一句话。"
    )


def test_list(cli: Cli, project: str) -> None:
    rows = cli.json("prompts", "list", "-p", project)
    assert len(rows) == len(TASKS) * 2 and not any(row["overridden"] for row in rows)
    chinese = cli.json("prompts", "list", "-p", project, "-l", "zh")
    assert {row["language"] for row in chinese} == {"zh"}
    table = cli("prompts", "list", "-p", project)
    assert table.exit_code == 0 and "questions" in table.stdout


def test_set_show_diff_reset_round_trip(cli: Cli, project: str, tmp_path: Path) -> None:
    source = write(tmp_path / "answer.zh.j2", _edited())
    stored = cli.json(
        "prompts", "set", "answer", "-p", project, "-l", "zh", "--from-file", str(source)
    )
    assert stored["overridden"] and stored["version"].startswith("1+override.")

    shown = cli("prompts", "show", "answer", "-p", project, "-l", "zh")
    assert shown.exit_code == 0 and shown.stdout == _edited()
    default = cli("prompts", "show", "answer", "-p", project, "-l", "zh", "--default")
    assert default.stdout == prompts.default_template("answer", "zh")
    english = cli("prompts", "show", "answer", "-p", project)  # --language defaults to en
    assert english.stdout == prompts.default_template("answer", "en")
    detail = cli.json("prompts", "show", "answer", "-p", project, "-l", "zh")
    assert detail["override"] == _edited() and detail["default"] != detail["template"]

    diff = cli("prompts", "diff", "answer", "-p", project, "-l", "zh")
    assert "-只输出答案本身。" in diff.stdout and "+只输出一句话。" in diff.stdout
    assert (
        "+只输出一句话。"
        in cli.json("prompts", "diff", "answer", "-p", project, "-l", "zh")["diff"]
    )
    listed = cli.json("prompts", "list", "-p", project)
    assert [(r["name"], r["language"]) for r in listed if r["overridden"]] == [("answer", "zh")]

    reset = cli("prompts", "reset", "answer", "-p", project, "-l", "zh")
    assert reset.exit_code == 0 and "built-in" in reset.stdout
    assert "not overridden" in cli("prompts", "diff", "answer", "-p", project, "-l", "zh").stdout
    again = cli("prompts", "reset", "answer", "-p", project, "-l", "zh", "--json")
    assert again.exit_code == 1 and "not overridden" in again.stderr


def test_set_from_stdin(cli: Cli, project: str) -> None:
    result = cli(
        "prompts", "set", "answer", "-p", project, "-l", "zh", "--from-file", "-", input=_edited()
    )
    assert result.exit_code == 0, result.output
    assert cli.json("prompts", "show", "answer", "-p", project, "-l", "zh")["override"] == _edited()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (BAD, "'__class__' is not allowed"),
        ("{% block system %}x{% endblock %}{% block user %}{{ nope }}{% endblock %}", "'nope'"),
        ("{% block system %}x{% endblock %}\n{% block user %}{{ chunk }{% endblock %}", "line 2"),
    ],
)
def test_bad_template_is_refused_and_nothing_stored(
    cli: Cli, project: str, text: str, fragment: str
) -> None:
    result = cli("prompts", "set", "answer", "-p", project, "--from-file", "-", input=text)
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert fragment in result.stderr and "nothing was stored" in result.stderr
    assert not cli.json("prompts", "show", "answer", "-p", project)["overridden"]


def test_errors_are_one_line(cli: Cli, project: str, tmp_path: Path) -> None:
    for args, fragment in [
        (("prompts", "show", "nope", "-p", project), "the prompts are"),
        (("prompts", "show", "answer", "-p", project, "-l", "fr"), "en, zh"),
        (("prompts", "list", "-p", "ghost"), "ghost"),
        (
            ("prompts", "set", "answer", "-p", project, "-f", str(tmp_path / "none.j2")),
            "cannot read",
        ),
    ]:
        result = cli(*args)
        assert result.exit_code == 1, args
        assert fragment in result.stderr and result.stderr.strip().count("\n") == 0
    latin1 = tmp_path / "latin1.j2"
    latin1.write_bytes("{% block system %}caf\xe9{% endblock %}".encode("latin-1"))
    result = cli("prompts", "set", "answer", "-p", project, "-f", str(latin1))
    assert result.exit_code == 1 and "UTF-8" in result.stderr


def test_overrides_are_per_project(cli: Cli, project: str) -> None:
    cli("project", "create", "other")
    cli("prompts", "set", "answer", "-p", project, "-l", "zh", "-f", "-", input=_edited())
    assert not cli.json("prompts", "show", "answer", "-p", "other", "-l", "zh")["overridden"]
