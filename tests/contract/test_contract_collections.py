"""The collection contract, checked against every installed collection plugin.

A new collection gets these tests for free: if its plugin or definitions break the contract, this fails.
"""

from __future__ import annotations

import json
from datetime import date
from importlib.metadata import entry_points

import pytest
from dcp_platform.accounts.models import ProviderType
from dcp_platform.definitions import EvalContext
from dcp_platform.registry import all_plugins, definitions_for

PLUGINS = sorted(all_plugins())


def test_every_installed_entry_point_is_a_registered_plugin() -> None:
    from django.conf import settings

    # DCP_COLLECTIONS may narrow a deployment to some of the installed plugins.
    installed = {ep.name for ep in entry_points(group="dcp.collections") if ep.value in settings.COLLECTION_APPS}
    assert installed and installed == set(PLUGINS)


@pytest.fixture(params=PLUGINS)
def plugin(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return all_plugins()[request.param]


def test_plugin_describes_itself(plugin) -> None:  # type: ignore[no-untyped-def]
    assert plugin.slug.isidentifier() and plugin.slug == plugin.slug.lower()
    assert plugin.title.strip() and plugin.description.strip()
    assert plugin.forms, "a collection has at least one form"
    assert len({form.id for form in plugin.forms}) == len(plugin.forms)


def test_every_form_has_a_definition_and_every_definition_a_form(plugin) -> None:  # type: ignore[no-untyped-def]
    definitions = definitions_for(plugin.slug)
    form_ids = {form.id for form in plugin.forms}
    assert {form for form, _year in definitions} == form_ids
    for (form, year), definition in definitions.items():
        assert definition.collection == plugin.slug
        assert (definition.form, definition.year) == (form, year)


def test_eligible_provider_types_are_known(plugin) -> None:  # type: ignore[no-untyped-def]
    if plugin.eligible_provider_types is not None:
        assert plugin.eligible_provider_types <= set(ProviderType.values)


def test_default_windows_are_ordered(plugin) -> None:  # type: ignore[no-untyped-def]
    for window in plugin.default_windows:
        assert window.period_start <= window.period_end
        assert window.opens <= window.submission_deadline <= window.edits_close


def test_option_sources_return_code_label_pairs(plugin) -> None:  # type: ignore[no-untyped-def]
    for name, source in plugin.option_sources.items():
        options = source()
        assert options, f"option source {name} is empty"
        for code, label in options[:50]:
            assert str(code).strip() and str(label).strip()


def _definitions():  # type: ignore[no-untyped-def]
    for slug in PLUGINS:
        for key, definition in sorted(definitions_for(slug).items()):
            yield pytest.param(definition, id=f"{slug}-{key[0]}-{key[1]}")


@pytest.mark.parametrize("definition", list(_definitions()))
def test_definition_shape(definition) -> None:  # type: ignore[no-untyped-def]
    assert definition.sections
    assert definition.date_question in definition.questions, "windows need the record's date question"
    for question_id in (*definition.record_reference, *definition.search_fields, *definition.duplicate_check):
        assert question_id in definition.questions
    for question in definition.questions.values():
        assert question.label.strip(), f"{question.id} has no label"
        for option in question.options or ():
            assert str(option.code).strip() and option.label.strip()


@pytest.mark.parametrize("definition", list(_definitions()))
def test_definition_exports_as_json_with_integer_template_fields(definition) -> None:  # type: ignore[no-untyped-def]
    exported = json.loads(json.dumps(definition.to_json(), default=str))
    questions = exported["questions"]
    assert questions
    for question in questions:
        assert {"id", "type", "template_fields"} <= set(question)
        assert all(isinstance(number, int) for number in question["template_fields"])


@pytest.mark.parametrize("definition", list(_definitions()))
def test_an_empty_record_evaluates_as_not_started(definition) -> None:  # type: ignore[no-untyped-def]
    evaluation = definition.evaluate({}, context=EvalContext(today=date(2026, 11, 24), extra={}))
    assert evaluation.status == "not_started"
    assert evaluation.missing, "an empty record has required questions left"
