"""Every registered definition passes `check_definition` (issue 18, point 5): no question that can never be asked,
no rule reading questions never asked together, no condition always true or false, no answer option no rule or
page lets anyone give, no template field mapped twice or not at all, unless allowed with a reason."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from dcp_platform.definitions.checks import check_definition
from dcp_platform.registry import all_plugins, definitions_for
from django.core.management import call_command
from django.core.management.base import CommandError


def registered() -> list[tuple[str, str, int]]:
    return [(slug, form, year) for slug in sorted(all_plugins()) for form, year in sorted(definitions_for(slug))]


@pytest.mark.parametrize(("slug", "form", "year"), registered())
def test_every_definition_passes_its_checks(slug: str, form: str, year: int) -> None:
    report = check_definition(definitions_for(slug)[(form, year)])
    assert report.ok, report.to_text()
    assert all(reason.strip() for _, reason in report.allowed)


def test_the_command_checks_one_definition_and_says_it_passes() -> None:
    out = StringIO()
    call_command("check_definition", "--collection", "hclic", "--form", "cases", "--year", "2026", stdout=out)
    assert out.getvalue().startswith("hclic cases 2026: passes\n")
    out = StringIO()
    call_command("check_definition", "--collection", "hclic", "--form", "cases", "--year", "2026",
                 "--format", "json", stdout=out)
    assert json.loads(out.getvalue())[0]["ok"] is True


def test_the_command_names_what_exists_when_asked_for_an_unknown_definition() -> None:
    with pytest.raises(CommandError, match=r"has no cases definition for 1999\. Available: cases 2026"):
        call_command("check_definition", "--collection", "hclic", "--form", "cases", "--year", "1999")
    with pytest.raises(CommandError, match=r"No collection 'nope'\. Installed collections: core, hclic"):
        call_command("check_definition", "--collection", "nope", "--form", "cases", "--year", "2026")
    with pytest.raises(CommandError, match="Give --collection, --form and --year"):
        call_command("check_definition", "--collection", "core")
