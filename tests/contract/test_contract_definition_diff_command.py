"""`manage.py definition_diff`: the diff of two registered years as text or JSON, and clear errors naming what
exists for an unknown collection, form or year."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from dcp_platform.definitions.diff import KINDS
from dcp_platform.registry import definitions_for
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*args: str) -> str:
    out = StringIO()
    call_command("definition_diff", *args, stdout=out)
    return out.getvalue()


def consecutive_years() -> list[tuple[str, str, int, int]]:
    """(collection, form, earlier, later) for each form with two registered years next to each other."""
    found = []
    for slug in ("core", "hclic"):
        keys = set(definitions_for(slug))
        found += [(slug, form, year - 1, year) for form, year in sorted(keys) if (form, year - 1) in keys]
    return found


def test_a_year_against_itself_has_no_changes() -> None:
    text = run("--collection", "core", "--form", "lettings", "--from", "2026", "--to", "2026")
    assert text == "core lettings: what changed from 2026 to 2026\nNo changes.\n"
    data = json.loads(run("--collection", "core", "--form", "sales", "--from", "2026", "--to", "2026", "--format", "json"))
    assert data["from"] == data["to"] == 2026
    assert all(data[kind] == {"added": [], "removed": [], "changed": []} for kind in KINDS)


@pytest.mark.parametrize(("slug", "form", "before", "after"), consecutive_years())
def test_every_pair_of_consecutive_years_has_a_diff(slug: str, form: str, before: int, after: int) -> None:
    data = json.loads(run("--collection", slug, "--form", form, "--from", str(before), "--to", str(after),
                          "--format", "json"))
    assert (data["collection"], data["form"], data["from"], data["to"]) == (slug, form, before, after)
    assert any(data["counts"][kind][action] for kind in KINDS for action in ("added", "removed", "changed")), \
        "two years with no difference at all: is the change set applied?"
    text = run("--collection", slug, "--form", form, "--from", str(before), "--to", str(after))
    assert f"Questions: {data['counts']['questions']['added']} added" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--collection", "nope", "--form", "lettings", "--from", "2025", "--to", "2026"],
     "No collection 'nope'. Installed collections: core, hclic"),
    (["--collection", "core", "--form", "letings", "--from", "2025", "--to", "2026"],
     "Collection 'core' has no form 'letings'. Available: "),
    (["--collection", "core", "--form", "lettings", "--from", "1999", "--to", "2026"],
     "Collection 'core' has no lettings definition for 1999. Available: "),
    (["--collection", "hclic", "--form", "cases", "--from", "2026", "--to", "2031"],
     "Collection 'hclic' has no cases definition for 2031. Available: cases 2026"),
])
def test_unknown_collection_form_or_year_is_a_clear_error(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert str(raised.value).startswith(message)
    if "Available" in message:
        assert "lettings 2026" in str(raised.value) or "cases 2026" in str(raised.value)
