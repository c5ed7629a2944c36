"""WARC files: response records read with ``warcio``; viewers from the paired request."""

from __future__ import annotations

from typing import BinaryIO

from breachdesk.detect.document import UNKNOWN_VIEWER, Document, UnitResult
from breachdesk.detect.formats.base import InputFormat, ScanContext, register
from breachdesk.detect.formats.response_log import check_ts
from breachdesk.detect.formats.viewer import viewer_from


@register
class Warc(InputFormat):
    name = "warc"
    priority = 15

    def sniff(self, name: str, head: bytes) -> bool:
        return head.startswith(b"WARC/") or name.lower().endswith((".warc", ".warc.gz"))

    def scan(self, stream: BinaryIO, source: str, ctx: ScanContext, result: UnitResult) -> None:
        # warcio is loaded for a WARC input only, not by every scan before its workers fork
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        by_id: dict[str, str | None] = {}
        by_uri: dict[str, str | None] = {}
        n = 0
        counted = _Counting(stream, ctx, result)
        try:
            for record in ArchiveIterator(counted, arc2warc=True):
                n += 1
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "request":
                    headers = record.http_headers.headers if record.http_headers else []
                    viewer = viewer_from(ctx.options, headers)
                    target = record.rec_headers.get_header("WARC-Concurrent-To")
                    if target:
                        by_id[target] = viewer
                    if uri:
                        by_uri[uri] = viewer
                    continue
                if record.rec_type != "response":
                    continue
                result.records += 1
                rid = record.rec_headers.get_header("WARC-Record-ID")
                body = record.content_stream().read(ctx.options.max_document_bytes + 1)
                if len(body) > ctx.options.max_document_bytes:
                    ctx.problem(
                        result,
                        source,
                        "response body over the document limit; scanned its first part only",
                        f"record {n}",
                    )
                    body = body[: ctx.options.max_document_bytes]
                viewer = ctx.options.viewer or by_id.get(rid or "") or by_uri.get(uri or "")
                if viewer is None and not ctx.options.identifies_viewers:
                    viewer = UNKNOWN_VIEWER
                doc = Document(
                    body=body,
                    source=source,
                    locator=f"record {n}",
                    url=uri,
                    seen_at=check_ts(
                        (record.rec_headers.get_header("WARC-Date") or "").replace("Z", "+00:00"),
                        source,
                        f"record {n}",
                        ctx,
                        result,
                    ),
                    viewer=viewer,
                    viewer_ip=None,
                    record=(rid or "").encode() + body[:65536],
                )
                ctx.matcher.match_document(doc, result)
        except ArchiveLoadFailed as exc:
            ctx.problem(
                result, source, f"not a readable WARC ({str(exc).strip()[:200]})", f"record {n + 1}"
            )
        except (AttributeError, TypeError, ValueError) as exc:
            # warcio cannot parse on, e.g. a response record without WARC-Target-URI
            why = " ".join(f"{type(exc).__name__}: {exc}".split())[:160]
            ctx.problem(
                result,
                source,
                f"damaged WARC record (no WARC-Target-URI or a broken header: {why}); "
                "the records before were scanned, the rest of this file was not",
                f"record {n + 1}",
            )


class _Counting:
    """Counts bytes as warcio reads them, for progress and the summary."""

    def __init__(self, stream: BinaryIO, ctx: ScanContext, result: UnitResult) -> None:
        self._s, self._ctx, self._r = stream, ctx, result

    def read(self, n: int = -1) -> bytes:
        data = self._s.read(n)
        self._r.bytes_read += len(data)
        self._ctx.progress(len(data))
        return data

    def readline(self, n: int = -1) -> bytes:
        data = self._s.readline(n)
        self._r.bytes_read += len(data)
        self._ctx.progress(len(data))
        return data
