"""Python's cycle collector kept away from work that holds many objects for a while: the ONE module where the
platform changes how the collector runs (docs/performance.md says what each is worth, measured by
benchmarks/api.py and benchmarks/bulk_upload.py).

- `collector_paused()`: no collection at all while an API batch runs (its objects are freed by reference
  counting when it is answered).
- `long_lived_objects_frozen()` and `freeze_long_lived()`: while an upload is processed, what lives as long as the
  file is moved out of the collector's sight (gc.freeze), so its older-generation runs do not walk it again and
  again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _CollectorPause:
    """Pauses Python's cycle collector while any batch runs in this process (threads count, nesting is fine)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.running == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                if self.running == 0 and self.was_enabled:
                    if gc.get_freeze_count() == 0:
                        # The collector's count of new objects has grown all the while, so re-enabled it would at
                        # once scan everything the batch made that is still alive (its response, the body): about
                        # 10 ms. Freezing and unfreezing moves them all to the oldest generation without looking at
                        # them and resets the count; reference counting frees them soon after. (Not done when
                        # anything else froze objects: unfreezing would undo that.)
                        gc.freeze()
                        gc.unfreeze()
                    gc.enable()


# A batch keeps about 100,000 objects alive until it is answered (the parsed body, answers, evaluations,
# records). With the collector running, it scans them again and again and promotes them to the oldest
# generation, whose full collections then traverse everything the process holds: about a third of a batch's
# CPU when batches follow one another. Reference counting frees them all when the batch is done; cycles made
# meanwhile are collected once the collector runs again.
collector_paused = _CollectorPause()


@contextmanager
def long_lived_objects_frozen() -> Iterator[None]:
    """Keep Python's cycle collector from walking the whole process again and again while rows are processed.

    Each row makes thousands of short-lived containers (freed by reference counting, almost never cycles), so
    the collector runs often, and each of its older-generation runs walked everything Django, the definitions
    and the row context hold: about 2 s of a 10,000-row template file (14%), 0.75 s with this. What exists
    when processing starts, and what outlives each chunk (remembered values), is frozen
    (gc.freeze: out of the collector's sight, still freed by reference counting); afterwards it is unfrozen
    again unless something else had frozen objects before.
    """
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


def freeze_long_lived() -> None:
    """Move everything alive now out of the collector's sight (inside long_lived_objects_frozen: undone after)."""
    gc.freeze()
