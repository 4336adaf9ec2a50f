"""Template filters: times are stored in UTC and shown in the seminar's own zone, in the user's locale."""

from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton
from flask_babel import get_locale

from eventreg.models import utcnow


def _zone(zone):
    return ZoneInfo(zone) if isinstance(zone, str) else ZoneInfo(zone.timezone)


# English dates as our audience writes them, day before month (British usage), not in the US order.
_DATE_LOCALES = {"en": Locale.parse("en_GB")}


def date_locale():
    locale = get_locale()
    return _DATE_LOCALES.get(str(locale), locale)


def datetime_in(moment, zone, style="medium"):
    """`{{ seminar.starts_at|datetime_in(seminar, "full") }}`: zone is a seminar or a zone name.

    Styles are Babel's (short: "Dec 7, 10:00", medium, long, full: "Monday, December 7, 2026, 10:00"), so each
    locale orders and spells the parts its own way ("2026年12月7日星期一 10:00").
    """
    if moment is None:
        return ""
    locale = date_locale()
    local = moment.astimezone(_zone(zone))
    day = format_skeleton("MMMd", local, locale=locale) if style == "short" else format_date(local, style, locale)
    return locale.datetime_formats["medium"].format(time_in(moment, zone), day)


def date_in(moment, zone, style="full"):
    if moment is None:
        return ""
    return format_date(moment.astimezone(_zone(zone)).date(), style, locale=date_locale())


def time_in(moment, zone):
    """24-hour time, as the seminar's audience reads it in every one of our languages."""
    if moment is None:
        return ""
    return format_skeleton("Hm", moment, tzinfo=_zone(zone), locale=date_locale())


def when(seminar, style="full"):
    """`{{ seminar|when }}`: "Monday, 7 December 2026, 10:00–13:00", or both dates and times when the seminar runs
    over several dates ("…, 09:00–Wednesday, 9 December 2026, 18:00")."""
    start, end = seminar.local(seminar.starts_at), seminar.local(seminar.ends_at)
    closing = time_in(seminar.ends_at, seminar) if start.date() == end.date() else datetime_in(seminar.ends_at, seminar,
                                                                                                 style)
    return f"{datetime_in(seminar.starts_at, seminar, style)}–{closing}"


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
    app.add_template_filter(when)
    app.add_template_global(utcnow)
    app.add_template_global(get_locale)
