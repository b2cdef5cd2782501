"""The one way the service sends email (the adapter every app uses; not part of any app, so accounts can send
sign-in emails without depending on the notifications app): `send_email(to=, template=, context=)`.

Templates are files, `email_templates/<name>.txt` in any installed app: a first line `Subject: ...`, a blank line,
then the plain-text body. Placeholders are GOV.UK Notify's: `((name))` is replaced by the context's value (a
list becomes a bulleted list), `((name??text))` shows the text only when the value is true; a placeholder the
context lacks is an error, as Notify makes it.

The adapter is chosen by `DCP_EMAIL_ADAPTER`:

- "files": Django's email backend (development writes each message to var/mail/, tests keep them in memory in
  `django.core.mail.outbox`, production may point it at SMTP);
- "notify": GOV.UK Notify's REST API (`POST /v2/notifications/email`, signed with a JWT made from the API key).
  Each email is rendered here and sent through one Notify template whose subject is `((subject))` and body
  `((body))` (DCP_NOTIFY_TEMPLATE_ID), unless DCP_NOTIFY_TEMPLATES maps the template's name to a template kept
  in Notify, which then gets the context itself as its personalisation.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

TEMPLATE_FOLDER = "email_templates"
# ((name)) or ((name??text shown when name is true)), as GOV.UK Notify writes them.
PLACEHOLDER = re.compile(r"\(\(\s*([A-Za-z0-9_ ]+?)\s*(?:\?\?(.*?))?\)\)", re.S)
NOTIFY_EMAIL_PATH = "/v2/notifications/email"


class EmailTemplateError(Exception):
    """A template that does not exist, is malformed, or needs values the context does not give."""


class EmailNotSent(Exception):
    """The adapter could not hand the email over (the message says why)."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


@functools.cache
def email_template_path(name: str) -> Path:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise EmailTemplateError(f"Email template names are lower-case words with underscores, not {name!r}")
    for app_config in apps.get_app_configs():
        path = Path(app_config.path) / TEMPLATE_FOLDER / f"{name}.txt"
        if path.is_file():
            return path
    raise EmailTemplateError(f"There is no email template {name!r} (an app's {TEMPLATE_FOLDER}/{name}.txt)")


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(f"* {item}" for item in value)
    return "" if value is None else str(value)


def fill_placeholders(text: str, context: dict[str, Any]) -> str:
    missing = sorted({match.group(1) for match in PLACEHOLDER.finditer(text) if match.group(1) not in context})
    if missing:
        raise EmailTemplateError(f"Missing personalisation: {', '.join(missing)}")

    def replace(match: re.Match[str]) -> str:
        value = context[match.group(1)]
        if match.group(2) is not None:
            return match.group(2) if value else ""
        return _text(value)

    return PLACEHOLDER.sub(replace, text)


def render_email(*, template: str, context: dict[str, Any]) -> RenderedEmail:
    text = email_template_path(template).read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    if not first.lower().startswith("subject:"):
        raise EmailTemplateError(f"The email template {template!r} must start with a line 'Subject: ...'")
    subject = fill_placeholders(first.split(":", 1)[1].strip(), context)
    return RenderedEmail(subject=" ".join(subject.split()), body=fill_placeholders(body.strip("\n"), context) + "\n")


class EmailAdapter(Protocol):
    def send(self, *, to: str, template: str, context: dict[str, Any], rendered: RenderedEmail) -> None: ...


class FilesAdapter:
    """Django's email backend: files in var/mail/ in development, the in-memory outbox in tests."""

    def send(self, *, to: str, template: str, context: dict[str, Any], rendered: RenderedEmail) -> None:
        send_mail(subject=rendered.subject, message=rendered.body, from_email=None, recipient_list=[to])


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def notify_token(api_key: str, *, now: float | None = None) -> str:
    """The JWT Notify wants: HS256, issued by the service id, signed with the secret (both inside the key).

    A key is `<key name>-<service id>-<secret>`, the last two UUIDs (the name may hold hyphens itself).
    """
    if len(api_key) < 74 or api_key[-37] != "-" or api_key[-74] != "-":
        raise ImproperlyConfigured("DCP_NOTIFY_API_KEY is not a GOV.UK Notify API key (name-serviceid-secret)")
    service_id, secret = api_key[-73:-37], api_key[-36:]
    header = _base64url(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    claims = {"iss": service_id, "iat": int(time.time() if now is None else now)}
    payload = _base64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_base64url(signature)}"


class NotifyAdapter:
    """GOV.UK Notify's REST API (tests run it against a local fake server, never the network)."""

    def __init__(self, *, api_key: str, base_url: str, template_id: str, templates: dict[str, str],
                 timeout: float) -> None:
        self.api_key, self.base_url, self.timeout = api_key, base_url.rstrip("/"), timeout
        self.template_id, self.templates = template_id, templates

    def payload(self, *, to: str, template: str, context: dict[str, Any], rendered: RenderedEmail) -> dict[str, Any]:
        if template in self.templates:  # the template's content is kept in Notify: send the values themselves
            personalisation = {key: value if isinstance(value, list) else _text(value) for key, value in context.items()}
            return {"email_address": to, "template_id": self.templates[template],
                    "personalisation": personalisation, "reference": template}
        return {"email_address": to, "template_id": self.template_id, "reference": template,
                "personalisation": {"subject": rendered.subject, "body": rendered.body}}

    def send(self, *, to: str, template: str, context: dict[str, Any], rendered: RenderedEmail) -> None:
        body = json.dumps(self.payload(to=to, template=template, context=context, rendered=rendered)).encode()
        request = urllib.request.Request(  # noqa: S310 - the configured Notify base URL (https in production)
            self.base_url + NOTIFY_EMAIL_PATH, data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {notify_token(self.api_key)}",
                     "User-Agent": "dcp-platform"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - as above
                response.read()
        except urllib.error.HTTPError as error:
            raise EmailNotSent(f"GOV.UK Notify refused the email ({error.code}): {_notify_errors(error)}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise EmailNotSent(f"GOV.UK Notify could not be reached: {error}") from None


def _notify_errors(error: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(error.read().decode("utf-8") or "{}")
        return "; ".join(f"{e.get('error', '')}: {e.get('message', '')}" for e in data.get("errors", [])) or str(data)
    except (ValueError, AttributeError):
        return error.reason or "no details"


def email_adapter() -> EmailAdapter:
    name = settings.DCP_EMAIL_ADAPTER
    if name == "files":
        return FilesAdapter()
    if name == "notify":
        return NotifyAdapter(
            api_key=settings.DCP_NOTIFY_API_KEY, base_url=settings.DCP_NOTIFY_BASE_URL,
            template_id=settings.DCP_NOTIFY_TEMPLATE_ID, templates=dict(settings.DCP_NOTIFY_TEMPLATES),
            timeout=settings.DCP_NOTIFY_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(f"DCP_EMAIL_ADAPTER must be 'files' or 'notify', not {name!r}")


def send_email(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render the template with the context and send it to one address (EmailNotSent if the adapter cannot)."""
    rendered = render_email(template=template, context=context)
    email_adapter().send(to=to, template=template, context=context, rendered=rendered)
