"""Getting a whole table, however large: the dialog request, the background job, or split requests.

Status 98 means the table is too large for a dialog request. With username and password the
publisher builds it as a background job (`job=true` -> 99 -> `catalogue/results` answers 104
until it is done -> `data/resultfile`), whose result is then removed from the account's finite
result store (`profile/removeResult`). Where jobs are not allowed (a token, a guest), the job
cannot be created, or the table is too large even for a job (status 18054), the request is split:
first by years, then by state. Every part is a byte-exact answer of its own; the caller lands each
one and the parser reads them as one table.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from demografie.laender import DEFAULT_STATES
from demografie.settings import Settings
from demografie.sources import errors
from demografie.sources.genesis import Download, GenesisClient, TableRequest
from demografie.tuning import default

log = logging.getLogger(__name__)
# The name of a job's result: "<table>_<digits>" (12531-0043_175879554)
JOB_RESULT = re.compile(r"^\S+_\d+$")


class JobTimeoutError(errors.SourceError):
    """The publisher did not finish the background job in time. Not retried at once: the wait was
    already as long as we allow; the next run asks again."""


@dataclass(frozen=True)
class JobPolicy:
    """How long to wait for a background job. pystatis polls every 5 s for up to 50 min."""

    poll_seconds: float = default("DEMOGRAFIE_JOB_POLL_SECONDS")
    timeout_seconds: float = default("DEMOGRAFIE_JOB_TIMEOUT_SECONDS")
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_settings(cls, settings: Settings) -> JobPolicy:
        return cls(
            poll_seconds=settings.tuned("DEMOGRAFIE_JOB_POLL_SECONDS"),
            timeout_seconds=settings.tuned("DEMOGRAFIE_JOB_TIMEOUT_SECONDS"),
        )


class Route(StrEnum):
    """How a table's answer was obtained."""

    DIALOG = "dialog"  # one request answered at once
    JOB = "job"  # a background job, polled and collected
    SPLIT = "split"  # the request cut by years or states, the parts answered at once
    CACHE = "cache"  # already landed for this request and vintage: not asked again
    DOWNLOAD = "download"  # a web download without login
    FILE = "file"  # a file a person saved


@dataclass(frozen=True)
class Fetched:
    """The answers that together make up the table asked for, and how they were obtained."""

    parts: list[Download]
    route: Route


@dataclass
class TableFetcher:
    client: GenesisClient
    states: Sequence[str] = DEFAULT_STATES
    jobs: JobPolicy = field(default_factory=JobPolicy)

    def fetch(self, request: TableRequest) -> Fetched:
        """The table in one dialog answer, else as a job, else in parts."""
        job = self.client.jobs_allowed
        try:
            return Fetched([self.client.tablefile(request)], Route.DIALOG)
        except errors.TooLargeForJobError:
            log.info("%s: too large even for a background job; splitting the request", request.name)
            job = False
        except errors.TableTooLargeError:
            log.info("%s: too large for a dialog request", request.name)
        if job:
            try:
                return Fetched([self.run_job(request)], Route.JOB)
            except errors.StatusError as exc:
                log.warning("%s: no background job (%s); splitting the request instead", request.name, exc)
        parts = self.split(request)
        if not parts:
            raise errors.NoObjectsError(
                self.client.publisher.key, request.name, 104, "no part of the split request has data", "no data"
            )
        return Fetched(parts, Route.SPLIT)

    def run_job(self, request: TableRequest) -> Download:
        job = self._start_job(request)
        log.info("%s: background job %s created", request.name, job)
        deadline = self.jobs.clock() + self.jobs.timeout_seconds
        while not self.client.job_ready(job, request.name):
            if self.jobs.clock() >= deadline:
                raise JobTimeoutError(
                    self.client.publisher.key,
                    request.name,
                    f"background job {job} not finished after {self.jobs.timeout_seconds:.0f} s; "
                    "the next run starts a new one",
                )
            self.jobs.sleep(self.jobs.poll_seconds)
        result = self.client.resultfile(job, request)
        self._remove(job, request.name)
        return result

    def _start_job(self, request: TableRequest) -> str:
        """Start the job; when the account's result store is full, remove the finished results
        of earlier jobs (our own, left by a run that died before collecting them) and try once more."""
        try:
            return self.client.start_job(request)
        except errors.ResultStoreFullError as exc:
            log.warning("%s: %s; removing the finished job results of the account", request.name, exc.content)
        for result in self.client.results("*", request.name):
            if JOB_RESULT.match(result):
                self._remove(result, request.name)
        return self.client.start_job(request)

    def _remove(self, job: str, table: str) -> None:
        try:
            self.client.remove_result(job, table)
        except errors.SourceError as exc:
            # the table is here; a result left behind only fills the store, which the next job cleans
            log.warning("%s: job result %s not removed from the account: %s", table, job, exc)

    def split(self, request: TableRequest) -> list[Download]:
        """Halve the years until each part fits; a single year too large is asked for per state."""
        if request.startyear < request.endyear:
            middle = (request.startyear + request.endyear) // 2
            halves = (replace(request, endyear=middle), replace(request, startyear=middle + 1))
            return [part for half in halves for part in self._dialog_or_split(half)]
        if not request.regionalkey:
            parts = [replace(request, regionalkey=f"{state}*") for state in self.states]
            return [part for state_part in parts for part in self._dialog_or_split(state_part)]
        raise errors.TableTooLargeError(
            self.client.publisher.key,
            request.name,
            98,
            f"year {request.startyear}, regions {request.regionalkey}",
            "too large even for one year and one state, and no background job is possible",
        )

    def _dialog_or_split(self, request: TableRequest) -> list[Download]:
        try:
            return [self.client.tablefile(request)]
        except (errors.NoObjectsError, errors.TableNotFoundError):
            # a part without data (years before the table starts: 104, which on data/tablefile also
            # means an unknown table; this one answered 98 before) is not an error
            return []
        except errors.TableTooLargeError:
            return self.split(request)
