"""A fake OpenAI-compatible server over real HTTP, for tests and benchmarks.

In a test::

    with FakeOpenAI(Faults(latency=0.05, script=["429", "ok"])) as fake:
        config = ModelConfig(name="t", provider="custom", base_url=fake.base_url, model="m")
        ...
        assert fake.stats().by_outcome == {"429": 1, "ok": 1}

As a separate process (benchmarks), from the repository root::

    python -m tests.fake_openai --latency 0.2      # first line of output: "PORT <n>"
    curl http://127.0.0.1:<n>/_stats              # counters as JSON
    curl -X POST http://127.0.0.1:<n>/_reset -d '{"latency": 0.1}'   # clear stats, set faults

Endpoints: POST /v1/chat/completions, GET /v1/models, GET /api/tags (Ollama's tag list),
GET /_stats (add ?log=1 for the request log), POST /_reset (optional JSON body: new faults).

Replies fit the request: a `json_schema` response_format gets a minimal instance of the
schema; `json_object` or a prompt that embeds a schema (```json fenced, after the words
"JSON schema") gets an instance of that schema, else an object; otherwise the earliest of the
keywords "question" (a JSON array of 3 questions), "answer" (a paragraph), "rate"/"score"
(`{"score": 4, "reason": ...}`) in the last user message picks the reply; else a short text.
A schema embedded in an earlier user message still counts (a retry's last message has none).
`Faults.replies` scripts exact replies per model and prompt text (e.g. what each of two
models answers to each test question), ahead of all of the above.

Some schemas get replies shaped for their prompt kind, whichever way the schema came: each
kind is a module of tests/fake_kinds (the dialogue, a dialogue turn's judge, ...) that says
which schema title it answers and how; see that package. Their replies are deterministic.

A request with `"stream": true` gets the same reply as server-sent events: a role chunk, the
reasoning (with `reasoning_field`) in one chunk, the content in STREAM_PIECES pieces with
`Faults.stream_delay` seconds before each, a chunk with the finish reason, the usage chunk
when `stream_options.include_usage` asks for it (and the outcome is not "no_usage"), then
`data: [DONE]`. Error outcomes (an HTTP status, "hang") come before any of it.

Outcomes come first from `Faults.script` (consumed in order), then at random from the seeded
probabilities. Script entries: "ok", "hang", "malformed", "truncated" (content cut in half,
finish reason "length"), "cut" (cut in half, yet finish reason "stop"), "no_usage", or an
HTTP status such as "429", "500", "401", "404". With `echo_key`, the auth error quotes the
key it was sent, as some providers do.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import random
import re
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

from tests.fake_kinds import shaped_reply

ReasoningField = Literal["reasoning_content", "reasoning"]

REASONING_TEXT = "Let me think about what the user needs before replying."
MALFORMED_TEXT = "I am sorry, but I cannot answer that in the requested format."
LOG_LIMIT = 1000
STREAM_PIECES = 4  # a streamed reply's content comes in this many chunks


@dataclass
class Faults:
    """How the server misbehaves; every field can be changed while it runs (see `set_faults`)."""

    latency: float = 0.0  # seconds slept before every chat reply
    p_429: float = 0.0
    retry_after: str | None = "1"  # the 429's Retry-After header (seconds or an HTTP date)
    p_500: float = 0.0
    p_503: float = 0.0
    p_hang: float = 0.0  # no reply for `hang_seconds`: longer than the client's timeout
    hang_seconds: float = 30.0
    p_malformed: float = 0.0  # content that is not JSON at all
    p_truncated: float = 0.0  # content cut in half, finish reason "length"
    p_cut: float = 0.0  # content cut in half, finish reason "stop"
    p_no_usage: float = 0.0  # no "usage" in the reply
    reasoning_field: ReasoningField | None = None  # reasoning in this message field
    think_tags: bool = False  # reasoning in <think>...</think> before the content
    status_for_auth: int | None = None  # when set: this status unless the key below is sent
    api_key: str = "sk-fake"
    echo_key: bool = False  # the auth error repeats the key that was sent
    script: list[str] = field(default_factory=list)  # outcomes consumed before random ones
    max_inflight_allowed: int | None = None  # more concurrent requests than this: 500
    models: list[str] = field(default_factory=lambda: ["fake-model", "fake-model-mini"])
    seed: int = 0
    # Scripted replies, before any other: the first whose "model" (if given) is the request's
    # model and whose "contains" (if given) is in the last user message answers "reply".
    replies: list[dict[str, str]] = field(default_factory=list)
    stream_delay: float = 0.0  # seconds before each piece of a streamed reply


@dataclass
class Stats:
    """A snapshot of what the server has seen since it started or was last reset."""

    total: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    inflight: int = 0
    peak_inflight: int = 0
    # {"path", "headers" (names in lower case), "body"}, the last LOG_LIMIT requests
    log: list[dict[str, Any]] = field(default_factory=list)

    def bodies(self, path: str = "/v1/chat/completions") -> list[dict[str, Any]]:
        """The JSON bodies of the logged requests to `path`, oldest first."""
        return [entry["body"] for entry in self.log if entry["path"] == path]


class _State:
    """Faults, RNG and counters, shared by the handler threads under one lock."""

    def __init__(self, faults: Faults) -> None:
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.set_faults(faults)
        self.reset()

    def set_faults(self, faults: Faults) -> None:
        with self.lock:
            self.faults = copy.deepcopy(faults)
            self.script: deque[str] = deque(self.faults.script)
            self.rng = random.Random(self.faults.seed)

    def reset(self) -> None:
        with self.lock:
            self.total = 0
            self.outcomes: Counter[str] = Counter()
            self.inflight = 0
            self.peak = 0
            self.log: deque[dict[str, Any]] = deque(maxlen=LOG_LIMIT)
            self.next_id = 0

    def snapshot(self, with_log: bool = True) -> Stats:
        with self.lock:
            return Stats(
                total=self.total,
                by_outcome=dict(self.outcomes),
                inflight=self.inflight,
                peak_inflight=self.peak,
                log=copy.deepcopy(list(self.log)) if with_log else [],
            )

    def enter(self, path: str, headers: dict[str, str], body: Any) -> tuple[int, Faults]:
        """Count a request in; returns (in-flight including it, the faults to apply)."""
        with self.lock:
            self.total += 1
            self.inflight += 1
            self.peak = max(self.peak, self.inflight)
            self.log.append({"path": path, "headers": headers, "body": body})
            return self.inflight, self.faults

    def leave(self, outcome: str) -> None:
        with self.lock:
            self.inflight -= 1
            self.outcomes[outcome] += 1

    def draw_outcome(self) -> str:
        """The next scripted outcome, else one drawn from the probabilities."""
        with self.lock:
            if self.script:
                return self.script.popleft()
            f, roll = self.faults, self.rng.random()
            for outcome, p in (
                ("hang", f.p_hang),
                ("429", f.p_429),
                ("500", f.p_500),
                ("503", f.p_503),
                ("malformed", f.p_malformed),
                ("truncated", f.p_truncated),
                ("cut", f.p_cut),
                ("no_usage", f.p_no_usage),
            ):
                if roll < p:
                    return outcome
                roll -= p
            return "ok"

    def completion_id(self) -> int:
        with self.lock:
            self.next_id += 1
            return self.next_id


# ---- replies ------------------------------------------------------------------------------


def _text(name: str, min_len: int = 0, max_len: int | None = None) -> str:
    if "question" in name.lower():
        value = f"What does the text say about {name.replace('_', ' ')}?"
    else:
        value = f"A sample {name.replace('_', ' ') or 'value'} about bees and honey"
    while len(value) < min_len:
        value += " and more"
    return value if max_len is None else value[:max_len]


def instance_of(schema: dict[str, Any], root: dict[str, Any] | None = None, name: str = "") -> Any:
    """A minimal value valid for a JSON schema (the subset pydantic emits)."""
    root = root if root is not None else schema
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return instance_of(target, root, name)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if o.get("type") != "null"] or schema[key]
            return instance_of(options[0], root, name)
    if "allOf" in schema:
        return instance_of(schema["allOf"][0], root, name)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props: dict[str, Any] = schema.get("properties", {})
        return {
            key: instance_of(props.get(key, {}), root, key) for key in schema.get("required", [])
        }
    if kind == "array" and "prefixItems" in schema:  # a tuple
        return [instance_of(item, root, name) for item in schema["prefixItems"]]
    if kind == "array":
        low, high = schema.get("minItems", 1), schema.get("maxItems", 3)
        count = max(low, min(3, high))
        items = schema.get("items", {"type": "string"})
        singular = name.removesuffix("s") if name else "item"
        free = _free_text_key(items, root)
        return [_numbered(instance_of(items, root, singular), i, free) for i in range(count)]
    if kind == "string":
        return _text(name, schema.get("minLength", 0), schema.get("maxLength"))
    if kind in ("integer", "number"):
        return _number(schema, integer=kind == "integer")
    if kind == "boolean":
        return True
    return None


def _free_text_key(schema: dict[str, Any], root: dict[str, Any]) -> str | None:
    """The first property of an object schema that takes any text (not an enum or const)."""
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    for key, prop in (schema.get("properties") or {}).items():
        if prop.get("type") == "string" and "enum" not in prop and "const" not in prop:
            return str(key)
    return None


def _numbered(value: Any, index: int, key: str | None = None) -> Any:
    """Array items that differ from each other, so uniqueness checks pass (in objects, the
    text field `key` is numbered)."""
    if isinstance(value, str) and index:
        return f"{value.rstrip('?')} ({index + 1})" + ("?" if value.endswith("?") else "")
    if isinstance(value, dict) and index and key is not None and isinstance(value.get(key), str):
        return {**value, key: _numbered(value[key], index)}
    return value


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value: float = 4 if integer else 0.5
    if low is not None and value <= low:
        value = low + (1 if "exclusiveMinimum" in schema else 0)
    if high is not None and value >= high:
        value = high - (1 if "exclusiveMaximum" in schema else 0)
    if not integer and low is not None and high is not None:
        value = (low + high) / 2
    return int(value) if integer else value


_EMBEDDED_SCHEMA = re.compile(r"JSON schema.*?```json\s*(.+?)\s*```", re.DOTALL | re.IGNORECASE)
_KEYWORDS = re.compile(r"question|answer|rate|score", re.IGNORECASE)


def _embedded_schema(text: str) -> dict[str, Any] | None:
    match = _EMBEDDED_SCHEMA.search(text)
    if not match:
        return None
    try:
        schema = json.loads(match.group(1))
    except ValueError:
        return None
    return schema if isinstance(schema, dict) else None


def reply_content(body: dict[str, Any]) -> str:
    """The content the fake model answers a chat request with."""
    messages = body.get("messages") or []
    last_user = next(
        (str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        spec = response_format.get("json_schema", {})
        name, schema = spec.get("name", ""), spec.get("schema", {})
        shaped = shaped_reply(name, schema, messages)
        return json.dumps(instance_of(schema, name=name) if shaped is None else shaped)
    # A retry ("your reply was not valid…") holds no schema itself: like a real model, the
    # fake reads it from the conversation, latest first.
    embedded = next(
        (
            found
            for m in reversed(messages)
            if m.get("role") == "user" and (found := _embedded_schema(str(m.get("content", ""))))
        ),
        None,
    )
    if embedded is not None:
        shaped = shaped_reply(str(embedded.get("title", "")), embedded, messages)
        return json.dumps(instance_of(embedded) if shaped is None else shaped)
    if response_format.get("type") == "json_object":
        return json.dumps({"result": "A sample value", "score": 4})
    keyword = _KEYWORDS.search(last_user)
    word = keyword.group(0).lower() if keyword else ""
    if word == "question":
        return json.dumps(
            [
                "What do worker bees do in the hive?",
                "Why does the colony store honey?",
                "How does the queen lay eggs?",
            ]
        )
    if word == "answer":
        return (
            "Worker bees gather nectar and pollen, build comb and care for the brood; the "
            "colony stores honey to live through the winter."
        )
    if word in ("rate", "score"):
        return json.dumps({"score": 4, "reason": "Accurate and clear, but a little short."})
    return "Bees are social insects that live in colonies."


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def scripted_reply(request: dict[str, Any], faults: Faults) -> str | None:
    """The reply `faults.replies` scripts for this request, if one does."""
    messages = request.get("messages") or []
    last_user = next(
        (str(m.get("content", "")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    for entry in faults.replies:
        if entry.get("model", request.get("model")) != request.get("model"):
            continue
        if entry.get("contains", "") in last_user:
            return entry["reply"]
    return None


def completion_body(request: dict[str, Any], outcome: str, faults: Faults, ident: int) -> bytes:
    scripted = scripted_reply(request, faults)
    content = reply_content(request) if scripted is None else scripted
    if outcome == "malformed":
        content = MALFORMED_TEXT
    elif outcome in ("truncated", "cut"):
        content = content[: len(content) // 2]
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if faults.think_tags:
        message["content"] = f"<think>{REASONING_TEXT}</think>\n{content}"
    if faults.reasoning_field:
        message[faults.reasoning_field] = REASONING_TEXT
    reply: dict[str, Any] = {
        "id": f"chatcmpl-{ident}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "length" if outcome == "truncated" else "stop",
            }
        ],
    }
    if outcome != "no_usage":
        prompt = sum(_tokens(str(m.get("content", ""))) + 4 for m in request.get("messages", []))
        completion = _tokens(message["content"])
        reply["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    return json.dumps(reply).encode()


def stream_chunks(
    request: dict[str, Any], outcome: str, faults: Faults, ident: int
) -> list[dict[str, Any]]:
    """The chunks of a streamed reply: `completion_body`'s reply, in pieces."""
    whole = json.loads(completion_body(request, outcome, faults, ident))
    choice = whole["choices"][0]
    message = choice["message"]
    base = {key: whole[key] for key in ("id", "created", "model")}
    base["object"] = "chat.completion.chunk"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    if faults.reasoning_field:
        chunks.append(chunk({faults.reasoning_field: message[faults.reasoning_field]}))
    content: str = message["content"]
    step = -(-len(content) // STREAM_PIECES) or 1
    chunks += [chunk({"content": content[i : i + step]}) for i in range(0, len(content), step)]
    chunks.append(chunk({}, choice["finish_reason"]))
    if "usage" in whole and (request.get("stream_options") or {}).get("include_usage"):
        chunks.append({**base, "choices": [], "usage": whole["usage"]})
    return chunks


@dataclass
class _Stream:
    """A reply sent as server-sent events, `delay` seconds before each content chunk."""

    chunks: list[dict[str, Any]]
    delay: float


# ---- HTTP ---------------------------------------------------------------------------------


def _error(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "code": code}}


_Reply = tuple[int, Any, dict[str, str]]  # status, JSON payload (or bytes), extra headers


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every reply carries a Content-Length
    disable_nagle_algorithm = True  # headers and body go out as two writes; no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks read the stats instead

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        if isinstance(payload, _Stream):
            return self._send_stream(payload)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (a timeout); nothing to tell

    def _send_stream(self, stream: _Stream) -> None:
        self.close_connection = True  # no Content-Length: the body ends with the connection
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for chunk in stream.chunks:
                if stream.delay and any(c["delta"].get("content") for c in chunk["choices"]):
                    self.server.state.stopping.wait(stream.delay)
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
        except OSError:
            pass  # the client stopped reading (a Stop button); nothing to tell

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode("utf-8", "replace")

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        body = self._body() if method == "POST" else None
        if url.path == "/_stats":
            stats = state.snapshot(with_log="log=1" in url.query)
            return self._send(200, dataclasses.asdict(stats))
        if url.path == "/_reset" and method == "POST":
            if isinstance(body, dict) and body:
                try:
                    state.set_faults(Faults(**body))
                except TypeError as exc:  # an unknown fault name
                    return self._send(400, _error(str(exc), "bad_request"))
            state.reset()
            return self._send(200, {"ok": True})
        endpoints = {
            ("POST", "/v1/chat/completions"),
            ("GET", "/v1/models"),
            ("GET", "/api/tags"),
        }
        if (method, url.path) not in endpoints:
            return self._send(404, _error(f"no route for {method} {url.path}", "not_found"))
        headers = {name.lower(): value for name, value in self.headers.items()}
        inflight, faults = state.enter(url.path, headers, body)
        outcome, reply = "error", None
        try:
            outcome, reply = self._serve(url.path, body, inflight, faults)
        finally:
            # Counted before the reply goes out: a client holding the reply sees it counted.
            state.leave(outcome)
        if reply is None:
            self.close_connection = True  # a hang: the client has given up by now
        else:
            self._send(*reply)

    def _serve(
        self, path: str, body: Any, inflight: int, faults: Faults
    ) -> tuple[str, _Reply | None]:
        """The outcome of one counted request and the reply to send (None: no reply)."""
        state = self.server.state
        key_ok = self.headers.get("Authorization") == f"Bearer {faults.api_key}"
        if faults.status_for_auth is not None and path.startswith("/v1/") and not key_ok:
            status = faults.status_for_auth
            message = "Incorrect API key"
            if faults.echo_key:
                sent = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                message = f"Incorrect API key provided: {sent}. Find your key in your account."
            return str(status), (status, _error(message, "auth_error"), {})
        if faults.max_inflight_allowed is not None and inflight > faults.max_inflight_allowed:
            return "over_concurrency", (500, _error("over concurrency", "server_error"), {})
        if path == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                for m in faults.models
            ]
            return "ok", (200, {"object": "list", "data": data}, {})
        if path == "/api/tags":
            tags = [{"name": m, "model": m, "size": 1} for m in faults.models]
            return "ok", (200, {"models": tags}, {})
        outcome = state.draw_outcome()
        if faults.latency:
            state.stopping.wait(faults.latency)
        if outcome == "hang":
            state.stopping.wait(faults.hang_seconds)
            return outcome, None
        if outcome.isdigit():
            status = int(outcome)
            headers = {}
            if status == 429 and faults.retry_after is not None:
                headers["Retry-After"] = faults.retry_after
            return outcome, (status, _error(f"simulated HTTP {status}", "fake_fault"), headers)
        if not isinstance(body, dict):
            return "400", (400, _error("the body must be a JSON object", "bad_request"), {})
        if body.get("stream"):
            chunks = stream_chunks(body, outcome, faults, state.completion_id())
            return outcome, (200, _Stream(chunks, faults.stream_delay), {})
        return outcome, (200, completion_body(body, outcome, faults, state.completion_id()), {})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default backlog of 5 drops bursts of new connections
    state: _State


class FakeOpenAI:
    """The fake server on 127.0.0.1 at a free port, served from a background thread."""

    def __init__(self, faults: Faults | None = None, *, port: int = 0) -> None:
        """`port` 0 takes a free one; a given port brings a stopped server back there."""
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.state = _State(faults or Faults())
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def faults(self) -> Faults:
        """A copy of the faults in force; change them with `set_faults`."""
        return copy.deepcopy(self._server.state.faults)

    def set_faults(self, faults: Faults | None = None, **changes: Any) -> None:
        """Replace the faults (the script and RNG restart), or change some fields."""
        base = faults or self._server.state.faults
        self._server.state.set_faults(dataclasses.replace(base, **changes))

    def stats(self) -> Stats:
        return self._server.state.snapshot()

    def reset(self) -> None:
        """Clear the counters and the log (the faults stay)."""
        self._server.state.reset()

    def start(self) -> FakeOpenAI:
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.state.stopping.set()  # wake the hanging and sleeping handlers
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _words(value: str) -> list[str]:
    return [word.strip() for word in value.split(",") if word.strip()]


def main(argv: list[str] | None = None) -> None:
    """Serve until killed; prints "PORT <n>" first so a parent process can connect."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    types: list[Any] = [float, int, str]
    parsers = {name: kind for kind in types for name in (kind.__name__, f"{kind.__name__} | None")}
    for f in dataclasses.fields(Faults):
        if f.type in parsers:
            parser.add_argument("--" + f.name.replace("_", "-"), type=parsers[f.type])
    parser.add_argument("--think-tags", action="store_true")
    parser.add_argument("--reasoning-field", choices=["reasoning_content", "reasoning"])
    parser.add_argument("--script", type=_words, help="outcomes in order, e.g. 429,500,ok")
    parser.add_argument("--models", type=_words, help="model names, e.g. a,b")
    args = parser.parse_args(argv)
    changes = {k: v for k, v in vars(args).items() if v is not None and v is not False}
    fake = FakeOpenAI(Faults(**changes))
    print(f"PORT {fake.port}", flush=True)
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake._server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
