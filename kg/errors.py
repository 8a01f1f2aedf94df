"""Domain errors: every failure a user can cause is a `KgError` with a one-line message."""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """A problem the user can fix; `str(err)` is the one-line message the CLI prints."""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class InputError(KgError):
    """An input page (or path naming pages) cannot be read as a Daily Papers page."""


class UnknownFormatError(InputError):
    """A file's content is none of the formats kg reads (a file found in a folder is then skipped)."""


class ConfigError(KgError):
    """A user-supplied option or curation file is malformed."""


class UsageError(KgError):
    """Options that cannot work as given (a malformed value, a missing or repeated one): the
    CLI exits 2 for it, as for options it rejects itself, and 3 for every other `KgError`."""


class QueryError(KgError):
    """A SPARQL query is unknown, malformed or cannot run on the data."""


class QuerySyntaxError(QueryError, UsageError):
    """The SPARQL text does not parse; the message carries line and column."""


class UnknownQueryError(QueryError, UsageError):
    """A bundled query name that does not exist."""


class QueryUsageError(QueryError, UsageError):
    """Options that do not fit the query: a repeated or unknown `--param`, a wrong `--format`."""
