"""Keeps tokens and secret query parameters out of httpx's log lines."""

from __future__ import annotations

import logging

from wizard.core.graph.constants import _SECRET_PARAMS


class RedactSecretsFilter(logging.Filter):
    """Rewrites httpx's request log lines so that no token or secret query parameter survives."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_url(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_url(text: str) -> str:
    """Replace the values of secret query parameters with `REDACTED`."""
    return _SECRET_PARAMS.sub(r"\1REDACTED", text)


def quiet_http_loggers() -> None:
    """Install the redacting filter on httpx's logger once (it logs every request URL at INFO)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactSecretsFilter) for f in logger.filters):
        logger.addFilter(RedactSecretsFilter())
