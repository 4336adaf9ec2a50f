"""What every benchmark is given: where its databases come from, how big it is, where it logs."""

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.database import Scratch
from bench.server import Gunicorn
from bench.settings import Sizes


@dataclass
class Context:
    scratch: Scratch
    workdir: Path
    sizes: Sizes
    quiet: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def kind(self):
        return self.scratch.kind

    def log(self, message):
        if not self.quiet:
            print(f"[{time.monotonic() - self.started:6.1f} s] {message}", file=sys.stderr, flush=True)

    def server(self, app_spec, database_url, workers=None):
        return Gunicorn(app_spec, database_url, workers=workers or self.sizes.workers, logdir=self.workdir)
