"""Markdown report -> HTML -> PDF (WeasyPrint). Raw HTML in the Markdown is escaped,
so text typed into an incident cannot inject markup into the PDF."""

from __future__ import annotations

import logging
from pathlib import Path

from markdown_it import MarkdownIt

CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt;
                        font-family: "DejaVu Sans", sans-serif; } }
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 10pt;
       line-height: 1.4; color: #111; }
h1 { font-size: 17pt; border-bottom: 2px solid #c0392b; padding-bottom: 4pt; }
h2 { font-size: 12.5pt; margin-top: 14pt; color: #2c3e50; }
table { border-collapse: collapse; margin: 6pt 0; }
td, th { border: 1px solid #bbb; padding: 2pt 6pt; vertical-align: top; }
img { max-width: 100%; margin: 6pt 0; }
"""


def markdown_to_html(markdown: str, title: str) -> str:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = md.render(markdown)
    safe_title = title.replace("&", "&amp;").replace("<", "&lt;")
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{safe_title}</title>'
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )


def write_pdf(markdown: str, title: str, out: Path, base_dir: Path) -> Path:
    """Render ``markdown`` to ``out``; images resolve relative to ``base_dir``."""
    from weasyprint import HTML

    # WeasyPrint and fontTools log font subsetting at INFO/WARNING; keep the console quiet.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    html = markdown_to_html(markdown, title)
    HTML(string=html, base_url=str(base_dir.resolve()) + "/").write_pdf(out)
    return out
