"""Read a child's output line by line with a deadline, without blocking the lab."""

import queue
import threading
import time


class LineReader:
    """Collects the lines of one pipe in a background thread."""

    def __init__(self, pipe):
        self.lines = queue.Queue()
        self.seen = []  # everything read so far, for error messages
        self.thread = threading.Thread(target=self._pump, args=(pipe,), daemon=True)
        self.thread.start()

    def _pump(self, pipe):
        for line in pipe:
            self.seen.append(line)
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # end of output

    def get(self, deadline, what):
        """The next line; an error if the program ended or the deadline passed first."""
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError(f"timed out waiting for {what}") from None
        if line is None:
            raise RuntimeError(f"{what}: the program ended: {''.join(self.seen)}")
        return line

    def wait_for(self, text, deadline, what):
        """Skip lines until one contains text."""
        while text not in self.get(deadline, what):
            pass

    def text(self, timeout=5.0):
        """Everything read so far; waits (up to timeout) for the end if the program has ended."""
        self.thread.join(timeout)
        return "".join(self.seen)
