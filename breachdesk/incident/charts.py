"""Scope charts for reports and the dashboard: by country and over time, PNG and SVG.

matplotlib runs on the Agg backend (no display); the SVGs carry no date so the
same scope draws the same file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from breachdesk.incident.scope import Scope

TOP_COUNTRIES = 20


@dataclass(frozen=True)
class ChartFiles:
    by_country_png: Path
    by_country_svg: Path
    over_time_png: Path
    over_time_svg: Path

    def all(self) -> list[Path]:
        return [self.by_country_png, self.by_country_svg, self.over_time_png, self.over_time_svg]


def _country_figure(scope: Scope) -> Figure:
    items = list(scope.by_country.items())
    if len(items) > TOP_COUNTRIES:
        rest = sum(n for _, n in items[TOP_COUNTRIES - 1 :])
        items = [*items[: TOP_COUNTRIES - 1], ("other", rest)]
    fig, ax = plt.subplots(figsize=(7, 0.35 * max(len(items), 3) + 1.2), dpi=110)
    labels = [k for k, _ in items][::-1]
    values = [n for _, n in items][::-1]
    bars = ax.barh(labels, values, color="#c0392b")
    ax.bar_label(bars, labels=[f"{v:,}" for v in values], padding=3, fontsize=8)
    ax.set_xlabel("affected customers")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Incident {scope.incident_id}: affected customers by country")
    ax.spines[["top", "right"]].set_visible(False)
    if not items:
        ax.text(0.5, 0.5, "no affected customers", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    return fig


def _time_figure(scope: Scope) -> Figure:
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=110)
    if scope.timeline:
        xs = [t for t, _ in scope.timeline]
        ys = [n for _, n in scope.timeline]
        width = 1 / 24 if scope.bucket == "hour" else 0.8
        ax.bar(xs, ys, width=width * 0.9, color="#2c3e50", align="edge")  # type: ignore[arg-type]
        fmt = "%m-%d %H:%M" if scope.bucket == "hour" else "%Y-%m-%d"
        ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt))  # type: ignore[no-untyped-call]
        fig.autofmt_xdate()
    else:
        ax.text(0.5, 0.5, "no timed findings", ha="center", transform=ax.transAxes)
    ax.set_ylabel(f"customers exposed per {scope.bucket}")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Incident {scope.incident_id}: exposure over time (UTC)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _save(fig: Figure, stem: Path) -> tuple[Path, Path]:
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png)
    with plt.rc_context({"svg.hashsalt": "breachdesk", "svg.fonttype": "none"}):
        fig.savefig(svg, metadata={"Date": None})
    plt.close(fig)
    return png, svg


def write_charts(scope: Scope, out_dir: Path) -> ChartFiles:
    """Write ``incident-N-by-country`` and ``incident-N-over-time`` as PNG and SVG."""
    out_dir.mkdir(parents=True, exist_ok=True)
    base = f"incident-{scope.incident_id}"
    c_png, c_svg = _save(_country_figure(scope), out_dir / f"{base}-by-country")
    t_png, t_svg = _save(_time_figure(scope), out_dir / f"{base}-over-time")
    return ChartFiles(c_png, c_svg, t_png, t_svg)
