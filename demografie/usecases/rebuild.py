"""Rebuilding the warehouse from the lake, as every command and run that builds does it: first the
deliveries whose catalog entry changed since they were normalised are normalised again from their
raw answers (a corrected measure mapping in the user catalog reaches the figures already held),
then the warehouse is built and swapped in. Called with the data home held (`holding`, or a run's
own hold)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from demografie import catalog
from demografie.catalog import Dataset
from demografie.errors import DemografieError
from demografie.fileio import remove_temporaries
from demografie.laender import DEFAULT_STATES, chosen
from demografie.settings import Paths, Settings
from demografie.transforms.normalise import Provenance
from demografie.usecases.load import unpacked
from demografie.warehouse.build import (
    BuildResult,
    build_warehouse,
    is_current,
    remove_build_leftovers,
    with_lake_tables,
)
from demografie.warehouse.deliveries import Delivery, stage_parts
from demografie.warehouse.lake import ManifestEntry, committed_entries, orphan_warning
from demografie.warehouse.lock import writer_lock


@contextmanager
def holding(settings: Settings, holder: str) -> Iterator[None]:
    """The data home held for a command that changes the lake or rebuilds the warehouse (build,
    geodata, deliveries drop): it waits DEMOGRAFIE_LOCK_WAIT_SECONDS for a run that holds it, then
    refuses naming that run. A run holds it for its whole length (flows/runs.exclusive)."""
    with writer_lock(settings.paths.home, holder, wait_seconds=settings.lock_wait_seconds):
        yield


def remove_leftovers(paths: Paths) -> list[str]:
    """Temporaries of writes that never finished (a run killed mid-write) in the places we write:
    the home itself, raw/ and lake/ (where they are local), and the half-built warehouse files
    beside the live one; called with the home held, so nobody of ours is writing them."""
    leftovers = remove_temporaries(paths.home, recursive=False)
    for store in (paths.raw, paths.lake):
        if store.is_local:
            leftovers += remove_temporaries(Path(store.root))
    leftovers += remove_build_leftovers(paths.warehouse)
    return [str(path.relative_to(paths.home)) if path.is_relative_to(paths.home) else str(path) for path in leftovers]


def lags_behind(settings: Settings) -> bool:
    """Whether the warehouse is missing or older than the lake (a killed run), or the lake holds
    deliveries normalised under another catalog entry or for other Länder (DEMOGRAFIE_STATES
    changed): a run builds then, normalising those again first."""
    datasets = catalog.of(settings).datasets
    return not is_current(settings.paths) or bool(_normalised_otherwise(settings.paths, datasets, settings.states))


@dataclass(frozen=True)
class BuildSummary:
    """What a run's build did, as the run record and the Prefect artifacts keep it."""

    warehouse: str
    deliveries: int
    observation_versions: int
    current_observations: int
    warnings: list[str]
    checks: list[dict[str, object]]
    seconds: dict[str, float]  # by phase of the build (build.BuildResult.seconds)


@dataclass(frozen=True)
class Rebuilt:
    result: BuildResult
    notes: list[str]  # what was normalised again, and what could not be

    def summary(self) -> BuildSummary:
        result = self.result
        warnings = [c.describe() for c in result.checks if c.failed] + [orphan_warning(k) for k in result.orphans]
        return BuildSummary(
            str(result.path),
            result.deliveries,
            result.observation_versions,
            result.current_observations,
            warnings,
            [{"check": c.name, "severity": c.severity, "violations": c.violations} for c in result.checks],
            result.seconds,
        )

    def said(self) -> str:
        """The line a person reads when it is built."""
        result = self.result
        built = f"{result.path} ({result.current_observations} current observations)"
        return f"{built} in {result.split()}; {result.versioned()}"


def rebuild(settings: Settings, full: bool = False, allow_empty: bool = False) -> Rebuilt:
    """The warehouse of `settings`' home rebuilt with its catalog, its memory and unpacking limits."""
    paths, datasets = settings.paths, catalog.of(settings).datasets
    notes = renormalise_changed(paths, datasets, settings.states, settings.max_unpacked_bytes)
    built = build_warehouse(
        paths, datasets, settings.build_memory_mb, full=full, allow_empty=allow_empty, states=settings.states
    )
    return Rebuilt(built, notes)


def renormalise_changed(paths: Paths, datasets: Sequence[Dataset], states: Sequence[str], max_bytes: int) -> list[str]:
    """Normalise again every delivery whose dataset's mapping (measures, row variable) or whose
    Länder are not the ones it was normalised under; a record without a mapping (written before it
    was kept) is left as it is. Returns one line per dataset said to the user."""
    notes: dict[tuple[str, str], list[str]] = {}
    for entry, dataset in _normalised_otherwise(paths, datasets, states):
        outcome = _renormalise(paths, entry, dataset, states, max_bytes)
        notes.setdefault((dataset.name, _why(entry, dataset, states)), []).append(outcome)
    return [_note(name, why, outcomes) for (name, why), outcomes in notes.items()]


def _normalised_otherwise(
    paths: Paths, datasets: Sequence[Dataset], states: Sequence[str]
) -> list[tuple[ManifestEntry, Dataset]]:
    """The deliveries normalised under another catalog entry or for other Länder than now."""
    entries = committed_entries(paths.lake)
    by_name = {d.name: d for d in with_lake_tables(datasets, entries)}
    return [
        (e, by_name[e.dataset])
        for e in entries
        if e.mapping is not None and e.dataset in by_name and e.mapping != by_name[e.dataset].mapping_for(states)
    ]


def _why(entry: ManifestEntry, dataset: Dataset, states: Sequence[str]) -> str:
    kept, now = (chosen(entry.states.split(",")) if entry.states else DEFAULT_STATES), chosen(states)
    if kept != now and entry.mapping == dataset.mapping_for(kept):
        return f"the Länder to load changed (DEMOGRAFIE_STATES: {','.join(kept)} -> {','.join(now)})"
    return "its catalog entry changed"


def _note(dataset: str, why: str, outcomes: list[str]) -> str:
    done = outcomes.count("")
    missing = [o for o in outcomes if o]
    said = f"{dataset}: {why}; {done} delivery(ies) normalised again from raw/"
    return said + (f"; {len(missing)} kept as they were ({missing[0]})" if missing else "")


def _renormalise(paths: Paths, entry: ManifestEntry, dataset: Dataset, states: Sequence[str], max_bytes: int) -> str:
    """'' when done, else why the delivery stays as it was normalised (its raw answer is gone, or
    the new entry cannot read it)."""
    keys = [key.strip().removeprefix("raw/") for key in entry.raw_file.split(",")]
    if missing := [key for key in keys if not paths.raw.exists(key)]:
        return f"raw/{missing[0]} is missing"
    provenance = Provenance(
        dataset.name,
        entry.source,
        entry.source_table,
        datetime.fromisoformat(entry.vintage),
        datetime.fromisoformat(entry.retrieved_at),
        entry.load_id,
        entry.synthetic,
    )
    years = (entry.start_year, entry.end_year) if entry.start_year and entry.end_year else None
    delivery = Delivery(
        dataset,
        [unpacked(dataset.table, paths.raw, key, max_bytes) for key in keys],
        provenance,
        states,
        decimal="," if years else None,  # answers of the GENESIS API are German; files are read by their values
        years=years,
    )
    try:
        staged = stage_parts(paths.lake, delivery)
    except DemografieError as exc:  # the new entry cannot read the answer: said, the old figures kept
        return f"cannot be normalised under the new entry: {exc}"
    if staged.digest != entry.content_sha256:
        staged.discard()
        return f"raw/{keys[0]} reads as another delivery now"
    staged.replace(entry)
    return ""
