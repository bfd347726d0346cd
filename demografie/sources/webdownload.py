"""The GENESIS web download of the Statistisches Landesamt Sachsen (its REST API is switched off).

GET <base>online?sequenz=tabelleDownload&selectionname=<code>&regionalschluessel=&format=csv,
no login. The answer is the table CSV (ISO-8859-1) with the whole table, every year; its footer
prints the Stand, which the parser reads as the vintage. There is no `stand` parameter: an
unchanged table comes back byte-identical, and the lake recognises it by its sha256.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests

from demografie.registry import Publisher, PublisherRoute, on_route
from demografie.sources import errors
from demografie.sources.genesis import Download
from demografie.sources.http import RetryPolicy, Transport

TABLE_CSV_START = (b"GENESIS-Tabelle:", b"Tabelle:")


ROUTES = {entry.key: entry for entry in on_route(PublisherRoute.WEB_DOWNLOAD)}


@dataclass
class WebDownloadClient:
    route: Publisher
    session: requests.Session = field(default_factory=requests.Session)
    timeout: tuple[float, float] = (30.0, 300.0)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def table(self, code: str) -> Download:
        params = {"sequenz": "tabelleDownload", "selectionname": code, "regionalschluessel": "", "format": "csv"}
        url = f"{self.route.base_url}online"
        transport = Transport(self.route.key, self.session, self.timeout, self.retry)
        response = transport.send("GET", url, code, params=params)
        if not response.content.lstrip(b"\xef\xbb\xbf").startswith(TABLE_CSV_START):
            head = response.content[:60].decode("latin-1", errors="replace")
            raise errors.UnexpectedResponseError(self.route.key, code, f"not a table CSV; the answer starts {head!r}")
        return Download(
            publisher=self.route.key,
            url=url,
            params=params,
            content=response.content,
            content_type=response.headers.get("Content-Type", ""),
            retrieved_at=datetime.now(UTC).replace(tzinfo=None),
        )
