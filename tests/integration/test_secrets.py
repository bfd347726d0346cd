"""Nobody in: the password is found in no byte the pipeline produces, and TLS is verified.

Everything runs with a password made for this test (and a second, wrong one). Afterwards every
file of the data homes, the Prefect database (flow runs, task runs, logs, artifacts), the
captured logs, the command-line output and the exception texts are searched for either."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prefect.logging.handlers import APILogHandler
from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL, PREFECT_API_URL

from demografie.devserver.server import Fault, GenesisServer
from demografie.flows.backfill import backfill
from demografie.flows.ingest import ingest
from demografie.flows.nightly import nightly
from demografie.flows.runs import RunFailedError
from demografie.sources.credentials import Credentials
from demografie.sources.errors import SourceError
from demografie.sources.genesis import GenesisClient
from demografie.sources.http import TLS_UNTRUSTED, RetryPolicy
from demografie.sources.publishers import PUBLISHERS
from demografie.usecases.ingest import IngestError
from tests.support import POPULATION, REPO, sample_path

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_harness")]
PASSWORD = f"Geh31m-{uuid.uuid4().hex}"
WRONG = f"Falsch-{uuid.uuid4().hex}"


def files_below(*roots: Path) -> list[Path]:
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def test_the_password_is_in_no_byte_the_pipeline_produces(
    recorded_publisher: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    home = tmp_path / "home"
    texts: list[str] = []
    with GenesisServer(recorded_publisher, "analyst", PASSWORD) as publisher:
        credentials = {
            "GENESIS_REGIO_URL": publisher.base_url,
            "GENESIS_REGIO_USERNAME": "analyst",
            "GENESIS_REGIO_PASSWORD": PASSWORD,
        }
        for name, value in credentials.items():
            monkeypatch.setenv(name, value)
        summary = nightly(datasets=["population"], as_of=dt.date(2025, 12, 31), home=str(home))
        assert [t.outcome for t in summary.tables] == ["loaded"]  # the password was used, and worked
        assert all(seen.had_credentials for seen in publisher.seen if seen.method == "POST")

        publisher.inject(Fault("data/tablefile", status_code=-1, status_content="Fehler", times=100))
        with pytest.raises(RunFailedError) as failed:
            backfill(2015, 2024, datasets=["employees_workplace"], home=str(home))
        texts += [str(failed.value), repr(failed.value), *(t.message for t in failed.value.summary.tables)]

        monkeypatch.setenv("GENESIS_REGIO_PASSWORD", WRONG)
        with pytest.raises(Exception) as refused:
            nightly(datasets=["employees_workplace"], as_of=dt.date(2025, 12, 31), home=str(home))
        texts += [str(refused.value), repr(refused.value)]

        env = os.environ | credentials | {"PREFECT_API_URL": str(PREFECT_API_URL.value())}
        cli = [sys.executable, "-m", "demografie.cli"]
        for command in (["run", "-d", "employees_workplace"], ["status"], ["run", "-d", "population"]):
            for password in (PASSWORD, WRONG):
                done = subprocess.run(
                    [*cli, *command, "--home", str(tmp_path / "cli")],
                    cwd=REPO,
                    env=env | {"GENESIS_REGIO_PASSWORD": password},
                    capture_output=True,
                    text=True,
                    timeout=180,
                    check=False,
                )
                texts += [done.stdout, done.stderr]

    APILogHandler().flush()  # the run logs on their way to the Prefect database
    database = Path(str(PREFECT_API_DATABASE_CONNECTION_URL.value()).split("///", 1)[1]).parent
    produced = files_below(home, tmp_path / "cli", database)
    assert any(path.name == "warehouse.duckdb" for path in produced)
    stored = b"".join(path.read_bytes() for path in produced if path.parent == database)
    assert b"status -1 (publisher error): Fehler" in stored  # the run logs did reach the database
    texts += [record.getMessage() for record in caplog.records]
    for secret in (PASSWORD, WRONG):
        assert not [str(path) for path in produced if secret.encode() in path.read_bytes()]
        assert not [text for text in texts if secret in text]
    assert any("Fehler" in text for text in texts) and any(
        "refused" in text.lower() or "login" in text.lower() for text in texts
    )


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert, pem_key = directory / "server.pem", directory / "server.key"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    pem_key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert, pem_key


def test_tls_is_verified_and_an_untrusted_certificate_is_refused(
    recorded_publisher: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    with GenesisServer(recorded_publisher, "analyst", PASSWORD, tls=(cert, key)) as publisher:
        assert publisher.base_url.startswith("https://")
        client = GenesisClient(
            PUBLISHERS["regio"].with_base_url(publisher.base_url),
            Credentials("analyst", PASSWORD),
            retry=RetryPolicy(attempts=3, backoff_seconds=0),
        )
        with pytest.raises(SourceError) as refused:
            client.logincheck()
        assert str(refused.value) == f"regio: table -: {TLS_UNTRUSTED}"
        assert publisher.seen == []  # refused before a single request reached the server

        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))  # what an operator behind a proxy does
        client.logincheck()
        assert [seen.endpoint for seen in publisher.seen] == ["helloworld/logincheck"]


def test_no_code_switches_tls_verification_off() -> None:
    sources = [path for path in (REPO / "demografie").rglob("*.py")]
    assert not [str(p) for p in sources if "verify=False" in p.read_text("utf-8").replace(" ", "")]


def test_a_file_naming_a_table_outside_the_catalog_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    hostile = tmp_path / "download.csv"
    original = sample_path("regio_tabellencsv_12411-01-01-4_2018-12-31.csv").read_bytes()
    hostile.write_bytes(original.replace(b"GENESIS-Tabelle: 12411-01-01-4", b"GENESIS-Tabelle: ../../etc/x", 1))
    home = tmp_path / "home"
    with pytest.raises(IngestError, match=r"^download.csv: unknown dataset or table '\.\./\.\./etc/x'"):
        ingest([str(hostile)], home=str(home))
    with pytest.raises(IngestError, match="unknown dataset or table"):
        ingest([str(sample_path(POPULATION))], table="12411-01-01-4/../../x", home=str(home))
    assert files_below(home / "raw", home / "lake") == []
    assert sorted(p.name for p in home.iterdir() if p.is_file()) == [".writer.lock", "runs.jsonl"]


def test_a_short_password_is_masked_where_it_stands_not_inside_words() -> None:
    from demografie.redact import redact, register

    register("demo")  # the demo's password
    assert redact("load it with `demografie geodata`; login demo:demo failed") == (
        "load it with `demografie geodata`; login ***:*** failed"
    )
