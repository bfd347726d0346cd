"""The administrative boundaries of the Bundesamt für Kartographie und Geodäsie (BKG), fetched from
its download server or read from an archive or folder a person saved.

BKG's server follows `https://daten.gdz.bkg.bund.de/produkte/vg/<product folder>/aktuell/<archive>.zip`
(documented for VG250 and VG2500; for VG1000 the name below is inferred from that pattern, not
verified), so a 404 says which variable to set. Open data under Datenlizenz Deutschland -
Namensnennung 2.0: every map names `© BKG (year) dl-de/by-2-0` with its sources.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

from demografie import archive
from demografie.errors import SourceLayerError
from demografie.registry import REGISTRY
from demografie.settings import Settings, checked_url
from demografie.sources import errors
from demografie.sources.http import RetryPolicy, Transport, timeouts

PUBLISHER = "bkg"
URL_PREFIX = REGISTRY[PUBLISHER].env_prefix
URL_ENV = f"{URL_PREFIX}_URL"
DEFAULT_URL = REGISTRY[PUBLISHER].base_url
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
    """The package from BKG's download server (or a mirror); nothing else is asked. A URL with
    credentials in it is refused like DEMOGRAFIE_BKG_URL: it would be kept in the raw sidecar, the
    lake's edition record and the warehouse."""
    checked_url(url, URL_PREFIX, given_as="--url" if url != configured_url(settings) else None)
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


# what a package folder holds of ours: the Kreis and Land layers and the Gebietsstand; nothing else
# below the folder (a .env, a key, BKG's PDFs) is read or landed
PACKAGE_FILE = re.compile(r"^(?:VG\d+_(?:KRS|LAN)\.(?:shp|shx|dbf|prj|cpg)|aktualitaet\.txt)$", re.IGNORECASE)


def _zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in _package_files(folder):
            info = zipfile.ZipInfo(file.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, file.read_bytes(), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _package_files(folder: Path) -> list[Path]:
    """The package's own files below `folder`, in a fixed order; links are never followed (a link
    to a file or folder outside would land it in raw/)."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        found += [Path(root) / f for f in files if PACKAGE_FILE.match(f) and not (Path(root) / f).is_symlink()]
    return sorted(found)
