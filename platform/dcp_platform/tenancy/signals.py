"""A changed collection or domain reaches this process's host-name cache at once."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from dcp_platform.tenancy.middleware import forget_collection_hosts
from dcp_platform.tenancy.models import Collection, Domain


@receiver(post_save, sender=Collection, dispatch_uid="tenancy_collection_saved")
@receiver(post_delete, sender=Collection, dispatch_uid="tenancy_collection_deleted")
@receiver(post_save, sender=Domain, dispatch_uid="tenancy_domain_saved")
@receiver(post_delete, sender=Domain, dispatch_uid="tenancy_domain_deleted")
def collection_changed_forget_hosts(sender: Any, **kwargs: Any) -> None:
    forget_collection_hosts()


# Sent by tenancy.services.ensure_collection once a collection's schema and domain exist (collection=, plugin=,
# host=): the cms app sets up its groups and Wagtail site (cms.setup), so tenancy never imports the CMS.
collection_ensured = Signal()
