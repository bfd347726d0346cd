"""Every parser on mutated real samples: it returns a valid table or raises ParseError, never
another exception; and a mutated number is either read exactly or rejected.

Examples are derandomised so CI is repeatable; HYPOTHESIS_PROFILE=fuzz runs ten times as many,
drawn at random (see conftest)."""

from __future__ import annotations

import math
import re

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import FlatFile
from demografie.transforms.formats import parse
from tests.reliability import FUZZ_TARGETS, FuzzTarget
from tests.support import FUZZ_FACTOR, sample_path

WHERE = "fuzz: table X"
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def valid(flat: FlatFile) -> None:
    """What every parse result promises the normaliser."""
    table = flat.table
    assert {"value", "status", "line"} <= set(table.column_names)
    values = table.column("value").to_pylist()
    statuses = table.column("status").to_pylist()
    for value, status in zip(values, statuses, strict=True):
        assert (value is None) == (status is not None), (value, status)
        assert value is None or math.isfinite(value)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """Up to four byte-level edits: flip, delete, insert, duplicate a span, cut the end."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not out:
            break
        at = draw(st.integers(0, len(out) - 1))
        edit = draw(st.sampled_from(["flip", "delete", "insert", "duplicate", "cut"]))
        if edit == "flip":
            out[at] = draw(st.integers(0, 255))
        elif edit == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        elif edit == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16) | st.sampled_from([b";", b"\n", b'"', b",", b"-"]))
        elif edit == "duplicate":
            out[at:at] = out[at : at + draw(st.integers(1, 200))]
        else:
            del out[at:]
    return bytes(out)


@pytest.mark.parametrize("target", FUZZ_TARGETS, ids=[t.name for t in FUZZ_TARGETS])
def test_mutated_bytes_give_a_valid_table_or_a_parse_error(target: FuzzTarget) -> None:
    data = sample_path(target.sample).read_bytes()

    @settings(max_examples=target.examples * FUZZ_FACTOR, suppress_health_check=SLOW)
    @given(mutated(data))
    def check(candidate: bytes) -> None:
        try:
            flat = parse(candidate, WHERE, target.decimal)
        except ParseError as exc:
            assert str(exc).startswith(WHERE)
            return
        valid(flat)

    check()


# An oracle of our own, independent of the parser: GENESIS writes plain numbers, German decimal
# comma, no thousands separator, and these symbols instead of a number. A count (the sample's
# unit is Anzahl) is whole: one with exactly three decimals is a thousands separator and refused.
SYMBOL_TEXTS = ("-", ".", "...", "/", "x", "()")
INTEGER = re.compile(r"-?[0-9]+")
DECIMAL = re.compile(r"-?[0-9]+,[0-9]+")
THOUSANDS = re.compile(r"-?[0-9]{1,3},[0-9]{3}")
VALUE_TEXT = st.one_of(
    st.sampled_from(SYMBOL_TEXTS),
    st.from_regex(r"-?[0-9]{1,15}(,[0-9]{1,6})?", fullmatch=True),
    st.text(alphabet="0123456789,.-+ eEx/()", min_size=0, max_size=12),
)


def expected(text: str) -> float | str | None:
    """The number, the symbol, or None for "must be rejected"."""
    if text in SYMBOL_TEXTS:
        return text
    if THOUSANDS.fullmatch(text):
        return None
    if INTEGER.fullmatch(text) or DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return None


def test_a_mutated_value_is_read_exactly_or_rejected() -> None:
    lines = sample_path("regio_v5_ffcsv_12411-01-01-4_de.csv").read_bytes().decode("utf-8").split("\n")
    value_at = lines[0].split(";").index("value")

    @settings(max_examples=300 * FUZZ_FACTOR, suppress_health_check=SLOW)
    @given(st.integers(1, len(lines) - 2), VALUE_TEXT)
    def check(row: int, text: str) -> None:
        fields = lines[row].split(";")
        fields[value_at] = text
        edited = [*lines[:row], ";".join(fields), *lines[row + 1 :]]
        want = expected(text)
        try:
            flat = parse("\n".join(edited).encode("utf-8"), WHERE, ",")
        except ParseError as exc:
            assert want is None, f"{text!r} was rejected: {exc}"
            return
        assert want is not None, f"{text!r} was accepted"
        found = flat.table.filter(pc.equal(flat.table.column("line"), pa.scalar(row + 1, pa.int64())))
        value, status = found.column("value")[0].as_py(), found.column("status")[0].as_py()
        assert (value, status) == ((None, want) if isinstance(want, str) else (want, None))

    check()
