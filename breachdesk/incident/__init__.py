"""Incidents: what leaked, who is affected, who must be told by when, and what to report.

- ``lifecycle``  open an incident, move its status, list and show it;
- ``attach``     attach findings (by scan, unattached, time window) and customer lists;
- ``affected``   the per-customer affected set other stages consume;
- ``scope``      counts, elements, window, recipients, charts;
- ``risk``       the ENISA severity with recorded overrides;
- ``obligations`` build the law situation, persist obligations and their status;
- ``register``   the Art 33(5) breach register as CSV.
"""
