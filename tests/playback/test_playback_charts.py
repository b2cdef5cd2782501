"""Charts are drawn from their table: escaped text, one bar per figure, nothing drawn for no figures."""

from __future__ import annotations

from dcp_platform.playback.exporters import Table, format_value


def test_a_chart_is_an_svg_image_of_its_tables_figures() -> None:
    table = Table(id="t", caption="Rent <by> area", headers=["Area", "Rent", "Peers"], units=["", "money", "money"],
                  chart=[1, 2])
    table.add("<script>alert(1)</script>", 100.0, 50.0)
    table.add("Quiet Town", 200.0, None)
    svg = str(table.svg())
    assert svg.startswith('<svg class="dcp-chart" role="img" aria-labelledby="t-chart-title t-chart-desc"')
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Rent &lt;by&gt; area" in svg
    assert svg.count("<rect") == 3 + 2  # three figures, two legend keys
    assert 'width="300.0"' in svg and 'width="150.0"' in svg  # the largest figure fills the bar area
    assert "£200.00" in svg
    assert table.text_rows()[1] == ["Quiet Town", "£200.00", "No figure"]
    assert str(Table(id="e", caption="Empty", headers=["A", "B"], chart=[1]).svg()) == ""


def test_figures_are_written_in_their_units() -> None:
    assert format_value(1234.5, "money") == "£1,234.50"
    assert format_value(12.345, "percent") == "12.3%"
    assert format_value(3.0, "number") == "3" and format_value(2.5, "days") == "2.5"
    assert format_value(None, "money") == "No figure"
