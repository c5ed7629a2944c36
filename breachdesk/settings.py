"""All configuration: one pydantic ``BaseSettings`` with the ``BREACHDESK_`` prefix.

Secrets are ``SecretStr`` and are never printed. The secret key that keys every
identifier hash lives in the workspace (``<workspace>/secret.key``, mode 0600) and
is created by ``breachdesk init``; ``BREACHDESK_SECRET_KEY`` (hex) overrides it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BREACHDESK_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///breachdesk.db",
        description="SQLAlchemy URL of the store; SQLite by default, PostgreSQL via psycopg.",
    )
    workspace: Path = Field(
        default=Path(".breachdesk"),
        description="Folder holding the secret key, entities.yaml and the matching index.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Hex key for the keyed identifier hashes; overrides <workspace>/secret.key.",
    )
    actor: str | None = Field(
        default=None, description="Name recorded in the audit log; defaults to the OS user."
    )
    scan_workers: int = Field(default=0, description="Scanner processes; 0 means one per core.")
    max_record_bytes: int = Field(
        default=64 * 1024 * 1024, description="Largest record parsed with its metadata."
    )
    max_expanded_bytes: int = Field(
        default=8 * 1024 * 1024 * 1024,
        description="Cap on the bytes one compressed input may expand to (zip-bomb guard).",
    )
    max_expansion_ratio: int = Field(
        default=200, description="Cap on expanded/compressed size for one archive member."
    )

    @property
    def key_path(self) -> Path:
        return self.workspace / "secret.key"

    @property
    def entities_path(self) -> Path:
        return self.workspace / "entities.yaml"

    @property
    def index_dir(self) -> Path:
        return self.workspace / "index"

    @property
    def rejects_dir(self) -> Path:
        return self.workspace / "rejects"
