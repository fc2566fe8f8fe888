"""The report's admin URLs, under /admin/reports/completion/ (see wagtail_hooks.py)."""

from django.urls import path, register_converter

from .queries import OTHER
from .views import (
    AgencyLearnersReportView,
    CompletionReportView,
    ExportDownloadView,
    ExportStatusView,
)

app_name = "reports"


class AgencyKeyConverter:
    """An agency's id, or "other" for the enrolments no visible agency holds."""

    regex = rf"[0-9]+|{OTHER}"

    def to_python(self, value):
        return OTHER if value == OTHER else int(value)

    def to_url(self, value):
        return str(value)


register_converter(AgencyKeyConverter, "agency_key")


learners = AgencyLearnersReportView
urlpatterns = [
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
