"""Completion by agency in the Wagtail admin: the agency report, its drill-down to
learners, and the page that hands over a large export made in the background.

Who may open these screens: the "courses.view_enrolment" model permission, through
a Wagtail ModelPermissionPolicy. (The policy registered for Enrolment in
wagtail_hooks.py lets administrators alone list enrolments; agency managers need
this report too.) Which rows they get: accounts.permissions, through
courses.exports.CompletionReport.
"""

from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import F
from django.forms.utils import flatatt
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import path, register_converter, reverse
from django.utils.formats import date_format, number_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import PermissionCheckedMixin
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.models import Agency

from .charts import completion_bar_chart, percent_label
from .exports import (
    AGENCY_HEADINGS,
    LEARNER_HEADINGS,
    LEARNER_VALUES,
    OTHER,
    STATUS_CHOICES,
    AgencyNotVisible,
    AgencySpreadsheet,
    AgencyTree,
    CompletionFilters,
    CompletionReport,
    LearnerSpreadsheet,
    SafeSpreadsheetMixin,
    export_job,
    inline_export_max_rows,
    start_learner_export,
    with_learner_fields,
    with_progress,
)
from .models import CoursePage, Enrolment

# Filters carried from the agency report into its drill-down and back.
CARRIED_FILTERS = ("course", "enrolled_from", "enrolled_to", "status")


class FastSelect(forms.Select):
    """A select drawn in Python: Django's template per option takes a third of a
    second for the thousand agencies of a province."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class CompletionFilterSet(WagtailFilterSet):
    """The report's filters; the agency choices are those the person may see."""

    course = django_filters.ChoiceFilter(
        label=_("Course"), empty_label=_("All assigned courses"), method="keep"
    )
    agency = django_filters.ChoiceFilter(
        label=_("Agency (with the units below it)"),
        empty_label=_("All my agencies"),
        widget=FastSelect,
        method="keep",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Agency kind"),
        choices=Agency.Kind.choices,
        empty_label=_("All kinds"),
        method="keep",
    )
    enrolled = django_filters.DateFromToRangeFilter(
        label=_("Enrolled between"), widget=DateRangePickerWidget, method="keep"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        empty_label=_("All"),
        widget=forms.RadioSelect,
        method="keep",
    )

    class Meta:
        model = Enrolment
        fields = []

    def __init__(self, *args, tree: AgencyTree, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["course"].extra["choices"] = [
            (str(pk), title) for pk, title in courses
        ]
        if "agency" in self.filters:
            self.filters["agency"].extra["choices"] = [
                (str(pk), "\u2003" * depth + tree.nodes[pk].name)
                for root in tree.roots
                for pk, depth in tree.walk(root)
            ]

    def keep(self, queryset, name, value):
        # The report reads the cleaned values (values()); nothing filters here.
        return queryset

    def values(self) -> CompletionFilters:
        """The valid filters as plain values (an invalid one is left out)."""
        self.is_valid()
        data = self.form.cleaned_data
        enrolled = data.get("enrolled")
        return CompletionFilters(
            course_id=int(data["course"]) if data.get("course") else None,
            agency_id=int(data["agency"]) if data.get("agency") else None,
            kind=data.get("kind") or "",
            enrolled_from=localtime(enrolled.start).date()
            if enrolled and enrolled.start
            else None,
            enrolled_to=localtime(enrolled.stop).date()
            if enrolled and enrolled.stop
            else None,
            status=data.get("status") or "",
        )


class LearnerFilterSet(CompletionFilterSet):
    """The drill-down's filters: the agency comes from the URL."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.filters["agency"]
        del self.filters["kind"]


# Columns -------------------------------------------------------------------------


class AgencyColumn(Column):
    cell_template_name = "courses/reports/agency_cell.html"


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
    cell_template_name = "courses/reports/status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["label"] = dict(Enrolment.Status.choices).get(instance["status"])
        context["overdue"] = instance["overdue"]
        return context


class LearnerColumn(Column):
    """The learner's name, with a box to tick for a reminder unless completed."""

    cell_template_name = "courses/reports/learner_cell.html"


class CertificateColumn(Column):
    """A link to the certificate's PDF (marked when revoked), or a dash."""

    cell_template_name = "courses/reports/certificate_cell.html"

    def get_value(self, instance):
        return "–"


# The certificate of each row, read in the same query as the rest of the row.
CERTIFICATE_FIELDS = {
    "certificate_id": F("certificate__pk"),
    "certificate_code": F("certificate__code"),
    "certificate_revoked_at": F("certificate__revoked_at"),
}


def learner_rows_with_certificates(pks: list[int]) -> list[dict]:
    """CompletionReport.learner_rows_of() with each row's certificate joined in."""
    rows = with_progress(
        with_learner_fields(Enrolment.objects.filter(pk__in=pks))
    ).annotate(**CERTIFICATE_FIELDS)
    by_pk = {
        row["pk"]: row for row in rows.values(*LEARNER_VALUES, *CERTIFICATE_FIELDS)
    }
    return [by_pk[pk] for pk in pks if pk in by_pk]


# Views ---------------------------------------------------------------------------

# Opens the report: administrators and agency managers hold courses.view_enrolment.
report_permission_policy = ModelPermissionPolicy(Enrolment)


class CompletionReportMixin(SafeSpreadsheetMixin):
    model = Enrolment
    permission_policy = report_permission_policy
    permission_required = "view"
    template_name = "courses/reports/completion_report.html"
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
    index_url_name = "courses_reports:completion"
    index_results_url_name = "courses_reports:completion_results"
    results_template_name = "courses/reports/completion_results.html"
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
        return reverse("courses_reports:learners", args=[key]) + self.carried_query()

    def subtree_url(self, agency_id) -> str:
        url = reverse(self.index_url_name)
        return url + self.carried_query(agency=agency_id)

    def reminder_url(self, row) -> str:
        """Preview a reminder to everyone not completed under this row."""
        key = OTHER if row.is_other else row.agency_id
        # Back to the full page, also when the filters drew only the results.
        back = reverse(self.index_url_name) + self.carried_query(agency=self.root)
        return reverse("courses_reminders") + self.carried_query(agency=key, next=back)

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
    results_template_name = "courses/reports/learner_results.html"
    list_export = LearnerSpreadsheet.list_export
    export_headings = LEARNER_HEADINGS
    export_filename = "completion-learners"
    default_ordering = "learner_name"
    index_url_name = "courses_reports:learners"
    index_results_url_name = "courses_reports:learners_results"
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
                "url": reverse("courses_reports:completion") + self.carried_query(),
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
        # (with their progress) in paginate_queryset.
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
        page.object_list = rows = learner_rows_with_certificates(list(ids))
        return paginator, page, rows, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        back = self.get_index_url() + self.carried_query()
        context["reminder_url"] = reverse("courses_reminders")
        context["reminder_next"] = back
        context["remind_all_url"] = reverse("courses_reminders") + self.carried_query(
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
        return redirect("courses_reports:export", job_id)


class ExportJobMixin(PermissionCheckedMixin):
    """A background export is its owner's alone: anyone else gets a 404."""

    model = Enrolment
    permission_policy = report_permission_policy
    permission_required = "view"

    @cached_property
    def job(self) -> dict:
        job = export_job(str(self.kwargs["job_id"]))
        if job is None or job.get("owner") != self.request.user.pk:
            raise Http404
        return job


class ExportStatusView(ExportJobMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "courses/reports/export_status.html"
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
                "url": reverse("courses_reports:completion"),
                "label": gettext("Completion by agency"),
            },
            {"url": "", "label": gettext("Export")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        context["download_url"] = reverse(
            "courses_reports:export_download", args=[self.kwargs["job_id"]]
        )
        context["report_url"] = reverse("courses_reports:completion")
        return context


class ExportDownloadView(ExportJobMixin, View):
    def get(self, request, *args, **kwargs):
        job = self.job
        if job["status"] != "done" or not job.get("path"):
            raise Http404
        try:
            handle = open(job["path"], "rb")  # FileResponse closes it
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=job["filename"])


class AgencyKeyConverter:
    """An agency's id, or "other" for the enrolments no visible agency holds."""

    regex = rf"[0-9]+|{OTHER}"

    def to_python(self, value):
        return OTHER if value == OTHER else int(value)

    def to_url(self, value):
        return str(value)


register_converter(AgencyKeyConverter, "agency_key")


def urlpatterns():
    learners = AgencyLearnersReportView
    return [
        path("", CompletionReportView.as_view(), name="completion"),
        path(
            "results/",
            CompletionReportView.as_view(results_only=True),
            name="completion_results",
        ),
        path("agencies/<agency_key:agency_id>/", learners.as_view(), name="learners"),
        path(
            "agencies/<agency_key:agency_id>/results/",
            learners.as_view(results_only=True),
            name="learners_results",
        ),
        path("exports/<uuid:job_id>/", ExportStatusView.as_view(), name="export"),
        path(
            "exports/<uuid:job_id>/download/",
            ExportDownloadView.as_view(),
            name="export_download",
        ),
    ]
