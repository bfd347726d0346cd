"""A client for the GENESIS REST 2020 protocol (Regionaldatenbank, Destatis, Zensus).

POST only, form body, credentials in the `username`/`password` headers, explicit years, bounded
retries with backoff on what may pass (HTTP 5xx/429, timeouts, resets, status 6, an HTML page
where data was expected). Returns bytes; parsing is someone else's job.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import requests

from demografie.registry import Publisher
from demografie.sources import errors
from demografie.sources.credentials import Credentials
from demografie.sources.http import RetryPolicy, Transport
from demografie.sources.publishers import redirects
from demografie.sources.status import Outcome, Status, parse_status

log = logging.getLogger(__name__)

JOB_CREATED = 99
NO_OBJECTS = 104
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"
# logincheck answers HTTP 200 with a sentence: "Sie wurden erfolgreich an- und abgemeldet!", or "Ein
# Fehler ist aufgetreten. (Bitte prüfen und korrigieren Sie Ihren Nutzernamen bzw. das Passwort.)"
LOGIN_SUCCESS_WORDS = ("erfolgreich", "successful")
LOGIN_ERROR_WORDS = ("fehler", "error", "prüfen", "nicht")
GUEST = "GAST"
# pystatis' JOB_ID_PATTERN: the name follows the colon of the status 99 text, "<table>_<digits>".
JOB_NAME = re.compile(r"(?<=:\s)\S*_\d+")


@dataclass(frozen=True)
class TableRequest:
    """The parameters of one `data/tablefile` request."""

    name: str
    startyear: int
    endyear: int
    regionalkey: str = ""
    stand: str = ""
    language: str = "de"
    job: bool = False
    format: str = "ffcsv"  # or "csv", the table CSV

    def form(self) -> dict[str, str]:
        """The form body; every parameter is sent explicitly (the defaults differ per table)."""
        return {
            "name": self.name,
            "area": "all",
            "compress": "true",
            "transpose": "false",
            "startyear": str(self.startyear),
            "endyear": str(self.endyear),
            "timeslices": "",
            "regionalvariable": "",
            "regionalkey": self.regionalkey,
            "format": self.format,
            "job": "true" if self.job else "false",
            "stand": self.stand,
            "language": self.language,
            "quality": "on",
        }


@dataclass(frozen=True)
class Download:
    """One answer of the publisher, byte-exact, with what is needed to reproduce the request."""

    publisher: str
    url: str
    params: dict[str, str]
    content: bytes
    content_type: str
    retrieved_at: datetime


@dataclass(frozen=True)
class TableMetadata:
    name: str
    title: str
    updated: datetime | None


@dataclass(frozen=True)
class FoundTable:
    """A table `find/find` answered with."""

    code: str
    title: str
    time: str  # as the publisher says it; often empty


@dataclass
class GenesisClient:
    publisher: Publisher
    credentials: Credentials | None
    session: requests.Session = field(default_factory=requests.Session)
    timeout: tuple[float, float] = (30.0, 300.0)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def jobs_allowed(self) -> bool:
        """Jobs need a registered user: not a token (empty password), not a guest."""
        return self.publisher.jobs and self.credentials is not None and bool(self.credentials.password)

    def logincheck(self) -> None:
        """Fail early and clearly when the credentials are missing or wrong. The answer is HTTP 200
        either way: a sentence in `Status` says whether it worked, and a publisher that did not
        recognise the credentials answers as its guest user (`Username` GAST)."""
        response = self._post("helloworld", "logincheck", {}, table="-")
        envelope = _json(response, self.publisher.key, "-")
        self._refuse_login(envelope)
        text = _status_text(envelope)
        refused = any(word in text.lower() for word in LOGIN_ERROR_WORDS)
        if refused or not any(word in text.lower() for word in LOGIN_SUCCESS_WORDS):
            raise errors.LoginFailedError(self.publisher.key, "-", self._credentials_hint(f"login rejected: {text}"))
        if str(envelope.get("Username", "")).upper() == GUEST:
            raise errors.LoginFailedError(
                self.publisher.key, "-", self._credentials_hint("the publisher answered as its guest user GAST")
            )

    def table_metadata(self, name: str) -> TableMetadata:
        form = {"name": name, "area": "all", "language": "de"}
        envelope = _json(self._post("metadata", "table", form, table=name), self.publisher.key, name)
        self._raise_for_status(envelope, name)
        obj = envelope.get("Object") or {}
        return TableMetadata(
            name=name,
            title=" ".join(str(obj.get("Content", "")).split()),
            updated=parse_updated(str(obj.get("Updated", ""))),
        )

    def find_tables(self, term: str, limit: int = 100) -> list[FoundTable]:
        """The publisher's full-text search over its tables (`find/find`); none found is an empty list."""
        form = {"term": term, "category": "tables", "pagelength": str(limit), "language": "de"}
        envelope = _json(self._post("find", "find", form, table="-"), self.publisher.key, "-")
        status = parse_status(envelope)
        if status is not None and status.code == 104:
            return []
        self._raise_for_status(envelope, "-", "find/find")
        return [
            FoundTable(str(t.get("Code", "")), " ".join(str(t.get("Content", "")).split()), str(t.get("Time") or ""))
            for t in envelope.get("Tables") or []
            if isinstance(t, dict) and t.get("Code")
        ]

    def tablefile(self, request: TableRequest) -> Download:
        form = request.form()
        response = self._post("data", "tablefile", form, table=request.name)
        return self._download(response, form, request.name, "data/tablefile")

    def _download(self, response: requests.Response, form: dict[str, str], table: str, endpoint: str) -> Download:
        if _looks_like_json(response):
            self._raise_for_status(_json(response, self.publisher.key, table), table, endpoint)
            raise errors.UnexpectedResponseError(self.publisher.key, table, "a status envelope but no table")
        return Download(
            publisher=self.publisher.key,
            url=response.url,
            params=form,
            content=response.content,
            content_type=response.headers.get("Content-Type", ""),
            retrieved_at=datetime.now(UTC).replace(tzinfo=None),
        )

    def start_job(self, request: TableRequest) -> str:
        """Ask for the table as a background job (status 99); returns the job's name."""
        form = replace(request, job=True).form()
        response = self._post("data", "tablefile", form, table=request.name)
        envelope = _json(response, self.publisher.key, request.name)
        status = parse_status(envelope)
        if status is None or status.code != JOB_CREATED:
            self._raise_for_status(envelope, request.name, "data/tablefile")
            raise errors.UnexpectedResponseError(self.publisher.key, request.name, "no job was created")
        match = JOB_NAME.search(status.content)
        if match is None:
            raise errors.UnexpectedResponseError(
                self.publisher.key, request.name, f"status 99 without a job name: {status.content}"
            )
        return match.group(0)

    def job_ready(self, job: str, table: str) -> bool:
        """Whether `catalogue/results` lists the job as finished (it answers 104 until then)."""
        return job in self.results(job, table)

    def results(self, selection: str, table: str) -> list[str]:
        """The names of the finished job results of the account that match `selection` (`*`: all)."""
        form = {"selection": selection, "area": "user", "pagelength": "25000", "language": "de"}
        envelope = _json(self._post("catalogue", "results", form, table=table), self.publisher.key, table)
        status = parse_status(envelope)
        if status is not None and status.code == NO_OBJECTS:
            return []
        self._raise_for_status(envelope, table)
        listed = envelope.get("List") or []
        return [str(item["Code"]) for item in listed if isinstance(item, dict) and item.get("Code")]

    def resultfile(self, job: str, request: TableRequest) -> Download:
        """The finished job's table; the original parameters go with it, named after the job."""
        form = {**request.form(), "name": job}
        response = self._post("data", "resultfile", form, table=request.name)
        return self._download(response, form, request.name, "data/resultfile")

    def remove_result(self, job: str, table: str) -> None:
        """Delete a job's result from the account's store (`profile/removeResult`): the store is
        finite, and a full one refuses every further job."""
        form = {"name": job, "area": "Meine", "language": "de"}
        envelope = _json(self._post("profile", "removeResult", form, table=table), self.publisher.key, table)
        self._raise_for_status(envelope, table)

    def _raise_for_status(self, envelope: dict[str, Any], table: str, endpoint: str = "") -> None:
        status = parse_status(envelope)
        if status is None:
            raise errors.UnexpectedResponseError(self.publisher.key, table, "no Status in answer")
        if status.is_auth_failure:
            raise self._rejected(status, table, 200)
        if status.rule.outcome is Outcome.OK:
            if status.code == 22:
                log.warning("%s: table %s: %s", self.publisher.key, table, status.content)
            return
        raise status.error(self.publisher.key, table, endpoint)

    def _post(self, service: str, method: str, form: dict[str, str], table: str) -> requests.Response:
        if self.credentials is None:
            raise errors.CredentialsMissingError(
                self.publisher.key,
                table,
                f"no credentials; set {self.publisher.env_prefix}_USERNAME and "
                f"{self.publisher.env_prefix}_PASSWORD, or {self.publisher.env_prefix}_TOKEN "
                f"(free account: {self.publisher.signup_url})",
            )
        url = f"{self.publisher.base_url}{service}/{method}"
        # the body as UTF-8, and said so: without the charset GENESIS reads it as Latin-1
        body = urlencode(form, encoding="utf-8").encode("ascii")
        return self._transport().send(
            "POST",
            url,
            table,
            data=body,
            headers={**self.credentials.headers(), "Content-Type": FORM_CONTENT_TYPE},
            inspect=lambda response: self._inspect(response, table),
        )

    def _transport(self) -> Transport:
        return Transport(self.publisher.key, self.session, self.timeout, self.retry, redirects(self.publisher))

    def _inspect(self, response: requests.Response, table: str) -> None:
        """Before an answer counts as data or as an HTTP error: a flat authentication failure (HTTP
        401, 404 or 200) is a credentials error, never a missing table; status 6 (too many
        parallel requests) may pass, and the transport retries it."""
        if not _looks_like_json(response):
            return
        try:
            envelope = _json(response, self.publisher.key, table)
        except errors.UnexpectedResponseError:
            if response.status_code >= 400:
                return  # an HTTP error with an unreadable body: the transport names the HTTP status
            raise
        status = parse_status(envelope)
        if status is None:
            return
        if status.is_auth_failure:
            raise self._rejected(status, table, response.status_code)
        if status.rule.outcome is Outcome.RETRY:
            raise errors.TransientSourceError(self.publisher.key, table, f"status {status.code}: {status.content}")

    def _refuse_login(self, envelope: dict[str, Any]) -> None:
        status = parse_status(envelope)
        if status is not None and status.is_auth_failure:
            raise self._rejected(status, "-", 200)

    def _rejected(self, status: Status, table: str, http: int) -> errors.LoginFailedError:
        return errors.LoginFailedError(
            self.publisher.key,
            table,
            self._credentials_hint(
                f"the publisher does not accept the credentials (HTTP {http}, code {status.code}: {status.content})"
            ),
        )

    def _credentials_hint(self, what: str) -> str:
        prefix = self.publisher.env_prefix
        return (
            f"{what}; check {prefix}_USERNAME and {prefix}_PASSWORD (a token: {prefix}_TOKEN, or the token as "
            f"user name with an empty password). Account: {self.publisher.signup_url}"
        )


def format_stand(vintage: datetime | None) -> str:
    """The `stand` parameter: 'tt.mm.jjjj hh:mm', or empty to ask unconditionally."""
    return f"{vintage:%d.%m.%Y %H:%M}" if vintage else ""


def parse_updated(text: str) -> datetime | None:
    """GENESIS 'Updated'/'Stand' stamps: '31.03.2025 11:18:07h', '2025-03-31 11:18:07', ..."""
    cleaned = text.strip().rstrip("h").strip()
    # German forms first; English answers write month/day/year or ISO.
    for pattern in (
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d.%m.%Y",
        "%Y-%m-%d %H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %I:%M:%S %p",
        "%Y-%m-%d",
    ):
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    return None


def _looks_like_json(response: requests.Response) -> bool:
    return "json" in response.headers.get("Content-Type", "") or response.content.lstrip()[:1] == b"{"


def _json(response: requests.Response, publisher: str, table: str) -> dict[str, Any]:
    try:
        parsed = json.loads(response.content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.UnexpectedResponseError(publisher, table, f"invalid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise errors.UnexpectedResponseError(publisher, table, "JSON answer is not an object")
    return parsed


def _status_text(envelope: dict[str, Any]) -> str:
    raw = envelope.get("Status")
    if isinstance(raw, str):  # logincheck answers with a plain sentence
        return " ".join(raw.split())
    status = parse_status(envelope)
    return status.content if status else "no status"
