"""Turn the bytes of a text file into str: BOM, then UTF-8, then a guessed legacy encoding."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import CharsetMatch, from_bytes

from easy_dataset.errors import IngestError

# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)

# The encodings people still save text in; leaving out the exotic ones keeps
# charset_normalizer from picking, say, ISO-8859-14 for plain French.
_CANDIDATES = [
    "utf_8",
    "gb18030",
    "big5",
    "big5hkscs",
    "cp932",
    "shift_jis",
    "euc_jp",
    "cp949",
    "euc_kr",
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "cp866",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp874",
]
# When several candidates read the bytes equally well, the commoner one wins; Western text
# otherwise ties between cp1250 and cp1252 and comes out with the wrong accents.
_PREFERENCE = ["cp1252", "gb18030", "big5", "cp932", "cp949", "latin_1", "iso8859_15"]

# Valid multi-byte UTF-8 sequences (RFC 3629: no overlongs, no surrogates, up to U+10FFFF).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]"
    rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    rb"|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_ASCII = bytes(range(0x80))
# Share of high bytes inside valid UTF-8 sequences above which stray bytes are an error,
# not a hint of another encoding (GBK, Big5, Shift-JIS text scores about 0.3-0.5).
_UTF8_SHARE = 0.8
_UTF8_SAMPLE = 4 * 1024 * 1024

# C0 and C1 control characters other than tab, newlines, vertical tab and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_CONTROL_SHARE = 0.05


def binary_error(filename: str) -> IngestError:
    """The refusal for bytes that are not text."""
    return IngestError(
        filename, "looks like binary data, not text; pick a text file or the right extension"
    )


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file, refusing binary data and broken UTF-8; a leading BOM is dropped."""
    text = _decode(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    check_not_binary(text, name)
    return text


def decode_with(data: bytes, codec: str) -> str | None:
    """Strictly decode with a codec, or None when the codec is unknown or does not fit."""
    try:
        return data.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


def check_not_binary(text: str, name: str) -> None:
    """Refuse decoded text that is mostly control characters (binary that happened to decode)."""
    if not text:
        return
    controls = len(_CONTROL.findall(text))
    if controls and controls / len(text) > _CONTROL_SHARE:
        raise binary_error(name)


def _decode(data: bytes, name: str) -> str:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise IngestError(
                    name,
                    f"the file starts with a {label} byte-order mark but is not valid {label} "
                    f"(byte {exc.start + len(bom)}); re-save the file as UTF-8",
                ) from exc
    if b"\x00" in data:
        text = _bomless_utf16(data)
        if text is None:
            raise binary_error(name)
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _mostly_utf8(data[:_UTF8_SAMPLE]):
            raise IngestError(
                name, f"invalid UTF-8 at byte {exc.start}; re-save the file as UTF-8"
            ) from exc
    return _guess(data, name)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NULs in every other byte; anything else with NULs is binary."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        codec = "utf-16-le"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        codec = "utf-16-be"
    else:
        return None
    return decode_with(data, codec)


def _mostly_utf8(sample: bytes) -> bool:
    high = len(sample.translate(None, _ASCII))
    if not high:
        return False
    outside = len(_UTF8_SEQUENCE.sub(b"", sample).translate(None, _ASCII))
    return (high - outside) / high >= _UTF8_SHARE


def _guess(data: bytes, name: str) -> str:
    matches = list(from_bytes(data, cp_isolation=_CANDIDATES))
    for match in _ranked(matches):
        text = decode_with(data, match.encoding)
        if text is not None:
            return text
    raise IngestError(name, "the text encoding could not be recognised; re-save the file as UTF-8")


def _ranked(matches: list[CharsetMatch]) -> list[CharsetMatch]:
    """Best match first, with near-ties settled by `_PREFERENCE`."""
    if not matches:
        return []
    best = matches[0]
    tied = [
        match
        for match in matches
        if match.chaos <= best.chaos + 1e-9 and match.coherence >= best.coherence - 0.01
    ]

    def rank(match: CharsetMatch) -> int:
        encoding = match.encoding
        return _PREFERENCE.index(encoding) if encoding in _PREFERENCE else len(_PREFERENCE)

    preferred = sorted(tied, key=rank)
    return preferred + [match for match in matches if match not in preferred]
