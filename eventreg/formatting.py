"""Template filters: times are stored in UTC and shown in the seminar's own zone, in the user's locale."""

from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask_babel import get_locale

from eventreg.models import utcnow


def _zone(zone):
    return ZoneInfo(zone) if isinstance(zone, str) else ZoneInfo(zone.timezone)


def datetime_in(moment, zone, format="d MMM y, HH:mm"):
    """`{{ seminar.starts_at|datetime_in(seminar) }}`: zone is a seminar or a zone name."""
    if moment is None:
        return ""
    return format_datetime(moment, format, tzinfo=_zone(zone), locale=get_locale())


def date_in(moment, zone, format="EEEE, d MMMM y"):
    if moment is None:
        return ""
    return format_date(moment.astimezone(_zone(zone)).date(), format, locale=get_locale())


def time_in(moment, zone, format="HH:mm"):
    if moment is None:
        return ""
    return format_time(moment, format, tzinfo=_zone(zone), locale=get_locale())


def zone_label(zone):
    """'Asia/Almaty (UTC+05:00)': people need the offset, not just the name."""
    tz = _zone(zone)
    offset = utcnow().astimezone(tz).strftime("%z")
    return f"{tz.key} (UTC{offset[:3]}:{offset[3:]})"


def init_app(app):
    app.add_template_filter(datetime_in)
    app.add_template_filter(date_in)
    app.add_template_filter(time_in)
    app.add_template_filter(zone_label)
    app.add_template_global(utcnow)
    app.add_template_global(get_locale)
