"""Who saw a captured response: ``--viewer``, or a request header or cookie named by an option.

``None`` means an anonymous request (the public saw it). A capture scanned with none
of those options cannot tell a signed-in customer from the public, so its viewer is
``unknown``: a customer's own account page must never be reported as public.
"""

from __future__ import annotations

from collections.abc import Iterable
from http.cookies import CookieError, SimpleCookie

from breachdesk.detect.document import UNKNOWN_VIEWER
from breachdesk.detect.formats.base import ScanOptions


def viewer_from(
    opts: ScanOptions, headers: Iterable[tuple[str, str]], cookies: Iterable[tuple[str, str]] = ()
) -> str | None:
    if opts.viewer:
        return opts.viewer
    if not opts.identifies_viewers:
        return UNKNOWN_VIEWER
    headers = list(headers)
    if opts.viewer_header:
        want = opts.viewer_header.lower()
        for name, value in headers:
            if name.lower() == want and value.strip():
                return value.strip()
    if opts.viewer_cookie:
        for name, value in cookies:
            if name == opts.viewer_cookie and value:
                return value
        for name, value in headers:
            if name.lower() == "cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value)
                except CookieError:
                    continue
                if opts.viewer_cookie in jar:
                    return jar[opts.viewer_cookie].value or None
    return None
