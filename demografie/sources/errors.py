"""Errors of the extract layer. Every message names the publisher, the table and the cause;
none ever contains a credential (a publisher text that echoes one is redacted), and a publisher's
long text is cut: its whole answer is in the raw landing zone."""

from __future__ import annotations

from demografie.errors import SourceLayerError
from demografie.redact import MAX_MESSAGE_CHARS, capped


class SourceError(SourceLayerError):
    """A publisher did not deliver what we asked for."""

    def __init__(self, publisher: str, table: str, cause: str) -> None:
        self.publisher = publisher
        self.table = table
        self.cause = capped(cause, 2 * MAX_MESSAGE_CHARS)  # room for a capped publisher text and ours
        super().__init__(f"{publisher}: table {table}: {self.cause}")


class TransientSourceError(SourceError):
    """A failure that may pass: HTTP 5xx/429, timeouts, resets, status 6, an HTML page."""

    def __init__(self, publisher: str, table: str, cause: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(publisher, table, cause)


class CredentialsMissingError(SourceError):
    """No username/password configured for a publisher that requires them."""


class LoginFailedError(SourceError):
    """The publisher rejected the credentials: never retried, never read as a missing table."""


class StatusError(SourceError):
    """The publisher answered with a GENESIS status code that is not a success."""

    def __init__(self, publisher: str, table: str, code: int, content: str, meaning: str) -> None:
        self.code = code
        self.content = capped(content)
        super().__init__(publisher, table, f"status {code} ({meaning}): {self.content}")


class NoNewerDataError(StatusError):
    """Status 50: nothing newer than the `stand` we sent."""


class TableNotFoundError(StatusError):
    """Status 90: the table does not exist."""


class NoObjectsError(StatusError):
    """Status 104: no object matches the selection (e.g. no data in the years asked for)."""


class TableTooLargeError(StatusError):
    """Status 98: the table is too large for a dialog request and needs a background job."""


class TooLargeForJobError(TableTooLargeError):
    """Status 18054: too large even for a background job (about 2.5 million values); the request is
    split by years, then by state."""


class ResultStoreFullError(StatusError):
    """The account's store of job results is full (status 2, "maximal erlaubte Anzahl"): finished
    results must be removed before another job can start."""


class PublisherStatusError(StatusError):
    """Status -1 or any code we do not know: a generic publisher-side error."""


class UnexpectedResponseError(SourceError):
    """The body is not what the protocol promises (bad zip, unknown content type, ...)."""


class RedirectRefusedError(UnexpectedResponseError):
    """The publisher redirected to a host it is not declared to answer from; the credentials were
    not sent there. The message names the target and the variable that points at it."""
