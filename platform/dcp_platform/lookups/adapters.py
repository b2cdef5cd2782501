"""Postcode and address lookups: the interfaces every channel uses, and the adapter a setting selects.

- `postcode_lookup()` (`DCP_POSTCODE_ADAPTER`): a postcode's local authority (the ONS code), as postcodes.io
  answers the service this platform replaces. "local" reads the postcodes loaded with `manage.py load_postcodes
  FILE` (the ONS Postcode Directory's published CSV).
- `address_lookup()` (`DCP_ADDRESS_ADAPTER`): addresses at a postcode and an address by UPRN, shaped like OS
  Places' `/postcode` and `/uprn` answers. "local" reads the addresses loaded with `manage.py load_addresses FILE`.

Nothing is fetched at run time. A postcode lookup runs inside the definition's derived values, which bulk upload
evaluates in worker processes that may not use the database; so the local postcode adapter holds the postcodes in
memory, packed (about 10 bytes a postcode), read by `prepare()` where the database may be used (the write path
calls it before evaluating: records.services.evaluation_context and upload processing). Until a process has
prepared, lookups find nothing (pure unit tests read no database). A process notices a newer `load_postcodes`
within `DCP_LOOKUP_RECHECK_SECONDS`.
"""

from __future__ import annotations

import re
import time
from array import array
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from dcp_platform.lookups.models import Address, PostcodeLoad

KEY_WIDTH = 7  # a postcode without its space has at most 7 characters
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def normalise_postcode(text: object) -> str:
    """Upper case, no spaces: how postcodes are kept and compared ("sw1a 1aa" -> "SW1A1AA")."""
    return re.sub(r"\s+", "", str(text or "")).upper()


def format_postcode(text: object) -> str:
    """The postcode as it is written, with its space ("SW1A1AA" -> "SW1A 1AA")."""
    key = normalise_postcode(text)
    return f"{key[:-3]} {key[-3:]}" if len(key) > 3 else key


def is_postcode(text: object) -> bool:
    return bool(_POSTCODE.match(normalise_postcode(text)))


class PostcodeLookup(Protocol):
    def prepare(self) -> None:
        """Read what lookups need, where the database may be used (a no-op for a remote service)."""

    def local_authority(self, postcode: str) -> str | None:
        """The ONS code of the local authority the postcode is in, or None when it is not known."""


@dataclass(frozen=True)
class AddressMatch:
    """One address, as OS Places' DPA results give it."""

    uprn: str
    line1: str
    line2: str
    town: str
    county: str
    postcode: str  # written with its space

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.line1, self.line2, self.town, self.postcode) if part)


class AddressLookup(Protocol):
    def search(self, postcode: str) -> list[AddressMatch]:
        """Every address at the postcode (OS Places `/postcode`), in address order."""

    def by_uprn(self, uprn: str) -> AddressMatch | None:
        """The address with this UPRN (OS Places `/uprn`), or None."""


class _PackedPostcodes:
    """Postcodes sorted as fixed-width bytes, each with the index of its local authority's code."""

    def __init__(self, generation: int | None, rows: list[tuple[str, str]]) -> None:
        self.generation = generation
        self.codes: list[str] = []
        index: dict[str, int] = {}
        keys = bytearray()
        self.authorities = array("H")
        for postcode, code in rows:  # already in byte order (COLLATE "C")
            keys += postcode.encode("ascii").ljust(KEY_WIDTH)
            if code not in index:
                index[code] = len(self.codes)
                self.codes.append(code)
            self.authorities.append(index[code])
        self.keys = bytes(keys)
        self.count = len(self.authorities)

    def find(self, postcode: str) -> str | None:
        try:
            key = postcode.encode("ascii").ljust(KEY_WIDTH)
        except UnicodeEncodeError:
            return None
        low, high, keys = 0, self.count, self.keys
        while low < high:
            middle = (low + high) // 2
            if keys[middle * KEY_WIDTH:(middle + 1) * KEY_WIDTH] < key:
                low = middle + 1
            else:
                high = middle
        if low < self.count and keys[low * KEY_WIDTH:(low + 1) * KEY_WIDTH] == key:
            return self.codes[self.authorities[low]]
        return None


class LocalPostcodeLookup:
    """The postcodes of the latest `load_postcodes`, held in memory (see the module's notes)."""

    def __init__(self) -> None:
        self._table: _PackedPostcodes | None = None
        self._checked_at = 0.0

    def forget(self) -> None:
        """Hold nothing until the next prepare(), which reads the latest load (after loading in this process, and
        after each test that loaded postcodes)."""
        self._table = None
        self._checked_at = 0.0

    def prepare(self) -> None:
        now = time.monotonic()
        if self._table is not None and now - self._checked_at < settings.DCP_LOOKUP_RECHECK_SECONDS:
            return
        self._checked_at = now
        latest = PostcodeLoad.objects.order_by("-pk").values_list("pk", flat=True).first()
        if self._table is not None and self._table.generation == latest:
            return
        rows: list[tuple[str, str]] = []
        if latest is not None:
            with connection.cursor() as cursor:
                cursor.execute('SELECT postcode, local_authority FROM lookups_postcode ORDER BY postcode COLLATE "C"')
                rows = cursor.fetchall()
        self._table = _PackedPostcodes(latest, rows)

    def local_authority(self, postcode: str) -> str | None:
        table = self._table
        if table is None or not postcode:
            return None
        return table.find(normalise_postcode(postcode))


class LocalAddressLookup:
    """The addresses of `load_addresses`, read from the database on each search."""

    @staticmethod
    def _match(address: Address) -> AddressMatch:
        return AddressMatch(uprn=address.uprn, line1=address.line1, line2=address.line2, town=address.town,
                            county=address.county, postcode=format_postcode(address.postcode))

    def search(self, postcode: str) -> list[AddressMatch]:
        key = normalise_postcode(postcode)
        if not key:
            return []
        return [self._match(address) for address in Address.objects.filter(postcode=key)]

    def by_uprn(self, uprn: str) -> AddressMatch | None:
        address = Address.objects.filter(uprn=str(uprn).strip()).first()
        return self._match(address) if address is not None else None


_postcode_adapters: dict[str, PostcodeLookup] = {}
_address_adapters: dict[str, AddressLookup] = {}


def postcode_lookup() -> PostcodeLookup:
    name = settings.DCP_POSTCODE_ADAPTER
    if name not in _postcode_adapters:
        if name != "local":
            raise ImproperlyConfigured(f"DCP_POSTCODE_ADAPTER must be 'local', not {name!r}")
        _postcode_adapters[name] = LocalPostcodeLookup()
    return _postcode_adapters[name]


def address_lookup() -> AddressLookup:
    name = settings.DCP_ADDRESS_ADAPTER
    if name not in _address_adapters:
        if name != "local":
            raise ImproperlyConfigured(f"DCP_ADDRESS_ADAPTER must be 'local', not {name!r}")
        _address_adapters[name] = LocalAddressLookup()
    return _address_adapters[name]


def prepare_lookups() -> None:
    """Called by the write path before it evaluates, where the database may be used."""
    postcode_lookup().prepare()


def forget_loaded_postcodes() -> None:
    adapter = postcode_lookup()
    if isinstance(adapter, LocalPostcodeLookup):
        adapter.forget()
