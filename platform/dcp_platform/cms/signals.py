"""A collection's CMS is set up with the collection; support users' CMS group follows their role; window and banner edits reach their readers at once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dcp_platform.accounts.models import User
from dcp_platform.cms.banners import forget_banners
from dcp_platform.cms.models import CollectionWindowPage, ServiceBanner
from dcp_platform.cms.setup import ensure_collection_cms
from dcp_platform.cms.windows import forget_windows
from dcp_platform.notifications.models import PlatformBanner
from dcp_platform.registry import CollectionPlugin
from dcp_platform.tenancy.models import Collection
from dcp_platform.tenancy.services import SUPPORT_GROUP_NAME
from dcp_platform.tenancy.signals import collection_ensured


@receiver(collection_ensured, dispatch_uid="cms_collection_ensured_set_up_cms")
def collection_ensured_set_up_cms(
    sender: Any, *, collection: Collection, plugin: CollectionPlugin, host: str, **kwargs: Any
) -> None:
    ensure_collection_cms(collection=collection, plugin=plugin, host=host)


@receiver(post_save, sender=User, dispatch_uid="cms_support_group_follows_role")
def support_group_follows_role(sender: Any, instance: User, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    group = Group.objects.filter(name=SUPPORT_GROUP_NAME).first()
    if group is None:  # collections not set up yet: ensure_collections creates the group
        return
    is_member = instance.groups.filter(pk=group.pk).exists()
    if instance.is_support and not is_member:
        instance.groups.add(group)
    elif not instance.is_support and is_member:
        instance.groups.remove(group)


@receiver(post_save, sender=CollectionWindowPage, dispatch_uid="cms_window_saved_forget_dates")
@receiver(post_delete, sender=CollectionWindowPage, dispatch_uid="cms_window_deleted_forget_dates")
def window_changed_forget_dates(sender: Any, **kwargs: Any) -> None:
    # Publishing, unpublishing and editing all save the page: this process decides with the new dates at once.
    forget_windows()


@receiver(post_save, sender=ServiceBanner, dispatch_uid="cms_banner_saved_forget")
@receiver(post_delete, sender=ServiceBanner, dispatch_uid="cms_banner_deleted_forget")
@receiver(post_save, sender=PlatformBanner, dispatch_uid="platform_banner_saved_forget")
@receiver(post_delete, sender=PlatformBanner, dispatch_uid="platform_banner_deleted_forget")
def banner_changed_forget(sender: Any, **kwargs: Any) -> None:
    # Publishing and unpublishing save the banner: this process shows the change at once, others within seconds.
    forget_banners()
