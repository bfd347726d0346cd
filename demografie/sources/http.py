"""HTTP with bounded retries: what every publisher route shares.

A failure that may pass (HTTP 429/5xx honouring Retry-After, timeouts, resets, an empty body, an
HTML page where data was expected) is retried with exponential backoff and jitter; anything else
fails at once. Routes add their own transient signals through `inspect` (GENESIS: status 6).
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import requests

from demografie.sources import errors

log = logging.getLogger(__name__)

RETRYABLE_HTTP = frozenset({429, 500, 502, 503, 504})
TLS_UNTRUSTED = (
    "TLS verification failed: the server's certificate is not trusted (verification stays on; if a proxy "
    "re-signs traffic, point REQUESTS_CA_BUNDLE at its CA bundle)"
)
CONNECT_TIMEOUT_SECONDS = 30.0
READ_TIMEOUT_SECONDS = 300.0  # a large flat file streams for minutes


def timeout_from_env() -> tuple[float, float]:
    """(connect, read) seconds; `DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS` tunes how long an answer may
    stall before the request counts as timed out (and is retried)."""
    read = float(os.environ.get("DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS", READ_TIMEOUT_SECONDS))
    return (CONNECT_TIMEOUT_SECONDS, read)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_env(cls) -> RetryPolicy:
        """`DEMOGRAFIE_HTTP_ATTEMPTS` and `DEMOGRAFIE_HTTP_BACKOFF_SECONDS` tune the defaults."""
        return cls(
            attempts=int(os.environ.get("DEMOGRAFIE_HTTP_ATTEMPTS", cls.attempts)),
            backoff_seconds=float(os.environ.get("DEMOGRAFIE_HTTP_BACKOFF_SECONDS", cls.backoff_seconds)),
        )

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff_seconds)
        base = self.backoff_seconds * 2 ** (attempt - 1)
        return float(min(base * random.uniform(0.75, 1.25), self.max_backoff_seconds))


@dataclass
class Transport:
    publisher: str
    session: requests.Session = field(default_factory=requests.Session)
    timeout: tuple[float, float] = (30.0, 300.0)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def send(
        self,
        method: str,
        url: str,
        table: str,
        *,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        inspect: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        """One request, retried while the failure may pass; the final error says how often."""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                response = self._attempt(method, url, table, data, params, headers)
                if inspect is not None:
                    inspect(response)
                return response
            except errors.TransientSourceError as exc:
                if attempt == self.retry.attempts:
                    raise errors.TransientSourceError(
                        exc.publisher, exc.table, f"{exc.cause} (gave up after {attempt} attempts)"
                    ) from exc
                pause = self.retry.delay(attempt, exc.retry_after)
                log.warning("%s; retrying in %.1f s (attempt %d)", exc, pause, attempt + 1)
                self.retry.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self,
        method: str,
        url: str,
        table: str,
        data: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> requests.Response:
        key = self.publisher
        try:
            response = self.session.request(
                method, url, data=data, params=params, headers=headers, timeout=self.timeout
            )
        except requests.exceptions.SSLError:
            # Verification stays on; a retry cannot help, a CA bundle can.
            raise errors.SourceError(key, table, TLS_UNTRUSTED) from None
        except requests.Timeout as exc:
            raise errors.TransientSourceError(key, table, f"timeout: {type(exc).__name__}") from None
        except requests.ConnectionError as exc:
            raise errors.TransientSourceError(key, table, f"connection failed: {type(exc).__name__}") from None
        if response.status_code in RETRYABLE_HTTP:
            raise errors.TransientSourceError(
                key, table, f"HTTP {response.status_code}", retry_after=_retry_after(response)
            )
        if response.status_code >= 400:
            raise errors.UnexpectedResponseError(key, table, f"HTTP {response.status_code}")
        if not response.content:
            raise errors.TransientSourceError(key, table, f"empty body (HTTP {response.status_code})")
        if is_html(response):
            raise errors.TransientSourceError(
                key, table, "an HTML page where data was expected (web page or outage notice)"
            )
        return response


def is_html(response: requests.Response) -> bool:
    if "html" in response.headers.get("Content-Type", ""):
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None
