"""The sales chart as plain SVG geometry, computed on the server (no chart library, no
script): the template draws the bars, and a table beside it carries the same numbers for
screen readers and for people who want them exact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import get_month_names

from tp_api.web.console.queries import DaySales

WIDTH = 900
HEIGHT = 240
TOP = 40  # room for the peak's label
BOTTOM = 44  # room for the date labels (larger on phones)


def month_names(language: str) -> list[str]:
    """The twelve short month names in ``language`` (CLDR's: ``May``, ``mei``)."""
    names = get_month_names("abbreviated", locale=language)
    return [str(names[month]) for month in range(1, 13)]


MONTHS = month_names("en")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    tickets: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: int
    # (x, label, text-anchor) under the axis: the last day, then every seventh day back.
    ticks: list[tuple[float, str, str]]
    peak_y: float


def sales_chart(days: Sequence[DaySales], months: Sequence[str] = MONTHS) -> Chart:
    """Bars of tickets sold per day, scaled to the busiest day; dates under the axis as
    ``02 Nov``, with ``months`` the twelve short names."""
    peak = max((d.tickets for d in days), default=0)
    plot = HEIGHT - TOP - BOTTOM
    step = WIDTH / max(1, len(days))
    bars = []
    ticks = []
    for i, day in enumerate(days):
        height = plot * day.tickets / peak if peak else 0.0
        x = i * step
        bars.append(
            Bar(
                x=round(x + step * 0.1, 2),
                y=round(TOP + plot - height, 2),
                width=round(step * 0.8, 2),
                height=round(height, 2),
                label=day.day.isoformat(),
                tickets=day.tickets,
            )
        )
        if (len(days) - 1 - i) % 7 == 0:
            centre = round(x + step / 2, 2)
            # Labels at the edges are anchored inwards so they are not cut off.
            anchor = "end" if i == len(days) - 1 else "start" if centre < 120 else "middle"
            ticks.append((centre, f"{day.day:%d} {months[day.day.month - 1]}", anchor))
    return Chart(WIDTH, HEIGHT, bars, peak, ticks, peak_y=TOP)
