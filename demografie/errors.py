"""The root of every error demografie raises on purpose, and one class per layer below it.

Each carries a message for a person: what was wrong, naming the file, table or variable, and what
to do. The command line prints such a message alone; anything else that reaches it is a bug, and
says so. Each class also keeps the built-in base it always had (ValueError, LookupError ...), so
callers that catch those still do.
"""

from __future__ import annotations


class DemografieError(Exception):
    """An error demografie raises on purpose, with a message for a person."""


class SourceLayerError(DemografieError):
    """A publisher did not deliver, or was asked wrongly (sources/)."""


class TransformError(DemografieError):
    """A file is not what it should be (transforms/)."""


class WarehouseError(DemografieError):
    """The lake or the warehouse cannot be read, built or written (warehouse/)."""


class HomeLockedError(WarehouseError, RuntimeError):
    """Another run writes to the same data home (the lock file, or the server's writer limit)."""


class PublishError(DemografieError):
    """A document cannot be drawn from the warehouse (publish/)."""


class FlowError(DemografieError):
    """A run cannot start or did not complete (flows/)."""
