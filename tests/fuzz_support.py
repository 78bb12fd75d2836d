"""The bounded OpenAPI fuzz run shared by tests/test_api_fuzz.py and benchmarks/api_fuzz.py.

Every operation of /openapi.json gets `MAX_EXAMPLES` Schemathesis cases (derandomized, so a
run is repeatable): freely generated ones, ones aimed at the seeded project's real ids, and
negative ones (malformed on purpose). Each operation starts from the seeded data home, put
back in place, so one operation deleting the project cannot starve the others. Jobs never run
(`run_jobs=False`), and the only model endpoint is http://127.0.0.1:9/v1, which refuses at
once; `OutboundGuard` refuses (and records) any other connection the server would open.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import insert

from easy_dataset.config import Settings
from easy_dataset.server import create_app
from easy_dataset.server.api import build_api_router
from easy_dataset.store.dataset import QAPair
from tests.test_generate_support import BEES, SMALL_CHUNKS

UNREACHABLE = "http://127.0.0.1:9/v1"  # the discard port: nothing listens, refused at once
ALLOWED_PEER = ("127.0.0.1", 9)
# A loopback Host: the server refuses names it does not answer to (421).
BASE_URL = "http://127.0.0.1"
# In process, an answer takes milliseconds; beside a busy test run, seconds. Far above both,
# so only a request that really hangs fails.
REQUEST_TIMEOUT = 60.0
MAX_EXAMPLES = 25
# The run is cut into this many test modules (tests/test_api_fuzz_share_*.py) so that
# `make test`'s workers take a share each instead of one worker taking it all.
SHARES = 3
# Values a project reference or a stored name must survive (a fuzz dictionary): digits
# beyond SQLite's integers, digits that are not ASCII, padding, dots, the longest allowed.
HOSTILE_TEXT = (
    "9223372036854775808",
    "-1",
    "0",
    "²",
    "١٢",
    " 1 ",
    "1.0",
    "..",
    "%",
    "\u00e9\u4e2d",
    "x" * 100,
)
SEED_PROJECT = "fuzz-seed"
SEED_MODEL = "unreachable"
# Besides these, every 5xx is a finding (our own `not_a_server_error`, in `send`), but a
# 502 `model_error`: the only model endpoint refuses every call, so operations that call it
# must answer exactly that.
CHECKS = (
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
)


# -- the seeded data home -------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """A data home holding one project with something of everything, and its ids."""

    home: Path
    ids: dict[str, str | int]  # path parameter name -> a value that exists
    prompt: str  # a prompt name (the prompts' `{name}`; the models' `{name}` is SEED_MODEL)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def seed_home(home: Path) -> Seed:
    """A project with a file, chunks, a tag, a persona, a question, a QA pair, a template,
    a benchmark, a queued job, a failed (refused) model call and a model configuration that
    points at 127.0.0.1:9."""
    settings = Settings.load(home=home)
    app = create_app(settings, run_jobs=False)
    with TestClient(app, base_url=BASE_URL) as client:
        base = f"/api/projects/{SEED_PROJECT}"
        project = _ok(
            client.post(
                "/api/projects",
                json={"name": SEED_PROJECT, "chunking": SMALL_CHUNKS.model_dump()},
            ),
            201,
        )
        upload = _ok(
            client.post(
                f"{base}/files", files=[("files", ("bees.md", BEES.encode(), "text/markdown"))]
            )
        )
        file_id = upload["items"][0]["file"]["id"]
        chunk_id = _ok(client.get(f"{base}/chunks"))["items"][0]["id"]
        model = {
            "name": SEED_MODEL,
            "provider": "custom",
            "base_url": UNREACHABLE,
            "model": "m",
            "max_retries": 0,
            "timeout": 2,
            "default": True,
        }
        _ok(client.post(f"{base}/models", json=model), 201)
        tag_id = _ok(client.post(f"{base}/tags", json={"name": "Bees"}), 201)["id"]
        persona_id = _ok(
            client.post(
                f"{base}/personas",
                json={"file_id": file_id, "genre": "Guide", "audience": "Beekeepers"},
            ),
            201,
        )["id"]
        question = {"text": "Why do bees dance?", "chunk_id": chunk_id, "tag_id": tag_id}
        question_id = _ok(client.post(f"{base}/questions", json=question), 201)["id"]
        template_id = _ok(
            client.post(f"{base}/templates", json={"question": "What is the topic?"}), 201
        )["id"]
        benchmark = b'{"question": "Why do bees dance?", "answer": "To show the way."}\n'
        benchmark_id = _ok(
            client.post(
                f"{base}/quality/benchmarks",
                files=[("files", ("bench.jsonl", benchmark, "application/json"))],
            ),
            201,
        )[0]["id"]
        job_id = _ok(client.post(f"{base}/stages/tags.build", json={}), 202)["id"]
        # A refused call: one row in the usage log.
        _ok(client.post(f"{base}/models/{SEED_MODEL}/test"))
        prompt = _ok(client.get(f"{base}/prompts"))["items"][0]["name"]
        core = client.app.state.core  # type: ignore[attr-defined]
        with core.db.session() as session:
            qa_id = session.execute(
                insert(QAPair).returning(QAPair.id),
                {
                    "project_id": project["id"],
                    "question_id": question_id,
                    "chunk_id": chunk_id,
                    "question": question["text"],
                    "answer": "To tell the others where the flowers are.",
                },
            ).scalar_one()
    ids: dict[str, str | int] = {
        "project": str(project["id"]),
        "file_id": file_id,
        "chunk_id": chunk_id,
        "tag_id": tag_id,
        "persona_id": persona_id,
        "question_id": question_id,
        "qa_id": qa_id,
        "template_id": template_id,
        "benchmark_id": benchmark_id,
        "job_id": job_id,
        "language": "en",
    }
    return Seed(home=home, ids=ids, prompt=prompt)


# -- no request leaves the machine ------------------------------------------------------


class OutboundGuard:
    """Refuse every network connection but to 127.0.0.1:9, and every name lookup but of
    loopback, recording what was tried (`attempts`)."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._saved: dict[str, Any] = {}

    def _allowed(self, address: object) -> bool:
        return isinstance(address, tuple) and tuple(address[:2]) == ALLOWED_PEER

    def __enter__(self) -> OutboundGuard:
        guard = self
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_getaddrinfo = socket.getaddrinfo

        def connect(sock: socket.socket, address: Any) -> None:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not guard._allowed(address):
                guard.attempts.append(f"connect {address!r}")
                raise ConnectionRefusedError(f"fuzz run: no connection to {address!r}")
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and not guard._allowed(address):
                guard.attempts.append(f"connect {address!r}")
                return 111  # ECONNREFUSED
            return real_connect_ex(sock, address)

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            name = host.decode() if isinstance(host, bytes) else str(host)
            if name not in ("127.0.0.1", "localhost", "::1", "None"):
                guard.attempts.append(f"lookup {name!r}")
                raise socket.gaierror(socket.EAI_NONAME, f"fuzz run: no lookup of {name!r}")
            return real_getaddrinfo(host, *args, **kwargs)

        self._saved = {
            "connect": real_connect,
            "connect_ex": real_connect_ex,
            "getaddrinfo": real_getaddrinfo,
        }
        socket.socket.connect = connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
        socket.getaddrinfo = getaddrinfo
        return self

    def __exit__(self, *_exc: object) -> None:
        socket.socket.connect = self._saved["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = self._saved["connect_ex"]  # type: ignore[method-assign]
        socket.getaddrinfo = self._saved["getaddrinfo"]


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


@contextmanager
def no_proxies() -> Iterator[None]:
    """Without proxy variables: model calls must go straight to 127.0.0.1:9."""
    saved = {name: os.environ.pop(name) for name in PROXY_VARIABLES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


# -- the run ------------------------------------------------------------------------------


@dataclass
class Finding:
    """One distinct problem of an operation: a failed check or an unexpected error."""

    operation: str
    status: int | None
    title: str
    message: str
    repro: str


@dataclass
class OperationRun:
    label: str
    requests: int = 0
    server_errors: int = 0  # 5xx but the expected 502 model_error
    model_errors: int = 0  # 502 model_error: the unreachable endpoint, as it should be
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    findings: dict[tuple[str, int | None], Finding] = field(default_factory=dict)


class _ServerLog(logging.Handler):
    """Keeps the last unexpected error the app logged (the cause of its 500)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.last = _where(record.exc_info[1])


def _where(exc: BaseException) -> str:
    """`Type: message` and the innermost frame of our own code that raised it."""
    frame = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if "easy_dataset" in filename:
            frame = f" at {filename.split('src/')[-1]}:{tb.tb_lineno}"
        tb = tb.tb_next
    return f"{type(exc).__name__}: {str(exc)[:300]}{frame}"


def load_operations(home: Path) -> list[Any]:
    """The API's operations as Schemathesis reads them from /openapi.json (of an app on
    `home`, thrown away at once)."""
    app = create_app(Settings.load(home=home), run_jobs=False)
    try:
        schema = schemathesis.openapi.from_dict(app.openapi())
    finally:
        app.state.core.close()
    found = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            raise AssertionError(f"unreadable OpenAPI schema: {result.err()}")
        found.append(result.ok())
    return found


def _seeded_path(operation: Any, seed: Seed) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for parameter in operation.path_parameters:
        name = parameter.name
        if name == "name":
            values[name] = seed.prompt if "/prompts/" in operation.path else SEED_MODEL
        elif name in seed.ids:
            values[name] = seed.ids[name]
    return values


def _hostile(operation: Any, seeded: dict[str, Any], name: str) -> st.SearchStrategy[Any]:
    """Cases with a HOSTILE_TEXT value for the path parameter `name`, the rest seeded."""

    def aimed(value: str) -> st.SearchStrategy[Any]:
        strategy: st.SearchStrategy[Any] = operation.as_strategy(
            GenerationMode.POSITIVE, path_parameters={**seeded, name: value}
        )
        return strategy

    return st.sampled_from(HOSTILE_TEXT).flatmap(aimed)


def _strategy(operation: Any, seed: Seed) -> st.SearchStrategy[Any]:
    choices = [operation.as_strategy(GenerationMode.POSITIVE)]
    seeded = _seeded_path(operation, seed)
    if seeded:
        choices.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=seeded))
    for parameter in operation.path_parameters:
        if parameter.definition.get("schema", {}).get("type") == "string":
            choices.append(_hostile(operation, seeded, parameter.name))
    takes_input = operation.path_parameters or operation.query or operation.body
    if takes_input:
        choices.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(choices)


def confine(case: Any) -> None:
    """Point any model endpoint a body names at 127.0.0.1:9 (a body may name any host:
    the server would call it on a connection test)."""
    body = case.body
    if isinstance(body, dict) and ("base_url" in body or case.operation.path.endswith("/models")):
        body["base_url"] = UNREACHABLE
        if body.get("provider") == "local":
            body["provider"] = "custom"  # the embedded model: minutes of CPU, no network


class SeededServer:
    """One app for a fuzz session, its data home put back to the seed before each operation
    (so one operation deleting the project cannot starve the next). One app, not one per
    operation: each new app costs FastAPI most of a second of route analysis."""

    def __init__(self, seed: Seed, home: Path) -> None:
        self.seed = seed
        self.home = home
        shutil.copytree(seed.home, home)
        self.app: FastAPI = create_app(Settings.load(home=home), run_jobs=False)

    def restore(self) -> None:
        """The data home as the seed left it: database and every file."""
        core = self.app.state.core
        if "usage_recorder" in core.__dict__:
            core.usage_recorder.flush()  # what the last operation logged goes before it
        core.db.close()  # the engine opens new connections, to the copied file, when next used
        for entry in self.home.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        shutil.copytree(self.seed.home, self.home, dirs_exist_ok=True)

    def close(self) -> None:
        shutdown_lifespans()  # schemathesis started the app's lifespan on its first case


def _kind(response: Any) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("kind") if isinstance(body, dict) else None


def fuzz_operation(
    operation: Any, server: SeededServer, *, max_examples: int = MAX_EXAMPLES
) -> OperationRun:
    """Send up to `max_examples` generated cases to the server, restored to the seed."""
    run = OperationRun(label=operation.label)
    started = time.perf_counter()
    server.restore()
    app, seed = server.app, server.seed
    server_log = _ServerLog()
    errors_log = logging.getLogger("easy_dataset.server.errors")
    errors_log.addHandler(server_log)
    propagate, errors_log.propagate = errors_log.propagate, False

    def note(status: int | None, title: str, message: str, repro: str) -> None:
        key = (title, status)
        if key not in run.findings:
            run.findings[key] = Finding(run.label, status, title, message, repro)

    @hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(case=_strategy(operation, seed))
    def send(case: Any) -> None:
        confine(case)
        run.requests += 1
        server_log.last = None
        try:
            response = case.call(app=app, base_url=BASE_URL, timeout=REQUEST_TIMEOUT)
        except Exception as exc:  # the app raised past its handlers (it answered 500)
            run.server_errors += 1
            note(500, "Server error", server_log.last or _where(exc), case.as_curl_command())
            return
        status = response.status_code
        run.statuses[status] = run.statuses.get(status, 0) + 1
        if status == 502 and _kind(response) == "model_error":
            run.model_errors += 1
        elif status >= 500:
            run.server_errors += 1
            cause = server_log.last or response.text[:300]
            note(status, "Server error", cause, case.as_curl_command())
        try:
            case.validate_response(response, checks=list(CHECKS))
        except FailureGroup as group:
            for failure in group.exceptions:
                note(status, failure.title, failure.message, case.as_curl_command())

    try:
        send()
    finally:
        errors_log.removeHandler(server_log)
        errors_log.propagate = propagate
    run.seconds = time.perf_counter() - started
    return run


@dataclass
class Summary:
    runs: list[OperationRun]
    outbound: list[str]
    seconds: float

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def server_errors(self) -> int:
        return sum(run.server_errors for run in self.runs)

    @property
    def model_errors(self) -> int:
        return sum(run.model_errors for run in self.runs)

    @property
    def findings(self) -> list[Finding]:
        return [finding for run in self.runs for finding in run.findings.values()]

    def line(self) -> str:
        return (
            f"operations {len(self.runs)}, requests {self.requests}, "
            f"5xx {self.server_errors} (and {self.model_errors} expected 502 model_error "
            f"from the unreachable endpoint), {self.seconds:.0f} s"
        )


class FuzzSession:
    """A seeded home, the operations and the guard, for fuzzing operations one by one."""

    def __init__(self, workdir: Path, *, max_examples: int = MAX_EXAMPLES) -> None:
        self.workdir = workdir
        self.max_examples = max_examples
        self.runs: list[OperationRun] = []
        self.guard = OutboundGuard()
        self._stack = ExitStack()
        self._started = time.perf_counter()
        self._stack.enter_context(no_proxies())
        self._stack.enter_context(self.guard)
        try:
            self.seed = seed_home(workdir / "seed")
            self.operations = {op.label: op for op in load_operations(workdir / "schema")}
            self.server = SeededServer(self.seed, workdir / "home")
            self._stack.callback(self.server.close)
        except BaseException:
            self._stack.close()
            raise

    def fuzz(self, label: str) -> OperationRun:
        operation = self.operations[label]
        run = fuzz_operation(operation, self.server, max_examples=self.max_examples)
        self.runs.append(run)
        return run

    def close(self) -> Summary:
        self._stack.close()
        return Summary(self.runs, self.guard.attempts, time.perf_counter() - self._started)


@functools.cache
def operation_labels() -> tuple[str, ...]:
    """The label ("METHOD /path", as Schemathesis names operations) of every operation, for
    test parametrization, in the OpenAPI document's order. Read from the API router, which
    the process builds once anyway: every xdist worker collects every module, and building
    an app and its OpenAPI document cost each of them 3 s (and Schemathesis more)."""
    methods: dict[str, list[str]] = {}  # the document groups a path's operations together
    for context in iter_route_contexts(build_api_router().routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            methods.setdefault(context.path_format, []).extend(sorted(route.methods))
    return tuple(f"{method} {path}" for path, names in methods.items() for method in names)


def operation_share(index: int) -> list[str]:
    """The operations of share `index` (of `SHARES`): every `SHARES`-th label, so that the
    shares are alike in size and mix of resources."""
    return list(operation_labels()[index::SHARES])


def fuzz_all(
    workdir: Path,
    *,
    max_examples: int = MAX_EXAMPLES,
    progress: Callable[[OperationRun], None] | None = None,
) -> Summary:
    """Seed a home under `workdir` and fuzz every operation of the API."""
    session = FuzzSession(workdir, max_examples=max_examples)
    try:
        for label in session.operations:
            run = session.fuzz(label)
            if progress is not None:
                progress(run)
    finally:
        summary = session.close()
    return summary
