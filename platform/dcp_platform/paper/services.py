"""Writes: an organisation's paper form settings (its logo and the questions it answers centrally)."""

from __future__ import annotations

import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from PIL import Image, UnidentifiedImageError

from dcp_platform.accounts.audit import audit_record
from dcp_platform.accounts.models import Organisation, User
from dcp_platform.paper.models import OrganisationPaperSettings
from dcp_platform.paper.selectors import current_collection_slug

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_BOX = (600, 200)  # pixels: printed at most about 50 mm wide
LOGO_FORMATS = frozenset({"PNG", "JPEG", "GIF", "WEBP"})


class LogoRefused(ValueError):
    """The uploaded file is not a logo the platform can use; the message says why, for the person."""


def logo_png(data: bytes) -> bytes:
    """The picture re-drawn as a PNG no bigger than LOGO_BOX: nothing of the uploaded file but its pixels
    is kept (no scripts, no metadata), and every logo prints the same way."""
    if len(data) > LOGO_MAX_BYTES:
        raise LogoRefused("The logo must be smaller than 2 MB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in LOGO_FORMATS:
                raise LogoRefused("The logo must be a PNG, JPEG, GIF or WebP picture")
            if image.width * image.height > 40_000_000:
                raise LogoRefused("The logo must be smaller than 40 million pixels")
            image.seek(0)
            drawn = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, LogoRefused):
            raise
        raise LogoRefused("The logo must be a PNG, JPEG, GIF or WebP picture") from None
    drawn.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    drawn.save(out, format="PNG", optimize=True)
    return out.getvalue()


def paper_settings_update(
    *, organisation: Organisation, user: User, form: str, central_questions: list[str],
    logo: bytes | None = None, remove_logo: bool = False, request: HttpRequest | None = None,
) -> OrganisationPaperSettings:
    """Save the questions answered centrally for one form and, optionally, a new logo (or none). Raises
    LogoRefused, changing nothing, when the logo is not a picture the platform can use."""
    png = logo_png(logo) if logo is not None else None
    settings, _ = OrganisationPaperSettings.objects.get_or_create(organisation=organisation)
    central = dict(settings.central_questions or {})
    central[form] = sorted(set(central_questions))
    settings.central_questions = central
    old_logo = settings.logo
    if png is not None:
        name = f"paper/logos/{current_collection_slug()}/{organisation.pk}-{secrets.token_hex(8)}.png"
        settings.logo = default_storage.save(name, ContentFile(png))
    elif remove_logo:
        settings.logo = ""
    settings.updated_by = user
    settings.save()
    if old_logo and old_logo != settings.logo:
        default_storage.delete(old_logo)
    audit_record(
        action="paper.settings_changed", actor=user, target=organisation, request=request,
        details={"collection": current_collection_slug(), "form": form, "central_questions": central[form],
                 "logo": "new" if logo is not None else "removed" if remove_logo else "kept"},
    )
    return settings
