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
    -1: Rule(Outcome.FAIL, "publisher error"),
}

UNKNOWN = Rule(Outcome.FAIL, "unknown status code")


@dataclass(frozen=True)
class Status:
    code: int
    content: str
    type: str

    @property
    def rule(self) -> Rule:
        return RULES.get(self.code, UNKNOWN)

    def error(self, publisher: str, table: str) -> errors.StatusError:
        rule = self.rule
        return rule.error(publisher, table, self.code, self.content, rule.meaning)


def parse_status(envelope: dict[str, Any]) -> Status | None:
    """The `Status` object of a JSON envelope, or None if the body has none."""
    raw = envelope.get("Status")
    if not isinstance(raw, dict) or "Code" not in raw:
        return None
    try:
        code = int(raw["Code"])
    except (TypeError, ValueError):
        return None
    return Status(code, " ".join(str(raw.get("Content", "")).split()), str(raw.get("Type", "")))
