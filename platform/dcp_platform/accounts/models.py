from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class ProviderType(models.TextChoices):
    LOCAL_AUTHORITY = "LA", "Local authority"
    PRIVATE_REGISTERED_PROVIDER = "PRP", "Private registered provider (housing association)"
    OTHER = "OTHER", "Other organisation"


class Region(models.TextChoices):
    """England's nine regions (ONS): the department's breakdown and the peer group of an organisation."""

    NORTH_EAST = "E12000001", "North East"
    NORTH_WEST = "E12000002", "North West"
    YORKSHIRE = "E12000003", "Yorkshire and The Humber"
    EAST_MIDLANDS = "E12000004", "East Midlands"
    WEST_MIDLANDS = "E12000005", "West Midlands"
    EAST = "E12000006", "East of England"
    LONDON = "E12000007", "London"
    SOUTH_EAST = "E12000008", "South East"
    SOUTH_WEST = "E12000009", "South West"


class Organisation(models.Model):
    """An organisation that submits data. Parent/child (e.g. a group and its members) via `parent`."""

    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=30, unique=True, help_text="Stable identifier used in uploads and the API, e.g. ORG1234."
    )
    provider_type = models.CharField(max_length=10, choices=ProviderType.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    holds_own_stock = models.BooleanField(default=True)
    # Empty for organisations nobody has placed yet: they count nationally, never in a region's figures.
    region = models.CharField(max_length=9, choices=Region.choices, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OrganisationRelationship(models.Model):
    """A stock owner and its managing agent: the agent may submit records on the owner's behalf."""

    stock_owner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="managing_agent_links")
    managing_agent = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="stock_owner_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stock_owner", "managing_agent"], name="unique_relationship"),
            models.CheckConstraint(
                condition=~models.Q(stock_owner=models.F("managing_agent")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.managing_agent} manages for {self.stock_owner}"


class Role(models.TextChoices):
    DATA_PROVIDER = "data_provider", "Data provider"
    DATA_COORDINATOR = "data_coordinator", "Data coordinator"
    SUPPORT = "support", "Support"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.SUPPORT)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. One sign-in for every collection their organisation takes part in.

    Users are never deleted (records and Wagtail pages in every collection schema refer to them);
    they are deactivated instead.
    """

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=30, choices=Role.choices, default=Role.DATA_PROVIDER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the support admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def is_support(self) -> bool:
        return self.role == Role.SUPPORT

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.DATA_COORDINATOR


class AuditEvent(models.Model):
    """Who did what, when: sign-ins, failed sign-ins, changes to users, organisations and roles."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=60, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
