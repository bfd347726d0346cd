"""The publisher routes that speak the GENESIS REST 2020 protocol, declared as data."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from demografie.errors import SourceLayerError
from demografie.registry import PublisherRoute, on_route


class PublisherUrlError(SourceLayerError, ValueError):
    """A `<prefix>_URL` that cannot be used as it is."""


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

    def with_base_url(self, base_url: str) -> Publisher:
        return replace(self, base_url=base_url if base_url.endswith("/") else base_url + "/")

    def from_env(self) -> Publisher:
        """Honour `<env_prefix>_URL`, e.g. to point at a staging or local server."""
        override = os.environ.get(f"{self.env_prefix}_URL", "").strip()
        if not override:
            return self
        check_url(override, self.env_prefix)
        return self.with_base_url(override)


def check_url(url: str, prefix: str) -> None:
    """Refuse a `<prefix>_URL` with a user name or password in it (it would travel in every raw
    sidecar; credentials have variables of their own) or without http(s) and a host."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise PublisherUrlError(
            f"{prefix}_URL carries a user name or password; put the credentials in {prefix}_USERNAME and "
            f"{prefix}_PASSWORD instead"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublisherUrlError(f"{prefix}_URL is not an http(s) URL with a host: {url!r}")


PUBLISHERS = {
    entry.key: Publisher(
        key=entry.key,
        name=entry.name,
        base_url=entry.base_url,
        env_prefix=entry.env_prefix,
        signup_url=entry.signup_url,
        max_parallel_requests=entry.max_parallel_requests,
        jobs=entry.jobs,
    )
    for entry in on_route(PublisherRoute.GENESIS)
}
