"""QR images: tickets' codes per second, cold (each one drawn) and cached (each one asked for again).

In-process, through eventreg.tickets.qr_png and qr_svg, on distinct ticket payloads: the cache is
emptied first, then every payload is drawn once (cold) and asked for again (cached, the lru_cache a
ticket page, its PNG and the e-mail share within one worker).
"""

import time

from bench.results import Row
from eventreg.models import new_ticket_token
from eventreg.tickets import qr_payload, qr_png, qr_svg


def run(ctx):
    count = ctx.sizes.qr_images
    payloads = [qr_payload(new_ticket_token()) for _ in range(count)]
    figures = {}
    for name, draw in (("png", qr_png), ("svg", qr_svg)):
        draw.cache_clear()
        figures[name] = {"images": count, "cold_per_second": _rate(draw, payloads),
                         "cached_per_second": _rate(draw, payloads)}
        draw.cache_clear()
        ctx.log(f"qr: {name} {figures[name]['cold_per_second']:,.0f}/s cold, "
                f"{figures[name]['cached_per_second']:,.0f}/s cached")
    return figures, rows(figures)


def _rate(draw, payloads):
    began = time.perf_counter()
    for payload in payloads:
        draw(payload)
    return round(len(payloads) / (time.perf_counter() - began), 1)


def rows(figures):
    return [
        Row("qr", f"{name.upper()} images/s cold / cached",
            f"{f['cold_per_second']:,.0f} / {f['cached_per_second']:,.0f}")
        for name, f in figures.items()
    ]
