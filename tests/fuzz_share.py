"""The tests of one share of the API fuzz run; each tests/test_api_fuzz_share_*.py module
takes its own share, so that `make test`'s workers fuzz side by side."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests import fuzz_support
from tests.fuzz_support import FuzzSession, Summary


def _report(findings: list[fuzz_support.Finding]) -> str:
    return "\n".join(
        f"{finding.status} {finding.title}: {finding.message}\n    {finding.repro}"
        for finding in findings
    )


def share_tests(index: int) -> tuple[Any, Callable[..., None], Callable[..., None]]:
    """The `fuzz` fixture, the per-operation test and the share's closing test for share
    `index`, to be bound to those names in a test module."""
    share = fuzz_support.operation_share(index)

    @pytest.fixture(scope="module")
    def fuzz(
        tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
    ) -> Iterator[FuzzSession]:
        session = FuzzSession(tmp_path_factory.mktemp(f"fuzz{index}"))
        yield session
        summary = session.close()
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"\napi fuzz, share {index + 1}: {summary.line()}")

    # Minutes in all, so `slow`. The closing test needs every operation of the share run in
    # this process: `make test` keeps a module on one xdist worker (`--dist loadfile`).
    @pytest.mark.slow
    @pytest.mark.parametrize("label", share)
    def test_operation(fuzz: FuzzSession, label: str) -> None:
        run = fuzz.fuzz(label)
        assert run.requests > 0
        assert not run.findings, f"{label}:\n{_report(list(run.findings.values()))}"
        assert run.server_errors == 0

    @pytest.mark.slow
    def test_the_share_was_fuzzed_and_nothing_left_the_machine(
        fuzz: FuzzSession, request: pytest.FixtureRequest
    ) -> None:
        # Runs after the operations (pytest keeps the order of definition); with `-k`, only
        # the operations selected.
        selected = {
            item.callspec.params["label"]
            for item in request.session.items
            if isinstance(item, pytest.Function)
            and item.module is request.module
            and item.originalname == "test_operation"
        }
        done = {run.label for run in fuzz.runs}
        assert done == selected, selected - done
        assert selected <= set(fuzz.operations)
        summary = Summary(fuzz.runs, fuzz.guard.attempts, 0.0)
        assert summary.outbound == [], summary.outbound
        assert summary.requests >= len(selected)

    return fuzz, test_operation, test_the_share_was_fuzzed_and_nothing_left_the_machine
