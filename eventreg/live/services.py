"""The live view: what the door is doing now, for the organizer's tablet during the seminar.

One snapshot feeds the page (its state at load) and the JSON the page polls, so both say the same. It holds no
clock reading of its own beyond the current bucket: an unchanged door gives the very same body, which the API
answers with 304 through its ETag.
"""

from flask_babel import lazy_gettext as _l

from eventreg.formatting import time_in
from eventreg.models import utcnow
from eventreg.reports import charts, queries
from eventreg.seminars.day_names import day_label, day_number
from eventreg.seminars.days import day_at

LATEST = 20
VIP_LIST = 50  # more VIPs than this at one seminar are a category, not a list to watch
WINDOW_BUCKETS = 36  # three hours of 5-minute buckets: from the door's opening well into the seminar


def snapshot(session, seminar, *, with_names, now=None):
    """The live figures as JSON-ready values: checked in / expected (confirmed), VIPs, arrivals per bucket over
    the last three hours, check-ins per gate; `with_names` adds the last arrivals and the VIPs who came (personal
    data: the `live` action)."""
    now = now or utcnow()
    # A seminar over several days: the figures of the day whose door is open; between days, the first arrivals.
    day = day_at(seminar, now) if seminar.has_days else None
    turnout = queries.turnout(session, seminar, day)
    state = {
        "day": _day(seminar, day),
        "expected": turnout.expected,
        "checked_in": turnout.checked_in,
        "percent": turnout.checked_in * 100 // turnout.expected if turnout.expected else None,
        "vips_expected": turnout.vips_expected,
        "vips_checked_in": turnout.vips_checked_in,
        "bucket_minutes": queries.ARRIVAL_BUCKET_MINUTES,
        "arrivals": [_bucket(seminar, bucket) for bucket in
                     queries.recent_arrivals(session, seminar, until=now, buckets=WINDOW_BUCKETS,
                                                             day=day)],
        "gates": [{"gate": gate, "label": gate or str(_l("No gate")), "count": count}
                  for gate, count in queries.gates(session, seminar, day)],
    }
    if with_names:
        state["latest"] = [_arrival(seminar, a) for a in queries.last_arrivals(session, seminar, LATEST, day=day)]
        state["vips"] = [_arrival(seminar, a) for a in queries.last_arrivals(session, seminar, VIP_LIST,
                                                                             vips_only=True, day=day)]
    return state


def _day(seminar, day):
    if day is None:
        return None
    number = day_number(day)
    return {"id": day.id, "number": number, "date": day.local_date.isoformat(),
            "label": day_label(day), "starts_at": day.starts_at.isoformat(),
            "start_label": str(_l("Start %(time)s", time=time_in(day.starts_at, seminar)))}


def _bucket(seminar, bucket):
    return {"starts_at": bucket.starts_at.isoformat(), "time": time_in(bucket.starts_at, seminar),
            "count": bucket.count, "is_start": bucket.is_start}


def _arrival(seminar, arrival):
    return {"id": arrival.id, "full_name": arrival.full_name, "category": arrival.category, "gate": arrival.gate,
            "checked_in_at": arrival.checked_in_at.isoformat(), "time": time_in(arrival.checked_in_at, seminar),
            "is_vip": arrival.is_vip}


def chart_title():
    return _l("Arrivals per %(minutes)s minutes", minutes=queries.ARRIVAL_BUCKET_MINUTES)


def start_label(seminar):
    return str(_l("Start %(time)s", time=time_in(seminar.starts_at, seminar)))


def arrivals_chart(seminar, state):
    """The snapshot's arrivals as the report's SVG chart: the page's state at load, and all a browser without
    JavaScript sees (static/js/live.js redraws it from each new snapshot)."""
    arrivals = state["arrivals"]
    start = next((i for i, bucket in enumerate(arrivals) if bucket["is_start"]), None)
    return charts.arrivals_chart(chart_title(), [b["time"] for b in arrivals], [b["count"] for b in arrivals],
                                 start, state["day"]["start_label"] if state["day"] else start_label(seminar))
