"""Every table, one module per area. Import a module here so migrations see it."""

from breachdesk.store.models import audit as audit
from breachdesk.store.models import exports as exports
from breachdesk.store.models import incidents as incidents
from breachdesk.store.models import outbox as outbox
from breachdesk.store.models import web as web
from breachdesk.store.models.base import Base, UTCDateTime, utcnow
from breachdesk.store.models.customers import Customer
from breachdesk.store.models.findings import Finding, ScanRun

__all__ = ["Base", "Customer", "Finding", "ScanRun", "UTCDateTime", "utcnow"]
