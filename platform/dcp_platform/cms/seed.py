"""The start page's starting "ways to send data", written in the platform's words for any collection.

ensure_collections writes them once (StartPage.channels_seeded); from then on they are content designers' to
edit in Wagtail. The live parts (downloads, documents, links) are filled in by the platform on every view.
"""

from __future__ import annotations

from typing import Any

from wagtail.blocks import StreamValue

from dcp_platform.cms.blocks import StartPageBlocks
from dcp_platform.registry import CollectionPlugin


def _channel(heading: str, what_for: str, who: str, how: str, parts: list[str]) -> dict[str, Any]:
    return {"type": "channel", "value": {
        "heading": heading, "what_for": what_for, "who_it_suits": who, "how_to_start": how, "live_parts": parts,
    }}


def web_form_how_to_start(record: str, *, words_before: bool = False) -> str:
    """The web form's "How to start" words. Read by signed-in people too, so they do not ask them to sign in (the
    button below says "Sign in to start" or "Go to your records" as fits); `words_before` gives what the platform
    seeded before, which `replace_old_seeded_words` updates where content designers have not changed it."""
    opening = "Sign in and go to your records" if words_before else "Go to your records"
    return (f"<p>{opening}, then start a new {record}. If you collect answers on paper first, "
            "print the paper form (under ‘Help with the questions’): it has the same questions, in the same order, "
            "with the codes of every answer.</p>")


def record_word(plugin: CollectionPlugin) -> str:
    # One form: its own word ("lettings log", "case"); several (lettings and sales): "record".
    return plugin.forms[0].record_name if len(plugin.forms) == 1 else "record"


def starting_channels(plugin: CollectionPlugin) -> StreamValue:
    record = record_word(plugin)
    records = f"{record}s"
    raw = [
        {"type": "heading", "value": "Ways to send your data"},
        {"type": "text", "value": (
            f"<p>There are three ways to send {records}. Each checks them with the same rules and gives the same "
            "result, so choose the one that suits how you work. You can use more than one.</p>")},
        _channel(
            "Web form",
            f"<p>Enter one {record} at a time, a question at a time. You see only the questions that apply, and you "
            "are told straight away if an answer needs another look. You can save and come back later.</p>",
            f"<p>Organisations that send a few {records} a month, and staff who fill them in while talking to the "
            "person the record is about, or from a paper form.</p>",
            web_form_how_to_start(record),
            ["web_form"],
        ),
        _channel(
            "Bulk upload",
            f"<p>Send many {records} at once in one file (CSV or Excel), one {record} a row. Every row is checked "
            "with the same rules as the web form, and nothing is added until you have seen the results and "
            "confirmed them. You can fix problems in the file or in the web form.</p>",
            f"<p>Organisations whose housing or case management system can export data, and anyone who sends more "
            f"than a few {records} at a time.</p>",
            "<p>Download the empty file for the collection year and fill it in. Or upload your own system’s export "
            "as it is: we suggest which question each column answers and what its values mean, and you check the "
            "matches before anything is checked.</p>",
            ["templates"],
        ),
        _channel(
            "API",
            f"<p>Send {records} straight from your own system, one at a time or in batches. Every problem with a "
            f"{record} comes back in the response, so your system can show it to the person who can fix it.</p>",
            "<p>Organisations with developers, or a software supplier, who can connect their system to ours.</p>",
            "<p>Your organisation’s data coordinator creates an API key (under ‘API keys’ once signed in). Give it to "
            "your developers with the API documentation of the collection year: it describes every field, its "
            "codes and the rules, and lets them try requests.</p>",
            ["api"],
        ),
        {"type": "live", "value": {"heading": "Help with the questions",
                                   "live_parts": ["paper_forms", "data_dictionary"]}},
    ]
    return StartPageBlocks().to_python(raw)
