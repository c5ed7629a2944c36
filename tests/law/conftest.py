"""Fixtures shared with the incident tests: a registry and store with customers in
several countries (``world``), used where law answers are stored on an incident."""

from tests.incident.conftest import world  # noqa: F401
