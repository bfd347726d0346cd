"""GENESIS status codes and what we do with each (docs/data-sources.md, "The GENESIS REST 2020 protocol")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from demografie.sources import errors


class Outcome(StrEnum):
    OK = "ok"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True)
class Rule:
    outcome: Outcome
    meaning: str
    error: type[errors.StatusError] = errors.PublisherStatusError


RULES: dict[int, Rule] = {
    0: Rule(Outcome.OK, "success"),
    22: Rule(Outcome.OK, "success with adjusted parameters"),
    6: Rule(Outcome.RETRY, "too many parallel requests"),
    50: Rule(Outcome.FAIL, "nothing newer than the vintage we hold", errors.NoNewerDataError),
    90: Rule(Outcome.FAIL, "table does not exist", errors.TableNotFoundError),
    98: Rule(Outcome.FAIL, "table too large for a dialog request; needs a background job", errors.TableTooLargeError),
    99: Rule(Outcome.OK, "background job created"),
    104: Rule(Outcome.FAIL, "no object matches the selection", errors.NoObjectsError),
    18054: Rule(
        Outcome.FAIL, "table too large even for a background job; split by years and states", errors.TooLargeForJobError
    ),
    -1: Rule(Outcome.FAIL, "publisher error"),
}
# What a status means on `data/tablefile`: an unknown table is 104 there since 2026 (Destatis; the
# documentation still says 90), where on `catalogue/results` 104 means a job is not ready yet.
TABLEFILE_RULES: dict[int, Rule] = {
    104: Rule(
        Outcome.FAIL, "no such table at this publisher, or no figures in the years asked", errors.TableNotFoundError
    ),
}
# The account's result store is full: starting a job answers status 2 with this text.
RESULT_STORE_FULL = "maximal erlaubte Anzahl"
# Authentication failures come as a flat body {"Code", "Content", "Type"}, without the envelope,
# on HTTP 401 (15: no credentials), 404 (2: wrong ones) or even 200 (docs/data-sources.md).
AUTH_CODES = frozenset({2, 15})

UNKNOWN = Rule(Outcome.FAIL, "unknown status code")
STORE_FULL = Rule(Outcome.FAIL, "the account's store of job results is full", errors.ResultStoreFullError)


@dataclass(frozen=True)
class Status:
    code: int
    content: str
    type: str
    flat: bool = False  # a body without the envelope (authentication failures)

    @property
    def rule(self) -> Rule:
        if RESULT_STORE_FULL in self.content:
            return STORE_FULL
        return RULES.get(self.code, UNKNOWN)

    @property
    def is_auth_failure(self) -> bool:
        return self.flat and self.code in AUTH_CODES and RESULT_STORE_FULL not in self.content

    def error(self, publisher: str, table: str, endpoint: str = "") -> errors.StatusError:
        rule = TABLEFILE_RULES.get(self.code, self.rule) if endpoint == "data/tablefile" else self.rule
        return rule.error(publisher, table, self.code, self.content, rule.meaning)


def parse_status(envelope: dict[str, Any]) -> Status | None:
    """The `Status` object of a JSON envelope, or of a flat body `{"Code", "Content", "Type"}`
    (authentication failures); None if the body has neither."""
    raw = envelope.get("Status")
    flat = not isinstance(raw, dict) and "Code" in envelope
    if flat:
        raw = envelope
    if not isinstance(raw, dict) or "Code" not in raw:
        return None
    try:
        code = int(raw["Code"])
    except (TypeError, ValueError):
        return None
    return Status(code, " ".join(str(raw.get("Content", "")).split()), str(raw.get("Type", "")), flat)
