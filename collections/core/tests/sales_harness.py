"""Shared by the CORE sales tests (loaded with `load_module`, as the tests run with --import-mode=importlib):
the sales derived values and rules on a routing-free form, helpers to build households, and where the CORE
reference files are.

The routing-free form has every question of the real sales definition, with no page or question conditions and
no bounds, so each rule and derived value is tested on its own logic: in the real form, routing may hide
questions and type checks may catch a value first.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from dcp_core.functions import EXPRESSION_FUNCTIONS, OPTION_SOURCES
from dcp_platform.definitions import Definition, EvalContext, Evaluation, load_definition

HERE = Path(__file__).resolve().parent
DEFINITION_DIR = HERE.parents[0] / "dcp_core" / "definitions" / "sales_2026"
DATA = HERE / "data"
TODAY = date(2026, 6, 1)
# The shared reference files (the CORE specification) are beside the repository: /work/shared for the main
# checkout and for worktrees one level deeper.
REFERENCE = next((p for p in (HERE.parents[n] / "shared" / "reference" / "core" for n in (3, 4))
                  if (p / "spec").is_dir()), HERE.parents[3] / "shared" / "reference" / "core")
SPEC = REFERENCE / "spec"

# Keys of a question that route or bound it: dropped from the routing-free form.
_ROUTING_KEYS = {"condition", "template_fields", "template_codec", "min", "max", "step", "pattern", "max_length"}


def load_module(name: str) -> ModuleType:
    """Another module of this folder (the tests run with --import-mode=importlib, so they cannot import it)."""
    key = f"core_sales_tests_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def routing_free_form(real: Definition) -> dict[str, Any]:
    """The real definition's questions on two pages (the record's, then one per person), without routing."""
    record: list[dict[str, Any]] = []
    person: list[dict[str, Any]] = []
    for section in real.raw["sections"]:
        for page in section["pages"]:
            for question in page["questions"]:
                plain = {k: v for k, v in question.items() if k not in _ROUTING_KEYS}
                plain["required"] = False
                (person if page.get("group") else record).append(plain)
    return {
        "collection": "core", "form": "sales", "year": 2026, "title": "Sales rules test form",
        "groups": real.raw["groups"],
        "sections": [{"id": "all", "title": "All", "pages": [
            {"id": "record", "questions": record},
            {"id": "person", "group": "persons", "questions": person},
        ]}],
    }


def load_rules_definition(tmp_dir: Path) -> Definition:
    # (the registry needs Django: imported when a test asks for the definition)
    from dcp_platform.registry import definition_for
    from dcp_platform.registry.registry import PLATFORM_OPTION_SOURCES

    form = tmp_dir / "form.yaml"
    form.write_text(yaml.safe_dump(routing_free_form(definition_for("core", "sales", 2026))), encoding="utf-8")
    return load_definition(
        [form, DEFINITION_DIR / "derived.yaml", DEFINITION_DIR / "validations.yaml"],
        functions=EXPRESSION_FUNCTIONS, option_sources=[*PLATFORM_OPTION_SOURCES, *OPTION_SOURCES],
    )


def evaluate(definition: Definition, answers: dict[str, Any], today: date = TODAY) -> Evaluation:
    """Evaluate answers; with `persons` given, hholdcount defaults to their number."""
    answers = dict(answers)
    if "persons" in answers:
        answers.setdefault("hholdcount", len(answers["persons"]))
    return definition.evaluate(answers, context=EvalContext(today=today))


def rule_ids(evaluation: Evaluation) -> set[str]:
    return {problem.rule_id for problem in evaluation.problems}


def buyer(age: int = 35, ecstat: int = 1, **more: Any) -> dict[str, Any]:
    return {"age_known": 0, "age": age, "sexrab": "F", "gender_same_as_sex": 1, "ecstat": ecstat, **more}


def member(age: int = 30, ecstat: int | None = 1, relat: str = "X", **more: Any) -> dict[str, Any]:
    """Someone in the household other than the buyers (details_known 1 = yes)."""
    person: dict[str, Any] = {"details_known": 1, "relat": relat, "age_known": 0, "age": age, "sexrab": "M",
                              "gender_same_as_sex": 1}
    if ecstat is not None:
        person["ecstat"] = ecstat
    return {**person, **more}


def spec_rule_ids() -> list[str]:
    """Every numbered rule of the sales validation specification (SH, SS, SBR and BF)."""
    import re  # (only this helper parses the specification)

    text = (SPEC / "sales_2026_validations.md").read_text(encoding="utf-8")
    found = re.findall(r"\*\*(S[HS]\d+(?:\.\d+)?|SBR\d+)\b", text) + re.findall(r"^- (BF\d)\b", text, re.MULTILINE)
    return sorted(set(found), key=lambda rule: (re.sub(r"[\d.]", "", rule), [int(n) for n in re.findall(r"\d+", rule)]))


# A complete shared ownership initial purchase (one buyer), valid against every rule of the real form.
SHARED_OWNERSHIP: dict[str, Any] = {
    "owning_organisation_id": "HA0001", "managing_organisation_id": "HA0001", "saledate": "2026-05-20",
    "purchid": "P1", "ownershipsch": 1, "shared_ownership_type": 30, "staircase": 2, "jointpur": 2, "noint": 2,
    "privacynotice": ["privacynotice"], "uprn": "10033558653", "address_line1": "1 High Street",
    "town_or_city": "Leeds", "postcode_full": "LS6 1AA", "la": "E08000035", "proptype": 1, "buildheightclass": 2,
    "beds": 2, "builtype": 1, "wchair": 2, "hholdcount": 1,
    "persons": [{"age_known": 0, "age": 34, "sexrab": "F", "gender_same_as_sex": 1, "ecstat": 1}],
    "ethnic_group": 0, "ethnic": 1, "nationality_all_group": 826, "buy1livein": 1,
    "prevten": 3, "ppcodenk": 0, "ppostcode_full": "LS6 2AB", "previous_la_known": 1, "prevloc": "E08000035",
    "hhregres": 7, "armedforcesspouse": 5, "disabled": 2, "wheel": 2,
    "income1nk": 0, "income1": 35000, "inc1mort": 1, "hb": 1, "savingsnk": 0, "savings": 12000, "prevown": 2,
    "resale": 2, "proplen_asked": 1, "hodate": "2026-03-01",
    "value": "200000.00", "equity": "25.0", "mortgageused": 1, "mortgage": "40000.00", "mortlen": 25,
    "deposit": "10000.00", "mrent": "350.00", "has_mscharge": 1, "mscharge": "100.00", "has_management_fee": 0,
}


# --- the official template, filled in ----------------------------------------------------------------------------

# Three complete rows of the official 2026/27 sales template, as a housing provider fills it in (template codes:
# relationship 1 = partner, "do you know the postcode" 1 = yes, R = not known or none). "ORG" is replaced by the
# uploading organisation's code. A shared ownership first purchase by one buyer ...
SHARED_OWNERSHIP_ROW: dict[int, str] = {
    1: "20", 2: "5", 3: "26", 4: "ORG", 5: "ORG", 7: "SO1", 8: "1", 9: "30", 10: "2", 12: "2", 14: "2", 15: "1",
    16: "10033558653", 17: "1 High Street", 19: "Leeds", 21: "LS6", 22: "1AA", 23: "E08000035",
    24: "1", 25: "2", 26: "2", 27: "1", 28: "2",
    29: "34", 30: "F", 31: "1", 33: "1", 34: "826", 35: "1", 36: "1", 46: "1",
    71: "3", 72: "1", 73: "LS6", 74: "2AB", 75: "E08000035", 78: "7", 80: "5", 81: "2", 82: "2",
    83: "35000", 84: "1", 87: "1", 88: "12000", 89: "2",
    91: "2", 92: "0", 93: "1", 94: "3", 95: "26",
    99: "200000", 100: "25", 101: "1", 102: "40000", 103: "25", 104: "10000", 106: "350", 107: "100",
}
# ... a staircasing transaction by two joint buyers, not interviewed ...
STAIRCASING_ROW: dict[int, str] = {
    1: "15", 2: "5", 3: "2026", 4: "ORG", 5: "ORG", 7: "ST1", 8: "1", 9: "30", 10: "1", 12: "1", 13: "2", 14: "1",
    15: "1", 17: "2 Low Road", 19: "Leeds", 21: "LS6", 22: "3BB", 23: "E08000035", 24: "3", 26: "3",
    29: "45", 30: "M", 31: "1", 37: "1", 38: "43", 39: "F", 40: "1",
    109: "25", 110: "75", 112: "2", 113: "1", 114: "3", 115: "2018", 116: "2", 117: "1", 118: "6", 119: "2022",
    120: "220000", 121: "40", 122: "2", 123: "400", 124: "200", 125: "R", 126: "R",
}
# ... and a Right to Buy by a buyer living with a student.
DISCOUNTED_ROW: dict[int, str] = {
    1: "10", 2: "5", 3: "26", 4: "ORG", 5: "ORG", 7: "RTB1", 8: "2", 11: "9", 12: "2", 14: "2", 15: "1",
    16: "10033558654", 17: "3 Hill Top", 19: "Leeds", 21: "LS6", 22: "4CC", 23: "E08000035",
    24: "1", 25: "2", 26: "1", 27: "1", 28: "2",
    29: "50", 30: "F", 31: "1", 33: "12", 34: "826", 35: "2", 36: "1",
    37: "2", 38: "19", 39: "M", 40: "1", 44: "7", 46: "2",
    71: "1", 78: "7", 80: "5", 81: "2", 82: "2", 83: "20000", 84: "1", 87: "1", 88: "R", 89: "2",
    127: "12", 128: "150000", 130: "30", 131: "1", 132: "95000", 133: "25", 134: "2", 135: "10000", 136: "R",
}
TEMPLATE_ROWS = (SHARED_OWNERSHIP_ROW, STAIRCASING_ROW, DISCOUNTED_ROW)
TEMPLATE_HEADER_ROWS = 8  # Section ... Field number


def template_header(form: str = "sales") -> list[list[str]]:
    """The official blank template's header block (its first 8 rows), as the CORE service publishes it."""
    import csv  # (only the file writers read CSV)

    with open(DATA / f"2026_27_{form}_template_blank.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[:TEMPLATE_HEADER_ROWS]


def write_template_file(path: Path, rows: list[dict[int, str]], org_code: str, form: str = "sales") -> None:
    """A filled official template: the blank template's header block, then one line per row."""
    import csv  # (only the file writers write CSV)

    header = template_header(form)
    numbers = [int(n) for n in header[-1][1:]]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(header)
        for row in rows:
            writer.writerow(["", *((org_code if row.get(n) == "ORG" else row.get(n, "")) for n in numbers)])
