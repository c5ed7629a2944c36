"""All configuration: one pydantic model, read from ``BREACHDESK_*`` environment variables.

Every field ``name`` is set by ``BREACHDESK_NAME`` (any case); values given to
``Settings(...)`` take precedence, then the environment, then the defaults. Secrets are
``SecretStr`` and are never printed. The secret key that keys every identifier hash
lives in the workspace (``<workspace>/secret.key``, mode 0600) and is created by
``breachdesk init``; ``BREACHDESK_SECRET_KEY`` (hex) overrides it.

A variable that does not parse is a ``UsageError`` (exit 2) naming the variable and the reason,
never the value (it may be a secret). The environment is read here, in a few lines,
rather than by pydantic-settings: that package (and the asyncio it imports) cost every
command about 35 ms of start-up, a sixth of a scan's time before its workers start.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from breachdesk.errors import UsageError

ENV_PREFIX = "BREACHDESK_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_default=True)

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
    tripwire_host: str = Field(default="127.0.0.1", description="Tripwire SMTP bind address.")
    tripwire_port: int = Field(default=2525, description="Tripwire SMTP port.")
    tripwire_max_bytes: int = Field(
        default=1024 * 1024, description="Largest message the tripwire accepts (SMTP SIZE)."
    )
    tripwire_webhook_url: str | None = Field(
        default=None, description="URL every tripwire alert is POSTed to as JSON."
    )
    tripwire_alert_to: str | None = Field(
        default=None, description="Address every tripwire alert is mailed to."
    )
    tripwire_relay: str = Field(
        default="127.0.0.1:25", description="host:port of the SMTP relay for alert mail."
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for notices.")
    smtp_port: int = Field(default=25, description="SMTP port (587 for STARTTLS, 465 for TLS).")
    smtp_starttls: bool = Field(default=False, description="Upgrade SMTP with STARTTLS.")
    smtp_tls: bool = Field(default=False, description="Connect with implicit TLS (port 465).")
    smtp_username: str | None = Field(default=None, description="SMTP AUTH user name.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP AUTH password.")
    smtp_timeout: float = Field(default=30.0, description="Seconds before an SMTP call times out.")
    smtp_ca_file: Path | None = Field(
        default=None, description="CA bundle that verifies the SMTP server's TLS certificate."
    )
    notify_concurrency: int = Field(default=8, description="Parallel SMTP connections per worker.")
    notify_rate: float = Field(default=0.0, description="Messages/s per worker; 0 = no cap.")
    notify_window_cap: int = Field(
        default=0, description="Most messages per sliding window (e.g. 50000); 0 = no cap."
    )
    notify_window_seconds: int = Field(default=3600, description="Length of the sliding window.")
    notify_lease_seconds: int = Field(
        default=120, description="How long a claimed row stays `sending` before it may be resent."
    )
    notify_max_attempts: int = Field(default=8, description="4xx retries before a row fails.")
    notify_backoff_seconds: float = Field(
        default=30.0, description="First retry delay after a 4xx; doubles per attempt."
    )
    notify_batch: int = Field(default=200, description="Rows one worker claims at a time.")
    notify_dkim_signer: Literal["cryptography", "dkimpy"] = Field(
        default="cryptography",
        description="RSA step of DKIM signing: OpenSSL via cryptography, or dkimpy's own.",
    )

    redis_url: str | None = Field(
        default=None,
        description="Redis URL (redis://127.0.0.1:6379/0) for the web rate limits shared by "
        "several workers; unset means the store keeps them.",
    )
    portal_code_minutes: int = Field(
        default=15, description="Minutes a one-time portal code stays valid."
    )
    portal_floor_ms: float = Field(
        default=12.0,
        description="Every portal look-up answers after at least this many ms, so the time "
        "taken never tells a customer from a non-customer.",
    )
    portal_ip_per_minute: int = Field(
        default=30, description="Portal look-ups one IP address may make per minute."
    )
    portal_address_per_hour: int = Field(
        default=5, description="Look-ups and code attempts per email address per hour."
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
    def dkim_dir(self) -> Path:
        return self.workspace / "dkim"

    @property
    def rejects_dir(self) -> Path:
        return self.workspace / "rejects"

    @model_validator(mode="before")
    @classmethod
    def _environment(cls, data: Any) -> Any:
        """Fill every field not given from its ``BREACHDESK_*`` variable."""
        given = dict(data) if isinstance(data, dict) else {}
        for name, value in os.environ.items():
            if name[: len(ENV_PREFIX)].upper() != ENV_PREFIX:
                continue
            field = name[len(ENV_PREFIX) :].lower()
            if field in cls.model_fields and field not in given:
                given[field] = value
        return given

    @classmethod
    def load(cls, **values: Any) -> Settings:
        """``Settings(**values)``, with a bad value reported as one line naming it."""
        try:
            return cls(**values)
        except ValidationError as exc:
            err = exc.errors(include_url=False, include_input=False)[0]
            field = str(err["loc"][0]) if err["loc"] else "?"
            where = f"setting {field}" if field in values else f"{ENV_PREFIX}{field.upper()}"
            more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
            raise UsageError(f"{where}: {err['msg']}{more}") from None
