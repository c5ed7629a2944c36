"""Answer: the web app (FastAPI, server-rendered Jinja, no CDN, no inline script).

- ``portal/``: the public customer portal ("is this notice genuine?", "was I
  affected?", the customer's own record and its PDF);
- ``dashboard/``: the operator dashboard behind a login;
- ``range_api/``: a Pwned Passwords compatible range API over leaked-password hashes.

``create_app(settings, store)`` (in ``app``) builds the ASGI app; the store and the
settings are injected and reached through ``deps``, never through a global.
"""
