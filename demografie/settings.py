"""What the environment configures, read once into a `Settings` (by the command, or by a flow
run on its worker) and passed down: where data lives, the tuning numbers, the publishers' URL
overrides, the user catalog. A wrong value is refused there, naming the variable, before a run
starts; nothing below reads the environment for these.

Where data lives: one home directory holds the warehouse file, the run log and the writer lock;
raw/ and lake/ sit in the home too, or under DEMOGRAFIE_STORAGE (a shared path or an
S3-compatible URI) when several machines share them."""

from __future__ import annotations

import functools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from demografie.errors import DemografieError
from demografie.laender import DEFAULT_STATES, EVERY_STATE, LAENDER, UnknownStateError, parse_states
from demografie.registry import REGISTRY, Publisher, PublisherRoute
from demografie.storage import Store
from demografie.tuning import BUILD_MEMORY_MB, LOCK_WAIT_SECONDS, MAX_UNPACKED_BYTES, TUNABLES, read_tunable
from demografie.tuning import markdown_table as tuning_table

HOME_ENV = "DEMOGRAFIE_HOME"
STORAGE_ENV = "DEMOGRAFIE_STORAGE"
CATALOG_ENV = "DEMOGRAFIE_CATALOG"
DEBUG_ENV = "DEMOGRAFIE_DEBUG"
STATES_ENV = "DEMOGRAFIE_STATES"
USER_CATALOG = "catalog.toml"
DEFAULT_HOME = Path("data")
WAREHOUSE_FILE = "warehouse.duckdb"
# `<prefix>_URL` overrides a publisher's address (e.g. to point at a local server)
URL_PREFIXES = tuple(sorted(e.env_prefix for e in REGISTRY.values() if e.env_prefix))


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    meaning: str


def _url_meaning(publisher: Publisher) -> str:
    if publisher.route is PublisherRoute.REFERENCE:
        return f"the boundaries `demografie geodata` downloads: {publisher.name}"
    return f"address of {publisher.name}"


# what the README's table of settings lists besides the tuning numbers (and the credentials,
# `<prefix>_USERNAME` / `_PASSWORD`, which are read where they are used and never held here)
VARIABLES = (
    Variable(HOME_ENV, str(DEFAULT_HOME), "the data home: warehouse, run log, lock (and raw/, lake/)"),
    Variable(STORAGE_ENV, "the data home", "where raw/ and lake/ live: a shared path or an s3:// URI"),
    Variable(CATALOG_ENV, f"`<home>/{USER_CATALOG}` if there is one", "a user catalog merged over the shipped one"),
    Variable(DEBUG_ENV, "unset", "`1` brings tracebacks to the terminal"),
    Variable(
        STATES_ENV,
        f"the user catalog's `states`, else `{','.join(DEFAULT_STATES)}`",
        "the Länder to load: keys or names (`06,14,16`, `Hessen Thüringen`) or `all`",
    ),
    *(
        Variable(f"{e.env_prefix}_URL", f"`{e.base_url}`", _url_meaning(e))
        for e in sorted(REGISTRY.values(), key=lambda e: e.env_prefix)
        if e.env_prefix
    ),
    Variable(
        "GENESIS_<PUBLISHER>_HOSTS",
        "the hosts in `publishers.toml`",
        "more hosts (host or host:port, comma-separated) a publisher may redirect to with the credentials",
    ),
)


@dataclass(frozen=True)
class Paths:
    """The layout under one data home, and where its raw answers and lake are stored."""

    home: Path
    storage: str | None = None

    @classmethod
    def from_env(cls, home: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        chosen = home if home is not None else env.get(HOME_ENV, str(DEFAULT_HOME))
        where = "--home" if home is not None else HOME_ENV if HOME_ENV in env else "the default data home"
        resolved = Path(chosen).resolve()
        if resolved.exists() and not resolved.is_dir():
            raise HomeError(
                f"{where} {chosen} is a file, not a directory: point it at a folder for raw/, lake/ "
                "and the warehouse (it is created if missing)"
            )
        return cls(resolved, env.get(STORAGE_ENV) or None)

    @property
    def store(self) -> Store:
        return _store(self.storage or str(self.home))

    @property
    def raw(self) -> Store:
        return self.store.child("raw")

    @property
    def lake(self) -> Store:
        return self.store.child("lake")

    @property
    def warehouse(self) -> Path:
        return self.home / WAREHOUSE_FILE

    def ensure(self) -> None:
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise HomeError(f"cannot create the data home {self.home}: a part of that path is a file") from None


class HomeError(DemografieError, ValueError):
    """The data home cannot be a directory (it, or a folder above it, is a file)."""


class SettingsError(DemografieError, ValueError):
    """A variable of the environment holds a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Settings:
    paths: Paths
    tuning: Mapping[str, float] = field(default_factory=lambda: {t.name: t.default for t in TUNABLES.values()})
    urls: Mapping[str, str] = field(default_factory=dict)  # prefix -> its checked `<prefix>_URL`
    # prefix -> the hosts of `<prefix>_HOSTS`: more hosts a publisher may redirect to with the credentials
    hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    catalog: Path | None = None  # the user catalog merged over the shipped one
    debug: bool = False
    states: tuple[str, ...] = DEFAULT_STATES  # the Länder fetched, kept and built (laender.py)

    @classmethod
    def from_env(cls, home: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        paths = Paths.from_env(home, env)
        return cls(
            paths=paths,
            tuning={name: read_tunable(name, env) for name in TUNABLES},
            urls={p: checked_url(env[f"{p}_URL"].strip(), p) for p in URL_PREFIXES if env.get(f"{p}_URL", "").strip()},
            hosts={p: checked_hosts(env[f"{p}_HOSTS"], p) for p in URL_PREFIXES if env.get(f"{p}_HOSTS", "").strip()},
            catalog=(catalog := user_catalog(env, paths.home)),
            debug=env.get(DEBUG_ENV) == "1",
            states=configured_states(env, catalog),
        )

    def tuned(self, name: str) -> float:
        return self.tuning[name]

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.tuning[MAX_UNPACKED_BYTES])

    @property
    def build_memory_mb(self) -> int:
        return int(self.tuning[BUILD_MEMORY_MB])

    @property
    def lock_wait_seconds(self) -> float:
        return self.tuning[LOCK_WAIT_SECONDS]

    def url(self, prefix: str, default: str) -> str:
        """`<prefix>_URL` if set, else the publisher's own address."""
        return self.urls.get(prefix, default)


def checked_url(url: str, prefix: str, given_as: str | None = None) -> str:
    """Refuse a `<prefix>_URL` (or the option `given_as`) with a user name or password in it (it
    would travel in every raw sidecar; credentials have variables of their own) or without http(s)
    and a host."""
    name = given_as or f"{prefix}_URL"
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise SettingsError(
            f"{name} carries a user name or password; put the credentials in {prefix}_USERNAME and "
            f"{prefix}_PASSWORD instead"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} is not an http(s) URL with a host: {url!r}")
    return url


def checked_hosts(text: str, prefix: str) -> tuple[str, ...]:
    """`<prefix>_HOSTS`: host names (or host:port), comma-separated, without scheme or path."""
    hosts = tuple(h.strip().lower() for h in text.split(",") if h.strip())
    if bad := [h for h in hosts if "/" in h or " " in h or "@" in h]:
        raise SettingsError(f"{prefix}_HOSTS lists {bad[0]!r}, not a host name (host or host:port, comma-separated)")
    return hosts


def configured_states(environ: Mapping[str, str], catalog: Path | None = None) -> tuple[str, ...]:
    """The Länder of DEMOGRAFIE_STATES, else of the user catalog's `states`, else the partnership's two."""
    text = environ.get(STATES_ENV, "").strip()
    if text:
        return _states(text, STATES_ENV)
    declared = catalog_states(catalog) if catalog else None
    if declared is not None:
        return _states(declared, f"{catalog}: states")
    return DEFAULT_STATES


def catalog_states(catalog: Path) -> str | None:
    """The `states` a user catalog declares (`states = "06,14,16"` or a list of keys or names), as
    one comma-separated text; None when it declares none or cannot be read (the catalog's own reader
    names the fault)."""
    try:
        value = tomllib.loads(catalog.read_text("utf-8")).get("states")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, str):
        return value
    raise SettingsError(f'{catalog}: states must be a text or a list of texts, e.g. states = ["06", "Thüringen"]')


def _states(text: str, where: str) -> tuple[str, ...]:
    try:
        return parse_states(text)
    except UnknownStateError as exc:
        known = ", ".join(f"{key} {name}" for key, name in LAENDER.items())
        raise SettingsError(
            f"{where}={text!r}: {str(exc)!r} is not a Land; give keys or names separated by commas ({known}) "
            f"or '{EVERY_STATE}'"
        ) from None


def arrow_pool_chosen(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the operator chose pyarrow's memory pool (its own ARROW_DEFAULT_MEMORY_POOL): then
    the parse keeps that pool instead of preferring jemalloc (transforms/arrays.py)."""
    return bool((os.environ if environ is None else environ).get("ARROW_DEFAULT_MEMORY_POOL"))


def user_catalog(environ: Mapping[str, str], home: Path) -> Path | None:
    """`$DEMOGRAFIE_CATALOG` (which must exist), else `catalog.toml` in the data home if there is one."""
    explicit = environ.get(CATALOG_ENV, "").strip()
    if explicit:
        if not Path(explicit).is_file():
            raise SettingsError(f"{CATALOG_ENV}={explicit}: no such file")
        return Path(explicit)
    in_home = home / USER_CATALOG
    return in_home if in_home.is_file() else None


@functools.lru_cache(maxsize=8)
def _store(location: str) -> Store:
    # An object store's client is set up once per process, not once per file.
    return Store.at(location)


def markdown_table() -> str:
    """The README's tables of the variables Settings reads: the settings, then the tuning numbers."""
    rows = [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in VARIABLES]
    settings = "\n".join(["| variable | default | what it sets |", "|---|---|---|", *rows])
    return f"{settings}\n\n{tuning_table()}"
