"""Credentials come from the environment (or a caller that read a Prefect secret block)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***')"

    __str__ = __repr__

    @classmethod
    def from_env(cls, prefix: str) -> Credentials | None:
        """Read `<prefix>_USERNAME` and `<prefix>_PASSWORD`; None when the username is unset.

        A Destatis API token is passed as username with an empty password.
        """
        username = os.environ.get(f"{prefix}_USERNAME", "").strip()
        if not username:
            return None
        return cls(username, os.environ.get(f"{prefix}_PASSWORD", ""))

    def headers(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password}
