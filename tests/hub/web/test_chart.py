"""The server-rendered SVG bar chart (hub/web/chart.py)."""

from xml.etree import ElementTree

from hub.web.chart import stacked_bars

SVG = "{http://www.w3.org/2000/svg}"


def test_stacked_bars_are_well_formed_svg_with_one_rect_per_nonzero_count():
    svg = stacked_bars([("2026-11-16", {"released": 2, "rejected": 1, "pending": 0}), ("2026-11-23", {"released": 0, "pending": 3})], ("released", "rejected", "pending"), title="t")
    root = ElementTree.fromstring(svg)
    bars = [r for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None]
    assert [b.find(SVG + "title").text for b in bars] == ["2026-11-16: 2 released", "2026-11-16: 1 rejected", "2026-11-23: 3 pending"]
    assert not any("style" in element.attrib for element in root.iter())  # the CSP forbids inline styles


def test_labels_are_escaped():
    svg = stacked_bars([("<script>x</script>", {"released": 1})], ("released",), title="<b>")
    assert "<script>" not in svg and "<b>" not in svg
    ElementTree.fromstring(svg)
