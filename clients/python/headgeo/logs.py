"""Where librdkafka's own log lines go."""

from __future__ import annotations

import logging


def quiet_logger(name: str) -> logging.Logger:
    """A logger for librdkafka's own lines: silent (no handler, no propagation) unless the application configures it."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    return logger
