"""The sales chart's geometry (a pure function)."""

from __future__ import annotations

from datetime import date, timedelta

from tp_api.web.console.charts import BOTTOM, HEIGHT, TOP, WIDTH, sales_chart
from tp_api.web.console.queries import DaySales


def _days(tickets: list[int]) -> list[DaySales]:
    first = date(2026, 11, 1)
    return [DaySales(first + timedelta(days=i), n, n * 1000) for i, n in enumerate(tickets)]


def test_bars_scale_to_the_busiest_day_and_stay_inside_the_plot():
    chart = sales_chart(_days([0, 5, 10, 2]))
    plot = HEIGHT - TOP - BOTTOM
    heights = [bar.height for bar in chart.bars]
    assert heights == [0.0, round(plot / 2, 2), plot, round(plot * 0.2, 2)]
    assert chart.peak == 10
    for bar in chart.bars:
        assert bar.y + bar.height == TOP + plot
        assert 0 <= bar.x and bar.x + bar.width <= WIDTH
    assert [bar.label for bar in chart.bars][-1] == "2026-11-04"


def test_no_sales_draws_no_bars_and_no_division_by_zero():
    chart = sales_chart(_days([0] * 7))
    assert chart.peak == 0 and all(bar.height == 0 for bar in chart.bars)


def test_the_last_day_and_every_seventh_before_it_are_labelled_inside_the_picture():
    chart = sales_chart(_days([1] * 30))
    labels = [label for _, label, _ in chart.ticks]
    assert labels == ["02 Nov", "09 Nov", "16 Nov", "23 Nov", "30 Nov"]
    assert chart.ticks[-1][2] == "end"
    assert all(anchor in ("start", "middle", "end") for _, _, anchor in chart.ticks)
