"""The publisher routes that speak the GENESIS REST 2020 protocol, declared as data."""

from __future__ import annotations

from dataclasses import dataclass, replace

from demografie.registry import PublisherRoute, on_route
from demografie.settings import Settings
from demografie.sources.http import Hosts


@dataclass(frozen=True)
class Publisher:
    key: str
    name: str
    base_url: str
    env_prefix: str
    signup_url: str
    max_parallel_requests: int = 1  # publishers.toml says why
    # Whether the service builds large tables as background jobs for registered users.
    jobs: bool = True
    hosts: tuple[str, ...] = ()  # publishers.toml says why

    def with_base_url(self, base_url: str) -> Publisher:
        return replace(self, base_url=base_url if base_url.endswith("/") else base_url + "/")

    def configured(self, settings: Settings) -> Publisher:
        """Honour `<env_prefix>_URL`, e.g. to point at a staging or local server, and
        `<env_prefix>_HOSTS`, more hosts it may redirect to."""
        extra = settings.hosts.get(self.env_prefix, ())
        return replace(self.with_base_url(settings.url(self.env_prefix, self.base_url)), hosts=(*self.hosts, *extra))

    @property
    def url_variable(self) -> str:
        return f"{self.env_prefix}_URL"

    def redirects(self) -> Hosts:
        """Where a request with credentials may be redirected: the declared hosts."""
        return Hosts(frozenset(self.hosts), self.base_url, self.url_variable)


PUBLISHERS = {
    entry.key: Publisher(
        key=entry.key,
        name=entry.name,
        base_url=entry.base_url,
        env_prefix=entry.env_prefix,
        signup_url=entry.signup_url,
        max_parallel_requests=entry.max_parallel_requests,
        jobs=entry.jobs,
        hosts=entry.hosts,
    )
    for entry in on_route(PublisherRoute.GENESIS)
}
