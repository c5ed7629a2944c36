"""Plain text, CSV, HTML and JSON files.

HTML, JSON and XML files up to the document limit are one document (so a name
anywhere in the page counts with the email); everything else, and larger files, is
read line by line with the same block pre-filter as the response logs.
"""

from __future__ import annotations

import io
import json
from typing import BinaryIO

from breachdesk.detect.document import Document, UnitResult
from breachdesk.detect.fastpath import check_utf8, line_spans, numbered
from breachdesk.detect.formats.base import InputFormat, ScanContext, register
from breachdesk.detect.lines import SCAN_BLOCK, Block, iter_blocks
from breachdesk.detect.lines import reader as _reader

WHOLE_DOCUMENT = (".html", ".htm", ".xhtml", ".json", ".xml", ".eml", ".mht")


class _Prefixed(io.RawIOBase):
    """A stream that first replays bytes already read."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix, self._rest = prefix, rest

    def read(self, n: int = -1) -> bytes:
        if self._prefix:
            if n < 0:
                out, self._prefix = self._prefix + self._rest.read(), b""
                return out
            out, self._prefix = self._prefix[:n], self._prefix[n:]
            return out
        return self._rest.read(n)


def _unescaped_json(name: str, data: bytes) -> bytes:
    """JSON written with ``ensure_ascii`` hides non-ASCII letters in ``\\u`` escapes."""
    if not name.endswith(".json") or b"\\u" not in data:
        return data
    try:
        return json.dumps(json.loads(data), ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        return data


@register
class Text(InputFormat):
    name = "text"
    splittable = True
    priority = 90

    def sniff(self, name: str, head: bytes) -> bool:
        return True

    def scan(self, stream: BinaryIO, source: str, ctx: ScanContext, result: UnitResult) -> None:
        inner = source.rsplit("!", 1)[-1].lower()
        for suffix in (".gz", ".zst", ".zstd"):
            inner = inner.removesuffix(suffix)
        if inner.endswith(WHOLE_DOCUMENT):
            limit = ctx.options.max_document_bytes
            data = stream.read(limit + 1)
            if len(data) <= limit:
                result.records += 1
                result.bytes_read += len(data)
                ctx.progress(len(data))
                if check_utf8(data) is not None:
                    ctx.problem(result, source, "invalid UTF-8; undecodable bytes replaced")
                doc = Document(
                    body=_unescaped_json(inner, data),
                    source=source,
                    locator="file",
                    viewer=ctx.options.viewer,
                    record=data,
                )
                ctx.matcher.match_document(doc, result)
                return
            stream = _Prefixed(data, stream)  # type: ignore[assignment]
        self.scan_lines(stream, source, ctx, result)

    def scan_lines(
        self, stream: BinaryIO, source: str, ctx: ScanContext, result: UnitResult
    ) -> None:
        viewer = ctx.options.viewer
        reported_utf8 = False
        first = True
        blocks = iter_blocks(_reader(stream), ctx.options.max_record_bytes, SCAN_BLOCK, borrow=True)
        for item in blocks:  # a Block's data is borrowed: copy what is kept
            data = item.data
            if first:  # binary input is reported once as binary, not as bad UTF-8
                reported_utf8, first = b"\x00" in bytes(data[:8192]), False
            result.bytes_read += len(data)
            ctx.progress(len(data))
            if isinstance(item, Block):
                n = item.lines
                result.records += n
                result.lines += n
                bad = check_utf8(data)
                if bad is not None and not reported_utf8:
                    line = item.first_line + bytes(data[:bad]).count(b"\n")
                    ctx.problem(
                        result, source, "invalid UTF-8; undecodable bytes replaced", f"line {line}"
                    )
                    reported_utf8 = True
                spans = line_spans(data, ctx.matcher, result)
                for span, line_no in numbered(spans, data, item.first_line):
                    body = bytes(data[span.start : span.end])
                    doc = Document(body=body, source=source, line=line_no, viewer=viewer)
                    ctx.matcher.match_document(doc, result)
            else:
                doc = Document(
                    body=data,
                    source=source,
                    line=item.line,
                    viewer=viewer,
                    record=f"{source}:{item.line}:{item.offset}".encode() + data[:4096],
                )
                ctx.matcher.match_document(doc, result)
                if item.last:
                    result.records += 1
                    result.lines += 1
                    ctx.problem(
                        result,
                        source,
                        "line exceeds the record limit; scanned in slices",
                        f"line {item.line}",
                    )
