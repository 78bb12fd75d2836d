"""Code-aware recursive splitting that prefers definition boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from easy_dataset.chunking._common import make_drafts
from easy_dataset.chunking.recursive import Level, merge_pieces, split_pieces, trimmed
from easy_dataset.markdown_headings import HeadingIndex
from easy_dataset.types import ChunkDraft, ChunkSettings

# Every language ends with the same fallbacks: blank lines, lines, words, characters.
_TAIL = (r"\n\n", r"\n", r" ", "")
_GENERIC = (r"\n\n\n", r"\n\n", r"\n(?=\S)", r"\n", r" ", "")

_C_COMMENT = r"[ \t]*(?://|/\*|\*)"
_JS_DECL = (
    r"(?:export[ \t]+(?:default[ \t]+)?)?(?:declare[ \t]+)?(?:abstract[ \t]+)?(?:async[ \t]+)?"
    r"(?:function\b|class\b|const\b|let\b|var\b|interface\b|type\b|enum\b|namespace\b)"
)
_JS_MEMBER = (
    r"[ \t]+(?:(?:public|private|protected|static|async|readonly|override|get|set)[ \t]+)*"
    r"[A-Za-z_$#][\w$]*[ \t]*(?:<[^>\n]*>)?\([^)\n]*\)[ \t]*(?::[^{\n]*)?\{"
)
_JVM_MODIFIERS = (
    r"(?:public|protected|private|internal|static|final|abstract|sealed|partial|synchronized"
    r"|native|default|override|virtual|async|unsafe|extern|readonly|new)"
)


@dataclass(frozen=True)
class CodeLanguage:
    """Separator levels for one language, coarsest first, and the lines glued to what follows."""

    levels: tuple[str, ...]
    sticky: str | None = None


LANGUAGES: dict[str, CodeLanguage] = {
    "python": CodeLanguage(
        (
            r"\n(?=(?:async[ \t]+)?(?:def|class)[ \t])",
            r"\n(?=[ \t]+(?:async[ \t]+)?(?:def|class)[ \t])",
            r"\n(?=[ \t]*(?:if|for|while|with|try|match)\b)",
            *_TAIL,
        ),
        r"[ \t]*[@#]",
    ),
    "javascript": CodeLanguage(
        (
            rf"\n(?={_JS_DECL})",
            rf"\n(?={_JS_MEMBER})",
            r"\n(?=[ \t]*(?:if|for|while|switch|try|do)\b)",
            *_TAIL,
        ),
        r"[ \t]*(?://|/\*|\*|@)",
    ),
    "java": CodeLanguage(
        (
            rf"\n(?=[ \t]*(?:{_JVM_MODIFIERS}[ \t]+)*"
            r"(?:class|interface|enum|record|@interface)[ \t])",
            rf"\n(?=[ \t]*{_JVM_MODIFIERS}[ \t]+)",
            r"\n(?=[ \t]*(?:if|for|while|switch|case|try|do)\b)",
            *_TAIL,
        ),
        r"[ \t]*(?://|/\*|\*|@)",
    ),
    "csharp": CodeLanguage(
        (
            r"\n(?=[ \t]*namespace[ \t])",
            rf"\n(?=[ \t]*(?:{_JVM_MODIFIERS}[ \t]+)*(?:class|interface|enum|record|struct)[ \t])",
            rf"\n(?=[ \t]*{_JVM_MODIFIERS}[ \t]+)",
            r"\n(?=[ \t]*(?:if|for|foreach|while|switch|case|try|do|using)\b)",
            *_TAIL,
        ),
        r"[ \t]*(?://|/\*|\*|\[)",
    ),
    "cpp": CodeLanguage(
        (
            # A line starting in column 0 with a name begins a top-level definition in C-like
            # code, while braces and bodies are indented or stand alone.
            r"\n(?=[A-Za-z_])",
            r"\n(?=[ \t]*(?:if|for|while|switch|case|do)\b)",
            *_TAIL,
        ),
        rf"{_C_COMMENT}|template\b",
    ),
    "go": CodeLanguage(
        (
            r"\n(?=(?:func|type|var|const|import)\b)",
            r"\n(?=[ \t]*(?:if|for|switch|select|case|go|defer)\b)",
            *_TAIL,
        ),
        r"[ \t]*//",
    ),
    "rust": CodeLanguage(
        (
            r"\n(?=(?:pub(?:\([^)\n]*\))?[ \t]+)?(?:async[ \t]+|const[ \t]+|unsafe[ \t]+|extern"
            r"[ \t]+(?:\"[^\"\n]*\"[ \t]+)?)*(?:fn|struct|enum|union|impl|trait|mod|static|type"
            r"|macro_rules!)\b)",
            r"\n(?=[ \t]+(?:pub(?:\([^)\n]*\))?[ \t]+)?"
            r"(?:async[ \t]+|const[ \t]+|unsafe[ \t]+)*fn\b)",
            r"\n(?=[ \t]*(?:if|for|while|loop|match|let)\b)",
            *_TAIL,
        ),
        r"[ \t]*(?://|#!?\[)",
    ),
    "ruby": CodeLanguage(
        (
            r"\n(?=(?:class|module|def)\b)",
            r"\n(?=[ \t]+(?:class|module|def)\b)",
            r"\n(?=[ \t]*(?:if|unless|while|until|for|case|begin)\b)",
            *_TAIL,
        ),
        r"[ \t]*#",
    ),
    "php": CodeLanguage(
        (
            r"\n(?=[ \t]*(?:(?:abstract|final|readonly)[ \t]+)*(?:namespace|class|interface|trait"
            r"|enum|function)\b)",
            r"\n(?=[ \t]*(?:(?:public|protected|private|static|abstract|final)[ \t]+)+function\b)",
            r"\n(?=[ \t]*(?:if|foreach|for|while|switch|case|try)\b)",
            *_TAIL,
        ),
        r"[ \t]*(?://|/\*|\*|#\[)",
    ),
    "shell": CodeLanguage(
        (
            r"\n(?=function[ \t]|[A-Za-z_][\w-]*[ \t]*\(\))",
            r"\n(?=[ \t]*(?:if|for|while|until|case)\b)",
            *_TAIL,
        ),
        r"[ \t]*#(?!!)",
    ),
    "sql": CodeLanguage(
        (
            r"(?<=;)[ \t]*\n",
            r"(?i)\n(?=[ \t]*(?:create|alter|drop|insert|update|delete|select|with|begin|grant)\b)",
            r"(?i)\n(?=[ \t]*(?:from|where|join|left|right|inner|group|order|having|union)\b)",
            *_TAIL,
        ),
        r"[ \t]*--",
    ),
    "html": CodeLanguage(
        (
            r"(?i)\n(?=[ \t]*<(?:head|body|header|footer|main|nav|section|article|aside|script"
            r"|style)\b)",
            r"(?i)\n(?=[ \t]*<(?:div|table|form|ul|ol|dl|h[1-6]|p|pre|blockquote)\b)",
            r"\n(?=[ \t]*<[A-Za-z])",
            *_TAIL,
        ),
        r"[ \t]*<!--",
    ),
    "markdown": CodeLanguage(
        (
            r"\n(?=#{1,2}[ \t])",
            r"\n(?=#{3,6}[ \t])",
            r"\n(?=(?:```|~~~))",
            r"\n(?=\*\*\*|---|___)",
            *_TAIL,
        ),
    ),
    "generic": CodeLanguage(_GENERIC),
}
LANGUAGES["typescript"] = LANGUAGES["javascript"]
LANGUAGES["c"] = LANGUAGES["cpp"]

_ALIASES = {
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "jsx": "javascript",
    "node": "javascript",
    "ts": "typescript",
    "tsx": "typescript",
    "c++": "cpp",
    "cc": "cpp",
    "cxx": "cpp",
    "h": "c",
    "hpp": "cpp",
    "cs": "csharp",
    "c#": "csharp",
    "golang": "go",
    "rs": "rust",
    "rb": "ruby",
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "md": "markdown",
    "htm": "html",
    "kotlin": "java",
    "kt": "java",
    "scala": "java",
}

_SHEBANG = re.compile(r"#![^\n]*\b(python[\d.]*|node|deno|bash|sh|zsh|ksh|ruby|php)\b")
_SHEBANG_LANGUAGE = {"node": "javascript", "deno": "typescript", "ruby": "ruby", "php": "php"}

# Distinctive lines per language; the language with the most kinds of evidence wins.
_EVIDENCE: dict[str, tuple[str, ...]] = {
    "python": (
        r"^[ \t]*(?:async[ \t]+)?def \w+\(.*\)[^:\n]*:[ \t]*$",
        r"^(?:from [\w.]+ )?import \w[\w., ]*$",
        r"^[ \t]*class \w+(?:\(.*\))?:[ \t]*$",
        r"__name__ == ['\"]__main__['\"]",
        r"^[ \t]*(?:elif|except)\b.*:[ \t]*$",
    ),
    "javascript": (
        r"^[ \t]*(?:export[ \t]+)?(?:async[ \t]+)?function\b",
        r"^[ \t]*(?:const|let|var) [\w${}\[\], ]+ = ",
        r"=>",
        r"\brequire\(['\"]",
        r"\bconsole\.log\(",
        r"^import .* from ['\"]",
    ),
    "typescript": (
        r"^[ \t]*(?:export[ \t]+)?interface \w+",
        r"^[ \t]*(?:export[ \t]+)?type \w+(?:<[^>]*>)? = ",
        r"\w[?]?: (?:string|number|boolean|void|any|unknown)\b",
    ),
    "java": (
        r"^[ \t]*public (?:final |abstract )?class \w+",
        r"^import java\.",
        r"\bSystem\.out\.print",
        r"^package [\w.]+;",
        r"^[ \t]*@Override",
    ),
    "csharp": (
        r"^using System",
        r"^[ \t]*namespace [\w.]+",
        r"\bConsole\.Write",
        r"^[ \t]*(?:public|private|internal) (?:static )?(?:async )?\w+(?:<[^>]*>)? \w+\(.*\)$",
    ),
    "cpp": (
        r"^[ \t]*#include[ \t]*[<\"]",
        r"\bstd::",
        r"^[ \t]*int main[ \t]*\(",
        r"^[ \t]*#define ",
        r"\bprintf\(",
    ),
    "go": (
        r"^package \w+[ \t]*$",
        r"^func (?:\([^)]*\) )?\w+\(",
        r"\bfmt\.",
        r"\w :=",
    ),
    "rust": (
        r"^[ \t]*(?:pub )?fn \w+",
        r"^[ \t]*impl\b",
        r"\blet mut ",
        r"^use [\w:]+",
        r"\bprintln!\(",
    ),
    "ruby": (
        r"^[ \t]*def \w+[?!]?[ \t]*(?:\(.*\))?[ \t]*$",
        r"^[ \t]*end[ \t]*$",
        r"^require ['\"]",
        r"\bputs ",
        r"\.each do\b",
    ),
    "php": (r"<\?php", r"\$\w+[ \t]*=", r"^[ \t]*(?:public )?function \w+\(", r"\becho "),
    "shell": (
        r"^[ \t]*echo ",
        r"^[ \t]*fi[ \t]*$",
        r"^[ \t]*export \w+=",
        r"^[ \t]*(?:then|do|done|esac)\b",
        r"\$\{\w+",
    ),
    "sql": (
        r"(?i)^[ \t]*select\b.*\bfrom\b",
        r"(?i)^[ \t]*create (?:table|index|view)\b",
        r"(?i)^[ \t]*insert into\b",
        r"(?i)^[ \t]*(?:where|group by|order by)\b",
    ),
    "html": (r"(?i)<!doctype html", r"(?i)<html\b", r"(?i)</(?:div|body|head|p|span|ul|li)>"),
    "markdown": (r"^#{1,6} \S", r"^[ \t]*[-*+] \S", r"^```", r"\[[^\]\n]+\]\([^)\n]+\)"),
}
_EVIDENCE_PATTERNS = {
    language: tuple(re.compile(pattern, re.MULTILINE) for pattern in patterns)
    for language, patterns in _EVIDENCE.items()
}
_SAMPLE_CHARS = 20_000


def resolve_language(name: str) -> str:
    """The canonical language key for a name or alias; unknown names fall back to generic."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in LANGUAGES else "generic"


def detect_language(text: str) -> str | None:
    """Guess the language of source text from its shebang and telltale lines, or None."""
    sample = text[:_SAMPLE_CHARS]
    shebang = _SHEBANG.match(sample)
    if shebang is not None:
        interpreter = shebang.group(1)
        return (
            "python"
            if interpreter.startswith("python")
            else _SHEBANG_LANGUAGE.get(interpreter, "shell")
        )
    best: str | None = None
    best_score = 0
    for language, patterns in _EVIDENCE_PATTERNS.items():
        score = sum(1 for pattern in patterns if pattern.search(sample) is not None)
        if language == "typescript" and score:
            # TypeScript is JavaScript plus types, so it also collects JavaScript's evidence.
            score += sum(
                1 for pattern in _EVIDENCE_PATTERNS["javascript"] if pattern.search(sample)
            )
        if score > best_score:
            best, best_score = language, score
    return best


@dataclass(frozen=True)
class _Compiled:
    levels: list[Level]
    sticky: re.Pattern[str] | None


_COMPILED: dict[str, _Compiled] = {}


def _compiled(language: str) -> _Compiled:
    compiled = _COMPILED.get(language)
    if compiled is None:
        spec = LANGUAGES[language]
        levels: list[Level] = [re.compile(level) if level else None for level in spec.levels]
        sticky = re.compile(spec.sticky) if spec.sticky else None
        compiled = _Compiled(levels, sticky)
        _COMPILED[language] = compiled
    return compiled


def chunk_code(text: str, settings: ChunkSettings) -> list[ChunkDraft]:
    """Recursive splitting with the separators of the given (or detected) language."""
    name = settings.language or detect_language(text)
    language = resolve_language(name) if name else "generic"
    compiled = _compiled(language)
    pieces = split_pieces(
        text,
        0,
        len(text),
        compiled.levels,
        settings.size,
        keep_at_start=True,
        sticky=compiled.sticky,
    )
    spans = trimmed(
        text, merge_pieces(text, pieces, settings.size, settings.overlap, by_lines=True)
    )
    # In source code "# ..." is a comment, not a heading; only Markdown has heading paths.
    index = HeadingIndex.of(text) if language == "markdown" else None
    return make_drafts(text, spans, index)
