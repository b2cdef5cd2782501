"""The cookies the service sets, worked out from the settings that name them (the cookies page lists these)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class CookieUse:
    name: str
    purpose: str
    expires: str


def _duration(seconds: int) -> str:
    if seconds % (365 * 24 * 3600) == 0 and seconds >= 365 * 24 * 3600:
        years = seconds // (365 * 24 * 3600)
        return f"{years} year{'s' if years != 1 else ''}"
    if seconds % (24 * 3600) == 0:
        days = seconds // (24 * 3600)
        return f"{days} day{'s' if days != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def cookies_set_by_the_service() -> list[CookieUse]:
    session_expiry = f"after {_duration(settings.SESSION_COOKIE_AGE)} without using the service"
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        session_expiry = f"When you close your browser, or {session_expiry}"
    uses = [
        CookieUse(settings.SESSION_COOKIE_NAME,
                  "Keeps you signed in, on every part of the service, once you have signed in", session_expiry),
        CookieUse(settings.CSRF_COOKIE_NAME,
                  "Stops other websites sending forms to the service in your name", _duration(settings.CSRF_COOKIE_AGE)),
        CookieUse(settings.DCP_BANNER_COOKIE_NAME, "Remembers which service messages you have hidden", "1 year"),
    ]
    storage = getattr(settings, "MESSAGE_STORAGE", "django.contrib.messages.storage.fallback.FallbackStorage")
    if storage.endswith(("FallbackStorage", "CookieStorage")):
        uses.append(CookieUse(getattr(settings, "MESSAGES_COOKIE_NAME", "messages"),
                              "Shows a confirmation, like “Your changes are saved”, on the next page",
                              "When you close your browser"))
    return uses
