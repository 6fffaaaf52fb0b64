"""Keep the bot token out of every log line, whatever logger or library wrote it.

A filter on a logger only sees records logged on that very logger, not its children's, so
the redacting filter sits on the handlers of the root logger, where every record ends up.
"""

from __future__ import annotations

import logging

from bot.display import MIN_SECRET_CHARS, REDACTED, hide


class RedactSecrets(logging.Filter):
    """Replaces each registered secret in a record's message and traceback text."""

    def __init__(self) -> None:
        super().__init__("marginalia.redact")
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if self._has_secret(message):
            record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._has_secret(record.exc_text):
            record.exc_text = self.redact(record.exc_text)  # formatters reuse exc_text as it is
        return True

    def _has_secret(self, text: str) -> bool:
        return any(secret in text for secret in self.secrets)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


_FILTER = RedactSecrets()


def redact_in_logs(secret: str) -> None:
    """Redact `secret` from now on in everything the root logger's handlers emit, and in everything
    the bot shows (`bot.display`: a document may hold the token)."""
    hide(secret)
    if len(secret) >= MIN_SECRET_CHARS:  # a very short "secret" would shred ordinary words
        _FILTER.secrets.add(secret)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
