"""Known secrets never leave the process in a message: every credential read is registered here,
and `redact` replaces it wherever a text is about to be written (a log record, a run record, an
exception shown to a person, a publisher's text that echoes the request)."""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
# A publisher's error text can be a whole HTML page; the answer itself is in the raw zone.
MAX_MESSAGE_CHARS = 500

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def register(secret: str) -> None:
    """Remember a secret (a password, a token) so that no message carries it."""
    if len(secret) >= 3:  # shorter strings would mask ordinary text, and are no secret anyway
        with _lock:
            _secrets.add(secret)
    install()


# A secret this short (the demo's "demo") is masked only where it stands alone: inside a word
# ("demografie") it is ordinary text, and masking it there would garble every message.
SHORT_SECRET = 8


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret not in text:
            continue
        if len(secret) >= SHORT_SECRET:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])", MASK, text)
    return text


def capped(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` redacted and cut to `limit` characters, saying how much was cut."""
    text = redact(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def install() -> None:
    """Redact every log record of the process when it is made, whichever logger or handler (Prefect's
    API log handler included) later writes it."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _secrets:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
