"""The administrative boundaries of the Bundesamt für Kartographie und Geodäsie (BKG), fetched from
its download server or read from an archive or folder a person saved.

BKG's server follows `https://daten.gdz.bkg.bund.de/produkte/vg/<product folder>/aktuell/<archive>.zip`
(documented for VG250 and VG2500; for VG1000 the name below is inferred from that pattern, not
verified), so a 404 says which variable to set. Open data under Datenlizenz Deutschland -
Namensnennung 2.0: every map names `© BKG (year) dl-de/by-2-0` with its sources.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from demografie.errors import SourceLayerError
from demografie.settings import Settings
from demografie.sources import archive, errors
from demografie.sources.http import RetryPolicy, Transport, timeouts

PUBLISHER = "bkg"
URL_PREFIX = "DEMOGRAFIE_BKG"
URL_ENV = f"{URL_PREFIX}_URL"
DEFAULT_URL = (
    "https://daten.gdz.bkg.bund.de/produkte/vg/vg1000_ebenen_1231/aktuell/vg1000_12-31.utm32s.shape.ebenen.zip"
)
PRODUCT_PAGE = "https://gdz.bkg.bund.de/index.php/default/verwaltungsgebiete-1-1-000-000-stand-31-12-vg1000-31-12.html"


class GeodataError(SourceLayerError, ValueError):
    """The boundaries could not be fetched or read; the message says what to do."""


@dataclass(frozen=True)
class Archive:
    content: bytes  # a zip
    url: str  # where it came from: the download URL or the file a person gave
    retrieved_at: datetime


def configured_url(settings: Settings) -> str:
    return settings.url(URL_PREFIX, DEFAULT_URL)


def fetch(url: str, settings: Settings, session: requests.Session | None = None) -> Archive:
    """The package from BKG's download server (or a mirror); nothing else is asked."""
    transport = Transport(
        PUBLISHER, session or requests.Session(), timeouts(settings), RetryPolicy.from_settings(settings)
    )
    try:
        response = transport.send("GET", url, "VG")
    except errors.UnexpectedResponseError as exc:
        if "HTTP 404" in exc.cause:
            raise GeodataError(
                f"{url}: HTTP 404. The archive names of BKG's download server are not verified for every product: "
                f"take the download link from the product page ({PRODUCT_PAGE}) and set {URL_ENV} to it, or save "
                "the archive and pass it with --file"
            ) from None
        raise
    if not archive.is_zip(response.content):
        head = response.content[:60].decode("latin-1", errors="replace")
        raise GeodataError(f"{url}: not a zip archive; the answer starts {head!r}")
    return Archive(response.content, url, datetime.now(UTC).replace(tzinfo=None))


def from_file(path: Path) -> Archive:
    """A saved package: the zip BKG delivers, or the folder it unpacks to (zipped here, in a fixed
    order, so the same folder gives the same bytes)."""
    if path.is_dir():
        content = _zipped(path)
    elif path.is_file():
        content = path.read_bytes()
    else:
        raise GeodataError(f"{path}: no such file or folder")
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    return Archive(content, path.name, modified)


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(file.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, file.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
