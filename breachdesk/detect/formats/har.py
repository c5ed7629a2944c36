"""HAR 1.2 captures: one document per entry, base64 bodies decoded."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, BinaryIO

from breachdesk.detect.document import UNKNOWN_VIEWER, Document, UnitResult
from breachdesk.detect.formats.base import InputFormat, ScanContext, register
from breachdesk.detect.formats.response_log import check_ts
from breachdesk.detect.formats.viewer import viewer_from


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pairs(items: Any) -> list[tuple[str, str]]:
    if not isinstance(items, list):
        return []
    return [(str(i.get("name", "")), str(i.get("value", ""))) for i in items if isinstance(i, dict)]


@register
class Har(InputFormat):
    name = "har"
    priority = 20

    def sniff(self, name: str, head: bytes) -> bool:
        if name.lower().endswith(".har"):
            return True
        h = head.lstrip()[:4096]
        return h.startswith(b"{") and b'"log"' in h and (b'"entries"' in h or b'"creator"' in h)

    def scan(self, stream: BinaryIO, source: str, ctx: ScanContext, result: UnitResult) -> None:
        raw = stream.read()
        result.bytes_read += len(raw)
        ctx.progress(len(raw))
        try:
            har = json.loads(raw)
            entries = har["log"]["entries"]
            if not isinstance(entries, list):
                raise TypeError("log.entries is not a list")
        except RecursionError:
            self._fallback(raw, source, ctx, result, "HAR nested too deeply; scanned as raw text")
            return
        except json.JSONDecodeError as exc:
            self._fallback(
                raw,
                source,
                ctx,
                result,
                f"HAR is not valid JSON ({exc.msg} at line {exc.lineno} column "
                f"{exc.colno}); scanned as raw text",
            )
            return
        except UnicodeDecodeError as exc:
            self._fallback(
                raw,
                source,
                ctx,
                result,
                f"HAR is not UTF-8 (byte {exc.start}); scanned as raw text",
            )
            return
        except ValueError as exc:  # after its subclasses: a number over the digit limit
            self._fallback(
                raw, source, ctx, result, f"HAR not readable ({exc}); scanned as raw text"
            )
            return
        except (KeyError, TypeError) as exc:
            self._fallback(
                raw, source, ctx, result, f"not a HAR 1.2 document ({exc}); scanned as raw text"
            )
            return
        for i, entry in enumerate(entries, start=1):
            result.records += 1
            where = f"entry {i}"
            if not isinstance(entry, dict):
                ctx.problem(result, source, "entry is not an object; skipped", where)
                continue
            request = _dict(entry.get("request"))
            content = _dict(_dict(entry.get("response")).get("content"))
            text = content.get("text")
            if not isinstance(text, str) or not text:
                continue
            if content.get("encoding") == "base64":
                try:
                    body = base64.b64decode(text, validate=True)
                except (binascii.Error, ValueError):
                    ctx.problem(
                        result,
                        source,
                        "response body is not valid base64; scanned as raw text",
                        where,
                    )
                    body = text.encode("utf-8", errors="replace")
            else:
                body = text.encode("utf-8", errors="replace")
            viewer = viewer_from(
                ctx.options, _pairs(request.get("headers")), _pairs(request.get("cookies"))
            )
            doc = Document(
                body=body,
                source=source,
                locator=where,
                url=str(request.get("url")) if request.get("url") else None,
                seen_at=check_ts(entry.get("startedDateTime"), source, where, ctx, result),
                viewer=viewer,
                viewer_ip=entry.get("_clientIP")
                if isinstance(entry.get("_clientIP"), str)
                else None,
                record=json.dumps(entry, sort_keys=True).encode("utf-8"),
            )
            ctx.matcher.match_document(doc, result)

    @staticmethod
    def _fallback(raw: bytes, source: str, ctx: ScanContext, result: UnitResult, why: str) -> None:
        ctx.problem(result, source, why)
        result.records += 1
        viewer = ctx.options.viewer if ctx.options.identifies_viewers else UNKNOWN_VIEWER
        doc = Document(body=raw, source=source, locator="file", viewer=viewer)
        ctx.matcher.match_document(doc, result)
