"""One exception tree for zhiku; the CLI and HTTP layers convert it in one place.

Every error carries a bilingual message a user can act on (Chinese first, then English)
and the fields that explain it, so callers never have to parse strings::

    ZhikuError
    ├── ConfigError            bad settings, unknown option values            (HTTP 500 / exit 2)
    │   └── InvalidNameError   a knowledge base name a client sent is invalid (HTTP 400)
    ├── NotFoundError          knowledge base, document, key, entity missing  (HTTP 404 / exit 3)
    ├── AlreadyExistsError     creating something that is there               (HTTP 409 / exit 3)
    ├── IngestError            a file could not be loaded (per file)          (HTTP 422 / exit 4)
    │   ├── UnsupportedFormatError
    │   ├── FileTooLargeError
    │   │   └── ArchiveBombError   inflates past ingest.max_unzipped_mb / ratio    (HTTP 413)
    │   └── CorruptFileError
    ├── IndexMismatchError     KB built with another embedder / dimension     (HTTP 409 / exit 5)
    ├── StoreError             catalog or index backend failed                (HTTP 503 / exit 6)
    ├── ModelError             a model backend failed or is unreachable       (HTTP 502 / exit 7)
    ├── QueryError             bad question / SQL refused / bad filter        (HTTP 400 / exit 8)
    │   └── InputTooLongError  a question or message list over the limits     (HTTP 413)
    ├── PermissionDeniedError  API key lacks a grant                          (HTTP 403 / exit 9)
    └── SafetyBlockedError     the compliance filter blocked a request        (HTTP 451 / exit 10)

>>> raise NotFoundError("知识库不存在", "knowledge base not found", name="demo")
"""

from __future__ import annotations

from typing import Any


class ZhikuError(Exception):
    """Base class: ``zh`` and ``en`` messages plus structured ``fields``."""

    http_status: int = 500
    exit_code: int = 1

    def __init__(self, zh: str, en: str | None = None, **fields: Any) -> None:
        self.zh = zh
        self.en = en or zh
        self.fields = fields
        detail = ", ".join(f"{k}={v}" for k, v in fields.items())
        super().__init__(f"{zh} / {self.en}" + (f" ({detail})" if detail else ""))

    def message(self, lang: str = "zh") -> str:
        """The message in one language, with the fields appended."""
        text = self.zh if lang == "zh" else self.en
        detail = ", ".join(f"{k}={v}" for k, v in self.fields.items())
        return text + (f" ({detail})" if detail else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "message_zh": self.zh,
            "message_en": self.en,
            "fields": {k: str(v) for k, v in self.fields.items()},
        }


class ConfigError(ZhikuError):
    http_status = 500
    exit_code = 2


class InvalidNameError(ConfigError):
    """An invalid KB name: a settings error from a config file, a client error (400) over HTTP."""

    http_status = 400


class NotFoundError(ZhikuError):
    http_status = 404
    exit_code = 3


class AlreadyExistsError(ZhikuError):
    http_status = 409
    exit_code = 3


class IngestError(ZhikuError):
    http_status = 422
    exit_code = 4


class UnsupportedFormatError(IngestError):
    pass


class FileTooLargeError(IngestError):
    http_status = 413


class ArchiveBombError(FileTooLargeError):
    """A ZIP container or PDF that would inflate past the limits (a decompression bomb)."""


class CorruptFileError(IngestError):
    pass


class IndexMismatchError(ZhikuError):
    http_status = 409
    exit_code = 5


class StoreError(ZhikuError):
    http_status = 503
    exit_code = 6


class ModelError(ZhikuError):
    http_status = 502
    exit_code = 7


class QueryError(ZhikuError):
    http_status = 400
    exit_code = 8


class InputTooLongError(QueryError):
    """A question, message list or other text input over the configured limits."""

    http_status = 413


class PermissionDeniedError(ZhikuError):
    http_status = 403
    exit_code = 9


class SafetyBlockedError(ZhikuError):
    http_status = 451
    exit_code = 10


def parse_choice(value: str, choices: tuple[str, ...] | list[str], what: str) -> str:
    """Validate an option value, listing the valid ones when it is wrong."""
    if value not in choices:
        valid = ", ".join(choices)
        raise ConfigError(
            f"{what} 的取值无效：{value!r}；可选值：{valid}",
            f"invalid {what}: {value!r}; valid values: {valid}",
        )
    return value
