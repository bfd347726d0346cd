"""Credentials come from the environment (or a caller that read a Prefect secret block).

They are checked when read, naming the variable and never the value: a blank or line break
left by an env file or a Kubernetes secret, or a character an HTTP header cannot carry, would
otherwise surface later as an exception whose text holds the password. Every secret read is
registered with `demografie.redact`, so no message, log record or run record carries it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from demografie import redact
from demografie.errors import SourceLayerError


class CredentialsError(SourceLayerError, ValueError):
    """A credential that cannot be sent as it is; the message names the variable, not the value."""


def checked(value: str, name: str) -> str:
    """`value` if an HTTP header can carry it unchanged; otherwise a CredentialsError naming `name`."""
    if value != value.strip():
        raise CredentialsError(
            f"{name} starts or ends with a blank or a line break (an env file's newline?); remove it"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise CredentialsError(f"{name} contains a control character; remove it")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise CredentialsError(
            f"{name} contains a character outside Latin-1, which an HTTP header cannot carry; "
            "choose a password without it at the publisher"
        ) from None
    return value


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***')"

    __str__ = __repr__

    @classmethod
    def from_env(cls, prefix: str) -> Credentials | None:
        """Read `<prefix>_USERNAME` and `<prefix>_PASSWORD`, else `<prefix>_TOKEN`; None when
        neither is set.

        An API token (Destatis, the Zensus database, the Regionaldatenbank) travels as the user name
        with an empty password; it reads tables but cannot start background jobs.
        """
        return cls.found_in_env(prefix)[0]

    @classmethod
    def found_in_env(cls, prefix: str) -> tuple[Credentials | None, str]:
        """`from_env`, and the variables the credentials came from ("none" without any)."""
        username = os.environ.get(f"{prefix}_USERNAME", "")
        if username.strip():
            password = os.environ.get(f"{prefix}_PASSWORD", "")
            found = f"{prefix}_USERNAME and _PASSWORD" if password else f"{prefix}_USERNAME (a token)"
            return cls.checked(username, password, f"{prefix}_USERNAME", f"{prefix}_PASSWORD"), found
        token = os.environ.get(f"{prefix}_TOKEN", "")
        if token.strip():
            return cls.checked(token, "", f"{prefix}_TOKEN", f"{prefix}_TOKEN"), f"{prefix}_TOKEN"
        return None, "none"

    @classmethod
    def checked(cls, username: str, password: str, username_from: str, password_from: str) -> Credentials:
        """Credentials from any store (environment, Prefect blocks), checked and registered as secrets;
        `*_from` name where each came from."""
        # a token travels as the username (with no password): then the username is the secret
        for value in (password, username) if password else (username,):
            redact.register(value)
            redact.register(value.strip())
        return cls(checked(username, username_from), checked(password, password_from))

    def headers(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password}
