"""Completion by agency in the Wagtail admin: the agency report, its drill-down to
learners, and the page that hands over a large export made in the background.

Who may open these screens: the "view" action of Enrolment's one permission
policy (courses.permissions), i.e. the "courses.view_enrolment" model permission
that administrators and agency managers hold. Which rows they get:
courses.permissions.enrolments_visible_to, through
reports.queries.CompletionReport.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import PermissionCheckedMixin
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from courses.models import CoursePage, Enrolment, ReminderLog
from courses.permissions import enrolment_permission_policy, enrolments_visible_to
from courses.reminders.emails import reminder_content
from courses.reminders.services import plan_reminders, queue_reminders

from .charts import completion_bar_chart, percent_label
from .filters import CARRIED_FILTERS, CompletionFilterSet, LearnerFilterSet
from .jobs import (
    export_job,
    inline_export_max_rows,
    private_storage,
    start_learner_export,
)
from .queries import (
    OTHER,
    AgencyNotVisible,
    AgencyTree,
    CompletionFilters,
    CompletionReport,
)
from .spreadsheets import (
    AGENCY_HEADINGS,
    LEARNER_HEADINGS,
    AgencySpreadsheet,
    LearnerSpreadsheet,
    SafeSpreadsheetMixin,
)

# Columns -------------------------------------------------------------------------


class AgencyColumn(Column):
    cell_template_name = "reports/agency_cell.html"


class NumberColumn(Column):
    def __init__(self, name, *, places=0, suffix="", **kwargs):
        kwargs.setdefault("classname", "completion-report__number")
        super().__init__(name, **kwargs)
        self.places = places
        self.suffix = suffix

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = context["raw_value"]
        if value is None:
            context["value"] = "–"
        else:
            number = number_format(value, self.places, force_grouping=True)
            context["value"] = f"{number}{self.suffix}"
        return context


class LocalDateColumn(Column):
    def __init__(self, name, **kwargs):
        kwargs.setdefault("classname", "completion-report__date")
        super().__init__(name, **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        value = context["raw_value"]
        context["value"] = (
            date_format(localtime(value), "SHORT_DATE_FORMAT") if value else "–"
        )
        return context


class StatusColumn(Column):
    cell_template_name = "reports/status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["label"] = dict(Enrolment.Status.choices).get(instance["status"])
        context["overdue"] = instance["overdue"]
        return context


class LearnerColumn(Column):
    """The learner's name, with a box to tick for a reminder unless completed."""

    cell_template_name = "reports/learner_cell.html"


class CertificateColumn(Column):
    """A link to the certificate's PDF (marked when revoked), or a dash."""

    cell_template_name = "reports/certificate_cell.html"

    def get_value(self, instance):
        return "–"


# Views ---------------------------------------------------------------------------


class CompletionReportMixin(SafeSpreadsheetMixin):
    model = Enrolment
    permission_policy = enrolment_permission_policy
    permission_required = "view"
    template_name = "reports/completion_report.html"
    filterset_class = CompletionFilterSet
    breadcrumbs_items = ReportView.breadcrumbs_items + [
        {"url": "", "label": _("Reports")}
    ]

    @cached_property
    def tree(self) -> AgencyTree:
        return CompletionReport(
            user=self.request.user, filters=CompletionFilters()
        ).tree

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        kwargs["tree"] = self.tree
        kwargs["courses"] = CoursePage.objects.order_by("title").values_list(
            "pk", "title"
        )
        return kwargs

    @cached_property
    def completion_filters(self) -> CompletionFilters:
        if not self.filters:
            return CompletionFilters()
        values = self.filters.values()
        if "agency" in self.filters.form.errors:
            # Another agency's id, or one that does not exist: the same answer.
            raise Http404
        return values

    @cached_property
    def report(self) -> CompletionReport:
        return CompletionReport(
            user=self.request.user, filters=self.completion_filters, tree=self.tree
        )

    @cached_property
    def root(self) -> int | None:
        """The agency filter's agency; 404 for one the person may not see."""
        try:
            return self.report.root
        except AgencyNotVisible:
            raise Http404 from None

    def carried_query(self, **extra) -> str:
        params = {k: v for k, v in self.request.GET.items() if k in CARRIED_FILTERS}
        params.update({k: v for k, v in extra.items() if v is not None})
        return "?" + urlencode(params) if params else ""

    def get_filename(self):
        course = self.completion_filters.course_id
        slug = (
            CoursePage.objects.filter(pk=course).values_list("slug", flat=True).first()
            if course
            else None
        )
        return "-".join(
            part
            for part in (self.export_filename, slug or "all-courses", self.scope_code)
            if part
        )

    scope_code = ""

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response


class CompletionReportView(CompletionReportMixin, ReportView):
    """Completion by agency: one row per agency with its whole subtree's figures."""

    page_title = _("Completion by agency")
    header_icon = "table"
    index_url_name = "reports:completion"
    index_results_url_name = "reports:completion_results"
    results_template_name = "reports/completion_results.html"
    list_export = AgencySpreadsheet.list_export
    export_headings = AGENCY_HEADINGS
    export_filename = "completion-by-agency"
    paginate_by = 100
    table_classname = "listing completion-report__agencies"
    columns = [
        AgencyColumn("name", label=_("Agency")),
        NumberColumn("assigned", label=_("Assigned")),
        NumberColumn("not_started", label=_("Not started")),
        NumberColumn(
            "in_progress", label=pgettext_lazy("learning status", "In progress")
        ),
        NumberColumn("completed", label=_("Completed")),
        NumberColumn("overdue", label=_("Overdue")),
        NumberColumn(
            "completion_percent", label=_("Completion"), places=1, suffix=" %"
        ),
        NumberColumn("average_score", label=_("Average score"), places=1),
        NumberColumn("median_days", label=_("Median days to complete"), places=1),
    ]

    @property
    def scope_code(self):
        return self.tree.nodes[self.root].code if self.root else ""

    def get_filtered_queryset(self):
        self.root  # noqa: B018 (a 404 for an agency out of scope comes first)
        return self.report.rows(full=self.is_export)

    def learners_url(self, row) -> str:
        key = OTHER if row.is_other else row.agency_id
        return reverse("reports:learners", args=[key]) + self.carried_query()

    def subtree_url(self, agency_id) -> str:
        url = reverse(self.index_url_name)
        return url + self.carried_query(agency=agency_id)

    def reminder_url(self, row) -> str:
        """Preview a reminder to everyone not completed under this row."""
        key = OTHER if row.is_other else row.agency_id
        # Back to the full page, also when the filters drew only the results.
        back = reverse(self.index_url_name) + self.carried_query(agency=self.root)
        return reverse("reports_reminders") + self.carried_query(agency=key, next=back)

    def decorate_paginated_queryset(self, rows):
        for row in rows:
            row.learners_url = self.learners_url(row)
            if row.has_children and row.depth > 0:
                row.subtree_url = self.subtree_url(row.agency_id)
            if row.not_started or row.in_progress:
                row.reminder_url = self.reminder_url(row)
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        root = self.root
        if root is not None:
            parent = self.tree.nodes[root].parent
            context["root"] = self.tree.nodes[root]
            context["up_url"] = (
                self.subtree_url(parent) if parent else self.subtree_url(None)
            )
        context["totals"] = totals = self.report.totals(rows)
        context["totals_percent"] = percent_label(totals.completion_percent)
        context["chart"] = completion_bar_chart(
            [(row.name, row.completion_percent, row.depth) for row in rows],
            title=gettext("Completion by agency"),
            description=gettext(
                "Percentage of assigned enrolments completed, per agency; "
                "the table above gives the same figures."
            ),
        )
        return context


class AgencyLearnersReportView(CompletionReportMixin, ReportView):
    """The learners whose enrolments count under one agency row (or the other row)."""

    header_icon = "group"
    filterset_class = LearnerFilterSet
    results_template_name = "reports/learner_results.html"
    list_export = LearnerSpreadsheet.list_export
    export_headings = LEARNER_HEADINGS
    export_filename = "completion-learners"
    default_ordering = "learner_name"
    index_url_name = "reports:learners"
    index_results_url_name = "reports:learners_results"
    table_classname = "listing completion-report__learners"

    @cached_property
    def agency_key(self):
        return self.kwargs.get("agency_id", OTHER)

    @cached_property
    def agency(self):
        try:
            return self.report.agency(self.agency_key)
        except AgencyNotVisible:
            raise Http404 from None

    @property
    def scope_code(self):
        return self.agency.code if self.agency else OTHER

    def get_page_title(self):
        return gettext("Learners")

    def get_page_subtitle(self):
        return self.agency.name if self.agency else gettext("Elsewhere or no agency")

    def get_index_url(self):
        return reverse(self.index_url_name, args=[self.agency_key])

    def get_index_results_url(self):
        return reverse(self.index_results_url_name, args=[self.agency_key])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("reports:completion") + self.carried_query(),
                "label": gettext("Completion by agency"),
            },
            {
                "url": "",
                "label": self.get_page_title(),
                "sublabel": self.get_page_subtitle(),
            },
        ]

    @cached_property
    def columns(self):
        columns = [
            LearnerColumn("learner_name", label=_("Name"), sort_key="learner_name"),
            Column("position", label=_("Position")),
            Column(
                "agency_name", label=_("Agency at enrolment"), sort_key="agency_name"
            ),
        ]
        if not self.completion_filters.course_id:
            columns.append(
                Column("course_title", label=_("Course"), sort_key="course_title")
            )
        columns += [
            StatusColumn("status", label=_("Status"), sort_key="status"),
            NumberColumn(
                "progress", label=_("Progress"), suffix=" %", sort_key="progress"
            ),
            LocalDateColumn(
                "last_activity_at",
                label=_("Last activity"),
                sort_key="last_activity_at",
            ),
            NumberColumn("score", label=_("Score"), places=1, sort_key="score"),
            LocalDateColumn("due_at", label=_("Due"), sort_key="due_at"),
            CertificateColumn("certificate", label=_("Certificate")),
        ]
        return columns

    def get_filtered_queryset(self):
        self.agency  # noqa: B018 (404 for an agency out of scope)
        if self.is_export:
            rows = self.report.learner_rows(self.agency_key)
            return rows.order_by(self.ordering, "pk") if self.ordering else rows
        # A page sorts and counts bare ids; only its 50 rows are read in full
        # (with their progress and certificate) in paginate_queryset.
        return self.report.learner_order(
            self.agency_key, self.ordering or self.default_ordering
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # Counting the enrolments needs none of the sorting joins.
        paginator.count = self.report.learner_enrolments(self.agency_key).count()
        return paginator

    def paginate_queryset(self, queryset, page_size):
        paginator, page, ids, is_paginated = super().paginate_queryset(
            queryset, page_size
        )
        page.object_list = rows = self.report.learner_rows_of(list(ids))
        return paginator, page, rows, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        back = self.get_index_url() + self.carried_query()
        context["reminder_url"] = reverse("reports_reminders")
        context["reminder_next"] = back
        context["remind_all_url"] = reverse("reports_reminders") + self.carried_query(
            agency=self.agency_key, next=back
        )
        return context

    def as_spreadsheet(self, queryset, spreadsheet_format):
        total = queryset.count()
        if total <= inline_export_max_rows():
            return super().as_spreadsheet(queryset, spreadsheet_format)
        job_id = start_learner_export(
            user=self.request.user,
            filters=self.completion_filters,
            agency=self.agency_key,
            export_format=spreadsheet_format,
            total=total,
            filename=self.get_filename(),
        )
        return redirect("reports:export", job_id)


class ExportJobMixin(PermissionCheckedMixin):
    """A background export is its owner's alone: anyone else gets a 404."""

    model = Enrolment
    permission_policy = enrolment_permission_policy
    permission_required = "view"

    @cached_property
    def job(self) -> dict:
        job = export_job(str(self.kwargs["job_id"]))
        if job is None or job.get("owner") != self.request.user.pk:
            raise Http404
        return job


class ExportStatusView(ExportJobMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/export_status.html"
    page_title = _("Export")
    header_icon = "download"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.job["status"] in ("queued", "running"):
            response["Refresh"] = "3"  # the browser reloads the page: no script needed
        return response

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("reports:completion"),
                "label": gettext("Completion by agency"),
            },
            {"url": "", "label": gettext("Export")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        context["download_url"] = reverse(
            "reports:export_download", args=[self.kwargs["job_id"]]
        )
        context["report_url"] = reverse("reports:completion")
        return context


class ExportDownloadView(ExportJobMixin, View):
    """The only way to a background export's file: it sits in the private storage,
    which no URL serves."""

    def get(self, request, *args, **kwargs):
        job = self.job
        if job["status"] != "done" or not job.get("name"):
            raise Http404
        try:
            handle = private_storage().open(job["name"], "rb")  # FileResponse closes it
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=job["filename"])
        add_never_cache_headers(response)  # names and e-mail addresses
        return response


# Reminders from the report --------------------------------------------------
# Preview, then send. The selection travels in the query string, for the preview
# (GET) and the send (POST) alike: learners ticked in the drill-down
# (``?enrolment=1&enrolment=2``), or everyone not completed under one report row
# (``?agency=12`` or ``?agency=other``, with the report's filters). Rows come from
# the visibility rules: an id outside the sender's scope is a 404, nothing is sent.

# Names listed on the preview; the count covers everyone.
LISTED_NAMES = 30


def _ids(values) -> set[int]:
    try:
        return {int(value) for value in values}
    except ValueError:
        raise Http404 from None


class ReminderView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "reports/reminder_preview.html"
    page_title = gettext_lazy("Send a reminder")
    header_icon = "mail"
    kind = ReminderLog.Kind.MANUAL

    def dispatch(self, request, *args, **kwargs):
        if not enrolment_permission_policy.user_has_permission(request.user, "view"):
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
        return reverse("reports:completion")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": "", "label": gettext("Reports")},
            {
                "url": reverse("reports:completion"),
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
