"""Reminding learners from the completion report: preview, then send.

The selection travels in the query string, for the preview (GET) and the send
(POST) alike: learners ticked in the drill-down (``?enrolment=1&enrolment=2``),
or everyone not completed under one report row (``?agency=12`` or
``?agency=other``, with the report's filters). Rows come from
accounts.permissions: an id outside the sender's scope is a 404, and nothing is
sent.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.permissions import enrolments_visible_to

from .exports import OTHER, AgencyNotVisible, CompletionFilters, CompletionReport
from .models import CoursePage, Enrolment, ReminderLog
from .reminders import plan_reminders, queue_reminders, reminder_content
from .reports import LearnerFilterSet, report_permission_policy

# Names listed on the preview; the count covers everyone.
LISTED_NAMES = 30


def _ids(values) -> set[int]:
    try:
        return {int(value) for value in values}
    except ValueError:
        raise Http404 from None


class ReminderView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/reminders/preview.html"
    page_title = gettext_lazy("Send a reminder")
    header_icon = "mail"
    kind = ReminderLog.Kind.MANUAL

    def dispatch(self, request, *args, **kwargs):
        if not report_permission_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def selected(self):
        """The enrolments chosen, all within the sender's scope (else 404)."""
        visible = enrolments_visible_to(self.request.user)
        if "agency" in self.request.GET:
            enrolments = self._agency_row(visible)
        else:
            ids = _ids(self.request.GET.getlist("enrolment"))
            if not ids:
                raise Http404
            enrolments = visible.filter(pk__in=ids)
            if enrolments.count() != len(ids):
                raise Http404
        return enrolments.select_related("learner", "course").order_by(
            Coalesce(NullIf("learner__full_name", Value("")), "learner__email"), "pk"
        )

    def _agency_row(self, visible):
        """Everyone not completed behind one row of the report, with its filters."""
        raw = self.request.GET["agency"]
        agency = OTHER if raw == OTHER else min(_ids([raw]))
        user = self.request.user
        tree = CompletionReport(user=user, filters=CompletionFilters()).tree
        filterset = LearnerFilterSet(
            self.request.GET,
            queryset=Enrolment.objects.none(),
            tree=tree,
            courses=CoursePage.objects.order_by("title").values_list("pk", "title"),
        )
        report = CompletionReport(user=user, filters=filterset.values(), tree=tree)
        try:
            rows = report.learner_enrolments(agency)
        except AgencyNotVisible:
            raise Http404 from None
        return visible.filter(
            pk__in=rows.filter(completed_at__isnull=True).values("pk")
        )

    @cached_property
    def batch(self):
        return plan_reminders(self.selected(), kind=self.kind)

    @cached_property
    def back_url(self) -> str:
        url = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}
        ):
            return url
        return reverse("courses_reports:completion")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": "", "label": gettext("Reports")},
            {
                "url": reverse("courses_reports:completion"),
                "label": gettext("Completion by agency"),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        context.update(
            batch=batch,
            names=[e.learner.get_full_name() for e in batch.to_send[:LISTED_NAMES]],
            more=max(batch.count - LISTED_NAMES, 0),
            back_url=self.back_url,
            action_url=self.request.get_full_path(),
        )
        if batch.to_send:
            first = batch.to_send[0]
            context["first"] = first.learner
            context["subject"], context["body"] = reminder_content(
                enrolment=first, kind=self.kind, requested_by=self.request.user
            )
        return context

    def get(self, request, *args, **kwargs):
        if "agency" not in request.GET and not request.GET.getlist("enrolment"):
            messages.warning(request, gettext("Tick at least one learner first."))
            return redirect(self.back_url)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        batch = queue_reminders(
            enrolments=self.selected(), kind=self.kind, requested_by=request.user
        )
        if batch.count:
            messages.success(
                request,
                ngettext(
                    "%(count)d reminder is being sent.",
                    "%(count)d reminders are being sent.",
                    batch.count,
                )
                % {"count": batch.count},
            )
        else:
            messages.warning(request, gettext("No reminder was sent."))
        return redirect(self.back_url)
