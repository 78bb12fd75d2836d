"""Prompt templates: every task renders in both languages, overrides are checked and sandboxed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from easy_dataset import prompts
from easy_dataset.errors import InputError, NotFoundError
from easy_dataset.prompts import library
from easy_dataset.prompts.specs import TASKS
from easy_dataset.services import App, projects
from easy_dataset.services import prompts as prompt_service

CASES = [(name, language) for name in sorted(TASKS) for language in prompts.LANGUAGES]
# Values that steer the template rather than appear in it.
NOT_SHOWN = {"answer_type", "with_reasoning", "method", "citations", "kind"}


def _expected_fragments(variables: dict[str, Any]) -> list[str]:
    """The text of each variable that the user message must carry."""
    fragments: list[str] = []
    for key, value in variables.items():
        if key in NOT_SHOWN or value is None:
            continue
        if isinstance(value, str):
            fragments.append(value.strip())
        elif isinstance(value, list):
            # Strings (tags, labels) or dicts of strings (the turns of a conversation).
            for item in value:
                fragments.extend(item.values() if isinstance(item, dict) else [item])
        elif isinstance(value, dict):
            # A persona shows its genre and audience; the judge's scores every number.
            shown = [value["genre"], value["audience"]] if "genre" in value else value.values()
            fragments.extend(str(item) for item in shown)
        else:
            fragments.append(str(value))
    return fragments


@pytest.mark.parametrize(("name", "language"), CASES)
def test_every_template_renders_with_its_samples(name: str, language: str) -> None:
    spec = TASKS[name]
    for sample in (*spec.samples, spec.minimal_sample()):
        rendered = prompts.render(name, language, sample)
        assert [m["role"] for m in rendered.messages] == ["system", "user"]
        system, user = (m["content"] for m in rendered.messages)
        assert system and user
        for fragment in _expected_fragments(sample):
            assert fragment in user, f"{name}.{language} lost {fragment!r}"
        # Template syntax must never leak into what the model reads.
        for marker in ("{{", "{%", "{#", "#}", "%}"):
            assert marker not in system + user
        version = str(library.header(name, language).version)
        assert (rendered.name, rendered.language, rendered.version) == (name, language, version)
        assert not rendered.overridden


@pytest.mark.parametrize(
    ("name", "key"), [("tag_tree", "tags"), ("tag_revise", "tags"), ("ga_pairs", "pairs")]
)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_prompts_show_the_object_root_their_schema_asks_for(
    name: str, key: str, language: str
) -> None:
    # Constrained decoding forces the schema's object root; the example must agree with it.
    rendered = prompts.render(name, language, TASKS[name].samples[0])
    shape = rendered.messages[-1]["content"].strip().splitlines()[-1]
    assert shape.startswith(f'{{"{key}": [') and shape.endswith("]}")


@pytest.mark.parametrize(("name", "language"), CASES)
def test_headers_document_the_variables(name: str, language: str) -> None:
    header = library.parse_header(prompts.default_template(name, language))
    assert set(header.variables) == TASKS[name].names
    assert header.description and header.output
    assert header.version == library.header(name, "en").version


@pytest.mark.parametrize("name", sorted(TASKS))
def test_chinese_templates_are_written_in_chinese(name: str) -> None:
    sample = TASKS[name].samples[0]
    for language in prompts.LANGUAGES:
        system = prompts.render(name, language, sample).messages[0]["content"]
        assert prompts.detect_language(system) == language
    # The instructions (everything but the sample data) are Chinese too.
    text = prompts.default_template(name, "zh")
    prose = re.sub(r"\{[{%#].*?[}%#]\}", " ", text, flags=re.DOTALL)
    cjk = len(re.findall("[\u4e00-\u9fff]", prose))
    words = len(re.findall("[A-Za-z]+", prose))
    assert cjk / (cjk + words) > 0.6


def test_list_prompts() -> None:
    infos = {info.name: info for info in prompts.list_prompts()}
    assert set(infos) == set(TASKS)
    questions = infos["questions"]
    assert questions.languages == ["en", "zh"] and questions.version == 1
    variables = {v.name: v for v in questions.variables}
    assert variables["chunk"].required and not variables["count"].required
    assert variables["count"].default == 5 and variables["chunk"].description


def test_unknown_prompt_or_language_lists_what_exists() -> None:
    with pytest.raises(NotFoundError, match="questions"):
        prompts.render("qestions", "en", {})
    with pytest.raises(NotFoundError, match="en, zh"):
        prompts.default_template("answer", "fr")


def test_variables_are_checked() -> None:
    with pytest.raises(InputError, match="needs the variable"):
        prompts.render("answer", "en", {"question": "q"})
    with pytest.raises(InputError, match="takes no variable colour"):
        prompts.render("answer", "en", {"question": "q", "chunk": "c", "colour": "red"})


def test_persona_descriptions_are_optional() -> None:
    persona = {"genre": "exam drill", "audience": "a law student"}
    user = prompts.render("questions", "en", {"chunk": "c", "persona": persona}).messages[1]
    assert "a law student" in user["content"] and "exam drill" in user["content"]


def test_tag_tree_shape_follows_levels() -> None:
    def shape(levels: int) -> str:
        return prompts.render("tag_tree", "en", {"outlines": "# A", "levels": levels}).messages[1][
            "content"
        ]

    assert shape(1).count('"children"') == 0
    assert shape(2).count('"children"') == 1
    assert shape(3).count('"children"') == 2


def test_chinese_falls_back_to_english_when_its_file_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = library._read
    monkeypatch.setattr(library, "_read", lambda f: None if f.endswith(".zh.j2") else real(f))
    rendered = prompts.render("cot_rewrite", "zh", {"cot": "thinking"})
    assert rendered.language == "en"
    assert prompts.default_template("cot_rewrite", "zh") == prompts.default_template(
        "cot_rewrite", "en"
    )


def _override(name: str = "answer", language: str = "en") -> str:
    default = prompts.default_template(name, language)
    return default.replace("Reply with the answer only.", "Reply in one sentence only.")


def test_an_override_renders_and_reports_its_version() -> None:
    text = _override()
    values = {"question": "How long?", "chunk": "Thirty days."}
    rendered = prompts.render("answer", "en", values, override=text)
    assert rendered.overridden
    assert re.fullmatch(r"1\+override\.[0-9a-f]{8}", rendered.version)
    assert "Reply in one sentence only." in rendered.messages[1]["content"]
    assert "Thirty days." in rendered.messages[1]["content"]
    other = prompts.render("answer", "en", values, override=text + "\n")
    assert other.version != rendered.version  # provenance tells overrides apart


SYSTEM = "{% block system %}You are an expert.{% endblock %}\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (SYSTEM + "{% block user %}{{ chunk }\n{% endblock %}", "line 2"),
        (SYSTEM + "{% block user %}\n{% if chunk %}x{% endblock %}", "line 3"),
        (SYSTEM + "{% block user %}\n\n{{ chunk }} {{ secret }}{% endblock %}", "line 4"),
        (SYSTEM + "{% block user %}{{ secret }}{% endblock %}", "unknown variable 'secret'"),
        (SYSTEM + "{% block user %}{{ ''.__class__.__mro__ }}{% endblock %}", "'__class__'"),
        (SYSTEM + "{% block user %}{{ question['__class__'] }}{% endblock %}", "'__class__'"),
        (SYSTEM + "{% block user %}\n{{ chunk|attr('__class__') }}{% endblock %}", "line 3"),
        (SYSTEM + "{% block user %}{{ chunk|attr('__class__') }}{% endblock %}", "unsafe"),
        (SYSTEM + "{% block user %}{{ chunk.upper.__globals__ }}{% endblock %}", "__globals__"),
        (SYSTEM + "{% block user %}{{ persona.update({}) }}{% endblock %}", "unsafe"),
        (SYSTEM + "{% block user %}{{ 1 / 0 }}{% endblock %}", "ZeroDivisionError"),
        (SYSTEM + "{% block user %}{{ chunk * 10**8 }}{% endblock %}", "past 1000000"),
        (SYSTEM + "{% block user %}{{ 9 ** 9999999 }}{% endblock %}", "exponents"),
        (SYSTEM + "{% block user %}{% include 'secrets.txt' %}{% endblock %}", "loader"),
        ('{% extends "base" %}' + SYSTEM + "{% block user %}x{% endblock %}", "line 1"),
        (SYSTEM, "lacks {% block user %}"),
        ("Answer {{ question }} from {{ chunk }}.", "lacks {% block system %} and {% block"),
        (SYSTEM + "stray text\n{% block user %}{{ chunk }}{% endblock %}", "line 2: everything"),
        (SYSTEM + "{% block users %}{{ chunk }}{% endblock %}", "unknown part 'users'"),
        (SYSTEM + "{% block user %}{% if false %}x{% endif %}{% endblock %}", "user part renders"),
        (SYSTEM + "{% block user %}" + "x" * 100_001 + "{% endblock %}", "over 100000"),
    ],
)
def test_bad_templates_are_refused_in_one_line(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        prompts.validate_template("answer", text)
    message = str(caught.value)
    assert fragment in message and "\n" not in message
    with pytest.raises(InputError):
        prompts.render("answer", "en", {"question": "q", "chunk": "c"}, override=text)


def test_optional_variables_must_be_guarded() -> None:
    # The samples run with every optional variable off, so an unguarded use is caught now
    # and not in the middle of a job.
    text = SYSTEM + "{% block user %}{{ chunk }} {{ persona.genre }}{% endblock %}"
    with pytest.raises(InputError, match=r"line 2: .*no attribute 'genre'.*guard them"):
        prompts.validate_template("answer", text)


def test_every_default_template_is_a_valid_override() -> None:
    for name, language in CASES:
        prompts.validate_template(name, prompts.default_template(name, language))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("", "en"),
        ("A tenant must give thirty days' notice.", "en"),
        ("租客须提前三十天书面通知房东。", "zh"),
        (
            "用 `pip install easy-dataset` 安装后，运行 easy-dataset --help 查看命令。",
            "zh",
        ),
        (
            "The Ministry of Finance (财政部) issued new rules for tax filing in Beijing in 2024.",
            "en",
        ),
        ("東京都の人口は約1400万人です。", "zh"),  # kanji count; only en and zh are offered
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert prompts.detect_language(text) == language


@pytest.fixture
def project(app: App) -> str:
    projects.create_project(app, "p")
    return "p"


def test_set_show_diff_reset_round_trip(app: App, project: str) -> None:
    text = _override()
    stored = prompt_service.set_prompt(app, project, "answer", "en", text)
    assert stored.overridden and stored.version.startswith("1+override.")
    shown = prompt_service.show_prompt(app, project, "answer", "en")
    assert shown.template == shown.override == text
    assert shown.default == prompts.default_template("answer", "en")
    diff = prompt_service.diff_prompt(app, project, "answer", "en")
    assert "-Reply with the answer only." in diff and "+Reply in one sentence only." in diff
    project_id = projects.get_project(app, project).id
    assert prompt_service.effective_template(app, project_id, "answer", "en") == text
    assert prompt_service.effective_template(app, project_id, "answer", "zh") is None
    listed = {(v.name, v.language): v for v in prompt_service.list_prompts(app, project)}
    assert len(listed) == len(CASES)
    assert listed[("answer", "en")].overridden and not listed[("answer", "zh")].overridden

    again = prompt_service.set_prompt(app, project, "answer", "en", text.replace("one", "two"))
    assert again.version != stored.version  # an upsert, not a second row

    reset = prompt_service.reset_prompt(app, project, "answer", "en")
    assert not reset.overridden and reset.template == reset.default and reset.version == "1"
    assert prompt_service.diff_prompt(app, project, "answer", "en") == ""
    with pytest.raises(NotFoundError, match="not overridden"):
        prompt_service.reset_prompt(app, project, "answer", "en")


def test_a_refused_template_stores_nothing(app: App, project: str) -> None:
    prompt_service.set_prompt(app, project, "answer", "zh", _override("answer", "zh"))
    bad = SYSTEM + "{% block user %}{{ ''.__class__.__mro__ }}{% endblock %}"
    for language in prompts.LANGUAGES:
        with pytest.raises(InputError, match="nothing was stored"):
            prompt_service.set_prompt(app, project, "answer", language, bad)
    assert prompt_service.show_prompt(app, project, "answer", "zh").template == _override(
        "answer", "zh"
    )
    assert not prompt_service.show_prompt(app, project, "answer", "en").overridden


def test_overrides_belong_to_one_project(app: App, project: str) -> None:
    other = projects.create_project(app, "other")
    prompt_service.set_prompt(app, project, "questions", "en", _override("questions"))
    assert prompt_service.effective_template(app, other.id, "questions", "en") is None
    assert not prompt_service.show_prompt(app, "other", "questions", "en").overridden
    with pytest.raises(NotFoundError):
        prompt_service.reset_prompt(app, "other", "questions", "en")
    projects.delete_project(app, project)
    assert prompt_service.list_prompts(app, "other")  # the cascade left the other alone


def test_service_errors(app: App, project: str) -> None:
    with pytest.raises(NotFoundError, match="project"):
        prompt_service.list_prompts(app, "ghost")
    with pytest.raises(NotFoundError, match="the prompts are"):
        prompt_service.show_prompt(app, project, "nope", "en")
    with pytest.raises(NotFoundError, match="languages"):
        prompt_service.set_prompt(app, project, "answer", "de", _override())
