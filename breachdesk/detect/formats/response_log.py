"""The documented response-log JSONL format: one HTTP response per line.

Fields: ``ts``, ``viewer`` (customer id of the signed-in user, or null), ``ip``,
``method``, ``url``, ``status``, ``content_type``, and ``body`` or ``body_b64``.

The fast path never parses JSON for a line that cannot matter: it extracts
candidates from a whole block of lines at once, looks them up in one batch, and
parses only the lines with a hit, a base64 body, or an escaped letter touching a
candidate. Those lines go through the full document matcher.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from breachdesk.detect.document import Document, UnitResult
from breachdesk.detect.fastpath import check_utf8, line_spans, numbered
from breachdesk.detect.formats.base import InputFormat, ScanContext, register
from breachdesk.detect.lines import SCAN_BLOCK, Block, Piece, iter_blocks
from breachdesk.detect.lines import reader as _reader

_B64 = b'"body_b64"'
_HEAD_FIELD = {
    name: re.compile(rb'"' + name.encode() + rb'"\s*:\s*(?:"((?:[^"\\]|\\.){0,512})"|null)')
    for name in ("ts", "viewer", "ip", "url")
}
_PIECE_OVERLAP = 512
_VIEWER = re.compile(rb'"viewer"\s*:\s*"([^"\\]{1,128})"')


def parse_ts(value: object) -> datetime | None:
    """ISO 8601 (naive times are taken as UTC) or epoch seconds/milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            seconds = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):  # a 400-digit epoch, inf, nan
            return None
    if not isinstance(value, str) or not value:
        return None
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        return None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def _text(value: object) -> str | None:
    if value is None:
        return None
    try:
        return str(value)
    except ValueError:  # an int over Python's digit limit
        return "(number too long)"


def check_ts(
    value: object, source: str, where: str, ctx: ScanContext, result: UnitResult
) -> datetime | None:
    """``parse_ts``, recording a problem when a timestamp is there but unreadable."""
    ts = parse_ts(value)
    if ts is None and value not in (None, ""):
        shown = repr(value)[:60] if isinstance(value, str) else type(value).__name__
        ctx.problem(
            result,
            source,
            f"timestamp {shown} is not ISO 8601 or epoch seconds; seen time left empty",
            where,
        )
    return ts


@register
class ResponseLog(InputFormat):
    name = "response-log"
    splittable = True
    priority = 10

    def sniff(self, name: str, head: bytes) -> bool:
        first = head.lstrip()[:1]
        if first != b"{":
            return False
        line = head.split(b"\n", 1)[0]
        return (b'"body"' in line or b'"body_b64"' in line) and b'"viewer"' in line

    def scan(self, stream: BinaryIO, source: str, ctx: ScanContext, result: UnitResult) -> None:
        long_line = _LongLine()
        blocks = iter_blocks(_reader(stream), ctx.options.max_record_bytes, SCAN_BLOCK, borrow=True)
        for item in blocks:  # a Block's data is borrowed: copy what is kept
            if isinstance(item, Block):
                self._block(item, source, ctx, result)
                result.bytes_read += len(item.data)
                ctx.progress(len(item.data))
            else:
                self._piece(item, source, ctx, result, long_line)
                result.bytes_read += len(item.data)
                ctx.progress(len(item.data))

    # -- fast path -------------------------------------------------------------------------

    def _block(self, block: Block, source: str, ctx: ScanContext, result: UnitResult) -> None:
        data = block.data
        n = block.lines
        result.records += n
        result.lines += n
        bad = check_utf8(data)
        if bad is not None:
            line = block.first_line + bytes(data[:bad]).count(b"\n")
            ctx.problem(result, source, "invalid UTF-8; undecodable bytes replaced", f"line {line}")
        matcher = ctx.matcher
        spans = line_spans(data, matcher, result, _B64)
        for span, line_no in numbered(spans, data, block.first_line):
            if not span.forced and len(span.rows) == 1:
                # a signed-in customer's own page is the common case: settle it from the
                # viewer field alone, without parsing the record
                m = _VIEWER.search(data, span.start, min(span.end, span.start + 4096))
                viewer = m.group(1).decode("utf-8", errors="replace") if m else None
                if viewer is not None and matcher.viewer_row(viewer) in span.rows:
                    result.self_views += 1
                    result.unknown_emails += span.unknown
                    continue
            self._record(bytes(data[span.start : span.end]), line_no, source, ctx, result)

    # -- full path -------------------------------------------------------------------------

    def _record(
        self, raw: bytes, line_no: int, source: str, ctx: ScanContext, result: UnitResult
    ) -> None:
        where = f"line {line_no}"
        try:
            rec: Any = json.loads(raw)
        except UnicodeDecodeError:
            rec = None
            try:
                rec = json.loads(raw.decode("utf-8", errors="replace"))
            except json.JSONDecodeError as exc:
                ctx.problem(
                    result, source, f"not valid JSON ({exc.msg}); scanned as raw text", where
                )
            except (ValueError, RecursionError):
                ctx.problem(result, source, "not readable JSON; scanned as raw text", where)
        except json.JSONDecodeError as exc:
            rec = None
            ctx.problem(result, source, f"not valid JSON ({exc.msg}); scanned as raw text", where)
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, deep nesting
            rec = None
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:80]
            ctx.problem(result, source, f"not readable JSON ({why}); scanned as raw text", where)
        if not isinstance(rec, dict):
            if rec is not None:
                ctx.problem(result, source, "line is not a JSON object; scanned as raw text", where)
            doc = Document(
                body=raw, source=source, line=line_no, record=raw, **self._head_fields(raw)
            )
            ctx.matcher.match_document(doc, result)
            return
        body: bytes
        if rec.get("body_b64") is not None:
            try:
                body = base64.b64decode(str(rec["body_b64"]), validate=True)
            except (binascii.Error, ValueError):
                ctx.problem(
                    result, source, "body_b64 is not valid base64; scanned as raw text", where
                )
                body = raw
        else:
            b = rec.get("body")
            body = b.encode("utf-8", errors="replace") if isinstance(b, str) else raw
        doc = Document(
            body=body,
            source=source,
            line=line_no,
            url=_text(rec.get("url")),
            seen_at=check_ts(rec.get("ts"), source, where, ctx, result),
            viewer=_text(rec.get("viewer")),
            viewer_ip=_text(rec.get("ip")),
            record=raw,
        )
        ctx.matcher.match_document(doc, result)

    @staticmethod
    def _head_fields(raw: bytes) -> dict[str, Any]:
        """Best-effort metadata from the start of a record that is not parseable JSON."""
        head = raw[:65536]
        out: dict[str, Any] = {}
        for name, rx in _HEAD_FIELD.items():
            m = rx.search(head)
            if m and m.group(1) is not None:
                out[name] = m.group(1).decode("utf-8", errors="replace")
        return {
            "url": out.get("url"),
            "seen_at": parse_ts(out.get("ts")),
            "viewer": out.get("viewer"),
            "viewer_ip": out.get("ip"),
        }

    # -- over-long lines -------------------------------------------------------------------

    def _piece(
        self, piece: Piece, source: str, ctx: ScanContext, result: UnitResult, state: _LongLine
    ) -> None:
        if piece.offset == 0:
            state.reset(self._head_fields(piece.data))
        state.size += len(piece.data)
        data = state.tail + piece.data
        before = len(result.hits)
        record = f"{source}:{piece.line}:{piece.offset}".encode() + data[:4096]
        doc = Document(body=data, source=source, line=piece.line, record=record, **state.meta)
        ctx.matcher.match_document(doc, result)
        fresh = [h for h in result.hits[before:] if h.row not in state.rows]
        result.hits[before:] = fresh
        state.rows.update(h.row for h in fresh)
        state.tail = piece.data[-_PIECE_OVERLAP:]
        if piece.last:
            result.records += 1
            result.lines += 1
            limit = ctx.options.max_record_bytes / 1e6
            ctx.problem(
                result,
                source,
                f"record of {state.size / 1e6:.1f} MB exceeds the {limit:.1f} MB record "
                "limit; scanned as raw text in slices",
                f"line {piece.line}",
            )


@dataclass
class _LongLine:
    """What carries from one slice of an over-long line to the next."""

    meta: dict[str, Any] = field(default_factory=dict)
    tail: bytes = b""
    size: int = 0
    rows: set[int] = field(default_factory=set)

    def reset(self, meta: dict[str, Any]) -> None:
        self.meta, self.tail, self.size, self.rows = meta, b"", 0, set()
