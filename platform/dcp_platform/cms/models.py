from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import DraftStateMixin, Page, RevisionMixin

from dcp_platform.cms.blocks import StartPageBlocks


class StartPage(Page):
    """The collection's home page: what the collection is and how to take part, and each way of sending data
    (`channels`: written by content designers, with live parts the platform fills in)."""

    intro = RichTextField(blank=True)
    body = RichTextField(blank=True)
    channels = StreamField(StartPageBlocks(), blank=True, use_json_field=True,
                           help_text="The ways to send data: what each is for, who it suits and how to start.")
    # Set once ensure_collections has written the starting channels, so content designers' edits (even an
    # empty list) are never replaced.
    channels_seeded = models.BooleanField(default=False, editable=False)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body"), FieldPanel("channels")]
    subpage_types = ["cms.GuidancePage", "cms.CollectionWindowIndexPage", "cms.InformationPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "cms/start_page.html"

    def guidance_pages(self) -> models.QuerySet[Page]:
        """The live pages listed as guidance: not the footer's statements (InformationPage)."""
        return self.get_children().live().not_type(InformationPage)


class GuidancePage(Page):
    """Guidance for providers, edited by the collection's content designers."""

    summary = models.CharField(max_length=300, blank=True)
    body = RichTextField()

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["cms.StartPage", "cms.GuidancePage"]
    subpage_types = ["cms.GuidancePage"]
    template = "cms/guidance_page.html"


class InformationPage(Page):
    """A page the footer links to: the accessibility statement and the privacy notice (ensure_collections
    creates them with starting content; content designers keep them true)."""

    body = RichTextField()
    last_reviewed = models.DateField(null=True, blank=True, help_text="When the content was last checked.")

    content_panels = [*Page.content_panels, FieldPanel("body"), FieldPanel("last_reviewed")]
    parent_page_types = ["cms.StartPage"]
    subpage_types: list[str] = []
    template = "cms/information_page.html"


class CollectionWindowIndexPage(Page):
    intro = RichTextField(blank=True)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.StartPage"]
    subpage_types = ["cms.CollectionWindowPage"]
    max_count = 1
    template = "cms/window_index_page.html"


class CollectionWindowPage(Page):
    """When a collection period opens and closes. The platform enforces it on every channel."""

    year = models.PositiveSmallIntegerField(help_text="Collection year, e.g. 2026 for 2026 to 2027.")
    period_start = models.DateField(help_text="Records dated from this day belong to this window.")
    period_end = models.DateField(help_text="Records dated up to this day belong to this window.")
    opens = models.DateField(help_text="First day records can be created.")
    submission_deadline = models.DateField(help_text="Last day new records can be created.")
    edits_close = models.DateField(help_text="Last day existing records can be changed.")
    notes = RichTextField(blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("year"),
        MultiFieldPanel(
            [FieldPanel("period_start"), FieldPanel("period_end")], heading="Records this window covers"
        ),
        MultiFieldPanel(
            [FieldPanel("opens"), FieldPanel("submission_deadline"), FieldPanel("edits_close")], heading="Dates"
        ),
        FieldPanel("notes"),
    ]
    parent_page_types = ["cms.CollectionWindowIndexPage"]
    subpage_types: list[str] = []
    template = "cms/window_page.html"

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": "The period must end after it starts."})
        if self.opens and self.submission_deadline and self.opens > self.submission_deadline:
            raise ValidationError({"submission_deadline": "The deadline must be after the window opens."})
        if self.submission_deadline and self.edits_close and self.edits_close < self.submission_deadline:
            raise ValidationError({"edits_close": "Edits cannot close before the submission deadline."})
        overlapping = self._overlapping_window()
        if overlapping is not None:
            # A record date must belong to one window only, or the deadline that applies would be ambiguous.
            raise ValidationError(
                {"period_start": f"These dates overlap “{overlapping.title}” for the same collection year."}
            )

    def _overlapping_window(self) -> CollectionWindowPage | None:
        if not (self.year and self.period_start and self.period_end):
            return None
        others = CollectionWindowPage.objects.filter(
            year=self.year, period_start__lte=self.period_end, period_end__gte=self.period_start
        )
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        return others.first()


class ServiceBanner(DraftStateMixin, RevisionMixin, models.Model):
    """A message shown at the top of every page of this collection, between its start and end times.

    Content designers write and publish it in Wagtail (Snippets: Service banners); only the published version
    shows, and each person may hide it (a changed banner shows again). The platform-wide banner support sets
    is `notifications.PlatformBanner`.
    """

    heading = models.CharField(max_length=120, help_text="One short sentence, e.g. “The service will be unavailable on 4 May”.")
    message = models.TextField(blank=True, help_text="More detail, in plain words (optional).")
    link_text = models.CharField(max_length=80, blank=True)
    link_url = models.CharField(max_length=500, blank=True, help_text="A page of this service or an https:// address.")
    starts_at = models.DateTimeField(help_text="When the banner starts to show.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="When it stops showing (empty: until unpublished).")
    revisions = GenericRelation("wagtailcore.Revision", content_type_field="content_type",
                                object_id_field="object_id", for_concrete_model=False)

    panels = [
        FieldPanel("heading"), FieldPanel("message"),
        MultiFieldPanel([FieldPanel("link_text"), FieldPanel("link_url")], heading="Link (optional)"),
        MultiFieldPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading="When it shows"),
    ]

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = "service banner"

    def __str__(self) -> str:
        return self.heading

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The banner must stop showing after it starts."})
        if bool(self.link_text) != bool(self.link_url):
            raise ValidationError({"link_url": "Give both the link's words and its address, or neither."})
        if self.link_url and not (self.link_url.startswith("/") or self.link_url.startswith("https://")):
            raise ValidationError({"link_url": "Give a page of this service (starting with /) or an https:// address."})
