"""The GENESIS client over real HTTP against the local GENESIS-protocol server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests

from demografie.archive import unpack_single
from demografie.devserver.server import Fault, GenesisServer
from demografie.sources import errors
from demografie.sources.credentials import Credentials
from demografie.sources.genesis import GenesisClient, TableRequest
from demografie.sources.http import RetryPolicy
from demografie.sources.landing import land
from demografie.sources.publishers import PUBLISHERS
from demografie.storage import Store
from tests.support import Sleeps

SECRET = "s3cret-Pa55word"
FLAT = (
    "\ufeffstatistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label\n"
    "12411;B;STAG;Stichtag;2023-12-31;KREISE;K;06411;Darmstadt;159000;Anzahl;BEVSTD;B\n"
    "12411;B;STAG;Stichtag;2024-12-31;KREISE;K;06411;Darmstadt;160000;Anzahl;BEVSTD;B\n"
)
METADATA = {
    "Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"},
    "Object": {
        "Code": "12411-01-01-4",
        "Content": "Bevölkerung",
        "Updated": "31.03.2025 11:18:07h",
        "Time": {"From": "31.12.1995", "To": "31.12.2024"},
    },
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[GenesisServer]:
    (tmp_path / "tablefile").mkdir()
    (tmp_path / "metadata").mkdir()
    (tmp_path / "tablefile" / "12411-01-01-4.csv").write_text(FLAT, "utf-8")
    (tmp_path / "metadata" / "12411-01-01-4.json").write_text(json.dumps(METADATA), "utf-8")
    with GenesisServer(tmp_path, "alice", SECRET) as running:
        yield running


def client(
    server: GenesisServer, password: str = SECRET, attempts: int = 3, sleeps: Sleeps | None = None, timeout: float = 5.0
) -> GenesisClient:
    retry = RetryPolicy(attempts=attempts, backoff_seconds=0.01, sleep=sleeps if sleeps is not None else Sleeps())
    return GenesisClient(
        PUBLISHERS["regio"].with_base_url(server.base_url),
        Credentials("alice", password),
        timeout=(timeout, timeout),
        retry=retry,
    )


REQUEST = TableRequest("12411-01-01-4", 2024, 2024)


def test_tablefile_posts_form_with_header_credentials_and_returns_the_zip(server: GenesisServer) -> None:
    download = client(server).tablefile(REQUEST)
    member = unpack_single(download.content)
    assert member.name.startswith("12411-01-01-4_") and member.name.endswith("_de_flat.csv")
    assert b"2024-12-31" in member.data and b"2023-12-31" not in member.data
    (seen,) = server.seen
    assert (seen.method, seen.endpoint, seen.had_credentials) == ("POST", "data/tablefile", True)
    assert seen.form["startyear"] == "2024" and seen.form["endyear"] == "2024"
    assert "password" not in seen.form and SECRET not in json.dumps(download.params)


def test_metadata_gives_the_vintage(server: GenesisServer) -> None:
    metadata = client(server).table_metadata("12411-01-01-4")
    assert metadata.updated == datetime(2025, 3, 31, 11, 18, 7)


def test_the_real_service_answers_get_with_its_web_page(server: GenesisServer) -> None:
    response = requests.get(server.base_url + "data/tablefile?name=12411-01-01-4", timeout=5)
    assert response.status_code == 200 and b"<html" in response.content


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (50, errors.NoNewerDataError),
        (90, errors.TableNotFoundError),
        (98, errors.TableTooLargeError),
        (104, errors.TableNotFoundError),  # on data/tablefile: an unknown table (Destatis since 2026)
        (-1, errors.PublisherStatusError),
        (77, errors.PublisherStatusError),
    ],
)
def test_status_codes_map_to_clear_errors(server: GenesisServer, code: int, error: type[Exception]) -> None:
    server.inject(Fault(endpoint="data/tablefile", status_code=code, status_content="Inhalt"))
    with pytest.raises(error) as info:
        client(server).tablefile(REQUEST)
    assert str(info.value).startswith(f"regio: table 12411-01-01-4: status {code} (")
    assert "Inhalt" in str(info.value)


def test_status_22_is_success(server: GenesisServer) -> None:
    server.inject(Fault(endpoint="metadata/table", status_code=22, status_content="angepasst"))
    assert client(server).table_metadata("12411-01-01-4").updated is None


@pytest.mark.parametrize(
    "fault",
    [
        Fault(http_status=503),
        Fault(http_status=502),
        Fault(http_status=500),
        Fault(status_code=6, status_content="zu viele parallele Anfragen"),
        Fault(html=True),
        Fault(body=b""),
    ],
)
def test_transient_failures_are_retried(server: GenesisServer, fault: Fault) -> None:
    fault.times = 2
    server.inject(fault)
    sleeps = Sleeps()
    download = client(server, sleeps=sleeps).tablefile(REQUEST)
    assert unpack_single(download.content).data.count(b"\n") == 2
    assert len(sleeps) == 2 and len(server.seen) == 3


def test_retry_after_is_honoured(server: GenesisServer) -> None:
    server.inject(Fault(http_status=429, retry_after="7"))
    sleeps = Sleeps()
    client(server, sleeps=sleeps).tablefile(REQUEST)
    assert sleeps == [7.0]


def test_retries_are_bounded_and_the_error_says_so(server: GenesisServer) -> None:
    server.inject(Fault(http_status=503, times=10))
    with pytest.raises(errors.TransientSourceError, match=r"HTTP 503 \(gave up after 3 attempts\)"):
        client(server).tablefile(REQUEST)
    assert len(server.seen) == 3


def test_read_timeout_is_transient(server: GenesisServer) -> None:
    server.inject(Fault(delay=1.0, times=5))
    with pytest.raises(errors.TransientSourceError, match="timeout"):
        client(server, attempts=2, timeout=0.2).tablefile(REQUEST)


def test_missing_credentials_say_how_to_get_them() -> None:
    regio = GenesisClient(PUBLISHERS["regio"], None)
    with pytest.raises(errors.CredentialsMissingError) as info:
        regio.tablefile(REQUEST)
    assert "GENESIS_REGIO_USERNAME" in str(info.value) and "regionalstatistik.de" in str(info.value)


def test_wrong_password_fails_the_logincheck_without_showing_it(server: GenesisServer) -> None:
    with pytest.raises(errors.LoginFailedError) as info:
        client(server, password="wrong-" + SECRET).logincheck()
    assert "Passwort" in str(info.value) and SECRET not in str(info.value)
    client(server).logincheck()


def test_credentials_never_printed() -> None:
    credentials = Credentials("alice", SECRET)
    assert SECRET not in repr(credentials) and SECRET not in str(credentials)


def test_landing_is_byte_exact_and_the_sidecar_has_no_credentials(server: GenesisServer, tmp_path: Path) -> None:
    download = client(server).tablefile(REQUEST)
    raw = Store.at(tmp_path / "raw")
    landed = land(
        raw,
        publisher="regio",
        table=REQUEST.name,
        content=download.content,
        retrieved_at=download.retrieved_at,
        vintage=datetime(2025, 3, 31, 11, 18, 7),
        origin={"params": {**download.params, "password": SECRET}, "url": download.url},
        suffix=".zip",
    )
    assert (tmp_path / "raw" / landed.key).read_bytes() == download.content
    sidecar_text = (tmp_path / "raw" / landed.sidecar).read_text("utf-8")
    sidecar = json.loads(sidecar_text)
    assert sidecar["params"]["startyear"] == "2024" and sidecar["source_vintage"] == "2025-03-31T11:18:07"
    assert SECRET not in sidecar_text
