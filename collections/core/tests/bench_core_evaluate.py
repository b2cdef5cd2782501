"""Microseconds per `Definition.evaluate` of a complete CORE lettings 2026/27 record (not a test: no timings
are asserted anywhere).

    DJANGO_SETTINGS_MODULE=dcp_platform.settings.test .venv/bin/python collections/core/tests/bench_core_evaluate.py [--old]

`--old` first swaps in the versions of to_decimal, to_int and income_bound from before their fast paths (kept
in test_core_functions_fast_paths.py), for a before/after comparison in the same checkout.

The record is the two-person re-let of test_core_lettings_template_inference.py (decoded from template
cells), so the CORE expression functions run as they do for a real upload row or API record. Reports the
best of several repeats, and how many calls each CORE function gets per evaluation.
"""

from __future__ import annotations

import sys
import timeit
from collections import Counter
from pathlib import Path
from typing import Any

import django


def main() -> None:
    django.setup()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from dcp_core import functions
    from dcp_core.codecs import CODECS
    from dcp_platform.definitions import EvalContext
    from dcp_platform.registry import definition_for
    from dcp_platform.uploads.decode import RowDecoder
    from test_core_lettings_template_inference import ROW, TODAY

    if "--old" in sys.argv:
        import test_core_functions_fast_paths as old

        functions.to_decimal = old._old_to_decimal
        functions.to_int = old._old_to_int
        functions.EXPRESSION_FUNCTIONS["income_bound"] = old._old_income_bound  # before the definition loads
    definition = definition_for("core", "lettings", 2026)
    answers, _ = RowDecoder(definition, CODECS).decode(ROW)
    context = EvalContext(today=TODAY, extra={"owning_organisation_provider_type": "PRP"})
    evaluation = definition.evaluate(answers, context=context)
    assert not evaluation.missing, evaluation.missing

    calls: Counter[str] = Counter()
    originals = {name: getattr(functions, name) for name in ("to_int", "to_decimal", "income_bound", "income_bounds")
                 if hasattr(functions, name)}

    def counting(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    for name, fn in originals.items():
        setattr(functions, name, counting(name, fn))
    definition.evaluate(answers, context=context)
    for name, fn in originals.items():
        setattr(functions, name, fn)

    number = 2000
    best = min(timeit.repeat(lambda: definition.evaluate(answers, context=context), number=number, repeat=7))
    label = "old functions" if "--old" in sys.argv else "current"
    print(f"[{label}] evaluate, complete 2-person CORE record: {best / number * 1e6:.1f} µs (best of 7 x {number})")
    print("module-level calls per evaluate (calls made inside functions.py):", dict(calls))


if __name__ == "__main__":
    main()
