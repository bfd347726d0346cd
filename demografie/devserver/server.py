"""The local GENESIS-protocol server, answering as the publishers do in late 2026.

Response files: <root>/tablefile/<table>.csv (a v5 flat file, served zipped and cut to the years
asked for), <root>/tablecsv/<table>.csv (a table CSV, served zipped as it is to `format=csv`),
<root>/metadata/<table>.json (a metadata/table answer) and <root>/download/<table>.csv (a table
CSV, served as it is by the Sachsen-style web download under /genonline/online).

What it learned from the publishers of 2026 (docs/data-sources.md): a host that moved answers every
POST with a cross-host 307 (`moved_to`); wrong credentials are a flat body {"Code": 2} on HTTP 404,
none a flat {"Code": 15} on 401 (`auth_http_status` 200: the same bodies on HTTP 200); an unknown
table is status 104 on data/tablefile; a table over `job_limit` rows is 18054 even for a job; the
account keeps at most `result_store` job results (status 2 "maximal erlaubte Anzahl" beyond, freed
by profile/removeResult); more than `max_parallel` requests at once get HTTP 500; a POST without
Content-Length gets 411, and a form body without `charset=UTF-8` is read as Latin-1.
"""

from __future__ import annotations

import io
import json
import socket
import ssl
import struct
import threading
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

BASE_PATH = "/genesisws/rest/2020/"
WEB_DOWNLOAD_PATH = "/genonline/online"
MASK = "*" * 20
HOMEPAGE = (
    b"<!DOCTYPE html><html lang='de'><head><title>GENESIS-Online</title></head>"
    b"<body><h1>GENESIS-Online</h1><p>Willkommen</p></body></html>"
)
LOGIN_ERROR = "Bitte prüfen und korrigieren Sie Ihren Nutzernamen bzw. das Passwort."
NOT_AUTHORISED = "Sie sind nicht berechtigt, diesen Service zu nutzen."
LOGIN_FAILED_SENTENCE = f"Ein Fehler ist aufgetreten. ({LOGIN_ERROR})"
GUEST_SENTENCE = (
    "Sie wurden erfolgreich an- und abgemeldet! Bei mehr als 3 parallelen Requests wurden länger als 15 Minuten "
    "laufende Requests beendet."
)
STORE_FULL = "Sie haben die maximal erlaubte Anzahl an Ergebnistabellen erreicht. Bitte löschen Sie Ergebnisse."
TOO_LARGE_FOR_JOB = (
    "Die Tabelle ist zu groß, um weder im Dialog noch als Hintergrundauftrag abgerufen zu werden. Bitte schränken "
    "Sie die Auswahl ein."
)


@dataclass
class Fault:
    """What the server does instead of answering, for the next `times` matching requests."""

    endpoint: str | None = None  # e.g. "data/tablefile"; None matches any
    table: str | None = None  # the form's `name`; None matches any
    http_status: int = 200
    status_code: int | None = None  # a GENESIS status code in a JSON envelope
    status_content: str = "injected fault"
    html: bool = False
    body: bytes | None = None
    content_type: str = "application/zip"
    delay: float = 0.0
    retry_after: str | None = None
    reset: bool = False  # drop the connection with a TCP reset instead of answering
    headers: dict[str, str] = field(default_factory=dict)  # e.g. a redirect's Location
    cut_body: bool = False  # promise the whole body, send half of it, then drop the connection
    trickle_seconds: float = 0.0  # send the body one byte at a time, this long apart
    times: int = 1


@dataclass(frozen=True)
class Seen:
    method: str
    endpoint: str
    form: dict[str, str]
    had_credentials: bool
    content_type: str = ""


@dataclass
class Job:
    form: dict[str, str]
    polls_left: int


@dataclass
class ServerState:
    root: Path
    username: str
    password: str
    # Tables with more selected rows than this need a background job (status 98); None: no limit.
    dialog_limit: int | None = None
    job_polls: int = 2  # how many `catalogue/results` polls answer 104 before a job is done
    jobs_enabled: bool = True
    jobs: dict[str, Job] = field(default_factory=dict)
    faults: deque[Fault] = field(default_factory=deque)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    moved_to: str | None = None  # the REST base every POST is redirected to (307), if this host moved
    auth_http_status: int | None = None  # the flat authentication failures on this status (None: 404/401)
    missing_table_code: int = 104  # Destatis since 2026; the documentation says 90
    job_limit: int | None = None  # rows beyond which even a job is refused (18054)
    result_store: int | None = None  # job results the account may keep
    max_parallel: int | None = None  # requests at once before HTTP 500
    in_flight: int = 0
    overloaded: int = 0  # requests answered with HTTP 500 for want of a place
    jobs_started: int = 0

    def take_fault(self, endpoint: str, table: str | None = None) -> Fault | None:
        with self.lock:
            for fault in list(self.faults):
                if fault.endpoint in (None, endpoint) and fault.table in (None, table):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None


class GenesisServer:
    """Run with `with GenesisServer(root) as server:`; `server.base_url` is the REST base."""

    def __init__(
        self,
        root: Path,
        username: str = "demo",
        password: str = "demo",
        *,
        dialog_limit: int | None = None,
        job_polls: int = 2,
        jobs_enabled: bool = True,
        tls: tuple[Path, Path] | None = None,
        moved_to: str | None = None,
        **behaviour: Any,
    ) -> None:
        """`tls`: (certificate, key) PEM files to serve HTTPS instead of HTTP. `moved_to`: a REST base
        every POST is redirected to. `behaviour`: ServerState's answers of 2026 (auth_http_status,
        missing_table_code, job_limit, result_store, max_parallel)."""
        self.state = ServerState(
            Path(root), username, password, dialog_limit, job_polls, jobs_enabled, moved_to=moved_to, **behaviour
        )
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}{BASE_PATH}"

    @property
    def web_download_url(self) -> str:
        """The base of the Sachsen-style web download (for SACHSEN_GENONLINE_URL)."""
        host, port = self._httpd.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}/genonline/"

    @property
    def seen(self) -> list[Seen]:
        return list(self.state.seen)

    def inject(self, *faults: Fault) -> None:
        with self.state.lock:
            self.state.faults.extend(faults)

    def start(self) -> GenesisServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> GenesisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    state: ServerState  # set on the subclass made for each server (_handler)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        form = dict(parse_qsl(query, keep_blank_values=True))
        self.state.seen.append(Seen("GET", path, form, False))
        fault = self.state.take_fault(path.strip("/"), form.get("selectionname"))
        if fault is not None:
            self._fault(fault, path.strip("/"), form)
        elif path == WEB_DOWNLOAD_PATH and form.get("sequenz") == "tabelleDownload":
            self._send(*_web_download(self.state.root, form.get("selectionname", "")))
        else:
            # The REST service answers GET (the pre-2025 style) with its web page and HTTP 200.
            self._send(200, "text/html; charset=utf-8", HOMEPAGE)

    def do_POST(self) -> None:
        endpoint = self.path.split("?")[0].removeprefix(BASE_PATH).strip("/")
        if self.headers.get("Content-Length") is None:
            self._send(411, "text/html", b"<html><body>411 Length Required</body></html>")
            return
        content_type = self.headers.get("Content-Type", "")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        # GENESIS reads a form body as Latin-1 unless it is told UTF-8
        charset = "utf-8" if "charset=utf-8" in content_type.lower().replace(" ", "") else "latin-1"
        form = dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding=charset, errors="replace"))
        user, password = self.headers.get("username"), self.headers.get("password")
        self.state.seen.append(Seen("POST", endpoint, form, bool(user), content_type))
        if self.state.moved_to is not None:
            self._send(307, "text/html", b"", {"Location": f"{self.state.moved_to}{endpoint}"})
            return
        if not self._enter():
            self._send(500, "text/html", b"<html><body>500 Internal Server Error</body></html>")
            return
        try:
            fault = self.state.take_fault(endpoint, form.get("name"))
            if fault is not None:
                self._fault(fault, endpoint, form)
            else:
                self._answer_post(endpoint, form, user, password)
        finally:
            self._leave()

    def _answer_post(self, endpoint: str, form: dict[str, str], user: str | None, password: str | None) -> None:
        if (user, password) != (self.state.username, self.state.password):
            self._login_error(endpoint, user)
            return
        status, content_type, body = _answer(self.state, endpoint, form)
        self._send(status, content_type, body)

    def _enter(self) -> bool:
        """Count a request in; False when the publisher is over its parallel requests (HTTP 500)."""
        with self.state.lock:
            if self.state.max_parallel is not None and self.state.in_flight >= self.state.max_parallel:
                self.state.overloaded += 1
                return False
            self.state.in_flight += 1
            return True

    def _leave(self) -> None:
        with self.state.lock:
            self.state.in_flight -= 1

    def _login_error(self, endpoint: str, user: str | None) -> None:
        """As the publishers answer since 2026: logincheck HTTP 200 with a sentence (the guest
        user's without credentials), every other service a flat body on a misleading status."""
        if endpoint == "helloworld/logincheck":
            body = (
                {"Status": LOGIN_FAILED_SENTENCE, "Username": user}
                if user
                else {"Status": GUEST_SENTENCE, "Username": "GAST"}
            )
            self._send(200, "application/json", json.dumps(body, ensure_ascii=False).encode())
            return
        code, http, text = (2, 404, LOGIN_ERROR) if user else (15, 401, NOT_AUTHORISED)
        flat = {"Code": code, "Content": text, "Type": "ERROR"}
        status = self.state.auth_http_status or http
        self._send(status, "application/json", json.dumps(flat, ensure_ascii=False).encode())

    def _fault(self, fault: Fault, endpoint: str, form: dict[str, str]) -> None:
        time.sleep(fault.delay)
        headers = {**fault.headers, **({"Retry-After": fault.retry_after} if fault.retry_after else {})}
        if fault.cut_body or fault.trickle_seconds:
            self._send_slowly(fault, self._answer_body(endpoint, form), headers)
        elif fault.reset:
            # SO_LINGER with a zero timeout makes close() send RST, as a dropped connection does
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif fault.html:
            self._send(fault.http_status, "text/html", HOMEPAGE, headers)
        elif fault.body is not None:
            self._send(fault.http_status, fault.content_type, fault.body, headers)
        elif fault.status_code is not None:
            body = _envelope(endpoint, form, fault.status_code, fault.status_content)
            self._send(fault.http_status, "application/json", body, headers)
        else:
            self._send(fault.http_status, "text/plain", b"injected HTTP error", headers)

    def _answer_body(self, endpoint: str, form: dict[str, str]) -> tuple[int, str, bytes]:
        return _answer(self.state, endpoint, form)

    def _send_slowly(self, fault: Fault, answer: tuple[int, str, bytes], headers: dict[str, str]) -> None:
        """The real answer, cut in the middle (the connection then drops) or trickled byte by byte."""
        status, content_type, body = answer
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if fault.cut_body:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            deadline = time.monotonic() + 30  # bounded even when the client never gives up
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(fault.trickle_seconds)
                if time.monotonic() > deadline:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to tell it


def _handler(state: ServerState) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"state": state})


def _answer(state: ServerState, endpoint: str, form: dict[str, str]) -> tuple[int, str, bytes]:
    root, name = state.root, form.get("name", "")
    if endpoint == "helloworld/logincheck":
        body = {"Status": "Sie wurden erfolgreich an- und abgemeldet!", "Username": MASK}
        return 200, "application/json", json.dumps(body, ensure_ascii=False).encode()
    if endpoint == "metadata/table":
        path = root / "metadata" / f"{name}.json"
        if not _safe_name(name) or not path.exists():
            return 200, "application/json", _envelope(endpoint, form, 104, NO_OBJECTS)
        return 200, "application/json", path.read_bytes()
    if endpoint == "data/tablefile":
        return _tablefile(state, endpoint, form)
    if endpoint == "find/find":
        return 200, "application/json", _find(root, endpoint, form)
    if endpoint == "catalogue/results":
        return _results(state, endpoint, form)
    if endpoint == "data/resultfile":
        return _resultfile(state, endpoint, form)
    if endpoint == "profile/removeResult":
        return _remove_result(state, endpoint, form)
    return 404, "text/plain", b"unknown endpoint"


NO_OBJECTS = "Es gibt keine Objekte zum angegebenen Selektionskriterium"
TOO_LARGE = (
    "Die Tabelle ist zu gross, um im Dialog abgerufen zu werden. Bitte nutzen sie den Webservice mit dem "
    "Parameter job=true (REST) um eine Verarbeitung im Hintergrund zu starten."
)
JOB_CREATED = (
    "Der Bearbeitungsauftrag wurde erstellt. Die Tabelle kann in Kürze als Ergebnis mit folgendem Namen "
    "abgerufen werden: "
)
REGIONAL = (b"DINSG", b"DLAND", b"REGBEZ", b"KREISE", b"GEMEIN")


def _find(root: Path, endpoint: str, form: dict[str, str]) -> bytes:
    """`find/find` over the titles of the tables this server holds (their metadata answers)."""
    words = form.get("term", "").casefold().split()
    tables = []
    for path in sorted((root / "metadata").glob("*.json")):
        content = str((json.loads(path.read_text("utf-8")).get("Object") or {}).get("Content", ""))
        if words and all(word in f"{path.stem} {content}".casefold() for word in words):
            tables.append({"Code": path.stem, "Content": content, "Time": "", "Valid": "true"})
    if not tables:
        return _envelope(endpoint, form, 104, NO_OBJECTS)
    body = json.loads(_envelope(endpoint, form, 0, "erfolgreich"))
    body.pop("Object")
    body.update({"Cubes": None, "Statistics": None, "Tables": tables, "Timeseries": None, "Variables": None})
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _tablefile(state: ServerState, endpoint: str, form: dict[str, str]) -> tuple[int, str, bytes]:
    root, name = state.root, form.get("name", "")
    table_csv = form.get("format") == "csv"
    path = root / ("tablecsv" if table_csv else "tablefile") / f"{name}.csv"
    if not _safe_name(name) or not path.exists():
        text = NO_OBJECTS if state.missing_table_code == 104 else "Die angeforderte Tabelle ist nicht vorhanden"
        return 200, "application/json", _envelope(endpoint, form, state.missing_table_code, text)
    if _not_newer(root, name, form.get("stand", "")):
        return 200, "application/json", _envelope(endpoint, form, 50, "Keine aktualisierten Daten vorhanden.")
    if table_csv:  # the years and regions of a table CSV are its layout's: served whole
        return 200, "application/zip", _zip(f"{name}_{int(time.time() * 1000)}.csv", path.read_bytes())
    flat = _select(path.read_bytes(), form)
    if flat is None:
        return 200, "application/json", _envelope(endpoint, form, 104, NO_OBJECTS)
    rows = flat.count(b"\n") - 1
    if state.job_limit is not None and rows > state.job_limit:
        return 200, "application/json", _envelope(endpoint, form, 18054, TOO_LARGE_FOR_JOB)
    if state.dialog_limit is not None and rows > state.dialog_limit:
        return _too_large(state, endpoint, form)
    return 200, "application/zip", _zip(f"{name}_{int(time.time() * 1000)}_de_flat.csv", flat)


def _too_large(state: ServerState, endpoint: str, form: dict[str, str]) -> tuple[int, str, bytes]:
    if form.get("job") != "true" or not state.jobs_enabled:
        return 200, "application/json", _envelope(endpoint, form, 98, TOO_LARGE)
    with state.lock:
        if state.result_store is not None and len(state.jobs) >= state.result_store:
            return 200, "application/json", _envelope(endpoint, form, 2, STORE_FULL)
        job = f"{form['name']}_{state.jobs_started + 175879554}"
        state.jobs_started += 1
        state.jobs[job] = Job(dict(form), state.job_polls)
    return 200, "application/json", _envelope(endpoint, form, 99, f"{JOB_CREATED}{job}")


def _results(state: ServerState, endpoint: str, form: dict[str, str]) -> tuple[int, str, bytes]:
    if form.get("selection") == "*":  # every finished result of the account
        ready = [
            {"Code": name, "Content": job.form["name"], "Values": "0"}
            for name, job in state.jobs.items()
            if job.polls_left <= 0
        ]
        if not ready:
            return 200, "application/json", _envelope(endpoint, form, 104, NO_OBJECTS)
        return 200, "application/json", _envelope(endpoint, form, 0, "erfolgreich", ready)
    job = state.jobs.get(form.get("selection", ""))
    if job is None or job.polls_left > 0:
        if job is not None:
            job.polls_left -= 1
        return 200, "application/json", _envelope(endpoint, form, 104, NO_OBJECTS)
    listed = [{"Code": form["selection"], "Content": job.form["name"], "Values": "0"}]
    return 200, "application/json", _envelope(endpoint, form, 0, "erfolgreich", listed)


def _resultfile(state: ServerState, endpoint: str, form: dict[str, str]) -> tuple[int, str, bytes]:
    name = form.get("name", "")
    job = state.jobs.get(name)
    path = state.root / "tablefile" / f"{name.split('_')[0]}.csv"
    if (job is not None and job.polls_left > 0) or not _safe_name(name.replace("_", "-")) or not path.exists():
        return 200, "application/json", _envelope(endpoint, form, 104, NO_OBJECTS)
    flat = _select(path.read_bytes(), job.form if job else form)
    if flat is None:
        return 200, "application/json", _envelope(endpoint, form, 104, NO_OBJECTS)
    return 200, "application/zip", _zip(f"{name}_flat.csv", flat)


def _remove_result(state: ServerState, endpoint: str, form: dict[str, str]) -> tuple[int, str, bytes]:
    with state.lock:
        removed = state.jobs.pop(form.get("name", ""), None)
    if removed is None:
        return 200, "application/json", _envelope(endpoint, form, 104, NO_OBJECTS)
    return 200, "application/json", _envelope(endpoint, form, 0, "Das Ergebnis wurde gelöscht.")


def _web_download(root: Path, name: str) -> tuple[int, str, bytes]:
    """Sachsen's GENESIS web download: the table CSV as saved, or the web page for an unknown table."""
    path = root / "download" / f"{name}.csv"
    if not _safe_name(name) or not path.exists():
        return 200, "text/html; charset=utf-8", HOMEPAGE
    return 200, "text/csv; charset=ISO-8859-1", path.read_bytes()


def _safe_name(name: str) -> bool:
    return bool(name) and all(ch.isalnum() or ch == "-" for ch in name)


def _select(flat: bytes, form: dict[str, str]) -> bytes | None:
    """Keep the data lines in [startyear, endyear] and under `regionalkey`; None when none is left."""
    lines = flat.split(b"\n")
    header = lines[0].lstrip(b"\xef\xbb\xbf").rstrip(b"\r").split(b";")
    position = header.index(b"time")
    low, high = int(form.get("startyear") or 0), int(form.get("endyear") or 9999)
    prefixes = tuple(key.strip().rstrip("*").encode() for key in form.get("regionalkey", "").split(",") if key.strip())
    kept = [
        line
        for line in lines[1:]
        if line.strip()
        and low <= int(line.split(b";")[position][:4]) <= high
        and (not prefixes or _region(header, line).startswith(prefixes))
    ]
    if not kept:
        return None
    return b"\n".join([lines[0], *kept]) + b"\n"


def _region(header: list[bytes], line: bytes) -> bytes:
    fields = line.split(b";")
    for i, name in enumerate(header):
        if name.endswith(b"_variable_code") and fields[i] in REGIONAL:
            return fields[i + 2]
    return b""


def _not_newer(root: Path, name: str, stand: str) -> bool:
    if not stand:
        return False
    metadata = root / "metadata" / f"{name}.json"
    if not metadata.exists():
        return False
    updated = json.loads(metadata.read_text("utf-8"))["Object"]["Updated"].rstrip("h")
    held = datetime.strptime(stand.strip(), "%d.%m.%Y %H:%M")
    return datetime.strptime(updated, "%d.%m.%Y %H:%M:%S") <= held.replace(second=59)


def _zip(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


def _envelope(
    endpoint: str, form: dict[str, str], code: int, content: str, listed: list[dict[str, str]] | None = None
) -> bytes:
    service, _, method = endpoint.partition("/")
    kind = "Information" if code in (0, 50, 99, 104) else "Fehler"
    body = {
        "Ident": {"Service": service, "Method": method},
        "Status": {"Code": code, "Content": content, "Type": kind},
        "Parameter": {"username": MASK, "password": MASK, **form},
        **({"List": listed} if listed is not None else {"Object": None}),
        "Copyright": "© Statistische Ämter des Bundes und der Länder (local GENESIS-protocol server)",
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
