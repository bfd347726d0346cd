"""The environment is read once, into settings.Settings, and checked there: every variable it
reads, each wrong value refused with the variable's name, and nothing below it reading the
environment on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from demografie.cli import app
from demografie.settings import Settings, SettingsError
from demografie.sources.http import RetryPolicy, timeouts
from demografie.sources.publishers import PUBLISHERS, configured
from tests.support import REPO

runner = CliRunner()


def test_the_settings_hold_every_variable_read_once(tmp_path: Path) -> None:
    (tmp_path / "catalog.toml").write_text("", "utf-8")
    settings = Settings.from_env(
        environ={
            "DEMOGRAFIE_HOME": str(tmp_path),
            "DEMOGRAFIE_HTTP_ATTEMPTS": "7",
            "DEMOGRAFIE_HTTP_DEADLINE_SECONDS": "12.5",
            "GENESIS_REGIO_URL": " http://127.0.0.1:8080/rest ",
            "DEMOGRAFIE_DEBUG": "1",
        }
    )
    assert settings.paths.home == tmp_path.resolve() and settings.paths.storage is None
    assert settings.catalog == tmp_path / "catalog.toml"
    assert settings.debug
    retry = RetryPolicy.from_settings(settings)
    assert (retry.attempts, retry.backoff_seconds, retry.deadline_seconds) == (7, 2.0, 12.5)
    assert timeouts(settings) == (30.0, 300.0)
    assert configured(PUBLISHERS["regio"], settings).base_url == "http://127.0.0.1:8080/rest/"
    assert configured(PUBLISHERS["destatis"], settings).base_url == "https://genesis.destatis.de/genesisWS/rest/2020/"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GENESIS_DESTATIS_URL", "ftp://mirror.example/", "GENESIS_DESTATIS_URL is not an http(s) URL with a host: "),
        ("SACHSEN_GENONLINE_URL", "https://u:p@statistik.sachsen.de/", "SACHSEN_GENONLINE_URL carries a user name or"),
        ("DEMOGRAFIE_BKG_URL", "daten.gdz.bkg.bund.de/x.zip", "DEMOGRAFIE_BKG_URL is not an http(s) URL with a host"),
        ("DEMOGRAFIE_CATALOG", "/nowhere/catalog.toml", "DEMOGRAFIE_CATALOG=/nowhere/catalog.toml: no such file"),
        ("DEMOGRAFIE_JOB_TIMEOUT_SECONDS", "-1", "DEMOGRAFIE_JOB_TIMEOUT_SECONDS='-1' is below 0.1"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_with_its_name(
    variable: str, value: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        Settings.from_env(tmp_path, environ={variable: value})


def test_a_bad_setting_stops_a_command_before_it_touches_the_home(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["build", "--home", str(tmp_path / "home")], env={"DEMOGRAFIE_CATALOG": "/nowhere.toml", "COLUMNS": "300"}
    )
    assert result.exit_code == 2
    assert "Error: DEMOGRAFIE_CATALOG=/nowhere.toml: no such file" in result.output
    assert not (tmp_path / "home").exists()
    assert issubclass(SettingsError, ValueError)


def test_the_user_catalog_of_a_home_given_by_option_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the environment names no home; `--home` must bring its catalog.toml
    monkeypatch.delenv("DEMOGRAFIE_HOME", raising=False)
    monkeypatch.delenv("DEMOGRAFIE_CATALOG", raising=False)
    from tests.test_catalog import USER_ENTRY

    (tmp_path / "catalog.toml").write_text(USER_ENTRY, "utf-8")
    result = runner.invoke(app, ["sources", "--home", str(tmp_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "migration_nationality" in result.output and "12711-05-02-4" in result.output
    elsewhere = runner.invoke(app, ["sources", "--home", str(tmp_path / "other")], env={"COLUMNS": "300"})
    assert elsewhere.exit_code == 0 and "migration_nationality" not in elsewhere.output


# the modules that may read the environment, and why; everything else is given Settings
READERS = {
    "demografie/settings.py": "reads it once",
    "demografie/sources/credentials.py": "secrets are read where they are used, never held in Settings",
    "demografie/cli/base.py": "sets Prefect's quiet defaults and the demo's local server",
    "demografie/flows/deploy.py": "hands the environment to `prefect deploy`",
}


def test_nothing_below_the_settings_reads_the_environment() -> None:
    readers = {
        str(path.relative_to(REPO))
        for path in (REPO / "demografie").rglob("*.py")
        if re.search(r"os\.environ|os\.getenv", path.read_text("utf-8"))
    }
    assert readers == set(READERS)


@pytest.mark.parametrize(
    ("given", "states"),
    [
        ("", ("06", "14")),
        ("06,14,16", ("06", "14", "16")),
        ("16 06, 14", ("06", "14", "16")),
        ("Hessen, thüringen", ("06", "16")),
        ("6", ("06",)),
    ],
)
def test_the_lander_to_load_are_configured_by_key_or_name(tmp_path: Path, given: str, states: tuple[str, ...]) -> None:
    assert Settings.from_env(tmp_path, {"DEMOGRAFIE_STATES": given}).states == states


def test_all_lander_are_the_sixteen(tmp_path: Path) -> None:
    states = Settings.from_env(tmp_path, {"DEMOGRAFIE_STATES": "all"}).states
    assert states == tuple(f"{key:02d}" for key in range(1, 17))


def test_the_user_catalog_may_declare_the_lander_and_the_variable_wins(tmp_path: Path) -> None:
    from demografie.catalog import load_datasets

    catalog = tmp_path / "catalog.toml"
    catalog.write_text('states = ["Hessen", "Sachsen", "Thüringen"]\n', "utf-8")
    assert Settings.from_env(tmp_path, {}).states == ("06", "14", "16")
    assert Settings.from_env(tmp_path, {"DEMOGRAFIE_STATES": "09"}).states == ("09",)
    assert load_datasets(catalog)  # the catalog's reader accepts the entry

    catalog.write_text('states = "06,Preußen"\n', "utf-8")
    with pytest.raises(SettingsError, match=r"catalog.toml: states='06,Preußen': 'Preußen' is not a Land"):
        Settings.from_env(tmp_path, {})
    catalog.write_text("states = 6\n", "utf-8")
    with pytest.raises(SettingsError, match=r"catalog.toml: states must be a text or a list of texts"):
        Settings.from_env(tmp_path, {})


@pytest.mark.parametrize("given", ["06,17", "Hesse", "06,,Bayern,x"])
def test_a_state_that_is_no_land_is_refused_with_the_variable(tmp_path: Path, given: str) -> None:
    with pytest.raises(SettingsError, match=r"^DEMOGRAFIE_STATES=.* is not a Land; give keys or names .*16 Thüringen"):
        Settings.from_env(tmp_path, {"DEMOGRAFIE_STATES": given})
