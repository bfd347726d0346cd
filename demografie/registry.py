"""The publishers, declared as data in publishers.toml: one entry per publisher with its route,
address, licence, attribution, precedence and concurrency. Sources build their clients from it, the
catalog its licences and precedence, the deployment its concurrency limits, the maps and the
report their attributions."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

from demografie.errors import DemografieError


class PublisherRoute(StrEnum):
    GENESIS = "genesis"  # the GENESIS REST 2020 protocol
    WEB_DOWNLOAD = "web-download"  # a GENESIS web download without login
    FILE = "file"  # publications a person saves and ingests
    # reference data the build joins to the figures (boundaries, classifications): no figures of
    # its own, so no precedence and no catalog entry
    REFERENCE = "reference"


@dataclass(frozen=True)
class Publisher:
    """One publisher as publishers.toml declares it: the one type the sources, the catalog and the
    deployment share (sources/publishers.py applies the settings' overrides to it)."""

    key: str
    name: str
    route: PublisherRoute
    licence: str
    precedence: int | None = None  # lower wins where several publishers have the same figure
    precedence_reason: str = ""
    # what every public use must print, `{year}` the year of the data (BKG: of the download)
    attribution: str = ""
    base_url: str = ""
    env_prefix: str = ""  # <env_prefix>_URL overrides base_url; _USERNAME/_PASSWORD for GENESIS
    signup_url: str = ""
    max_parallel_requests: int = 1
    jobs: bool = True  # whether the service builds large tables as background jobs
    # the hosts the publisher answers from: a redirect to one of them is followed with the credentials
    hosts: tuple[str, ...] = ()
    notes: str = ""

    def with_base_url(self, base_url: str) -> Publisher:
        return replace(self, base_url=base_url if base_url.endswith("/") else base_url + "/")

    @property
    def url_variable(self) -> str:
        return f"{self.env_prefix}_URL"


class RegistryError(DemografieError, ValueError):
    """publishers.toml cannot be used; the message names the entry."""


REQUIRED = ("key", "name", "route", "licence")
RANKED = ("precedence", "precedence_reason")  # what a publisher of figures needs
REACHED = ("base_url", "env_prefix")  # what a route a run fetches from needs
FETCHED = (PublisherRoute.GENESIS, PublisherRoute.WEB_DOWNLOAD)


def parse_registry(text: str, where: str) -> dict[str, Publisher]:
    entries = [_entry(raw, where) for raw in tomllib.loads(text).get("publisher", [])]
    keys = [e.key for e in entries]
    if duplicated := sorted({k for k in keys if keys.count(k) > 1}):
        raise RegistryError(f"{where}: publisher(s) {', '.join(duplicated)} declared twice")
    precedences = [e.precedence for e in entries if e.precedence is not None]
    if len(set(precedences)) != len(precedences):
        raise RegistryError(f"{where}: two publishers share a precedence; a mart could not choose")
    return {e.key: e for e in entries}


def _entry(raw: dict[str, Any], where: str) -> Publisher:
    label = f"{where}: publisher {raw.get('key', '?')}"
    known = {f.name for f in fields(Publisher)}
    if unknown := sorted(set(raw) - known):
        raise RegistryError(f"{label}: unknown field(s) {', '.join(unknown)}")
    if missing := [f for f in REQUIRED if f not in raw]:
        raise RegistryError(f"{label}: lacks {', '.join(missing)}")
    route = _route(raw, label)
    hosts = raw.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h and "/" not in h for h in hosts):
        raise RegistryError(f"{label}: hosts must be a list of host names (host or host:port)")
    return Publisher(**{**raw, "route": route, "hosts": tuple(hosts)})


def _route(raw: dict[str, Any], label: str) -> PublisherRoute:
    """The entry's route, with the fields that route needs checked."""
    try:
        route = PublisherRoute(raw["route"])
    except ValueError:
        raise RegistryError(f"{label}: route {raw['route']!r} is none of {', '.join(PublisherRoute)}") from None
    if route in FETCHED and (lacking := [f for f in REACHED if not raw.get(f)]):
        raise RegistryError(f"{label}: a {route} publisher needs {', '.join(lacking)}")
    ranked = route is not PublisherRoute.REFERENCE
    if ranked and (lacking := [f for f in RANKED if f not in raw]):
        raise RegistryError(f"{label}: a publisher of figures lacks {', '.join(lacking)}")
    if not ranked and (given := [f for f in RANKED if f in raw]):
        raise RegistryError(f"{label}: a reference publisher has no figures, so no {', '.join(given)}")
    return route


def _load() -> Mapping[str, Publisher]:
    text = (resources.files("demografie") / "publishers.toml").read_text("utf-8")
    return MappingProxyType(parse_registry(text, "demografie/publishers.toml"))


REGISTRY: Mapping[str, Publisher] = _load()


def on_route(route: PublisherRoute) -> list[Publisher]:
    return [entry for entry in REGISTRY.values() if entry.route is route]


def of_figures() -> list[Publisher]:
    """The publishers whose figures the catalog loads (all but the reference ones)."""
    return [entry for entry in REGISTRY.values() if entry.route is not PublisherRoute.REFERENCE]


def attribution(key: str, year: int) -> str:
    """What a public use of `key`'s data must print, for data of `year`."""
    return REGISTRY[key].attribution.format(year=year)
