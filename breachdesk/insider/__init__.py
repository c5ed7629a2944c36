"""Insider leaks: which export a leaked list came from, and who mailed a canary.

Beside ``detect/`` (which scans what the website showed), this package reads what left
the company another way: it ranks exports against a leaked dump (``export_ranking``,
``dump_reader``, ``dump_matcher``, ``attribute``), records and shows the attribution,
runs the SMTP tripwire that raises an alert when a canary address is mailed
(``tripwire``), and flags unusual export access (``access``).
"""
