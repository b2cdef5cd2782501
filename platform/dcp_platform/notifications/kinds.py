"""Every kind of notification the service sends, in one registry: its label (on the notifications and preferences
pages) and whether it is emailed unless the person turns it off.

A caller names a kind by its constant (`kinds.UPLOAD_PROCESSED`); `notification_send` refuses a kind that is not
declared here, so the preferences page always lists every kind a person may receive.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str  # what the notification is about, e.g. "An upload has been processed"
    hint: str = ""  # more about when it is sent, on the preferences page
    email_by_default: bool = True


UPLOAD_PROCESSED = "upload_processed"
QUERY_RAISED = "query_raised"
QUERY_ANSWERED = "query_answered"
DOWNLOAD_READY = "download_ready"
INVITATION = "invitation"
REMINDER_DIGEST = "reminder_digest"
DEADLINE_REMINDER = "deadline_reminder"
RETURN_REOPENED = "return_reopened"

KINDS: dict[str, Kind] = {kind.slug: kind for kind in (
    Kind(UPLOAD_PROCESSED, "An upload has been processed", "With its counts and a link to its results."),
    Kind(QUERY_RAISED, "A query was raised about your data", "An analyst asks about a record or a return."),
    Kind(QUERY_ANSWERED, "A query was answered", "Someone answered or resolved a query you follow."),
    Kind(DOWNLOAD_READY, "A download is ready", "A file you asked for can be downloaded."),
    Kind(INVITATION, "An invitation", "You were invited to a collection or an organisation."),
    Kind(REMINDER_DIGEST, "Monthly summary of your returns",
         "Records in progress, records with errors and open queries, once a month."),
    Kind(DEADLINE_REMINDER, "A deadline is approaching", "Before a collection window's submission deadline."),
    Kind(RETURN_REOPENED, "A return was reopened", "A signed-off return was reopened, with the reason."),
)}


def get_kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise LookupError(f"{slug!r} is not a kind of notification (dcp_platform.notifications.kinds)") from None


def kind_label(slug: str) -> str:
    kind = KINDS.get(slug)
    return kind.label if kind else slug
