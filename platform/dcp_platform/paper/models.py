"""What content designers and organisations add to the paper form, per collection (a collection schema's tables).

- `WhyWeAskText`: a content designer's "why we ask" for a question, edited in Wagtail; it overrides the
  definition's `why_we_ask` in the web form, the paper form and the data dictionary.
- `OrganisationPaperSettings`: an organisation's own version of the paper form: its logo and the questions it
  answers centrally (left out of its version), edited by its data coordinator or by support.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

WHY_WE_ASK_MAX_LENGTH = 600


class WhyWeAskText(models.Model):
    form = models.CharField(
        max_length=60, blank=True,
        help_text="Leave empty for every form of the collection that asks this question.",
    )
    question_id = models.CharField("Question", max_length=100)
    text = models.TextField(
        "Why we ask", max_length=WHY_WE_ASK_MAX_LENGTH,
        help_text="How the answer is used and why it is collected, in plain words, for the person answering.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question_id", "form"]
        verbose_name = "why we ask text"
        constraints = [models.UniqueConstraint(fields=["form", "question_id"], name="unique_why_we_ask_per_question")]

    def __str__(self) -> str:
        return f"{self.question_id}{f' ({self.form})' if self.form else ''}"


class OrganisationPaperSettings(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+",
    )
    logo = models.CharField(max_length=300, blank=True)  # a name in default_storage (a PNG the platform made)
    # Form id -> ids of the questions the organisation answers centrally (left out of its paper form).
    central_questions = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name_plural = "organisation paper settings"

    def __str__(self) -> str:
        return f"Paper form settings of organisation {self.organisation_id}"

    def central_for(self, form: str) -> list[str]:
        return [str(qid) for qid in (self.central_questions or {}).get(form, [])]
