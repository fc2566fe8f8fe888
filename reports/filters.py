"""The report's filters: course, enrolment dates, status, learner search."""

import django_filters
from django import forms
from django.template.loader import render_to_string
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from accounts.models import Agency
from courses.models import Enrolment

from .queries import STATUS_CHOICES, AgencyTree, CompletionFilters

# Filters carried from the agency report into its drill-down and back.
CARRIED_FILTERS = ("course", "enrolled_from", "enrolled_to", "status")


class FastSelect(forms.Select):
    """A select whose options are one loop in one template: Django's template per
    option takes a third of a second for the thousand agencies of a province."""

    template_name = "reports/widgets/fast_select.html"

    def get_context(self, name, value, attrs):
        chosen = {str(v) for v in self.format_value(value)}
        return {
            "widget": {
                "name": name,
                "attrs": self.build_attrs(self.attrs, attrs),
                "options": [
                    (key, label, str(key) in chosen) for key, label in self.choices
                ],
            }
        }

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates/ (the form renderer reads only app folders).
        return render_to_string(
            self.template_name, self.get_context(name, value, attrs)
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
