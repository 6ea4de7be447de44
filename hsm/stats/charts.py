"""Each figure as a chart: Matplotlib's SVG, made safe for a strict CSP, served from our origin.

A chart is a horizontal bar per row, with its number written at the end of the bar ("fewer
than 5" and "not shown" in words, with no bar), so colour is never the key to anything: there
is one colour and no legend. Matplotlib writes ``style`` attributes and a ``<style>``
element, which a CSP without ``'unsafe-inline'`` would block; ``csp_safe`` turns each style
declaration into the SVG presentation attribute of the same name and drops the metadata, so
the SVG holds no style, no script and no link to anything. Text is drawn as paths
(``svg.fonttype = path``), so it needs no font and shows the same everywhere; the same
figures are in the table beside each chart, for screen readers and for printing.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from hsm.stats.memo import SnapshotCache

BAR = "#1d5a8a"
TEXT = "#1b1b1b"
GRID = "#b1b4b6"
_STYLE = re.compile(r' style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_PROPERTY = re.compile(r"^[a-z-]+$")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing drawn
    text: str  # what is written at the end of the bar


def _attributes(declarations: str) -> str:
    pairs = []
    for declaration in declarations.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and _PROPERTY.match(name) and '"' not in value:
            pairs.append(f' {name}="{value}"')
    return "".join(pairs)


def csp_safe(svg: str) -> str:
    """The same drawing with presentation attributes instead of inline styles."""
    svg = _METADATA.sub("", svg)
    root_attributes = ""
    for match in _STYLE_ELEMENT.finditer(svg):
        body = match.group(1)
        if body.strip().startswith("*{") and body.strip().endswith("}"):
            root_attributes += _attributes(body.strip()[2:-1])
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE.sub(lambda m: _attributes(m.group(1)), svg)
    return svg.replace("<svg ", f"<svg{root_attributes} ", 1)


def bar_chart(bars: Sequence[Bar], *, unit_max: float | None = None) -> str:
    """A horizontal bar chart of ``bars`` (top to bottom), as a CSP-safe SVG document."""
    height = 0.9 + 0.42 * len(bars)
    figure = Figure(figsize=(7.0, height), dpi=72)
    axes = figure.add_axes((0.42, 0.9 / height / 2, 0.5, 1 - 0.9 / height))
    values = [b.value or 0 for b in bars]
    top = unit_max or max([*values, 1])
    positions = list(range(len(bars)))[::-1]
    axes.barh(positions, values, color=BAR, height=0.62)
    axes.set_xlim(0, top * 1.05)
    axes.set_ylim(-0.6, len(bars) - 0.4)
    axes.set_yticks(positions, [textwrap.fill(b.label, 40) for b in bars], fontsize=11,
                    color=TEXT)
    for position, bar in zip(positions, bars, strict=True):
        axes.text((bar.value or 0) + top * 0.01, position, bar.text, va="center", fontsize=11,
                  color=TEXT)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axes.tick_params(axis="x", colors=TEXT, labelsize=9)
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return csp_safe(buffer.getvalue())


CACHE = SnapshotCache()


def configure() -> None:
    """Deterministic SVG: text as paths, ids from a fixed salt."""
    import matplotlib

    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["svg.hashsalt"] = "hsm-statistics"


configure()
