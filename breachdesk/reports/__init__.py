"""Regulator reports: templates as data (Jinja + a validated catalogue), rendered to
Markdown, JSON and PDF, numbered per incident and recipient (initial, then updates).
"""
