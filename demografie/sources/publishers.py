"""The publishers that speak the GENESIS REST 2020 protocol (publishers.toml, route `genesis`), and
what the settings change of a publisher: its address and the hosts it may redirect to."""

from __future__ import annotations

from dataclasses import replace

from demografie.registry import Publisher, PublisherRoute, on_route
from demografie.settings import Settings
from demografie.sources.http import Hosts

PUBLISHERS = {entry.key: entry for entry in on_route(PublisherRoute.GENESIS)}


def configured(publisher: Publisher, settings: Settings) -> Publisher:
    """Honour `<env_prefix>_URL`, e.g. to point at a staging or local server, and
    `<env_prefix>_HOSTS`, more hosts it may redirect to."""
    extra = settings.hosts.get(publisher.env_prefix, ())
    moved = publisher.with_base_url(settings.url(publisher.env_prefix, publisher.base_url))
    return replace(moved, hosts=(*publisher.hosts, *extra))


def redirects(publisher: Publisher) -> Hosts:
    """Where a request with credentials may be redirected: the declared hosts."""
    return Hosts(frozenset(publisher.hosts), publisher.base_url, publisher.url_variable)
