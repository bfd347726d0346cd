"""docs/reliability.md is rendered from the cases the tests run; it must match them."""

from __future__ import annotations

import os

from tests.integration import test_hostile_input, test_hostile_surface
from tests.reliability import HOSTILE_CASES, SURFACE_CASES, render
from tests.support import REPO

REPORT = REPO / "docs" / "reliability.md"


def test_the_reliability_report_lists_exactly_the_cases_the_tests_run() -> None:
    expected = render()
    if os.environ.get("DEMOGRAFIE_WRITE_RELIABILITY") == "1":
        REPORT.write_text(expected, encoding="utf-8")
    assert REPORT.read_text(encoding="utf-8") == expected, (
        "docs/reliability.md is out of date: run DEMOGRAFIE_WRITE_RELIABILITY=1 make pytest"
    )


def test_every_hostile_case_names_a_test_that_exists() -> None:
    missing = [c.test for c in HOSTILE_CASES if not callable(getattr(test_hostile_input, c.test, None))]
    assert missing == []


def test_every_surface_case_names_a_test_that_exists() -> None:
    missing = [c.test for c in SURFACE_CASES if not callable(getattr(test_hostile_surface, c.test, None))]
    assert missing == []
