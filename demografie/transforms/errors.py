"""The one error the transforms raise for bad input (demografie.errors has the others)."""

from __future__ import annotations

from demografie.errors import TransformError


class ParseError(TransformError, ValueError):
    """The bytes are not a valid table of the expected format, or carry values we cannot map.

    The message names the table, the source and what was wrong (with a line number where one
    applies). Nothing of a table that raised this reaches the lake.
    """

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")
