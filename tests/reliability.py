"""The cases of docs/reliability.md, declared once: the tests run each of them, and the document is
rendered from the same declarations (test_reliability_report checks that it is up to date), so
the report cannot claim a case that no test tries."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from demografie.devserver.server import JOB_CREATED, LOGIN_ERROR, NO_OBJECTS, NOT_AUTHORISED, TOO_LARGE, Fault
from tests.support import POPULATION, sample_path

TABLE = "12411-01-01-4"  # the table that gets the fault; 13111-01-03-4 must still load
PERSISTENT = 100  # more requests than every retry together makes


def flat_file() -> bytes:
    return sample_path(POPULATION).read_bytes()


def zipped(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def shifted_column() -> bytes:
    """A label with the delimiter in it: every later field of that row moves one column right."""
    lines = flat_file().split(b"\n")
    lines[5] = lines[5].replace(b";Geschlecht;", b";Ge;schlecht;", 1)
    return b"\n".join(lines)


def header_only() -> bytes:
    return flat_file().split(b"\n", 1)[0] + b"\n"


def latin1() -> bytes:
    return flat_file().decode("utf-8-sig").encode("latin-1")


def flat_auth(code: int) -> bytes:
    """An authentication failure as the publishers send it since 2026: no envelope."""
    text = LOGIN_ERROR if code == 2 else NOT_AUTHORISED
    return json.dumps({"Code": code, "Content": text, "Type": "ERROR"}, ensure_ascii=False).encode()


def gzip_bomb() -> bytes:
    """A body of a few KB that a gzip Content-Encoding inflates to 3 MB (past a 1 MB limit)."""
    return gzip.compress(b"0" * 3_000_000)


def truncated_zip() -> bytes:
    whole = zipped((f"{TABLE}_flat.csv", flat_file()))
    return whole[: len(whole) // 2]


def zip_bomb() -> bytes:
    """A member that declares more than the limit (a few KB that would inflate to gigabytes)."""
    return zipped((f"{TABLE}_flat.csv", flat_file() + b"0" * 3_000_000))


@dataclass(frozen=True)
class FaultCase:
    name: str
    faults: Callable[[], tuple[Fault, ...]]
    outcome: str  # what became of the table: loaded (the retries helped) or failed
    cause: str  # what the table's error says after "regio: table <code>: " (a part of it), for failed
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def result(self) -> str:
        if self.outcome == "loaded":
            return "retried, then loaded"
        return f"failed alone: {self.cause}"


def on_tablefile(times: int = PERSISTENT, **fault: object) -> Callable[[], tuple[Fault, ...]]:
    def build() -> tuple[Fault, ...]:
        values = {key: value() if callable(value) else value for key, value in fault.items()}
        return (Fault("data/tablefile", table=TABLE, times=times, **values),)  # type: ignore[arg-type]

    return build


def job_never_ready() -> tuple[Fault, ...]:
    """Status 98, then the job is created (99), then every poll answers "not ready" (104)."""
    return (
        Fault("data/tablefile", table=TABLE, status_code=98, status_content=TOO_LARGE),
        Fault("data/tablefile", table=TABLE, status_code=99, status_content=f"{JOB_CREATED}{TABLE}_175879554"),
        Fault("catalogue/results", status_code=104, status_content=NO_OBJECTS, times=PERSISTENT),
    )


GAVE_UP = " (gave up after 4 attempts)"  # DEMOGRAFIE_HTTP_ATTEMPTS, default 4
FAST_TIMEOUT = {"DEMOGRAFIE_HTTP_READ_TIMEOUT_SECONDS": "0.5"}
FAULT_CASES: tuple[FaultCase, ...] = (
    FaultCase("HTTP 500 once", on_tablefile(1, http_status=500), "loaded", ""),
    FaultCase("HTTP 500 persisting", on_tablefile(http_status=500), "failed", "HTTP 500" + GAVE_UP),
    FaultCase("HTTP 502 persisting", on_tablefile(http_status=502), "failed", "HTTP 502" + GAVE_UP),
    FaultCase("HTTP 503 twice", on_tablefile(2, http_status=503), "loaded", ""),
    FaultCase("HTTP 503 persisting", on_tablefile(http_status=503), "failed", "HTTP 503" + GAVE_UP),
    FaultCase("HTTP 429 with Retry-After: 1, once", on_tablefile(1, http_status=429, retry_after="1"), "loaded", ""),
    FaultCase(
        "HTTP 429 without Retry-After, persisting", on_tablefile(http_status=429), "failed", "HTTP 429" + GAVE_UP
    ),
    FaultCase("connection reset once", on_tablefile(1, reset=True), "loaded", ""),
    FaultCase(
        "connection reset persisting",
        on_tablefile(reset=True),
        "failed",
        "connection failed: ConnectionError" + GAVE_UP,
    ),
    FaultCase(
        "read timeout once (answer after 2 s, limit 0.5 s)", on_tablefile(1, delay=2.0), "loaded", "", FAST_TIMEOUT
    ),
    FaultCase(
        "read timeout persisting", on_tablefile(delay=2.0), "failed", "timeout: ReadTimeout" + GAVE_UP, FAST_TIMEOUT
    ),
    FaultCase("status 6 (too many parallel requests) once", on_tablefile(1, status_code=6), "loaded", ""),
    FaultCase("status 6 persisting", on_tablefile(status_code=6), "failed", "status 6: injected fault" + GAVE_UP),
    FaultCase("unknown status code 777", on_tablefile(status_code=777), "failed", "status 777 (unknown status code)"),
    FaultCase("HTML page with HTTP 200", on_tablefile(html=True), "failed", "an HTML page where data was expected"),
    FaultCase("empty body", on_tablefile(body=b""), "failed", "empty body (HTTP 200)" + GAVE_UP),
    FaultCase("truncated zip", on_tablefile(body=truncated_zip), "failed", "broken zip: File is not a zip file"),
    FaultCase(
        "zip with two members",
        on_tablefile(body=lambda: zipped(("a.csv", flat_file()), ("b.csv", b"x"))),
        "failed",
        "expected exactly one file in the zip, found a.csv, b.csv",
    ),
    FaultCase(
        "zip with no member",
        on_tablefile(body=lambda: zipped()),
        "failed",
        "expected exactly one file in the zip, found none",
    ),
    FaultCase(
        "zip member with a path outside",
        on_tablefile(body=lambda: zipped(("../../etc/x.csv", flat_file()))),
        "failed",
        "unsafe path in zip: '../../etc/x.csv'",
    ),
    FaultCase(
        "zip member larger than the limit (zip bomb)",
        on_tablefile(body=zip_bomb),
        "failed",
        "declares 3301376 bytes, more than the limit of 1000000",
        {"DEMOGRAFIE_MAX_UNPACKED_BYTES": "1000000"},
    ),
    FaultCase(
        "flat file with a shifted column",
        on_tablefile(body=shifted_column, content_type="text/csv"),
        "failed",
        "malformed flat file: line 6: 18 fields where the header has 17",
    ),
    FaultCase(
        "header-only flat file",
        on_tablefile(body=header_only, content_type="text/csv"),
        "failed",
        "the flat file has a header but no data rows",
    ),
    FaultCase(
        "flat file in ISO-8859-1 instead of UTF-8",
        on_tablefile(body=latin1, content_type="text/csv"),
        "failed",
        "malformed flat file: line 2: not valid UTF-8 (wrong encoding?)",
    ),
    FaultCase("connection dropped in the middle of the answer, once", on_tablefile(1, cut_body=True), "loaded", ""),
    FaultCase(
        "connection dropped in the middle of the answer, persisting",
        on_tablefile(cut_body=True),
        "failed",
        "the connection dropped in the middle of the answer" + GAVE_UP,
    ),
    FaultCase(
        "answer trickling in, a byte every 0.05 s (deadline 1 s)",
        on_tablefile(trickle_seconds=0.05),
        "failed",
        "the answer took longer than 1 s",
        {"DEMOGRAFIE_HTTP_DEADLINE_SECONDS": "1"},
    ),
    FaultCase(
        "gzip Content-Encoding inflating past DEMOGRAFIE_MAX_UNPACKED_BYTES (1 MB)",
        on_tablefile(body=gzip_bomb, headers={"Content-Encoding": "gzip"}),
        "failed",
        "the answer decodes to more than 1,000,000 bytes (a compression bomb?)",
        {"DEMOGRAFIE_MAX_UNPACKED_BYTES": "1000000"},
    ),
    FaultCase(
        "answer trickling in, a byte every 0.05 s (read timeout 0.5 s, deadline as default)",
        on_tablefile(trickle_seconds=0.05),
        "failed",
        "the answer trickles in",
        FAST_TIMEOUT,
    ),
    FaultCase(
        "redirect to another host",
        on_tablefile(http_status=302, body=b"", headers={"Location": "http://127.0.0.2:9/evil/data/tablefile"}),
        "failed",
        "HTTP 302: redirected to http://127.0.0.2:9/evil/data/tablefile, a host it is not declared to answer from; "
        "not following it with the credentials. If the publisher moved there, set GENESIS_REGIO_URL=",
    ),
    FaultCase(
        "wrong credentials: a flat {Code: 2} on HTTP 404 (since 2026)",
        on_tablefile(http_status=404, body=lambda: flat_auth(2), content_type="application/json"),
        "failed",
        "the publisher does not accept the credentials (HTTP 404, code 2: Bitte prüfen",
    ),
    FaultCase(
        "no credentials recognised: a flat {Code: 15} on HTTP 401",
        on_tablefile(http_status=401, body=lambda: flat_auth(15), content_type="application/json"),
        "failed",
        "the publisher does not accept the credentials (HTTP 401, code 15",
    ),
    FaultCase(
        "a flat {Code: 2} on HTTP 200",
        on_tablefile(body=lambda: flat_auth(2), content_type="application/json"),
        "failed",
        "the publisher does not accept the credentials (HTTP 200, code 2",
    ),
    FaultCase(
        "status 104 on data/tablefile (an unknown table, since 2026)",
        on_tablefile(status_code=104, status_content=NO_OBJECTS),
        "failed",
        "status 104 (no such table at this publisher, or no figures in the years asked)",
    ),
    FaultCase(
        "redirect loop",
        on_tablefile(http_status=302, body=b"", headers={"Location": "tablefile"}),
        "failed",
        "more than 5 redirects (a redirect loop?)",
    ),
    FaultCase(
        "error text of 200,000 characters",
        on_tablefile(status_code=-1, status_content="x" * 200_000),
        "failed",
        "… [199",
    ),
    FaultCase(
        "background job that never finishes (limit 2 s)",
        job_never_ready,
        "failed",
        "background job 12411-01-01-4_175879554 not finished after 2 s",
        {"DEMOGRAFIE_JOB_TIMEOUT_SECONDS": "2", "DEMOGRAFIE_JOB_POLL_SECONDS": "0.2"},
    ),
)


@dataclass(frozen=True)
class FuzzTarget:
    name: str
    sample: str
    examples: int
    decimal: str | None = None


FUZZ_TARGETS: tuple[FuzzTarget, ...] = (
    FuzzTarget("flat file v5 (German)", "regio_v5_ffcsv_12411-01-01-4_de.csv", 150, ","),
    FuzzTarget("flat file v5 (English)", "regio_v5_ffcsv_12411-01-01-4_en.csv", 100, "."),
    FuzzTarget("flat file v5 with quality column", "regio_v5_ffcsv_11111-02-01-4_de.csv", 100),
    FuzzTarget("flat file v4", "regio_v4_ffcsv_12411-01-01-4_2023-12-31_de.csv", 100),
    FuzzTarget("table CSV (Regionaldatenbank)", "regio_tabellencsv_12411-01-01-4_2018-12-31.csv", 100),
    FuzzTarget("table CSV (Destatis)", "destatis_genesis_tabellencsv_12411-0015_kreise_2016-2020.csv", 100),
    FuzzTarget("HSL age export", "hessen_hsl_csvexport_altersstruktur_kreise_2021-12-31.csv", 60),
    FuzzTarget("HSL workbook", "hessen_hsl_xlsx_hessische_gemeindestatistik_2019.xlsx", 15),
)


CRASH_POINTS: tuple[str, ...] = (
    "fetch",
    "raw landing, before the sidecar",
    "lake Parquet half written",
    "lake, between Parquet and manifest",
    "warehouse build, half the marts",
    "warehouse built, before the swap",
    "after the swap, before the run log",
)


@dataclass(frozen=True)
class HostileCase:
    """A defect of the hostile review, the test in `tests/integration/test_hostile_input.py` that tries it, and
    what a user now sees."""

    case: str
    result: str
    test: str


HOSTILE_CASES: tuple[HostileCase, ...] = (
    HostileCase(
        "a German flat file whose counts carry thousands separators (`48.384`)",
        "refused: `… is a count with exactly three decimals: a thousands separator …`; nothing loaded",
        "test_a_count_with_thousands_separators_is_refused_not_divided_by_1000",
    ),
    HostileCase(
        "the employees table (13111) saved under a population name",
        "refused: `the file holds statistic 13111, but table 12411-02-03-4 is statistic 12411 …`",
        "test_a_flat_file_of_another_statistic_is_refused_naming_both",
    ),
    HostileCase(
        "a zip whose member is another table's answer",
        "refused: `the zip holds 12411-02-03-4_…_flat.csv, the answer for table 12411-02-03-4, not for …`",
        "test_a_zip_holding_another_tables_answer_is_refused",
    ),
    HostileCase(
        "`--table` contradicting the table the file names itself",
        "refused before anything is written, naming both codes",
        "test_a_table_option_that_contradicts_the_file_is_refused",
    ),
    HostileCase(
        "a title line padded with `;;;;` by a spreadsheet",
        "the table code is read without the padding",
        "test_a_title_padded_by_a_spreadsheet_still_names_the_table",
    ),
    HostileCase(
        "an HSL workbook that numbers female before male",
        "refused: every declared column's header must name what it holds",
        "test_an_hsl_workbook_with_its_sexes_swapped_is_refused",
    ),
    HostileCase(
        "a vintage in the future (`--vintage 2205-12-04`, a Stand of 2100)",
        "refused: `its vintage … lies in the future …; nothing was loaded`; one already held is "
        "flagged by the freshness check and `demografie status`",
        "test_a_vintage_in_the_future_is_refused",
    ),
    HostileCase(
        "a flat file without a stamp",
        "takes the retrieval stamp in its GENESIS name "
        "(`…_1744323962295_de_flat.csv`) before the file's modification time",
        "test_a_flat_file_without_a_stamp_takes_the_retrieval_stamp_of_its_name",
    ),
    HostileCase(
        "a password with a trailing newline, a leading blank or a character outside Latin-1",
        "refused before any request, naming the variable; the value is in no output or file",
        "test_a_password_that_cannot_be_sent_is_named_never_shown",
    ),
    HostileCase(
        "a publisher text that echoes the password",
        "redacted to `***` in messages, logs and `runs.jsonl`",
        "test_a_publisher_text_that_echoes_the_password_is_redacted",
    ),
    HostileCase(
        "a `GENESIS_*_URL` with user name and password in it",
        "refused before the run starts (exit 2), naming the variable; nothing is written",
        "test_a_url_with_credentials_in_it_is_refused_before_the_run_starts",
    ),
    HostileCase(
        "`demografie sql \"COPY … TO '<path>'\"`",
        "refused: the query connection has no file system access and cannot switch it on",
        "test_the_sql_command_cannot_write_files",
    ),
    HostileCase(
        "a broken last line in `runs.jsonl`",
        "`status` names and skips it; the next record starts a line of its own",
        "test_a_broken_last_line_of_the_run_log_neither_crashes_status_nor_swallows_the_next_one",
    ),
    HostileCase(
        "an analyst's read-write session that wrote and died, leaving a WAL",
        "the next build moves the WAL aside (`…wal.<time>.replaced`, a warning says so) before the "
        "swap; every reader opens the new warehouse",
        "test_a_killed_read_write_session_does_not_break_the_next_warehouse",
    ),
    HostileCase(
        "a committed lake Parquet file with a damaged footer",
        "the build fails naming the file, its table and delivery and what to do; the live warehouse stays",
        "test_a_damaged_lake_file_is_named_and_the_live_warehouse_stays",
    ),
    HostileCase(
        "a manifest entry with a field of a newer version, or damaged",
        "a newer field is ignored with a warning; a damaged entry is named by build and status (no traceback)",
        "test_manifest_entries_newer_or_damaged",
    ),
    HostileCase(
        "a saved GENESIS JSON error answer given to `ingest`",
        "refused as what it is before anything is landed: `a saved GENESIS error answer, not a table: status 104: …`",
        "test_a_saved_error_answer_is_said_to_be_one",
    ),
    HostileCase(
        "a Destatis or Zensus workbook given to `ingest`",
        "refused before anything is landed, naming its sheets and what to download instead",
        "test_a_workbook_that_is_not_the_gemeindestatistik_is_refused_saying_what_it_is",
    ),
    HostileCase(
        "a table CSV whose umlauts were destroyed (U+FFFD) by a re-save",
        "refused naming the line, the cell and the encoding damage",
        "test_a_table_csv_with_destroyed_umlauts_names_the_cell",
    ),
    HostileCase(
        "a command that fails on a user's file",
        "prints the message alone (`Error: …`), exit 1; the traceback stays in Prefect's run log, "
        "and reaches the terminal with `DEMOGRAFIE_DEBUG=1`",
        "test_a_failing_command_prints_the_message_not_a_traceback",
    ),
    HostileCase(
        "`run --from-year 2024 --to-year 2020`, year 3000, negative years",
        "a usage error (exit 2) before anything starts",
        "test_impossible_years_are_a_usage_error",
    ),
    HostileCase(
        "`ingest a b c` where b is bad",
        "every file is read and checked first: `1 of 3 file(s) refused; nothing was loaded …` naming b and "
        "why; nothing in raw/ or the lake; the run is in `runs.jsonl`; `--keep-going` loads a and c and "
        "reports b (exit 1)",
        "test_one_bad_file_of_a_batch_lands_nothing_and_is_named",
    ),
    HostileCase(
        "a file with a count an error check refuses (a negative population)",
        "refused before its commit, naming the rows; the lake and warehouse unchanged, and the next delivery builds",
        "test_a_file_that_an_error_check_would_refuse_never_blocks_later_builds",
    ),
    HostileCase(
        "a delivery that must go (a wrong file loaded)",
        "`demografie deliveries list` shows it; `deliveries drop ID` removes it from the lake (its raw "
        "file stays) and rebuilds",
        "test_a_delivery_can_be_listed_and_dropped",
    ),
    HostileCase(
        "a lake file whose manifest entry is lost",
        "`build` refuses to empty the warehouse and names it (`… 1 lake file(s) have no manifest entry …`); "
        "`build --allow-empty` and `status` warn: `lake/… has no manifest entry and is not in the warehouse …`",
        "test_a_lake_file_without_its_manifest_entry_is_reported",
    ),
    HostileCase(
        "a directory given to `ingest`",
        "`… a directory; give the files in it (e.g. …/*.csv)`",
        "test_a_directory_given_to_ingest_is_said_to_be_one",
    ),
    HostileCase(
        "a password-protected workbook",
        "refused as what it is (an encrypted or old OLE2 workbook), saying how to save it readable",
        "test_a_password_protected_workbook_is_said_to_be_one",
    ),
    HostileCase(
        "`DEMOGRAFIE_HOME` pointing at a file",
        "`Error: DEMOGRAFIE_HOME … is a file, not a directory …`, exit 2, no traceback",
        "test_a_data_home_that_is_a_file_is_said_to_be_one",
    ),
    HostileCase(
        "`DEMOGRAFIE_HTTP_ATTEMPTS=0`, `=three`, a timeout of `30s`, a lock wait of `nan`, a deadline of `inf`",
        "a usage error (exit 2) naming the variable, its value, meaning and default; nothing starts",
        "test_a_bad_tuning_value_is_a_usage_error_that_names_the_variable",
    ),
    HostileCase(
        "`docs`, `report` and `status` on a damaged warehouse file",
        "`… cannot be read (…); demografie build builds it anew from the lake`, no traceback",
        "test_a_damaged_warehouse_is_said_to_be_one",
    ),
    HostileCase(
        "a Destatis table CSV with the Länder as row labels (by name, no key)",
        "read; the same figures as the published layout",
        "test_a_land_named_as_a_row_label_is_read",
    ),
    HostileCase(
        "SIGTERM or SIGKILL to a running command",
        "SIGTERM unwinds like Ctrl-C (`Stopped. …`, exit 130); after either, Prefect's temporary server "
        "is gone within seconds",
        "test_a_stopped_command_leaves_no_prefect_server_behind",
    ),
)


SURFACE_CASES: tuple[HostileCase, ...] = (
    HostileCase(
        "an uncatalogued table whose percent values are changes (below 0)",
        "loaded as published; only harmonised shares are held to 0-100 %",
        "test_negative_percent_values_of_an_uncatalogued_table_load_as_published",
    ),
    HostileCase(
        "a projection (12421-0003) published in persons instead of thousands",
        "`marts.population_projection` scales by the unit the file states: the same persons either way",
        "test_a_projection_is_scaled_by_the_unit_its_file_states",
    ),
    HostileCase(
        "a negative projection in thousands",
        "refused like a negative count: `… negative count(s) of persons, e.g. BEV050 …`; nothing loaded",
        "test_a_negative_projection_in_thousands_is_refused",
    ),
    HostileCase(
        '`run -d "[/]"` (a text that is rich markup)',
        "printed as typed: `unknown dataset or table '[/]' …`, exit 2; every user text is escaped",
        "test_a_dataset_name_with_markup_is_printed_as_typed",
    ),
    HostileCase(
        "a table code with a trailing newline",
        "no table code (codes are matched whole): `unknown dataset or table …`, exit 2, nothing fetched",
        "test_a_table_code_with_a_trailing_newline_is_no_table_code",
    ),
    HostileCase(
        "`deliveries list` and `sources` with one damaged manifest entry",
        "`Error: lake/manifest/… damaged manifest entry …`, exit 1, no traceback",
        "test_a_damaged_manifest_entry_is_named_by_every_command",
    ),
    HostileCase(
        "`deliveries drop` whose rebuild fails (another table's lake file damaged)",
        "`dropped …`, then `The delivery is dropped, but the warehouse could not be rebuilt; the previous "
        "one stays live …`, exit 1",
        "test_a_drop_whose_rebuild_fails_says_the_delivery_is_dropped",
    ),
    HostileCase(
        "a boundary package in WGS84 (its `.prj` says so)",
        "read in its own coordinates: the same areas as BKG's UTM package (within 0.1 %), not 0 km²",
        "test_a_package_in_wgs84_is_read_in_its_own_coordinates",
    ),
    HostileCase(
        "a boundary package with a Kreis without geometry",
        "`… layer VG1000_KRS: 06411 Darmstadt has no geometry`, exit 1, nothing kept",
        "test_a_kreis_without_geometry_is_named_and_nothing_is_kept",
    ),
    HostileCase(
        "a boundary package whose `.cpg` names an unknown encoding",
        "`… its .cpg names the encoding 'X-KLINGON-1', which is unknown`, exit 1, nothing kept",
        "test_an_unknown_cpg_encoding_is_named_and_nothing_is_kept",
    ),
    HostileCase(
        "a boundary package with a Gebietsstand of 2205",
        "`… Gebietsstand 31.12.2205, which lies in the future …`, exit 1, nothing kept",
        "test_a_gebietsstand_in_the_future_is_refused",
    ),
    HostileCase(
        "a boundary package member larger than `DEMOGRAFIE_MAX_UNPACKED_BYTES`",
        "`… VG1000_KRS.shp declares 3,695,752 bytes, more than DEMOGRAFIE_MAX_UNPACKED_BYTES …`, not unpacked",
        "test_a_member_larger_than_the_limit_is_not_unpacked",
    ),
    HostileCase(
        "`geodata --url` with a user name and password in it",
        "`--url carries a user name or password …`, exit 2; the password is printed nowhere and nothing is kept",
        "test_a_download_url_with_a_password_is_refused",
    ),
    HostileCase(
        "`geodata --file FOLDER` with a key file beside the layers and links to a `.env` and a folder outside",
        "only the package's own layers and `aktualitaet.txt` are packed and landed; no link is followed; the "
        "secrets are in no file of the data home",
        "test_a_package_folder_gives_only_its_layers_and_follows_no_link",
    ),
    HostileCase(
        'a boundary package whose AGS carries markup (`06611"><x`)',
        "refused: `… AGS '06611\"><x' is not the key of a kreis`, exit 1, nothing kept",
        "test_a_region_key_with_markup_is_refused",
    ),
    HostileCase(
        "a boundary package whose Kreis name is `…</title><script>…`",
        "text in the map's SVG and HTML and in the report (escaped); the SVG stays well-formed, no script",
        "test_a_region_name_with_markup_is_text_in_the_map",
    ),
    HostileCase(
        "a map whose values put five class breaks on one side of zero",
        "six colours (five a side of the diverging palette), every fill in the legend; no IndexError",
        "test_five_class_breaks_on_one_side_of_zero_get_six_colours",
    ),
    HostileCase(
        "`map --out` (and `report`, `docs`) to a path that cannot be written",
        "`No map: cannot write …/map.svg: …`, exit 1, no traceback",
        "test_a_map_that_cannot_be_written_says_where_and_why",
    ),
    HostileCase(
        'a user catalog (through `DEMOGRAFIE_CATALOG`, in a fresh process) that is no TOML, has `dataset = "x"`, '
        '`projection = "no"`, numbers for texts',
        "`Error: <file>: … must be true or false` (and so on), exit 2, no traceback",
        "test_a_user_catalog_named_by_the_environment_that_is_wrong_is_a_usage_error",
    ),
    HostileCase(
        "a table CSV whose row label (a class of its own classification) is empty on one row",
        "refused: `line 13: the row label in column 4 is empty, while line 10 gives 'Tageseinrichtung' there …`",
        "test_an_empty_row_label_is_refused_naming_the_line",
    ),
    HostileCase(
        "a table CSV with a row label repeated",
        "refused: `lines 12 and 13 give the same figure ('Betreute Kinder' of 06414 on 01.03.2016, "
        "'Tagespflege'): a row label repeated, or a layout this reader does not understand …`",
        "test_a_repeated_row_label_is_refused_naming_both_lines",
    ),
    HostileCase(
        "`DEMOGRAFIE_BUILD_MEMORY_MB=128` (the minimum) on 2.4 M versions of 0.8 M observations",
        "built: the build takes one thread per 256 MB (two threads ran out of memory at 128 MB instead of spilling)",
        "test_the_smallest_allowed_build_memory_builds",
    ),
    HostileCase(
        "a build killed with SIGKILL, then another stopped with SIGTERM in the middle of a query",
        "the killed build's staging file, WAL and spill folder go at the start of the next build; SIGTERM "
        "says `Stopped. …`, exit 130 (not DuckDB's `Query interrupted`), the live warehouse unchanged",
        "test_a_killed_build_leaves_nothing_for_ever_and_sigterm_stops_one",
    ),
    HostileCase(
        "files named like temporaries in the data home that are not ours (an editor's `.draft.tmp`, a "
        "`.warehouse.duckdb.backup.building`, a hex-named `.tmp` in a folder we never write)",
        "left alone: a run removes only its own temporaries, by their exact names, in raw/, lake/, the home "
        "itself and beside the warehouse",
        "test_cleanup_removes_our_temporaries_only",
    ),
    HostileCase(
        "a build (and a nightly run) from an empty lake: `DEMOGRAFIE_STORAGE` pointing at an unmounted share",
        "refused: `the lake at … holds none of the 2 table(s) of the live warehouse (…); is DEMOGRAFIE_STORAGE "
        "… pointing at the right place? …`, exit 1, the live warehouse unchanged; `--allow-empty` builds",
        "test_a_build_from_an_empty_lake_keeps_the_full_warehouse",
    ),
    HostileCase(
        "four flipped bytes in a data page of a lake file (same size and time, the footer whole)",
        "each commit record keeps its file's sha256: a build that reads the file refuses, `lake/… (table …, "
        "delivery of …) has other bytes than when it was written …`, the live warehouse kept; `demografie "
        "verify` checks every file and names it, exit 1",
        "test_bit_rot_in_a_lake_file_is_named_not_read_as_figures",
    ),
    HostileCase(
        "`deliveries drop`, then nightly runs with the publisher's vintage unchanged (and one that asks "
        "the table whole)",
        "the drop is recorded: the runs say `unchanged` (`… a delivery dropped with `demografie deliveries "
        "drop`: not loaded again …`); `demografie ingest` of its raw file loads it again on purpose",
        "test_a_dropped_delivery_stays_dropped_until_loaded_on_purpose",
    ),
    HostileCase(
        "a manifest index whose entry names another table's lake file (keys and stamps intact)",
        "`deliveries drop` acts on the commit records themselves: the other table's file stays",
        "test_a_damaged_manifest_index_never_decides_what_a_drop_deletes",
    ),
    HostileCase(
        "a wrong override in the user catalog (the stock mapped to `deaths`), loaded, then corrected",
        "each delivery records the mapping it was normalised under; the next build normalises it again from "
        "raw/ and says so (`note: population: its catalog entry changed; 1 delivery(ies) normalised again "
        "from raw/`): the figures are the published ones under the right measure",
        "test_a_corrected_user_catalog_reaches_the_deliveries_already_held",
    ),
    HostileCase(
        "the GENESIS API answering a table-CSV request with another table's table CSV",
        "the table fails alone: `… the file names itself table 13111-11-04-4, not 13111-12-03-4 …`; nothing "
        "of it in the lake",
        "test_a_table_csv_answer_for_another_table_is_refused_on_the_api_route",
    ),
)


def render() -> str:
    """docs/reliability.md."""
    lines = [
        "# Reliability: what was tried, and what happened",
        "",
        "Generated from `tests/reliability.py`; every row is a test case that passed on the last",
        "`make test` (`DEMOGRAFIE_WRITE_RELIABILITY=1 make pytest` rewrites this file).",
        "",
        "## Publisher faults",
        "",
        f"Injected through the local GENESIS server on `data/tablefile` of {TABLE} during a nightly run",
        "that also fetches 13111-01-03-4. *Loaded*: the bounded retries (HTTP and task level) got the",
        "table. *Failed alone*: the table's error names publisher, table and cause; nothing of it",
        "reached the lake or the warehouse; 13111-01-03-4 was loaded and the warehouse built; the flow",
        "run ended Failed and its `nightly-tables` artifact lists the table as failed with the message.",
        "",
        "| fault | result |",
        "|---|---|",
        *(f"| {case.name} | {case.result} |" for case in FAULT_CASES),
        "",
        "## Bad input",
        "",
        "Each parser gets the recorded sample with up to four random byte edits (flip, delete,",
        "insert, duplicate a span, cut the end; hypothesis, derandomised in CI). Every result is",
        "either a table whose values are finite numbers or a symbol, or our `ParseError` naming",
        "table and source; no other exception. `HYPOTHESIS_PROFILE=fuzz` runs ten times as many.",
        "",
        "| parser | sample | examples per run | result |",
        "|---|---|---|---|",
        *(f"| {t.name} | `{t.sample}` | {t.examples} | table or ParseError |" for t in FUZZ_TARGETS),
        "",
        "One value of the German v5 flat file replaced by a number, a symbol or any short text of",
        "digits, signs, commas, points, blanks and letters (300 examples): a plain or",
        "decimal-comma number is read exactly, a GENESIS symbol becomes a status, anything else",
        "(thousands separators, a decimal point in a German file, `+1`, blanks, `1e5`, an empty field)",
        "rejects the file, naming the line.",
        "",
        "## Crashes",
        "",
        "A nightly run (population held and unchanged, employees new) killed with SIGKILL at each",
        "point (`tests/crash_child.py`). Afterwards, every time: the live warehouse opens and equals",
        "the warehouse before the run or the one a clean run builds; every Parquet file a reader can",
        "see is whole; the next run completes, builds the same warehouse as a clean run, and removes",
        "the temporaries the killed run left.",
        "",
        "| killed at | result |",
        "|---|---|",
        *(f"| {point} | before or after; next run completes |" for point in CRASH_POINTS),
        "",
        "## Concurrency",
        "",
        "| case | result | test |",
        "|---|---|---|",
        "| `demografie run` and `demografie backfill` started at the same moment on one home, an "
        "analyst querying a mart every 20 ms and another holding a read-only connection throughout "
        "| one run waits for the other's lock; no error reached the analysts; the held connection "
        "keeps its snapshot; the warehouse holds all years once, labelled synthetic "
        "| `test_concurrency.py` |",
        "| a second run while the first holds the home | waits `DEMOGRAFIE_LOCK_WAIT_SECONDS`, then "
        "refuses naming the holder | `test_runs.py` |",
        "| runs on several machines sharing one home | the server's global concurrency limit "
        "`demografie-writer` admits one | `test_runs.py` |",
        "| nightly and backfill picked up by two workers of one pool | never held the home at "
        "the same time | `test_deployment.py` |",
        "",
        "## Hostile input (`test_hostile_input.py`)",
        "",
        "Defects found by a hostile review with unseen real files; redirects, dropped connections, "
        "trickling answers and long error texts are in the publisher faults above.",
        "",
        "| case | result |",
        "|---|---|",
        *(f"| {c.case} | {c.result} |" for c in HOSTILE_CASES),
        "",
        "## The newer surface under hostile input (`test_hostile_surface.py`)",
        "",
        "A hostile round against the user catalog, uncatalogued tables, deliveries, geodata, maps, the "
        "build that reuses the live warehouse, tuning variables and signals.",
        "",
        "| case | result |",
        "|---|---|",
        *(f"| {c.case} | {c.result} |" for c in SURFACE_CASES),
        "",
        "## Secrets and hostile input (`test_secrets.py`)",
        "",
        "| case | result |",
        "|---|---|",
        "| a nightly run, a failing backfill, a run with a wrong password, and `demografie run` / "
        "`status` from the command line with the right and the wrong password | neither password "
        "in any file of the data homes (raw, sidecars, lake, warehouse, run log), the Prefect "
        "database (runs, logs, artifacts), the captured logs, the command output or the exception "
        "texts |",
        "| a server with a self-signed certificate | refused before any request: "
        "`TLS verification failed: the server's certificate is not trusted …`; accepted once "
        "`REQUESTS_CA_BUNDLE` names the certificate; no `verify=False` in the code |",
        "| zip member path outside, zip bomb | see the publisher faults above |",
        "| a file that names a table outside the catalog (`../../etc/x`), a `--table` with a path "
        "| refused as an unknown table before anything is written; every code that reaches a path "
        "or SQL comes from the catalog, whose codes are checked against the publishers' patterns, "
        "and storage keys with `..` are refused |",
        "",
    ]
    return "\n".join(lines)
