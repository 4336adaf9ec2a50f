"""Server-rendered SVG charts: no JavaScript, printable, readable by screen readers.

Each chart is an inline `<svg role="img" aria-label=...>` with a `<title>`; the page shows the same numbers in
a table beside it. Colours are SVG presentation attributes (the Content-Security-Policy forbids `style=""`),
and the elements carry classes so the stylesheet can adjust them. Every element is built with
`Markup(literal).format(...)`, which escapes the labels (names of organizations, universities, gates).
"""

from markupsafe import Markup

WIDTH = 400
BLUE = "#0b5cab"
GREEN = "#0f7b3d"
LIGHT = "#9cc3ea"
GREY = "#5b6675"
LINE = "#d8dee6"
RED = "#b3261e"


def _n(value):
    """A coordinate, short."""
    return f"{value:.1f}"


def _svg(title, height, parts):
    return Markup(
        '<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="{title}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
        "<title>{title}</title>{body}</svg>"
    ).format(width=WIDTH, height=_n(height), title=str(title), body=Markup("").join(parts))


def _text(x, y, text, *, fill=GREY, anchor="start", size=12, css="chart-text"):
    return Markup('<text class="{css}" x="{x}" y="{y}" text-anchor="{anchor}" fill="{fill}" font-size="{size}">'
                  "{text}</text>").format(css=css, x=_n(x), y=_n(y), anchor=anchor, fill=fill, size=size,
                                          text=str(text))


def _rect(x, y, width, height, fill, css="chart-bar"):
    return Markup('<rect class="{css}" x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}"/>').format(
        css=css, x=_n(x), y=_n(y), w=_n(width), h=_n(height), fill=fill)


def _line(x1, y1, x2, y2, stroke, *, width=1, dash="none", css="chart-rule"):
    return Markup('<line class="{css}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}" '
                  'stroke-width="{width}" stroke-dasharray="{dash}"/>').format(
        css=css, x1=_n(x1), y1=_n(y1), x2=_n(x2), y2=_n(y2), stroke=stroke, width=width, dash=dash)


def _legend(series, y):
    parts, x = [], 0
    for name, colour in series:
        parts += [_rect(x, y, 10, 10, colour, "chart-key"), _text(x + 14, y + 9, name, fill=GREY)]
        x += 24 + 7 * len(str(name))
    return parts


def bar_chart(title, rows, series):
    """Horizontal bars, the label above each group so long names (universities) fit on a phone.

    `rows` is [(label, (value per series...))], `series` is [(name, colour)].
    """
    top = 20 if len(series) > 1 else 0
    bar, gap = 11, 3
    group = 16 + len(series) * (bar + gap) + 6
    largest = max((v for _, values in rows for v in values), default=0) or 1
    usable = WIDTH - 50
    parts = _legend(series, 0) if top else []
    for index, (label, values) in enumerate(rows):
        y = top + index * group
        parts.append(_text(0, y + 12, label, fill="#1b2430", css="chart-label"))
        for number, (value, (_, colour)) in enumerate(zip(values, series, strict=True)):
            by = y + 16 + number * (bar + gap)
            width = usable * value / largest
            parts += [_rect(0, by, width, bar, colour), _text(width + 4, by + 10, value, css="chart-value")]
    return _svg(title, top + max(len(rows), 1) * group, parts)


def _axis(left, right, top, bottom, largest):
    return [_line(left, bottom, right, bottom, GREY), _line(left, top, right, top, LINE, dash="3 3"),
            _text(left - 4, top + 4, largest, anchor="end"), _text(left - 4, bottom, 0, anchor="end")]


def cumulative_chart(title, labels, counts, totals):
    """Registrations per day as light bars, and the running total as a line on its own scale."""
    left, right, top, bottom, height = 40, WIDTH - 8, 24, 170, 190
    step = (right - left) / max(len(totals), 1)
    largest_total = max(totals, default=0) or 1
    largest_day = max(counts, default=0) or 1
    parts = _legend(((labels["daily"], LIGHT), (labels["total"], BLUE)), 0)
    parts += _axis(left, right, top, bottom, largest_total)
    points = []
    for index, (count, total) in enumerate(zip(counts, totals, strict=True)):
        x = left + index * step
        h = (bottom - top) * count / largest_day
        parts.append(_rect(x + step * 0.15, bottom - h, step * 0.7, h, LIGHT, "chart-bar-light"))
        points.append(f"{_n(x + step / 2)},{_n(bottom - (bottom - top) * total / largest_total)}")
    parts.append(Markup('<polyline class="chart-line" points="{points}" fill="none" stroke="{stroke}" '
                        'stroke-width="2.5"/>').format(points=" ".join(points), stroke=BLUE))
    for index in sorted({0, len(totals) - 1}):
        parts.append(_text(left + index * step + step / 2, height - 4, labels["days"][index],
                           anchor="start" if index == 0 else "end"))
    return _svg(title, height, parts)


def arrivals_chart(title, labels, counts, start_index, start_label):
    """Columns per time bucket; a dashed red line marks the bucket in which the seminar starts."""
    left, right, top, bottom, height = 32, WIDTH - 8, 10, 170, 190
    step = (right - left) / max(len(counts), 1)
    largest = max(counts, default=0) or 1
    parts = _axis(left, right, top, bottom, largest)
    for index, count in enumerate(counts):
        h = (bottom - top) * count / largest
        parts.append(_rect(left + index * step + step * 0.1, bottom - h, step * 0.8, h, GREEN))
    every = max(1, round(len(counts) / 6))
    for index in range(0, len(counts), every):
        parts.append(_text(left + index * step, height - 4, labels[index], size=10))
    if start_index is not None:
        x = left + start_index * step
        at_right = start_index > len(counts) / 2
        parts += [_line(x, top, x, bottom, RED, width=2, dash="4 3", css="chart-marker"),
                  _text(x - 3 if at_right else x + 3, top + 12, start_label, fill=RED,
                        anchor="end" if at_right else "start")]
    return _svg(title, height, parts)
