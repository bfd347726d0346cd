"""Progress events from the use cases and flows to whoever shows them (the CLI prints them with
rich). At the bottom of the layers: reporting progress must not tie a use case to Prefect."""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[str, str], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def report(step: str, detail: str) -> None:
    for listener in list(_listeners):
        listener(step, detail)
