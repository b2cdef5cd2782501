"""The accessibility statement and the privacy notice, written once: their starting content becomes each
collection's Wagtail pages (ensure_collections) and is the public site's own pages."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string

from dcp_platform.theming.themes import Theme

STATEMENTS = {
    # slug (the footer's link) -> (page title, content template)
    "accessibility": ("Accessibility statement", "dcp/content/accessibility_statement.html"),
    "privacy": ("Privacy notice", "dcp/content/privacy_notice.html"),
}


def statement_html(slug: str, *, theme: Theme, subject: str, prepared: date | None = None) -> str:
    """The statement's content as HTML (headings, paragraphs, lists and links: what Wagtail's rich text keeps)."""
    _title, template = STATEMENTS[slug]
    return render_to_string(template, {
        "service_name": theme.service_name, "organisation_name": theme.organisation_name, "subject": subject,
        "prepared": prepared or date.today(),
    }).strip()
