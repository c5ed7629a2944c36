"""schemathesis against the JSON API's OpenAPI schema (``/api/openapi.json``):
generated requests to the portal API and the range API (a bounded number per
operation), each response checked against the schema (status codes, content
types, bodies) and for server errors. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from breachdesk.web.range_api.hashing import sha1_hex
from breachdesk.web.range_api.store import add_hashes
from tests.web.builders import World
from tests.web.conftest import web_settings

EXAMPLES = 30


def test_api_conforms_to_its_schema(world: World) -> None:
    from breachdesk.web.app import create_app

    add_hashes(world.store, "sha1", [(sha1_hex("Sommer2024!"), 3)])
    app = create_app(web_settings(world), world.store)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    seen: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()
    assert sorted(seen) == [
        "GET /range/{prefix}",
        "POST /api/v1/lookup",
        "POST /api/v1/verify",
    ]
