"""One row of the printed table, and the table."""

from dataclasses import asdict, dataclass


@dataclass
class Row:
    benchmark: str
    measure: str
    value: object
    target: str = ""
    ok: bool | None = None  # None: no target for this line
    peer: str = ""
    # How the figure moves with the machine's speed: "rate" (per second) or "time" (ms); "" when it does not.
    scales: str = ""

    def as_dict(self):
        return asdict(self)


def render(rows):
    header = ("benchmark", "measure", "value", "target", "", "peer / reference")
    lines = [header] + [
        (r.benchmark, r.measure, _fmt(r.value), r.target, {True: "ok", False: "MISS", None: ""}[r.ok], r.peer)
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
