"""The publisher clients of a run, built from the settings: a GENESIS client with its credentials,
a web-download client, the fetcher that splits and polls. Credentials are read at the last moment
and never join the settings: those travel as task parameters, and a secret must not.

Where credentials are found: the environment, then wherever the caller looks (the flows read
Prefect Secret blocks, named by the rule of `credentials_in_secrets`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from demografie.settings import Settings
from demografie.sources.credentials import Credentials
from demografie.sources.errors import TransientSourceError
from demografie.sources.fetching import JobPolicy, TableFetcher
from demografie.sources.genesis import GenesisClient
from demografie.sources.http import RetryPolicy, timeouts
from demografie.sources.publishers import PUBLISHERS, configured
from demografie.sources.webdownload import ROUTES, WebDownloadClient

# a secret store: the value under a name, None when it holds none
SecretStore = Callable[[str], str | None]
# how credentials are found for a publisher's env prefix: (credentials or None, where they came from)
CredentialsLookup = Callable[[str], tuple[Credentials | None, str]]


def credentials_in_secrets(prefix: str, secret: SecretStore) -> tuple[Credentials | None, str]:
    """Secrets `<prefix>-username` / `-password` (or `-token`) in lower case with dashes (e.g.
    `genesis-regio-username`), for hosts that keep secrets in Prefect rather than the environment;
    and the secrets the credentials came from ("none" without any)."""
    stem = prefix.lower().replace("_", "-")
    username = secret(f"{stem}-username")
    if username is not None:
        password = secret(f"{stem}-password") or ""  # a token has no password
        found = f"Prefect Secret {stem}-username and -password"
        return Credentials.checked(username, password, f"Prefect Secret {stem}-username", found), found
    token = secret(f"{stem}-token")
    if token is not None:
        found = f"Prefect Secret {stem}-token"
        return Credentials.checked(token, "", found, found), found
    return None, "none"


def credentials_lookup(prefix: str, secret: SecretStore) -> tuple[Credentials | None, str]:
    """The environment first, then the secret store."""
    credentials, found = Credentials.found_in_env(prefix)
    return (credentials, found) if credentials is not None else credentials_in_secrets(prefix, secret)


def genesis_client(publisher_key: str, settings: Settings, lookup: CredentialsLookup) -> GenesisClient:
    publisher = configured(PUBLISHERS[publisher_key], settings)
    credentials, _ = lookup(publisher.env_prefix)
    return GenesisClient(publisher, credentials, timeout=timeouts(settings), retry=RetryPolicy.from_settings(settings))


def table_fetcher(client: GenesisClient, states: Sequence[str], settings: Settings) -> TableFetcher:
    return TableFetcher(client, sorted(states), JobPolicy.from_settings(settings))


def download_client(source: str, settings: Settings) -> WebDownloadClient:
    return WebDownloadClient(
        configured(ROUTES[source], settings), timeout=timeouts(settings), retry=RetryPolicy.from_settings(settings)
    )


def may_pass(error: BaseException | None) -> bool:
    """A failure worth one more try a minute later (an outage, a busy publisher): the HTTP layer
    has already retried within seconds."""
    return isinstance(error, TransientSourceError)
