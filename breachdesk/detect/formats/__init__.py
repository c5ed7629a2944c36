"""Input formats, each a small registered unit. Importing this package registers them all."""

from breachdesk.detect.formats import har, response_log, text, warc
from breachdesk.detect.formats.base import (
    FORMATS,
    InputFormat,
    ScanContext,
    ScanOptions,
    detect_format,
)

__all__ = [
    "FORMATS",
    "InputFormat",
    "ScanContext",
    "ScanOptions",
    "detect_format",
    "har",
    "response_log",
    "text",
    "warc",
]
