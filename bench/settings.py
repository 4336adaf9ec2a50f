"""How big each benchmark is: the full run of `make bench`, a quicker one, and the tiny one the tests use."""

from dataclasses import dataclass, replace

from bench.server import default_workers


@dataclass(frozen=True)
class Sizes:
    workers: int = default_workers()
    door_registrations: int = 20_000
    door_clients: tuple = (8, 32)
    door_seconds: float = 20.0
    hello_seconds: float = 5.0
    rush_signups: int = 1000
    rush_seats: int = 300
    rush_clients: int = 32
    report_registrations: int = 50_000
    report_check_ins: int = 40_000
    report_requests: int = 20
    export_rows: tuple = (1000, 100_000)
    qr_images: int = 200
    scale_tickets: int = 5000
    instruction_warm_up: int = 100
    instruction_scans: tuple = (100, 400)
    pdf_tickets: int = 30  # also the number of certificates and of badge sheets
    pdf_list_rows: tuple = (1000, 50_000)


FULL = Sizes()
# `--quick`: the same shapes, shorter runs and a smaller large export (a few minutes less).
QUICK = replace(FULL, door_seconds=5.0, hello_seconds=2.0, report_requests=5, export_rows=(1000, 20_000),
                qr_images=50, instruction_scans=(50, 200), pdf_tickets=10, pdf_list_rows=(1000, 10_000))
# The tests: a few requests of each, so the benchmarks cannot rot; nothing here is a measurement (the door runs
# until its codes run out, so a loaded machine still scans every one).
TINY = Sizes(workers=1, door_registrations=40, door_clients=(2, 4), door_seconds=60.0, hello_seconds=0.2,
             rush_signups=12, rush_seats=5, rush_clients=4, report_registrations=30, report_check_ins=20,
             report_requests=2, export_rows=(10, 50), qr_images=3, scale_tickets=20, instruction_warm_up=2,
             instruction_scans=(2, 4), pdf_tickets=2, pdf_list_rows=(20, 60))
