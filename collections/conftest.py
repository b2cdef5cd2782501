"""Every record a collection's tests evaluate is also evaluated by the reference evaluator, which must agree.

The collections' tests build records on purpose (each rule broken and nearly broken, households of every
shape, uploaded rows), so they are the richest corpus there is. `Definition.evaluate` is wrapped for the
duration of each test: the wrapper calls the real method and returns its result unchanged, noting (a copy of)
the first calls' inputs and results; after the test, each is evaluated again by
`dcp_platform.definitions.reference` and any difference fails the test with a readable list of what differs.
Definitions of new collections and years are covered as soon as their tests run.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from dcp_platform.definitions import Definition, reference
from dcp_platform.definitions.compare import as_json, differences, report

CALLS_PER_TEST = 150  # enough for the rule tests' records; bulk-upload tests evaluate thousands of alike rows


@pytest.fixture(autouse=True)
def fast_engine_agrees_with_reference(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    seen: list[tuple[Definition, Any, Any, Any, dict[str, Any]]] = []
    evaluate = Definition.evaluate

    def evaluate_and_note(self: Definition, answers: dict[str, Any], **options: Any) -> Any:
        result = evaluate(self, answers, **options)
        if len(seen) < CALLS_PER_TEST:
            seen.append((self, copy.deepcopy(answers), copy.deepcopy(options.get("confirmations")),
                         options.get("context"), as_json(result)))
        return result

    monkeypatch.setattr(Definition, "evaluate", evaluate_and_note)
    yield
    monkeypatch.undo()
    for definition, answers, confirmations, context, fast in seen:
        plain = as_json(reference.evaluate(definition, answers, confirmations=confirmations, context=context))
        lines = differences(plain, fast)
        assert not lines, report(answers, lines, f"{definition.collection} {definition.form} {definition.year}")
