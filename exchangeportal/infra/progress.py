"""A text progress bar for long management commands, written to stderr."""

import sys
import time


class ProgressBar:
    """`bar.update(done)` redraws `label [#####     ] done/total` at most ten times a second."""

    def __init__(self, total: int, *, label: str = "", stream=None, width: int = 30):
        self.total, self.label, self.width = max(total, 1), label, width
        self.stream = stream or sys.stderr
        self._drawn_at = 0.0
        self._finished = False

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self._finished or (done < self.total and now - self._drawn_at < 0.1):
            return
        self._drawn_at = now
        filled = int(self.width * min(done, self.total) / self.total)
        bar = "#" * filled + " " * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{self.total}")
        if done >= self.total:
            self._finished = True
            self.stream.write("\n")
        self.stream.flush()
