"""The complexity gate as radon counts it (each boolean operator and comprehension a branch, which
ruff's mccabe check does not see): no function or method of the package above grade C (20)."""

from __future__ import annotations

from radon.complexity import cc_rank, cc_visit

from tests.support import REPO

LIMIT = 20  # radon's grade C ends here; D and worse are split


def test_no_block_of_the_package_is_above_grade_c() -> None:
    above = sorted(
        f"{path.relative_to(REPO)}:{block.lineno} {block.fullname} {cc_rank(block.complexity)} ({block.complexity})"
        for path in (REPO / "demografie").rglob("*.py")
        for block in cc_visit(path.read_text("utf-8"))
        if block.complexity > LIMIT
    )
    assert above == []
