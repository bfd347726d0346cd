"""The warehouse's error checks that a delivery's own rows can fail, applied before the delivery is
committed: a delivery the build would refuse never enters the lake, where it would stop every later
build of every table until someone removed it by hand.

The same rules run again over the whole warehouse (sql/checks/no_negative_counts.sql and
rates_within_0_100.sql, which read the measure list from the table `never_negative_measures` that the
build stages from `NEVER_NEGATIVE`).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from demografie.transforms.errors import ParseError

# Stocks and flows of persons; balances (net migration) and changes may be negative.
NEVER_NEGATIVE = frozenset(
    {
        "population",
        "population_census",
        "employees",
        "employees_residence",
        "unemployed",
        "unemployed_severely_disabled",
        "unemployed_long_term",
        "live_births",
        "deaths",
        "moves_in",
        "moves_out",
        "moves_in_across_gemeinden",
        "moves_out_across_gemeinden",
        "moves_in_from_abroad",
        "moves_out_to_abroad",
        "protection_seekers",
        "municipalities",
        "projected_population",
        "employees_by_qualification",
        "employees_residence_by_qualification",
        "pupils",
        "vocational_pupils",
        "school_leavers",
        "school_leavers_without_hsa",
        "vocational_leavers",
        "daycare_places",
        "care_recipients",
        "hospital_beds",
    }
)
SHOWN = 3
# a count of persons may be published in persons or in thousands (the projections)
PERSON_UNITS = pa.array(["count", "thousand"])


def check_rows(observations: pa.Table, where: str, harmonised: bool = True) -> None:
    """Refuse a delivery with a negative count of persons or a share outside 0-100 %, naming the
    first rows: a misread sign or decimal mark, never a figure to keep. Only harmonised measures
    are known to be shares: an uncatalogued table's percent values (changes, differences) load as
    published."""
    value = observations.column("value")
    unit = observations.column("unit")
    measure = observations.column("measure")
    below_zero = pc.less(value, 0)
    if pc.any(below_zero).as_py():  # most deliveries have no negative figure at all
        persons = pc.and_(pc.is_in(unit, PERSON_UNITS), pc.is_in(measure, pa.array(sorted(NEVER_NEGATIVE))))
        negative = pc.and_(persons, below_zero)
        _refuse(observations, negative, where, "negative count(s) of persons")
    if not harmonised or not pc.any(pc.equal(unit, "percent")).as_py():
        return
    percent = pc.and_(pc.equal(unit, "percent"), pc.invert(pc.match_substring(measure, "change")))
    outside = pc.and_(percent, pc.or_(pc.less(value, 0), pc.greater(value, 100)))
    _refuse(observations, outside, where, "share(s) outside 0-100 %")


def _refuse(observations: pa.Table, mask: pa.ChunkedArray, where: str, what: str) -> None:
    count = pc.sum(pc.fill_null(mask, False)).as_py() or 0
    if not count:
        return
    rows = observations.filter(pc.fill_null(mask, False)).slice(0, SHOWN).to_pylist()
    shown = "; ".join(f"{r['source_measure']} {r['region_code']} {r['ref_date']}: {r['value']:g}" for r in rows)
    raise ParseError(
        where,
        f"{count} {what}, e.g. {shown}; a misread file, not a figure to keep: nothing was loaded, the lake and "
        "warehouse are unchanged",
    )
