"""Multipart uploads read as a stream into temporary files in the data home, sizes enforced."""

# Not FastAPI's `UploadFile`: it spools the whole body into the system's temporary folder,
# outside the data home and with no limit, before any route code could look at its size.
# Here each file is counted as it arrives, so an oversize one is refused before it is stored.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING

from fastapi import HTTPException, Request
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from easy_dataset.config import megabytes
from easy_dataset.errors import InputError
from easy_dataset.store.folders import ProjectFolder

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FILES = 100
MAX_FIELD_BYTES = 64 * 1024
MAX_NAME_LENGTH = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def display_name(raw: str) -> str:
    """The last component of a client's file name, without control characters."""
    # Only ever shown and stored, never joined into a path.
    name = _CONTROL.sub("", raw.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[-MAX_NAME_LENGTH:] or "upload"


@dataclass
class Received:
    """One uploaded file: the name it was sent with, and where its bytes are now."""

    name: str
    path: Path


@dataclass
class ReceivedForm:
    files: list[Received] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


class _TooLarge(Exception):
    """A file, or the whole upload, passed its limit; `message` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    field_name: str = ""
    file_name: str | None = None
    handle: IO[bytes] | None = None
    size: int = 0
    data: bytearray = field(default_factory=bytearray)
    skip: bool = False  # a file input left empty by a browser (no name, no bytes)


class UploadReceiver:
    """Parses one multipart body into temporary files under `folder`; `discard` removes them.

    Each file may have `max_file_bytes`, and all of them together `max_total_bytes`.
    """

    def __init__(
        self,
        folder: Path,
        max_file_bytes: int,
        fields: tuple[str, ...],
        *,
        max_total_bytes: int,
    ) -> None:
        self.folder = folder
        self.max_file_bytes = max_file_bytes
        self.max_total_bytes = max_total_bytes
        self.allowed_fields = fields
        self._total = 0
        self.form = ReceivedForm()
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""
        self._writes: list[tuple[IO[bytes], bytes]] = []
        self._handles: list[IO[bytes]] = []
        self._ended = False

    async def receive(self, request: Request) -> ReceivedForm:
        """Read the whole body; HTTP 413 for an oversize file, 4xx for a malformed body."""
        content_type, options = parse_options_header(request.headers.get("content-type"))
        if content_type != b"multipart/form-data":
            raise HTTPException(415, "send the files as multipart/form-data (field `files`)")
        boundary = options.get(b"boundary")
        if not boundary:
            raise InputError("the multipart body has no boundary in its Content-Type")
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            parser = MultipartParser(boundary, callbacks)
            async for chunk in request.stream():
                parser.write(chunk)
                # Disk writes happen off the event loop, one received chunk at a time.
                await run_in_threadpool(self._flush)
            parser.finalize()
        except _TooLarge as exc:
            self.discard()
            raise HTTPException(413, f"{exc.message}; nothing was added") from None
        except FormParserError as exc:
            self.discard()
            raise InputError(f"the multipart body is malformed: {exc}") from None
        except BaseException:
            self.discard()
            raise
        finally:
            self._close()
        if not self._ended:
            self.discard()
            raise InputError("the multipart body ended before its closing boundary")
        if not self.form.files:
            raise InputError("no files in the upload; send one or more in the `files` field")
        return self.form

    def discard(self) -> None:
        """Remove every temporary file this upload wrote."""
        self._close()
        for received in self.form.files:
            received.path.unlink(missing_ok=True)

    def _close(self) -> None:
        for handle in self._handles:
            handle.close()
        self._handles.clear()

    def _flush(self) -> None:
        for handle, data in self._writes:
            handle.write(data)
        self._writes.clear()

    def _on_part_begin(self) -> None:
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._part.headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def _on_headers_finished(self) -> None:
        part = self._part
        disposition = part.headers.get(b"content-disposition", b"")
        _, options = parse_options_header(disposition.decode("latin-1"))
        if b"name" not in options:
            raise InputError('every part of the upload needs a Content-Disposition "name"')
        part.field_name = options[b"name"].decode("utf-8", "replace")
        if b"filename" not in options:
            if part.field_name not in self.allowed_fields:
                allowed = ", ".join(self.allowed_fields)
                raise InputError(
                    f"unknown form field {part.field_name!r}; send files, and optionally {allowed}"
                )
            return
        raw_name = options[b"filename"].decode("utf-8", "replace")
        if not raw_name:
            part.skip = True
            return
        if len(self.form.files) >= MAX_FILES:
            raise InputError(f"at most {MAX_FILES} files per upload; send the rest in another")
        part.file_name = display_name(raw_name)
        # The temporary name is generated; only a known-safe suffix survives from the client's.
        path = self.folder / ProjectFolder.new_name(PurePath(part.file_name).suffix)
        part.handle = path.open("xb")
        self._handles.append(part.handle)
        self.form.files.append(Received(name=part.file_name, path=path))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        if part.skip:
            return
        part.size += end - start
        if part.handle is None:
            if part.size > MAX_FIELD_BYTES:
                raise InputError(f"form field {part.field_name!r} is over {MAX_FIELD_BYTES} bytes")
            part.data += data[start:end]
            return
        self._total += end - start
        if part.size > self.max_file_bytes:
            raise _TooLarge(
                f"{part.file_name or 'a file'} is larger than this server's limit of "
                f"{megabytes(self.max_file_bytes)} per file (the server's max file size "
                "setting raises it)"
            )
        if self._total > self.max_total_bytes:
            raise _TooLarge(
                f"the files of this upload come to more than this server's limit of "
                f"{megabytes(self.max_total_bytes)} per upload; send them in several uploads"
            )
        self._writes.append((part.handle, data[start:end]))

    def _on_part_end(self) -> None:
        part = self._part
        if part.handle is None and not part.skip:
            try:
                self.form.fields[part.field_name] = part.data.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"form field {part.field_name!r} is not UTF-8 text") from None

    def _on_end(self) -> None:
        self._ended = True
