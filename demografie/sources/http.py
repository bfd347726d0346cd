"""HTTP with bounded retries: what every publisher route shares.

A failure that may pass (HTTP 429/5xx honouring Retry-After, timeouts, resets, a connection
dropped mid-body, an answer slower than the deadline, an empty body, an HTML page where data was
expected) is retried with exponential backoff and jitter; anything else fails at once. Routes add
their own transient signals through `inspect` (GENESIS: status 6).

Redirects are followed by hand, and only to the same host or to a host the publisher is declared
to answer from (`hosts` in publishers.toml, `<PREFIX>_HOSTS`), never from https to http: the
credentials travel in headers, which `requests` would re-send to any host a redirect names.
Destatis moved to genesis.destatis.de in 2026; its old host answers every POST with a 307 there.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from demografie.settings import Settings
from demografie.sources import errors
from demografie.tuning import MAX_UNPACKED_BYTES, default

log = logging.getLogger(__name__)

RETRYABLE_HTTP = frozenset({429, 500, 502, 503, 504})
TLS_UNTRUSTED = (
    "TLS verification failed: the server's certificate is not trusted (verification stays on; if a proxy "
    "re-signs traffic, point REQUESTS_CA_BUNDLE at its CA bundle)"
)
CONNECT_TIMEOUT_SECONDS = 30.0
MAX_REDIRECTS = 5
CHUNK_BYTES = 1 << 16
# An answer must arrive at this rate, averaged over STALL_READ_TIMEOUTS read timeouts: each byte of
# a trickle resets the read timeout, and the deadline alone would hold a table for half an hour
MIN_BYTES_PER_SECOND = 1024
STALL_READ_TIMEOUTS = 3


def timeouts(settings: Settings) -> tuple[float, float]:
    """(connect, read) seconds; `DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS` tunes how long an answer may
    stall before the request counts as timed out (and is retried)."""
    return (CONNECT_TIMEOUT_SECONDS, settings.tuned("DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS"))


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = int(default("DEMOGRAFIE_HTTP_ATTEMPTS"))
    backoff_seconds: float = default("DEMOGRAFIE_HTTP_BACKOFF_SECONDS")
    max_backoff_seconds: float = 60.0
    # how long one attempt may take from the request to the last byte
    deadline_seconds: float = default("DEMOGRAFIE_HTTP_DEADLINE_SECONDS")
    sleep: Callable[[float], None] = time.sleep
    # the most one answer may decode to (a gzip Content-Encoding inflates like a zip member)
    max_body_bytes: int = int(default(MAX_UNPACKED_BYTES))

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            attempts=int(settings.tuned("DEMOGRAFIE_HTTP_ATTEMPTS")),
            backoff_seconds=settings.tuned("DEMOGRAFIE_HTTP_BACKOFF_SECONDS"),
            deadline_seconds=settings.tuned("DEMOGRAFIE_HTTP_DEADLINE_SECONDS"),
            max_body_bytes=int(settings.tuned(MAX_UNPACKED_BYTES)),
        )

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff_seconds)
        base = self.backoff_seconds * 2 ** (attempt - 1)
        return float(min(base * random.uniform(0.75, 1.25), self.max_backoff_seconds))


@dataclass(frozen=True)
class Hosts:
    """Where a publisher may redirect a request that carries credentials: the hosts it is declared
    to answer from, the base address configured for it, and the variable that sets that address
    (named in the message when a redirect goes elsewhere)."""

    allowed: frozenset[str] = frozenset()  # "host" or "host:port"
    base_url: str = ""
    url_variable: str = ""

    def allows(self, here: str, there: str) -> bool:
        a, b = urlsplit(here), urlsplit(there)
        if (a.scheme, a.netloc) == (b.scheme, b.netloc):
            return True
        downgrade = a.scheme == "https" and b.scheme != "https"
        return not downgrade and (b.netloc in self.allowed or (b.port is None and b.hostname in self.allowed))

    def moved_to(self, url: str, target: str) -> str:
        """The base address the publisher points at: `target` less the endpoint asked for."""
        endpoint = url.removeprefix(self.base_url) if self.base_url and url.startswith(self.base_url) else ""
        return target.removesuffix(endpoint) if endpoint and target.endswith(endpoint) else target


@dataclass
class Transport:
    publisher: str
    session: requests.Session = field(default_factory=requests.Session)
    timeout: tuple[float, float] = (30.0, 300.0)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    hosts: Hosts = field(default_factory=Hosts)

    def send(
        self,
        method: str,
        url: str,
        table: str,
        *,
        data: Mapping[str, str] | bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        inspect: Callable[[requests.Response], None] | None = None,
    ) -> requests.Response:
        """One request, retried while the failure may pass; the final error says how often.
        `inspect` sees every answer, an HTTP error's too, before it counts as one: a publisher may
        explain a 404 in its body (GENESIS: wrong credentials)."""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return self._attempt(method, url, table, Request(data, params, headers, inspect))
            except errors.TransientSourceError as exc:
                if attempt == self.retry.attempts:
                    raise errors.TransientSourceError(
                        exc.publisher, exc.table, f"{exc.cause} (gave up after {attempt} attempts)"
                    ) from exc
                pause = self.retry.delay(attempt, exc.retry_after)
                log.warning("%s; retrying in %.1f s (attempt %d)", exc, pause, attempt + 1)
                self.retry.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, method: str, url: str, table: str, request: Request) -> requests.Response:
        key = self.publisher
        started = time.monotonic()
        response = self._request(method, url, table, request)
        for _ in range(MAX_REDIRECTS):
            if not response.is_redirect:
                break
            url = self._redirect_target(url, response, table)
            response.close()
            response = self._request(method, url, table, request)
        else:
            if response.is_redirect:
                raise errors.UnexpectedResponseError(
                    key,
                    table,
                    f"more than {MAX_REDIRECTS} redirects (a redirect loop?), the last to "
                    f"{response.headers.get('Location', '?')}",
                )
        self._read_body(response, table, started)
        if request.inspect is not None:
            request.inspect(response)
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

    def _request(self, method: str, url: str, table: str, request: Request) -> requests.Response:
        key = self.publisher
        try:
            return self.session.request(
                method,
                url,
                data=request.data,
                params=request.params,
                headers=request.headers,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.exceptions.SSLError:
            # Verification stays on; a retry cannot help, a CA bundle can.
            raise errors.SourceError(key, table, TLS_UNTRUSTED) from None
        except requests.RequestException as exc:
            raise errors.TransientSourceError(key, table, _cause(exc)) from None

    def _redirect_target(self, url: str, response: requests.Response, table: str) -> str:
        target = urljoin(url, response.headers.get("Location", ""))
        moved = self.hosts.moved_to(url, target)
        variable = self.hosts.url_variable or "the publisher's address"
        if not self.hosts.allows(url, target):
            raise errors.RedirectRefusedError(
                self.publisher,
                table,
                f"HTTP {response.status_code}: redirected to {target}, a host it is not declared to answer from; "
                f"not following it with the credentials. If the publisher moved there, set {variable}={moved}",
            )
        if urlsplit(url).netloc != urlsplit(target).netloc:
            log.warning(
                "%s: %s redirects to %s; set %s=%s to save the detour",
                self.publisher,
                urlsplit(url).netloc,
                urlsplit(target).netloc,
                variable,
                moved,
            )
        return target

    def _read_body(self, response: requests.Response, table: str, started: float) -> None:
        """Read the streamed body as it arrives (`read1`: whatever the socket has), within the
        attempt's deadline, at a minimum rate and up to the largest answer we take."""
        chunks: list[bytes] = []
        pace = _Pace(STALL_READ_TIMEOUTS * self.timeout[1], time.monotonic())
        try:
            while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
                chunks.append(chunk)
                pace.received += len(chunk)
                self._check_progress(pace, started, table)
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            raise errors.TransientSourceError(self.publisher, table, _cause(exc)) from None
        finally:
            response.close()
        response._content = b"".join(chunks)  # what response.content returns from now on

    def _check_progress(self, pace: _Pace, started: float, table: str) -> None:
        now = time.monotonic()
        if pace.received > self.retry.max_body_bytes:
            raise errors.UnexpectedResponseError(
                self.publisher,
                table,
                f"the answer decodes to more than {self.retry.max_body_bytes:,} bytes (a compression bomb?); "
                "not read further (DEMOGRAFIE_MAX_UNPACKED_BYTES)",
            )
        if now - started > self.retry.deadline_seconds:
            raise errors.TransientSourceError(
                self.publisher,
                table,
                f"the answer took longer than {self.retry.deadline_seconds:.0f} s (received {pace.received} bytes; "
                "DEMOGRAFIE_HTTP_DEADLINE_SECONDS)",
            )
        if (slow := pace.too_slow(now)) is not None:
            raise errors.TransientSourceError(
                self.publisher,
                table,
                f"the answer trickles in: {slow[0]} bytes in {slow[1]:.1f} s, below {MIN_BYTES_PER_SECOND} bytes/s "
                "(a stalled transfer)",
            )


@dataclass
class _Pace:
    """The bytes received, and whether the last window of `window` seconds brought too few."""

    window: float
    window_start: float
    received: int = 0
    at_window_start: int = 0

    def too_slow(self, now: float) -> tuple[int, float] | None:
        elapsed = now - self.window_start
        if elapsed < self.window:
            return None
        brought = self.received - self.at_window_start
        if brought < MIN_BYTES_PER_SECOND * elapsed:
            return brought, elapsed
        self.window_start, self.at_window_start = now, self.received
        return None


@dataclass(frozen=True)
class Request:
    """What one request sends, and who looks at its answer first."""

    data: Mapping[str, str] | bytes | None
    params: Mapping[str, str] | None
    headers: Mapping[str, str] | None
    inspect: Callable[[requests.Response], None] | None


def _cause(exc: Exception) -> str:
    """A readable cause for a failed request (never urllib3's text, which may quote the request)."""
    if isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError):
        return f"timeout: {type(exc).__name__}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | urllib3.exceptions.ProtocolError):
        return "the connection dropped in the middle of the answer"
    if isinstance(exc, requests.exceptions.ContentDecodingError | urllib3.exceptions.DecodeError):
        return "the answer could not be decoded (its compression is broken)"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed: {type(exc).__name__}"
    return f"the request failed: {type(exc).__name__}"


def is_html(response: requests.Response) -> bool:
    if "html" in response.headers.get("Content-Type", ""):
        return True
    head = response.content[:200].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None
