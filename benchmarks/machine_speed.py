"""How fast this machine runs plain Python right now, so that benchmark figures from different days can be
compared.

The project's machine does not run at one speed: the same code on the same files has run anywhere from 2,000
to 7,000 upload rows per second on different days, and 25% apart in runs minutes apart. The benchmarks print
this probe before and after their runs; a figure measured while the probe read twice as slow says more about
the machine than about the code.

The probe is a fixed piece of pure Python of the kind the pipeline runs (dictionary reads and writes, small
function calls, short strings), the same whatever the project's code is. It reports the best of several short
rounds in milliseconds (lower is faster), so a moment's interruption does not count.

    .venv/bin/python benchmarks/machine_speed.py
"""

from __future__ import annotations

import time

ROUNDS = 5
ITERATIONS = 200_000


def _workload(iterations: int) -> int:
    def code_of(value: int) -> str:
        return str(value % 97)

    seen: dict[str, int] = {}
    total = 0
    for number in range(iterations):
        code = code_of(number)
        seen[code] = seen.get(code, 0) + 1
        if code in seen and len(code) < 3:
            total += seen[code]
        total += len(f"{code}-{number & 7}")
    return total


def python_speed_ms(rounds: int = ROUNDS, iterations: int = ITERATIONS) -> float:
    """The fastest of `rounds` runs of the fixed workload, in milliseconds."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        _workload(iterations)
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


if __name__ == "__main__":
    print(f"machine speed probe: {python_speed_ms()} ms (best of {ROUNDS}; lower is faster)")
