"""`demografie check-access`: per publisher, whether its address answers and accepts the credentials,
through real HTTP against local GENESIS servers; never a credential on the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from demografie.cli import app
from demografie.devserver.server import GenesisServer
from tests.support import point_at

runner = CliRunner()
GOOD, WRONG = "pw-good-Access1", "pw-wrong-Access2"


@pytest.mark.usefixtures("prefect_harness")
def test_check_access_says_per_publisher_what_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        GenesisServer(tmp_path, "alice", GOOD) as regio,
        GenesisServer(tmp_path, "alice", GOOD) as destatis_new,
        GenesisServer(tmp_path, moved_to=destatis_new.base_url) as destatis_old,
        GenesisServer(tmp_path, "alice", GOOD) as zensus,
    ):
        point_at(regio, "GENESIS_REGIO", "alice", GOOD, monkeypatch)
        point_at(destatis_old, "GENESIS_DESTATIS", "alice", GOOD, monkeypatch)
        point_at(zensus, "GENESIS_ZENSUS", "alice", WRONG, monkeypatch)
        result = runner.invoke(app, ["check-access", "--home", str(tmp_path)])
        assert destatis_new.seen == []
    lines = result.output.splitlines()
    assert result.exit_code == 1
    assert lines[:4] == [
        "regio: ok (Regionaldatenbank Deutschland)",
        f"  address:     {regio.base_url} (GENESIS_REGIO_URL)",
        "  credentials: GENESIS_REGIO_USERNAME and _PASSWORD",
        "  the address answers and accepts the credentials (user name and password)",
    ]
    assert lines[4] == "destatis: FAILED (Destatis GENESIS-Online)"
    assert f"set GENESIS_DESTATIS_URL={destatis_new.base_url}" in lines[7]
    assert lines[8] == "zensus: FAILED (Zensus 2022 Datenbank)"
    assert lines[11].startswith("  login rejected: Ein Fehler ist aufgetreten.")
    assert "check GENESIS_ZENSUS_USERNAME and GENESIS_ZENSUS_PASSWORD" in lines[11]
    assert GOOD not in result.output and WRONG not in result.output


@pytest.mark.usefixtures("prefect_harness")
def test_a_publisher_without_credentials_is_not_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with GenesisServer(tmp_path, "alice", GOOD) as regio:
        point_at(regio, "GENESIS_REGIO", "alice", GOOD, monkeypatch)
        for prefix in ("GENESIS_DESTATIS", "GENESIS_ZENSUS"):
            for suffix in ("_USERNAME", "_PASSWORD", "_TOKEN", "_URL"):
                monkeypatch.delenv(prefix + suffix, raising=False)
        result = runner.invoke(app, ["check-access", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "destatis: not checked (Destatis GENESIS-Online)" in result.output
    assert "  address:     https://genesis.destatis.de/genesisWS/rest/2020/ (default)" in result.output
    assert "  not asked: no credentials (GENESIS_DESTATIS_USERNAME or GENESIS_DESTATIS_TOKEN)" in result.output
