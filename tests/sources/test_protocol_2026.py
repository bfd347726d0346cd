"""The publishers as they answer in late 2026 (docs/data-sources.md, "What changed in 2025-2026"), each
rule through real HTTP against the local GENESIS server: Destatis on its new host (the old one
redirects across hosts), flat authentication failures on misleading HTTP codes, 104 for an unknown
table, 18054 for a table too large even for a job, the finite result store, HTTP 500 under load, the
charset of the form body and a token for the Regionaldatenbank."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from demografie.devserver.server import Fault, GenesisServer
from demografie.registry import Publisher
from demografie.settings import Settings
from demografie.sources import errors
from demografie.sources.credentials import Credentials
from demografie.sources.fetching import JobPolicy, Route, TableFetcher
from demografie.sources.genesis import GenesisClient, TableRequest
from demografie.sources.http import RetryPolicy
from demografie.sources.publishers import PUBLISHERS, configured, redirects
from tests.support import Sleeps

SECRET = "pw-2026-Destatis"
HEADER = (
    "\ufeffstatistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label\n"
)


def flat(years: range) -> str:
    lines = [
        f"12411;B;STAG;Stichtag;{year}-12-31;DLAND;Bundesländer;{state};{name};{value};Anzahl;BEVSTD;B\n"
        for year in years
        for state, name, value in (("06", "Hessen", 6_000_000 + year), ("14", "Sachsen", 4_000_000 + year))
    ]
    return HEADER + "".join(lines)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "tablefile").mkdir()
    (tmp_path / "tablefile" / "12411-0010.csv").write_text(flat(range(2016, 2026)), "utf-8")
    return tmp_path


@pytest.fixture
def server(root: Path) -> Iterator[GenesisServer]:
    with GenesisServer(root, "alice", SECRET) as running:
        yield running


def client(
    publisher: Publisher, username: str = "alice", password: str = SECRET, sleeps: Sleeps | None = None
) -> GenesisClient:
    retry = RetryPolicy(attempts=4, backoff_seconds=0.01, sleep=sleeps if sleeps is not None else Sleeps())
    return GenesisClient(publisher, Credentials(username, password), timeout=(5.0, 5.0), retry=retry)


def destatis(base_url: str, settings: Settings | None = None) -> Publisher:
    """Destatis as configured by GENESIS_DESTATIS_URL (and _HOSTS) pointing at a local server."""
    env = {"GENESIS_DESTATIS_URL": base_url}
    return configured(PUBLISHERS["destatis"], settings or Settings.from_env("/nonexistent", env))


REQUEST = TableRequest("12411-0010", 2024, 2025)


# --- hosts ---------------------------------------------------------------------------------------


def test_destatis_is_asked_at_its_new_host_by_default() -> None:
    publisher = PUBLISHERS["destatis"]
    assert publisher.base_url == "https://genesis.destatis.de/genesisWS/rest/2020/"
    assert publisher.hosts == ("genesis.destatis.de", "www-genesis.destatis.de")


def test_the_old_host_redirects_across_hosts_and_the_refusal_says_what_to_set(root: Path) -> None:
    with GenesisServer(root, "alice", SECRET) as new, GenesisServer(root, moved_to=new.base_url) as old:
        with pytest.raises(errors.RedirectRefusedError) as info:
            client(destatis(old.base_url)).tablefile(REQUEST)
        assert new.seen == []  # the credentials never went to the host nobody declared
    message = str(info.value)
    assert f"HTTP 307: redirected to {new.base_url}data/tablefile" in message
    assert f"set GENESIS_DESTATIS_URL={new.base_url}" in message
    assert SECRET not in message


def test_a_redirect_to_a_declared_host_is_followed_and_says_to_save_the_detour(
    root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with GenesisServer(root, "alice", SECRET) as new, GenesisServer(root, moved_to=new.base_url) as old:
        new_host = new.base_url.split("/")[2]
        env = {"GENESIS_DESTATIS_URL": old.base_url, "GENESIS_DESTATIS_HOSTS": new_host}
        publisher = destatis(old.base_url, Settings.from_env("/nonexistent", env))
        with caplog.at_level(logging.WARNING, logger="demografie.sources.http"):
            download = client(publisher).tablefile(REQUEST)
        assert download.content.startswith(b"PK")
        assert [(s.endpoint, s.had_credentials) for s in new.seen] == [("data/tablefile", True)]
    assert f"set GENESIS_DESTATIS_URL={new.base_url} to save the detour" in caplog.text


def test_a_redirect_from_https_to_http_is_never_followed() -> None:
    publisher = PUBLISHERS["destatis"]
    hosts = redirects(publisher)
    assert hosts.allows("https://www-genesis.destatis.de/a", "https://genesis.destatis.de/a")
    assert not hosts.allows("https://www-genesis.destatis.de/a", "http://genesis.destatis.de/a")
    assert not hosts.allows("https://genesis.destatis.de/a", "https://genesis.destatis.example/a")


# --- authentication failures --------------------------------------------------------------------


def test_wrong_credentials_answered_with_a_flat_404_are_a_credentials_error(server: GenesisServer) -> None:
    sleeps = Sleeps()
    with pytest.raises(errors.LoginFailedError) as info:
        client(destatis(server.base_url), password="wrong", sleeps=sleeps).tablefile(REQUEST)
    message = str(info.value)
    assert "does not accept the credentials (HTTP 404, code 2:" in message
    assert "check GENESIS_DESTATIS_USERNAME and GENESIS_DESTATIS_PASSWORD" in message
    assert not isinstance(info.value, errors.TableNotFoundError | errors.NoObjectsError)
    assert len(server.seen) == 1 and sleeps == []  # never retried


def test_no_credentials_answered_with_a_flat_401_are_a_credentials_error(server: GenesisServer) -> None:
    flat15 = {"Code": 15, "Content": "Sie sind nicht berechtigt, diesen Service zu nutzen.", "Type": "ERROR"}
    server.inject(Fault(http_status=401, body=json.dumps(flat15).encode(), content_type="application/json"))
    with pytest.raises(errors.LoginFailedError, match=r"HTTP 401, code 15: Sie sind nicht berechtigt"):
        client(destatis(server.base_url)).tablefile(REQUEST)


def test_the_flat_auth_body_on_http_200_is_a_credentials_error_too(root: Path) -> None:
    with (
        GenesisServer(root, "alice", SECRET, auth_http_status=200) as server,
        pytest.raises(errors.LoginFailedError, match=r"HTTP 200, code 2"),
    ):
        client(destatis(server.base_url), password="wrong").table_metadata("12411-0010")


def test_logincheck_refuses_wrong_credentials_and_the_guest_answer(server: GenesisServer) -> None:
    client(destatis(server.base_url)).logincheck()
    with pytest.raises(errors.LoginFailedError, match="login rejected: Ein Fehler ist aufgetreten"):
        client(destatis(server.base_url), password="wrong").logincheck()
    guest = {"Status": "Sie wurden erfolgreich an- und abgemeldet!", "Username": "GAST"}
    server.inject(Fault(endpoint="helloworld/logincheck", body=json.dumps(guest).encode()))
    with pytest.raises(errors.LoginFailedError, match="answered as its guest user GAST"):
        client(destatis(server.base_url)).logincheck()


# --- statuses -------------------------------------------------------------------------------------


def test_an_unknown_table_is_status_104_on_tablefile_and_says_no_such_table(server: GenesisServer) -> None:
    with pytest.raises(errors.TableNotFoundError, match=r"status 104 \(no such table at this publisher"):
        client(destatis(server.base_url)).tablefile(TableRequest("12411-9999", 2024, 2025))


def test_a_table_too_large_even_for_a_job_is_split_by_years_then_states(root: Path) -> None:
    # 20 rows over 2016-2025; a part of more than 4 rows is refused even as a job (18054)
    with GenesisServer(root, "alice", SECRET, job_limit=4) as server:
        fetched = TableFetcher(client(destatis(server.base_url)), ("06", "14")).fetch(
            TableRequest("12411-0010", 2016, 2025)
        )
    assert fetched.route is Route.SPLIT
    assert [s.form["job"] for s in server.seen] == ["false"] * len(server.seen)  # 18054: no job would do
    covered = [
        year for part in fetched.parts for year in range(int(part.params["startyear"]), int(part.params["endyear"]) + 1)
    ]
    assert sorted(covered) == list(range(2016, 2026))  # every year once
    assert all(int(p.params["endyear"]) - int(p.params["startyear"]) <= 1 for p in fetched.parts)  # 4 rows at most


def test_a_full_result_store_is_cleaned_and_the_job_result_removed_after_delivery(root: Path) -> None:
    with GenesisServer(root, "alice", SECRET, dialog_limit=4, job_polls=0, result_store=1) as server:
        publisher = destatis(server.base_url)
        # a job of a run that died before collecting it fills the one place of the store
        stale = client(publisher).start_job(TableRequest("12411-0010", 2016, 2025))
        fetched = TableFetcher(client(publisher), ("06", "14"), JobPolicy(poll_seconds=0)).fetch(
            TableRequest("12411-0010", 2016, 2025)
        )
        removed = [s.form["name"] for s in server.seen if s.endpoint == "profile/removeResult"]
        started = [s for s in server.seen if s.endpoint == "data/tablefile" and s.form["job"] == "true"]
        left = dict(server.state.jobs)
    assert fetched.route is Route.JOB and fetched.parts[0].content.startswith(b"PK")
    assert removed[0] == stale and len(removed) == 2  # the stale result, then ours once delivered
    assert len(started) == 3  # the stale one, the one refused (store full), the one after cleaning
    assert left == {}


def test_http_500_under_load_is_retried_with_backoff(root: Path) -> None:
    sleeps = Sleeps()
    with GenesisServer(root, "alice", SECRET, max_parallel=1) as server:
        # a first request holds the only place for a while (a slow answer)
        server.inject(Fault(endpoint="helloworld/logincheck", delay=0.8, body=b'{"Status": "erfolgreich"}'))
        holder = threading.Thread(target=client(destatis(server.base_url)).logincheck)
        holder.start()
        while not server.seen:
            time.sleep(0.01)
        retry = RetryPolicy(attempts=5, backoff_seconds=0.3, sleep=sleeps_and_wait(sleeps))
        busy = GenesisClient(destatis(server.base_url), Credentials("alice", SECRET), timeout=(5, 5), retry=retry)
        download = busy.tablefile(REQUEST)
        holder.join()
        overloaded = server.state.overloaded
    assert download.content.startswith(b"PK")
    assert overloaded >= 1 and len(sleeps) == overloaded  # each 500 waited, then was asked again


def sleeps_and_wait(sleeps: Sleeps) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    return sleep


def test_the_form_body_says_utf8_and_always_has_a_length(server: GenesisServer) -> None:
    client(destatis(server.base_url)).logincheck()  # an empty form
    client(destatis(server.base_url)).tablefile(REQUEST)
    assert {s.content_type for s in server.seen} == {"application/x-www-form-urlencoded; charset=UTF-8"}
    with socket.create_connection(tuple_of(server.base_url)) as sock:
        sock.sendall(b"POST /genesisws/rest/2020/helloworld/logincheck HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.0 411")


def tuple_of(url: str) -> tuple[str, int]:
    host, port = url.split("/")[2].split(":")
    return host, int(port)


def test_a_token_works_for_the_regionaldatenbank(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = "0123456789abcdef0123456789abcdef"
    monkeypatch.delenv("GENESIS_REGIO_USERNAME", raising=False)
    monkeypatch.setenv("GENESIS_REGIO_TOKEN", token)
    credentials = Credentials.from_env("GENESIS_REGIO")
    assert credentials is not None
    with GenesisServer(root, token, "", dialog_limit=4) as server:  # an account that knows the token
        regio = GenesisClient(PUBLISHERS["regio"].with_base_url(server.base_url), credentials)
        regio.logincheck()
        fetched = TableFetcher(regio, ("06", "14")).fetch(TableRequest("12411-0010", 2016, 2025))
        sent = {(s.endpoint, s.form.get("job")) for s in server.seen}
    assert fetched.route is Route.SPLIT  # a token reads, but cannot start jobs: a large table is split
    assert ("data/tablefile", "true") not in sent
