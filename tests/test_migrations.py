"""Upgrades never lose data: each earlier revision, with rows in it, upgrades to head intact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from easy_dataset.samples_shape import sample_messages
from easy_dataset.store.db import alembic_config, create_db_engine, current_revision, upgrade
from easy_dataset.store.schema import Base
from easy_dataset.types import Message


def _seed_0001(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO projects (id, name, description, created_at, updated_at) "
            "VALUES (7, 'legal', 'contracts', '2026-01-02 03:04:05', '2026-01-02 03:04:05')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO files (id, project_id, name, stored_name, markdown_name, format, "
            "size_bytes, sha256, content_hash, char_count, page_count, outline, created_at) "
            "VALUES (3, 7, 'nda.pdf', 'a.pdf', 'a.md', 'pdf', 1234, :sha, :hash, 99, 4, "
            '\'[{"level": 1, "title": "NDA", "children": []}]\', \'2026-01-02 03:04:05\')'
        ),
        {"sha": "a" * 64, "hash": "b" * 64},
    )
    connection.execute(
        text(
            "INSERT INTO chunks (id, project_id, file_id, ordinal, heading_path, content, size, "
            'created_at, updated_at) VALUES (11, 7, 3, 0, \'["NDA", "Terms"]\', '
            "'The parties agree.', 18, '2026-01-02 03:04:05', '2026-01-02 03:04:05')"
        )
    )


def _check_0001_rows(connection: Connection) -> None:
    project = connection.execute(text("SELECT id, name, description FROM projects")).one()
    assert tuple(project) == (7, "legal", "contracts")
    file = connection.execute(
        text("SELECT id, project_id, name, sha256, page_count, outline FROM files")
    ).one()
    assert tuple(file)[:5] == (3, 7, "nda.pdf", "a" * 64, 4)
    assert "NDA" in file.outline
    chunk = connection.execute(
        text("SELECT id, file_id, heading_path, content, size FROM chunks WHERE id = 11")
    ).one()
    assert tuple(chunk) == (11, 3, '["NDA", "Terms"]', "The parties agree.", 18)


def _seed_0002(connection: Connection) -> None:
    _seed_0001(connection)
    connection.execute(
        text("UPDATE projects SET chunking = :c"), {"c": '{"strategy": "fixed", "size": 800}'}
    )
    connection.execute(text("UPDATE files SET chunking = :c"), {"c": '{"strategy": "fixed"}'})


def _check_0002_rows(connection: Connection) -> None:
    _check_0001_rows(connection)
    chunking = connection.execute(text("SELECT chunking FROM projects")).scalar()
    assert chunking == '{"strategy": "fixed", "size": 800}'
    assert (
        connection.execute(text("SELECT chunking FROM files")).scalar() == '{"strategy": "fixed"}'
    )


def _seed_0003(connection: Connection) -> None:
    _seed_0002(connection)
    connection.execute(
        text(
            "INSERT INTO model_configs (id, project_id, name, settings, is_default, created_at, "
            'updated_at) VALUES (5, 7, \'main\', \'{"name": "main", "model": "m"}\', 1, '
            "'2026-01-02 03:04:05', '2026-01-02 03:04:05')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO model_secrets (model_config_id, api_key, updated_at) "
            "VALUES (5, 'sk-kept', '2026-01-02 03:04:05')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO jobs (id, project_id, type, params, status, total, succeeded, failed, "
            "pending, cancel_requested, created_at) VALUES (9, 7, 'x', '{}', 'failed', 3, 1, 1, 1, "
            "0, '2026-01-02 03:04:05')"
        )
    )


def _check_0003_rows(connection: Connection) -> None:
    _check_0002_rows(connection)
    assert connection.execute(text("SELECT api_key FROM model_secrets")).scalar() == "sk-kept"
    job = connection.execute(text("SELECT total, succeeded, failed, pending FROM jobs")).one()
    assert tuple(job) == (3, 1, 1, 1)


def _seed_0004(connection: Connection) -> None:
    _seed_0003(connection)
    stamp = "'2026-01-02 03:04:05'"
    connection.execute(
        text(
            "INSERT INTO tags (id, project_id, parent_id, name, description, ordinal, created_at) "
            f"VALUES (2, 7, NULL, 'Confidentiality', '', 0, {stamp})"
        )
    )
    connection.execute(
        text(
            "INSERT INTO questions (id, project_id, chunk_id, tag_id, text, origin, provenance, "
            f"created_at, updated_at) VALUES (4, 7, 11, 2, 'Who signs?', 'generated', '{{}}', "
            f"{stamp}, {stamp})"
        )
    )
    connection.execute(
        text(
            "INSERT INTO qa_pairs (id, project_id, question_id, chunk_id, question, answer, cot, "
            "model, confirmed, score, judge_notes, user_tags, note, provenance, created_at, "
            "updated_at) VALUES (6, 7, 4, 11, 'Who signs?', 'Both parties.', 'It says so.', 'm', "
            f"1, 4.5, '', '[\"legal\"]', 'ok', '{{\"file\": \"nda.pdf\"}}', {stamp}, {stamp})"
        )
    )


def _check_0004_rows(connection: Connection) -> None:
    _check_0003_rows(connection)
    pair = connection.execute(
        text(
            "SELECT question, answer, cot, confirmed, score, user_tags, note FROM qa_pairs "
            "WHERE id = 6"
        )
    ).one()
    assert tuple(pair) == ("Who signs?", "Both parties.", "It says so.", 1, 4.5, '["legal"]', "ok")
    assert connection.execute(text("SELECT tag_id FROM questions")).scalar() == 2


def _check_judge_notes(connection: Connection) -> None:
    assert connection.execute(text("SELECT judge_notes FROM qa_pairs WHERE id = 6")).scalar() == (
        "Accurate and complete."
    )


def _seed_0005(connection: Connection) -> None:
    _seed_0004(connection)
    connection.execute(
        text("UPDATE qa_pairs SET judge_notes = 'Accurate and complete.' WHERE id = 6")
    )


def _check_0005_rows(connection: Connection) -> None:
    _check_0004_rows(connection)
    _check_judge_notes(connection)
    # Projects from before quality settings take the defaults; no check has run yet.
    assert connection.execute(text("SELECT quality FROM projects")).scalar() == "{}"
    assert connection.execute(text("SELECT count(*) FROM quality_results")).scalar() == 0


def _seed_0006(connection: Connection) -> None:
    _seed_0005(connection)
    stamp = "'2026-01-02 03:04:05'"
    connection.execute(
        text(
            "INSERT INTO qa_pairs (id, project_id, question_id, chunk_id, question, answer, cot, "
            "model, confirmed, score, judge_notes, user_tags, note, provenance, created_at, "
            "updated_at) VALUES (8, 7, 4, 11, 'Who may see it?', 'Only the parties.', '', 'm', "
            f"0, NULL, '', '[]', '', '{{}}', {stamp}, {stamp})"
        )
    )
    for id_, kind, qa_id, score, flagged, detail in (
        (1, "judge", 6, 4.25, 0, '{"scores": {"accuracy": 5}, "verdict": "fine"}'),
        (2, "grounding", 6, 0.91, 0, '{"unsupported": []}'),
        (3, "grounding", 8, 0.2, 1, '{"unsupported": ["Only the parties."]}'),
        (4, "sample", 8, None, None, "{}"),
    ):
        connection.execute(
            text(
                "INSERT INTO quality_results (id, project_id, kind, qa_id, score, flagged, "
                f"detail, job_id, created_at, updated_at) VALUES (:id, 7, :kind, :qa, :score, "
                f":flagged, :detail, 9, {stamp}, {stamp})"
            ),
            {
                "id": id_,
                "kind": kind,
                "qa": qa_id,
                "score": score,
                "flagged": flagged,
                "detail": detail,
            },
        )
    connection.execute(
        text("UPDATE projects SET quality = :q"), {"q": '{"thresholds": {"judge": 3.5}}'}
    )


def _check_0006_rows(connection: Connection) -> None:
    _check_0004_rows(connection)
    _check_judge_notes(connection)
    _check_quality_rows(connection)
    # Every old pair is now a one-turn sample, read through the one function that reads turns.
    rows = connection.execute(
        text("SELECT kind, question, answer, cot, messages FROM qa_pairs ORDER BY id")
    ).all()
    assert [(row.kind, row.messages) for row in rows] == [("qa", None), ("qa", None)]
    assert [
        sample_messages(row.kind, row.question, row.answer, row.cot, row.messages) for row in rows
    ] == [
        [
            Message(role="user", content="Who signs?"),
            Message(role="assistant", content="Both parties.", reasoning="It says so."),
        ],
        [
            Message(role="user", content="Who may see it?"),
            Message(role="assistant", content="Only the parties."),
        ],
    ]


def _check_quality_rows(connection: Connection) -> None:
    assert connection.execute(text("SELECT quality FROM projects")).scalar() == (
        '{"thresholds": {"judge": 3.5}}'
    )
    results = connection.execute(
        text("SELECT id, kind, qa_id, score, flagged, detail, job_id FROM quality_results")
    ).all()
    assert [tuple(row) for row in results] == [
        (1, "judge", 6, 4.25, 0, '{"scores": {"accuracy": 5}, "verdict": "fine"}', 9),
        (2, "grounding", 6, 0.91, 0, '{"unsupported": []}', 9),
        (3, "grounding", 8, 0.2, 1, '{"unsupported": ["Only the parties."]}', 9),
        (4, "sample", 8, None, None, "{}", 9),
    ]


_DIRTY = "THE NDA\nThe parties agree to keep it se-\ncret.\n\n- 2 -\n"
_TURNS = (
    '[{"role": "user", "content": "Who signs?"}, {"role": "assistant", "content": "Both parties."}]'
)


def _seed_0007(connection: Connection) -> None:
    _seed_0006(connection)
    stamp = "'2026-01-02 03:04:05'"
    connection.execute(
        text(
            "INSERT INTO chunks (id, project_id, file_id, ordinal, heading_path, content, size, "
            f"created_at, updated_at) VALUES (12, 7, 3, 1, '[]', :content, :size, {stamp}, "
            f"{stamp})"
        ),
        {"content": _DIRTY, "size": len(_DIRTY)},
    )
    connection.execute(
        text(
            "INSERT INTO qa_pairs (id, project_id, question_id, chunk_id, question, answer, cot, "
            "model, confirmed, score, judge_notes, user_tags, note, provenance, kind, messages, "
            "created_at, updated_at) VALUES (10, 7, NULL, 12, 'Who signs?', 'Both parties.', "
            f"'', 'm', 0, NULL, '', '[]', '', '{{}}', 'dialogue', :messages, {stamp}, {stamp})"
        ),
        {"messages": _TURNS},
    )


def _check_0007_rows(connection: Connection) -> None:
    _check_0004_rows(connection)
    _check_judge_notes(connection)
    _check_quality_rows(connection)
    dialogue = connection.execute(
        text("SELECT kind, messages, chunk_id FROM qa_pairs WHERE id = 10")
    ).one()
    assert tuple(dialogue) == ("dialogue", _TURNS, 12)
    chunk = connection.execute(text("SELECT content, size FROM chunks WHERE id = 12")).one()
    assert tuple(chunk) == (_DIRTY, len(_DIRTY))
    # No chunk has a cleaning proposal yet; one can be stored for an old chunk, and it goes
    # with its chunk.
    revisions_of_12 = text("SELECT count(*) FROM chunk_revisions WHERE chunk_id = 12")
    assert connection.execute(revisions_of_12).scalar() == 0
    connection.execute(
        text(
            "INSERT INTO chunk_revisions (project_id, chunk_id, status, original, proposed, "
            "edited, provenance, created_at) VALUES (7, 12, 'pending', :original, "
            "'The parties agree to keep it secret.', 0, '{}', '2026-01-03 00:00:00')"
        ),
        {"original": _DIRTY},
    )
    status = text("SELECT status FROM chunk_revisions WHERE chunk_id = 12")
    assert connection.execute(status).scalar() == "pending"
    connection.execute(text("DELETE FROM chunks WHERE id = 12"))
    assert connection.execute(revisions_of_12).scalar() == 0


def _seed_0008(connection: Connection) -> None:
    _seed_0007(connection)
    connection.execute(
        text(
            "INSERT INTO chunk_revisions (id, project_id, chunk_id, status, original, proposed, "
            "edited, provenance, created_at) VALUES (4, 7, 11, 'accepted', 'The parties agree.', "
            "'The parties agree!', 1, '{}', '2026-01-03 00:00:00')"
        )
    )


def _check_0008_rows(connection: Connection) -> None:
    _check_0007_rows(connection)
    revision = connection.execute(
        text("SELECT chunk_id, status, proposed FROM chunk_revisions WHERE id = 4")
    ).one()
    assert tuple(revision) == (11, "accepted", "The parties agree!")
    # An evaluation item can hold out an old QA pair and point at an old chunk; deleting the
    # pair keeps the item (its copy of the text stays) and deleting the set removes it.
    connection.execute(
        text(
            "INSERT INTO eval_sets (id, project_id, name, description, created_at, updated_at) "
            "VALUES (1, 7, 'held out', '', '2026-01-04 00:00:00', '2026-01-04 00:00:00')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO eval_items (project_id, set_id, kind, question, options, answer, "
            "chunk_id, qa_id, tag_path, origin, confirmed, note, provenance, created_at, "
            "updated_at) VALUES (7, 1, 'open', 'Who signs?', '[]', 'Both parties.', 11, 10, "
            "'[]', 'held_out', 0, '', '{}', '2026-01-04 00:00:00', '2026-01-04 00:00:00')"
        )
    )
    connection.execute(text("DELETE FROM qa_pairs WHERE id = 10"))
    item = connection.execute(text("SELECT qa_id, chunk_id, question FROM eval_items")).one()
    assert tuple(item) == (None, 11, "Who signs?")
    connection.execute(text("DELETE FROM eval_sets WHERE id = 1"))
    assert connection.execute(text("SELECT count(*) FROM eval_items")).scalar() == 0


def _seed_0009(connection: Connection) -> None:
    _seed_0008(connection)
    connection.execute(
        text(
            "INSERT INTO eval_sets (id, project_id, name, description, created_at, updated_at) "
            "VALUES (2, 7, 'kept set', 'kept', '2026-01-04 00:00:00', '2026-01-04 00:00:00')"
        )
    )


def _check_0009_rows(connection: Connection) -> None:
    _check_0008_rows(connection)
    kept = connection.execute(text("SELECT name, description FROM eval_sets WHERE id = 2")).one()
    assert tuple(kept) == ("kept set", "kept")
    # A training run belongs to its project: deleting the project removes it.
    connection.execute(
        text(
            "INSERT INTO training_runs (project_id, job_id, name, method, base_model, status, "
            "settings, step, total_steps, curves, metrics, outputs, error, created_at, "
            "updated_at) VALUES (7, NULL, 'run 1', 'lora', 'embedded', 'done', '{}', 3, 3, "
            "'{}', '{}', '{}', '', '2026-01-05 00:00:00', '2026-01-05 00:00:00')"
        )
    )
    assert connection.execute(text("SELECT count(*) FROM training_runs")).scalar() == 1
    connection.execute(text("DELETE FROM projects WHERE id = 7"))
    assert connection.execute(text("SELECT count(*) FROM training_runs")).scalar() == 0


# Every revision but head needs a seed: a new migration must prove it keeps the old rows.
SEEDS: dict[str, tuple[Callable[[Connection], None], Callable[[Connection], None]]] = {
    "0001": (_seed_0001, _check_0001_rows),
    "0002": (_seed_0002, _check_0002_rows),
    "0003": (_seed_0003, _check_0003_rows),
    "0004": (_seed_0004, _check_0004_rows),
    "0005": (_seed_0005, _check_0005_rows),
    "0006": (_seed_0006, _check_0006_rows),
    "0007": (_seed_0007, _check_0007_rows),
    "0008": (_seed_0008, _check_0008_rows),
    "0009": (_seed_0009, _check_0009_rows),
}


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _engine(tmp_path: Path, name: str) -> Engine:
    return create_db_engine(f"sqlite:///{tmp_path / name}")


def test_every_earlier_revision_has_a_seed() -> None:
    revisions = _revisions()
    assert len(revisions) >= 2
    assert set(revisions[:-1]) <= set(SEEDS), "add a seed for each new earlier revision"


@pytest.mark.parametrize("revision", _revisions()[:-1])
def test_upgrade_from_revision_keeps_rows(tmp_path: Path, revision: str) -> None:
    engine = _engine(tmp_path, f"at-{revision}.db")
    upgrade(engine, revision)
    assert current_revision(engine) == revision
    seed, check = SEEDS[revision]
    with engine.begin() as connection:
        seed(connection)
    upgrade(engine)
    assert current_revision(engine) == _revisions()[-1]
    with engine.connect() as connection:
        check(connection)
        # Columns added later take their documented defaults on old rows.
        if revision < "0002":
            assert connection.execute(text("SELECT chunking FROM projects")).scalar() == "{}"
    engine.dispose()


def test_models_match_migrations(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "head.db")
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    engine.dispose()


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    from alembic import command

    engine = _engine(tmp_path, "roundtrip.db")
    upgrade(engine)
    command.downgrade(alembic_config(engine), "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == _revisions()[-1]
    engine.dispose()
