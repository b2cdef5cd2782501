"""Golden records: `Definition.evaluate` gives exactly what the reference evaluator gave, recorded in readable JSON.

`data/golden_*.json` hold, for each record (with a context and, for some, confirmations of soft problems),
everything the reference evaluator (`dcp_platform.definitions.reference`, the plain reading of
docs/definition-format.md) makes of it: status, section statuses, answers kept, derived values (with their
Python types), applicable pages and questions, missing answers and every field of every problem and confirmed
problem (`dcp_platform.definitions.compare.as_json`). A failure lists what differs, with the recorded value
and the fast engine's.

The definitions are frozen copies, so a change to a collection's live definition does not change these
results: the CORE lettings 2026/27 definition as it was when the results were first recorded (with CORE's
expression functions), the synthetic benchmark definition and the small test definition of conftest.py. (The
live definitions of every collection are compared with the reference in test_reference_differential.py.)

Records: complete ones, complete ones with a few answers changed to other (sometimes invalid) values,
over-filled ones (every question answered, as a bulk-upload template row can be, so answers to questions
that do not apply are cleared), sparse ones, and some with soft problems confirmed.

Regenerate after an intended change of meaning, which the reference evaluator and the docs must say first
(never to make a failure go away; never from the fast engine):

    DJANGO_SETTINGS_MODULE=dcp_platform.settings.test .venv/bin/python tests/unit/definitions/test_evaluate_golden.py
"""

from __future__ import annotations

import copy
import importlib.util
import json
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from dcp_platform.definitions import Definition, EvalContext, Evaluation, load_definition, reference
from dcp_platform.definitions.bench import synthetic_definition
from dcp_platform.definitions.compare import as_json, differences, report

DATA = Path(__file__).with_name("data")
CORPUS_SIZE = 80


# ---------------------------------------------------------------------------------------------- definitions


def core_definition() -> Definition:
    from dcp_core.plugin import COLLECTION

    return load_definition(
        DATA / "core_lettings_2026", functions=COLLECTION.functions,
        option_sources=["owning_organisations", "managing_organisations", "users", *COLLECTION.option_sources],
        codecs=list(COLLECTION.codecs),
    )


def _from_dict(data: dict[str, Any], name: str) -> Definition:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return load_definition(path)


def synthetic() -> Definition:
    return _from_dict(synthetic_definition(), "bench")


def small() -> Definition:
    # Loaded by path: the name "conftest" may already be the repository's root conftest in sys.modules.
    spec = importlib.util.spec_from_file_location("definitions_unit_conftest", Path(__file__).parent / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = copy.deepcopy(module.BASE)
    data["sections"][0]["pages"][0]["questions"].append(
        {"id": "startdate", "type": "date", "label": "Start", "max": "today() + 14", "required": False})
    return _from_dict(data, "small")


DEFINITIONS: dict[str, Callable[[], Definition]] = {"core": core_definition, "synthetic": synthetic, "small": small}


# ---------------------------------------------------------------------------------------------- records


def _valid_value(question: Any, rng: random.Random) -> Any:
    kind = question.type
    if question.options:
        codes = [option.code for option in question.options]
        if kind == "checkboxes":
            return [c for c in codes if c in rng.sample(codes, k=rng.randint(1, min(3, len(codes))))]
        return rng.choice(codes)
    if kind == "organisation":
        return "ORG1"
    if kind == "integer":
        low = question.min if isinstance(question.min, int) else 0
        high = question.max if isinstance(question.max, int) else low + 100
        return rng.randint(low, min(high, low + 70))
    if kind in ("money", "decimal"):
        return f"{rng.uniform(0, 400):.2f}"
    if kind == "date":
        return date(rng.choice([2025, 2026, 2026, 2026]), rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    if kind == "postcode":
        return rng.choice(["M1 1AE", "LS6 1AA", "SW1A 1AA"])
    if kind == "email":
        return "someone@example.org"
    if question.id in ("la", "prevloc"):
        return rng.choice(["E08000003", "E09000033", "W06000015", "X1"])
    return rng.choice(["x", "abc", "T123", "123456", "homeless"])


_INVALID = ["abc", 10**7, -3, True, 1.5, "", "2026-13-01", "99999999.99", 999, "1"]


def _value(question: Any, rng: random.Random) -> Any:
    return rng.choice(_INVALID) if rng.random() < 0.08 else _valid_value(question, rng)


def _set(record: dict[str, Any], definition: Definition, question: Any, value: Any, rng: random.Random) -> None:
    if question.group is None:
        record[question.id] = value
        return
    items = record.setdefault(question.group, [])
    if not items:
        items.extend({} for _ in range(rng.randint(1, 5)))
    rng.choice(items)[question.id] = value


def make_records(name: str, definition: Definition, rng: random.Random) -> list[dict[str, Any]]:
    questions = sorted(definition.questions.values(), key=lambda q: q.position)
    group_questions = {g: [q for q in questions if q.group == g] for g in definition.groups}
    if name == "core":
        base = json.loads((DATA / "core_family_of_four.json").read_text(encoding="utf-8"))
    else:
        base = complete_by_walking(definition, rng)
    records: list[dict[str, Any]] = [copy.deepcopy(base)]
    for index in range(1, CORPUS_SIZE):
        kind = index % 4
        if kind in (0, 1):  # complete, with a few answers changed
            record = copy.deepcopy(base)
            for question in rng.sample(questions, k=rng.randint(1, 8)):
                _set(record, definition, question, _value(question, rng), rng)
        elif kind == 2:  # over-filled: every question answered
            record = {q.id: _value(q, rng) for q in questions if q.group is None}
            for group_id, members in group_questions.items():
                record[group_id] = [{q.id: _value(q, rng) for q in members} for _ in range(rng.randint(0, 9))]
        else:  # sparse
            record = {q.id: _value(q, rng) for q in questions if q.group is None and rng.random() < 0.3}
            for group_id, members in group_questions.items():
                record[group_id] = [{q.id: _value(q, rng) for q in members if rng.random() < 0.5}
                                    for _ in range(rng.randint(0, 3))]
        records.append(record)
    return records


def complete_by_walking(definition: Definition, rng: random.Random) -> dict[str, Any]:
    """Answer whatever is asked and unanswered until nothing is (used for the non-CORE definitions)."""
    answers: dict[str, Any] = {}
    context = EvalContext(today=date(2026, 6, 1))
    for _ in range(30):
        evaluation = reference.evaluate(definition, answers, context=context)
        answers = evaluation.answers
        if not evaluation.missing:
            break
        for ref in evaluation.missing:
            value = _valid_value(definition.question(ref.question_id), rng)
            if ref.item is None:
                answers[ref.question_id] = value
            else:
                assert ref.group is not None
                items = answers.setdefault(ref.group, [])
                while len(items) < ref.item:
                    items.append({})
                items[ref.item - 1][ref.question_id] = value
    return answers


def context_for(case: dict[str, Any]) -> EvalContext:
    extra = {"owning_organisation_provider_type": case["provider"]} if case["provider"] else {}
    return EvalContext(today=date.fromisoformat(case["today"]), extra=extra)


# ---------------------------------------------------------------------------------------------- results


def recorded(evaluation: Evaluation) -> dict[str, Any]:
    """as_json, as it reads back from the JSON file."""
    return json.loads(json.dumps(as_json(evaluation)))  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------- test


def _cases(name: str) -> list[dict[str, Any]]:
    return json.loads((DATA / f"golden_{name}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module", params=sorted(DEFINITIONS))
def corpus(request: pytest.FixtureRequest) -> tuple[Definition, list[dict[str, Any]]]:
    return DEFINITIONS[request.param](), _cases(request.param)


def test_evaluate_matches_recorded_results(corpus: tuple[Definition, list[dict[str, Any]]]) -> None:
    definition, cases = corpus
    assert len(cases) == CORPUS_SIZE
    for number, case in enumerate(cases):
        answers = copy.deepcopy(case["answers"])
        evaluation = definition.evaluate(answers, confirmations=case["confirmations"], context=context_for(case))
        assert answers == case["answers"], f"case {number}: evaluate changed its input"
        lines = differences(case["expected"], recorded(evaluation))
        assert not lines, report(case["answers"], lines, f"case {number}; 'reference' is the recorded result")
        # Evaluating the kept answers again gives the same answers (what the web form and upload store).
        again = definition.evaluate(evaluation.answers, confirmations=case["confirmations"],
                                    context=context_for(case))
        assert again.answers == evaluation.answers, f"case {number}"


def test_reference_gives_the_recorded_results(corpus: tuple[Definition, list[dict[str, Any]]]) -> None:
    """The recorded results are the reference's: a change of its meaning shows here until they are regenerated."""
    definition, cases = corpus
    for number, case in enumerate(cases):
        evaluation = reference.evaluate(definition, copy.deepcopy(case["answers"]),
                                        confirmations=case["confirmations"], context=context_for(case))
        lines = differences(case["expected"], recorded(evaluation))
        assert not lines, f"case {number}: " + "; ".join(lines)


def test_corpus_is_varied() -> None:
    for name in DEFINITIONS:
        statuses = {case["expected"]["status"] for case in _cases(name)}
        assert {"completed", "in_progress"} <= statuses, name
    core = _cases("core")
    assert sum(bool(case["expected"]["problems"]) for case in core) >= CORPUS_SIZE // 4
    assert sum(bool(case["expected"]["confirmed"]) for case in core) >= 3


def regenerate() -> None:
    """The records (drawn as before, from the same seeds) and what the reference makes of them."""
    for name, load in DEFINITIONS.items():
        definition = load()
        rng = random.Random(f"golden-{name}")
        cases = []
        for number, answers in enumerate(make_records(name, definition, rng)):
            case: dict[str, Any] = {
                "answers": answers, "confirmations": {},
                "today": rng.choice(["2026-05-01", "2026-11-20", "2027-02-01"]),
                "provider": rng.choice(["PRP", "LA", None]) if name == "core" else None,
            }
            evaluation = reference.evaluate(definition, copy.deepcopy(answers), context=context_for(case))
            if number % 3 == 0 and evaluation.soft_problems:
                case["confirmations"] = {p.confirmation_key: p.confirmation_token for p in evaluation.soft_problems}
                evaluation = reference.evaluate(definition, copy.deepcopy(answers),
                                                confirmations=case["confirmations"], context=context_for(case))
            case["expected"] = recorded(evaluation)
            cases.append(case)
        path = DATA / f"golden_{name}.json"
        path.write_text(json.dumps(cases, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path}: {len(cases)} cases, {sum(c['expected']['status'] == 'completed' for c in cases)} completed")


if __name__ == "__main__":
    import django

    django.setup()
    regenerate()
