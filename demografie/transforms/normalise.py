"""From a parsed flat file to observations in the shared schema."""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from demografie.catalog import Dataset
from demografie.transforms.ages import AGE_VARIABLE, age_bounds
from demografie.transforms.arrays import arange
from demografie.transforms.errors import ParseError
from demografie.transforms.ffcsv import FlatFile
from demografie.transforms.harmonise import (
    ARS_AGS_PARTS,
    ARS_LENGTH,
    DIMENSION_DEFAULTS,
    DIMENSIONS,
    MONTH_VARIABLE,
    REGION_LEVELS,
    REGIONAL_VARIABLES,
    REGIONALATLAS,
    TABLE_STATISTIC,
    TIME_CODES,
    UNITS,
    ZENSUS_REGIONAL_VARIABLE,
    unit_key,
)
from demografie.transforms.schema import DIMS_TYPE, OBSERVATION_SCHEMA

# A measures key that matches the publisher's label instead of its code: the label starts with the
# key's text, `*` standing for any text (`label:Schüler*: *7. Klassenstufe`), compared without
# regard to case and runs of blanks. Labels change between vintages ("Absolventen/Abgänger",
# "Absolvierende/Abgehende") and languages; codes do not, so codes are tried first.
LABEL_KEY = "label:"


class VintageBasis(StrEnum):
    """How the vintage of a delivery is known, strongest first. The rule, in one place: a Stand the
    file prints replaces a vintage known only from a GENESIS name stamp, a modification time or the
    retrieval time (`yields_to_printed`); the publisher's own Stand and one a person gave are kept."""

    PUBLISHER = "publisher"  # the publisher said it (the API's Stand, or the lake record of it)
    GIVEN = "given"  # a person gave it (`ingest --vintage`)
    PRINTED = "printed"  # the file prints it (the footer of a table CSV, an HSL title)
    NAME_STAMP = "name-stamp"  # the epoch milliseconds in a GENESIS file name: when it was written
    MODIFIED = "modified"  # the file's modification time: when a fresh download was saved
    RETRIEVED = "retrieved"  # when we fetched a web download

    @property
    def yields_to_printed(self) -> bool:
        return self in {VintageBasis.NAME_STAMP, VintageBasis.MODIFIED, VintageBasis.RETRIEVED}


@dataclass(frozen=True)
class Provenance:
    """Who published the table, when (and how we know when), and which load of ours brought it in."""

    dataset: str
    source: str
    source_table: str
    vintage: datetime
    retrieved_at: datetime
    load_id: str
    synthetic: bool = False
    basis: VintageBasis = VintageBasis.PUBLISHER

    @classmethod
    def of(
        cls,
        dataset: Dataset,
        vintage: datetime,
        retrieved_at: datetime,
        load_id: str,
        *,
        synthetic: bool = False,
        basis: VintageBasis = VintageBasis.PUBLISHER,
    ) -> Provenance:
        """The provenance of a delivery of a catalog dataset."""
        return cls(dataset.name, dataset.source, dataset.table, vintage, retrieved_at, load_id, synthetic, basis)

    @property
    def where(self) -> str:
        return f"{self.source}: table {self.source_table}"


def normalise(
    flat: FlatFile,
    provenance: Provenance,
    measures: Mapping[str, str],
    states: Collection[str],
) -> pa.Table:
    """Observations of `states` in the shared schema, sorted by identity."""
    block = normalise_block(flat, provenance, measures, states)
    if block is None:
        raise ParseError(provenance.where, no_rows(states))
    _check_unique(block.identity, provenance.where)
    keys = ("source_measure", "region_code", "ref_date", "sex", "nationality")
    return block.table.sort_by([(key, "ascending") for key in keys])


@dataclass(frozen=True)
class Block:
    """Normalised observations, and each one's identity (measure, region, date and every
    classifying code, one column each), for the uniqueness check across the blocks of a file."""

    table: pa.Table
    identity: pa.Table


def normalise_block(
    flat: FlatFile,
    provenance: Provenance,
    measures: Mapping[str, str],
    states: Collection[str],
) -> Block | None:
    """`normalise` for one block of a file read in blocks, in file order and not yet checked for
    repeated identities; None if it holds no row of `states` (a block of a file for all of
    Germany may hold other Länder only)."""
    where = provenance.where
    table = flat.table
    _check_statistic(table, provenance.source_table, where)
    region_position = _region_position(flat, where)
    table = _keep_states(table, region_position, states)
    if table.num_rows == 0:
        return None
    other = [i for i in range(1, flat.variables + 1) if i != region_position]
    dims = _dimension_codes(flat, table, other, where)
    columns = {
        "dataset": _constant(provenance.dataset, table),
        "measure": _measures(table, measures, where),
        **_region_columns(table, region_position, where),
        **_time_columns(table, dims, where),
        **_harmonised(table, dims, where),
        **_ages(table, dims, where),
        "value": table.column("value"),
        "unit": _units(table, where),
        "status": table.column("status"),
        "quality": table.column("quality"),
        "source": _constant(provenance.source, table),
        "source_table": _constant(provenance.source_table, table),
        "source_measure": table.column("value_variable_code"),
        "source_dims": _dims_map(table, dims),
        "vintage": _constant(provenance.vintage, table, pa.timestamp("us")),
        "retrieved_at": _constant(provenance.retrieved_at, table, pa.timestamp("us")),
        "load_id": _constant(provenance.load_id, table),
        "synthetic": _constant(provenance.synthetic, table, pa.bool_()),
    }
    result = pa.table(columns).select(OBSERVATION_SCHEMA.names).cast(OBSERVATION_SCHEMA)
    identity = _identity(result, table, dims)
    return Block(result, identity)


def no_rows(states: Collection[str]) -> str:
    """Why a file loads nothing: none of its regions lies in the states asked for."""
    return (
        f"no rows for the states {', '.join(sorted(states))}: the file holds other regions only (a table of "
        "Germany as a whole, such as 12421-0001, or of other Länder)"
    )


def statistic_of(source_table: str) -> str | None:
    """The statistics_code a table's flat files carry, where the table code tells it."""
    if source_table.startswith(REGIONALATLAS[0]):
        return REGIONALATLAS[1]
    match = re.match(TABLE_STATISTIC, source_table)
    return match.group(1) if match else None


def _check_statistic(table: pa.Table, source_table: str, where: str) -> None:
    """A file of another statistic is another table's answer (or saved under the wrong name):
    employees must never load as population."""
    expected = statistic_of(source_table)
    if expected is None:
        return
    found = sorted(set(pc.unique(table.column("statistics_code")).to_pylist()) - {expected})
    if found:
        raise ParseError(
            where,
            f"the file holds statistic {', '.join(found)}, but table {source_table} is statistic {expected}: "
            "another table's answer, or a file saved under the wrong name?",
        )


def _region_position(flat: FlatFile, where: str) -> int:
    """The one variable position that carries the region in every row."""
    positions = []
    for i in range(1, flat.variables + 1):
        codes = pc.unique(flat.table.column(f"{i}_variable_code"))  # a variable's code, rarely two
        regional = pc.or_(
            pc.is_in(codes, value_set=pa.array(sorted(REGIONAL_VARIABLES))),
            pc.match_substring_regex(codes, ZENSUS_REGIONAL_VARIABLE),
        )
        if pc.all(regional).as_py():
            positions.append(i)
        elif pc.any(regional).as_py():
            raise ParseError(where, f"variable {i} is a region in some rows only")
    if len(positions) != 1:
        raise ParseError(where, f"expected one regional variable, found {len(positions)}")
    return positions[0]


def _keep_states(table: pa.Table, position: int, states: Collection[str]) -> pa.Table:
    codes = table.column(f"{position}_variable_attribute_code")
    keep = functools.reduce(pc.or_, [pc.starts_with(codes, state) for state in sorted(states)])
    return table if pc.all(keep).as_py() else table.filter(keep)


def _dimension_codes(flat: FlatFile, table: pa.Table, positions: list[int], where: str) -> list[tuple[str, int]]:
    """(variable code, position) of every classifying variable, sorted by code."""
    found = []
    for i in positions:
        # a value variable without this breakdown leaves the variable empty in its rows (e.g.
        # 52411-02-01-4): those rows stand for all of its attributes, as "Insgesamt" does
        codes = [c for c in pc.unique(table.column(f"{i}_variable_code")).to_pylist() if c != ""]
        if len(codes) != 1:
            raise ParseError(where, f"variable {i} changes its code between rows: {codes}")
        found.append((str(codes[0]), i))
    names = [code for code, _ in found]
    if len(set(names)) != len(names):
        raise ParseError(where, f"a classifying variable appears twice: {names}")
    return sorted(found)


def _region_columns(table: pa.Table, position: int, where: str) -> dict[str, pa.ChunkedArray]:
    codes = _ags(table.column(f"{position}_variable_attribute_code"))
    lengths = pc.utf8_length(codes)
    levels = _lookup(lengths, REGION_LEVELS, pa.int32())
    if levels.null_count:
        bad = pc.filter(codes, pc.is_null(levels)).to_pylist()[:3]
        raise ParseError(where, f"region keys of unknown length: {bad}")
    names = pc.utf8_trim_whitespace(table.column(f"{position}_variable_attribute_label"))
    return {
        "region_code": codes,
        "region_level": levels,
        "region_name": names,
        "state": pc.utf8_slice_codeunits(codes, 0, 2),
    }


def _ags(codes: pa.ChunkedArray) -> pa.ChunkedArray:
    """Region keys as AGS prefixes: a 12-digit ARS (Zensus 2022) loses its Gemeindeverband."""
    is_ars = pc.equal(pc.utf8_length(codes), ARS_LENGTH)
    if not pc.any(is_ars).as_py():
        return codes
    parts = [pc.utf8_slice_codeunits(codes, start, stop) for start, stop in ARS_AGS_PARTS]
    return pc.if_else(is_ars, pc.binary_join_element_wise(*parts, ""), codes)


def _time_columns(table: pa.Table, dims: list[tuple[str, int]], where: str) -> dict[str, pa.ChunkedArray]:
    # a file has few distinct (time code, time) pairs: each is read once, then spread by index
    codes, texts, position = _distinct_pairs(table.column("time_code"), table.column("time"))
    unknown = sorted(set(codes.to_pylist()) - set(TIME_CODES))
    if unknown:
        raise ParseError(where, f"unsupported time variable(s) {unknown}")
    dates = _dates(codes, texts, where).take(position)
    periods = _lookup(codes, {k: v[0] for k, v in TIME_CODES.items()}).take(position)
    months = [i for code, i in dims if code == MONTH_VARIABLE]
    if months:
        return _monthly(table.column(f"{months[0]}_variable_attribute_code"), dates, where)
    return {"ref_date": dates, "period_type": periods}


def _dates(time_codes: pa.ChunkedArray, text: pa.ChunkedArray, where: str) -> pa.ChunkedArray:
    is_year = pc.equal(_lookup(time_codes, {k: v[1] for k, v in TIME_CODES.items()}), "year")
    as_date = pc.if_else(is_year, pc.binary_join_element_wise(text, "-12-31", ""), text)
    valid = pc.match_substring_regex(as_date, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    if not pc.all(valid).as_py():
        bad = pc.filter(text, pc.invert(valid)).to_pylist()[:3]
        raise ParseError(where, f"unreadable time values {bad}")
    try:
        return pc.cast(pc.strptime(as_date, "%Y-%m-%d", "s"), pa.date32())
    except pa.ArrowInvalid as exc:
        raise ParseError(where, f"invalid dates: {exc}") from None


def _monthly(months: pa.ChunkedArray, dates: pa.ChunkedArray, where: str) -> dict[str, pa.ChunkedArray]:
    """Monthly series come as JAHR plus a MONAT variable (MONAT01..MONAT12): the reference day is
    the month's last day. The MONAT code stays in source_dims."""
    pairs = pa.table({"date": dates, "month": months}).group_by(["date", "month"]).aggregate([]).to_pylist()
    ends = {}
    for pair in pairs:
        match = re.fullmatch(r"MONAT(\d{2})", pair["month"])
        if match is None or not 1 <= int(match.group(1)) <= 12:
            raise ParseError(where, f"unknown month {pair['month']!r}")
        year, month = pair["date"].year, int(match.group(1))
        ends[(pair["date"], pair["month"])] = date(year, month, calendar.monthrange(year, month)[1])
    keys = pa.array([f"{d.isoformat()}|{m}" for d, m in ends], pa.string())
    index = pc.index_in(pc.binary_join_element_wise(pc.cast(dates, pa.string()), months, "|"), value_set=keys)
    ref_dates = pa.array(list(ends.values()), pa.date32()).take(index)
    return {"ref_date": ref_dates, "period_type": pa.array(["month"] * len(ref_dates), pa.string())}


def _harmonised(table: pa.Table, dims: list[tuple[str, int]], where: str) -> dict[str, pa.ChunkedArray]:
    columns = {name: _constant(default, table) for name, default in DIMENSION_DEFAULTS.items()}
    for code, position in dims:
        if code not in DIMENSIONS:
            continue
        column, mapping = DIMENSIONS[code]
        columns[column] = _mapped(table, f"{position}_variable_attribute_code", mapping, f"{code} attribute", where)
    return columns


def _ages(table: pa.Table, dims: list[tuple[str, int]], where: str) -> dict[str, pa.Array]:
    """`age_from`/`age_to` from the one age variable (by code, else by label); NULL without one."""
    positions = [i for code, i in dims if AGE_VARIABLE.match(code)]
    if len(positions) > 1:
        raise ParseError(where, f"more than one age variable: {[c for c, _ in dims if AGE_VARIABLE.match(c)]}")
    if not positions:
        return {"age_from": pa.nulls(table.num_rows, pa.int16()), "age_to": pa.nulls(table.num_rows, pa.int16())}
    age = positions[0]
    codes, labels, position = _distinct_pairs(
        table.column(f"{age}_variable_attribute_code"), table.column(f"{age}_variable_attribute_label")
    )
    bounds = []
    for code, label in zip(codes.to_pylist(), labels.to_pylist(), strict=True):
        found = age_bounds(code, label)
        if found is None:
            raise ParseError(where, f"unknown age class {code!r} ({label!r})")
        bounds.append(found)
    return {
        "age_from": pa.array([b[0] for b in bounds], pa.int16()).take(position),
        "age_to": pa.array([b[1] for b in bounds], pa.int16()).take(position),
    }


def _distinct_pairs(first: pa.ChunkedArray, second: pa.ChunkedArray) -> tuple[pa.Array, pa.Array, pa.ChunkedArray]:
    """The distinct (first, second) pairs of two columns, and per row the position of its pair.
    Pairs are found by integer codes, not by joining the texts of every row."""
    firsts, seconds = pc.unique(first), pc.unique(second)
    width = max(len(seconds), 1)
    key = pc.add(
        pc.multiply(pc.index_in(first, value_set=firsts).cast(pa.int64()), width),
        pc.index_in(second, value_set=seconds).cast(pa.int64()),
    )
    keys = pc.unique(key)
    row = pc.divide(keys, width)
    return firsts.take(row), seconds.take(pc.subtract(keys, pc.multiply(row, width))), pc.index_in(key, value_set=keys)


def _dims_map(table: pa.Table, dims: list[tuple[str, int]]) -> pa.Array:
    """MAP(variable code -> attribute code) of the classifying variables, keys sorted."""
    offsets, keys, index = _map_layout(table.num_rows, tuple(code for code, _ in dims))
    if not dims:
        return pa.MapArray.from_arrays(offsets, pa.array([], pa.string()), pa.array([], pa.string()))
    columns = [table.column(f"{i}_variable_attribute_code").combine_chunks() for _, i in dims]
    return pa.MapArray.from_arrays(offsets, keys, pa.concat_arrays(columns).take(index), type=DIMS_TYPE)


@functools.lru_cache(maxsize=8)
def _map_layout(n: int, codes: tuple[str, ...]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Offsets, keys and the position of each item of a map of `codes` on `n` rows, where the
    items are the variables' attribute columns one after the other. A file's blocks have one size
    but the last, so a file computes this once."""
    width = len(codes)
    offsets = pc.multiply(arange(n + 1), width).cast(pa.int32())
    # entry k of the flattened map is row k // width, variable k % width; its item sits at
    # row + variable * n in the concatenated attribute columns
    entry = arange(n * width)
    row = pc.divide(entry, max(width, 1))
    variable = pc.subtract(entry, pc.multiply(row, width))
    keys = pa.array(codes, pa.string()).take(variable)
    return offsets, keys, pc.add(row, pc.multiply(variable, n))


def _identity(result: pa.Table, table: pa.Table, dims: list[tuple[str, int]]) -> pa.Table:
    columns = {name: result.column(name) for name in ("source_measure", "region_code", "ref_date")}
    return pa.table(columns | {code: table.column(f"{i}_variable_attribute_code") for code, i in dims})


def _check_unique(identity: pa.Table, where: str) -> None:
    names = identity.column_names
    counts = identity.group_by(names).aggregate([([], "count_all")])
    twice = counts.filter(pc.greater(counts.column("count_all"), 1))
    if twice.num_rows:
        first = twice.slice(0, 1).to_pylist()[0]
        example = "\x1f".join(str(first[name]) for name in names)
        raise ParseError(where, f"{twice.num_rows} observation(s) appear twice, e.g. {example!r}")


def _measures(table: pa.Table, measures: Mapping[str, str], where: str) -> pa.ChunkedArray:
    """Harmonised measure per row, by code; then by a `label:<start>` key for codes not listed
    (where only the publisher's label is known); then `"*"` for the rest (see catalog.Dataset)."""
    codes, labels, position = _distinct_pairs(table.column("value_variable_code"), table.column("value_variable_label"))
    full = dict(measures)
    for code, label in zip(codes.to_pylist(), labels.to_pylist(), strict=True):
        if code not in full and (by_label := _by_label(measures, label)) is not None:
            full[code] = by_label
    unlisted = sorted({code for code in codes.to_pylist() if code not in full})
    if "*" in measures and unlisted:
        fallback = measures["*"]
        if fallback != "*" and len(unlisted) > 1:
            raise ParseError(where, f"value variables {unlisted} would all become {fallback!r}; list them")
        full |= {code: code.lower() if fallback == "*" else fallback for code in unlisted}
    if unknown := sorted({code for code in codes.to_pylist() if code not in full}):
        raise ParseError(where, f"unknown value variable {unknown[:5]}; known: {sorted(full)}")
    return pa.array([full[code] for code in codes.to_pylist()], pa.string()).take(position)


def _by_label(measures: Mapping[str, str], label: str) -> str | None:
    text = " ".join(label.split())
    for key, measure in measures.items():
        if key.startswith(LABEL_KEY) and label_pattern(key.removeprefix(LABEL_KEY)).match(text):
            return measure
    return None


@functools.cache
def label_pattern(key: str) -> re.Pattern[str]:
    """The pattern of a `label:` key: its text at the start of the label, `*` any text between."""
    parts = [re.escape(" ".join(part.split())) for part in key.split("*")]
    return re.compile(".*".join(parts), re.IGNORECASE)


def _units(table: pa.Table, where: str) -> pa.ChunkedArray:
    """The schema's unit of every row, from the unit label in German or English (any case)."""
    labels = table.column("value_unit")
    distinct = pc.unique(labels).to_pylist()
    known = {label: UNITS.get(unit_key(label or "")) for label in distinct}
    if unknown := sorted(str(label) for label, unit in known.items() if unit is None):
        raise ParseError(where, f"unknown unit {unknown[:5]}; known: {sorted(UNITS)}")
    return _lookup(labels, {label: unit for label, unit in known.items() if unit is not None})


def _mapped(table: pa.Table, column: str, mapping: Mapping[str, str], what: str, where: str) -> pa.ChunkedArray:
    source = table.column(column)
    result = _lookup(source, mapping)
    if result.null_count:
        unknown = sorted(set(pc.filter(source, pc.is_null(result)).to_pylist()))
        raise ParseError(where, f"unknown {what} {unknown[:5]}; known: {sorted(mapping)}")
    return result


def _lookup(
    source: pa.ChunkedArray, mapping: Mapping[Any, str], key_type: pa.DataType | None = None
) -> pa.ChunkedArray:
    keys = pa.array(list(mapping), key_type or source.type)
    values = pa.array(list(mapping.values()), pa.string())
    return values.take(pc.index_in(source, value_set=keys))


def _constant(value: object, table: pa.Table, type_: pa.DataType | None = None) -> pa.Array:
    return pa.repeat(pa.scalar(value, type_), table.num_rows)
