"""Whether each GENESIS publisher can be reached and accepts its credentials: one
`helloworld/logincheck` per publisher, its answer put in words. Never a credential in the report:
it names the variables that hold them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from demografie.registry import Publisher
from demografie.settings import Settings
from demografie.sources import errors
from demografie.sources.credentials import CredentialsError
from demografie.sources.genesis import GenesisClient
from demografie.sources.http import RetryPolicy, timeouts
from demografie.sources.publishers import PUBLISHERS, configured
from demografie.usecases.clients import CredentialsLookup


@dataclass(frozen=True)
class AccessReport:
    publisher: str
    name: str
    address: str
    address_from: str  # "default" or the variable that set it
    credentials_from: str  # the variables (or blocks) that gave the credentials, or "none"
    ok: bool | None  # None: not asked (no credentials)
    verdict: str


def check_access(settings: Settings, lookup: CredentialsLookup) -> list[AccessReport]:
    """One report per GENESIS publisher, in the order of publishers.toml."""
    return [_check(configured(publisher, settings), settings, lookup) for publisher in PUBLISHERS.values()]


def _check(publisher: Publisher, settings: Settings, lookup: CredentialsLookup) -> AccessReport:
    configured = publisher.url_variable if publisher.env_prefix in settings.urls else "default"
    report = AccessReport(publisher.key, publisher.name, publisher.base_url, configured, "none", None, "")
    try:
        credentials, found = lookup(publisher.env_prefix)
    except CredentialsError as exc:
        return replace(report, credentials_from="none", ok=False, verdict=str(exc))
    if credentials is None:
        prefix = publisher.env_prefix
        return replace(
            report,
            credentials_from="none",
            ok=None,
            verdict=f"not asked: no credentials ({prefix}_USERNAME or {prefix}_TOKEN)",
        )
    client = GenesisClient(publisher, credentials, timeout=timeouts(settings), retry=_one_try(settings))
    try:
        client.logincheck()
    except errors.SourceError as exc:
        return replace(report, credentials_from=found, ok=False, verdict=exc.cause)
    kind = "token" if not credentials.password else "user name and password"
    return replace(
        report, credentials_from=found, ok=True, verdict=f"the address answers and accepts the credentials ({kind})"
    )


def _one_try(settings: Settings) -> RetryPolicy:
    """A check should answer within seconds: two tries, not the nightly's patience."""
    policy = RetryPolicy.from_settings(settings)
    return RetryPolicy(attempts=min(2, policy.attempts), backoff_seconds=policy.backoff_seconds)
