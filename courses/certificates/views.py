"""Downloading a certificate (its learner, or a manager in scope) and the public
page that verifies one by its code."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from accounts.roles import is_administrator

from ..models import Certificate
from ..permissions import certificates_visible_to
from .pdf import certificate_filename, certificate_pdf, format_score
from .services import normalise_code, revoke_certificate


@login_required
@require_GET
def download_certificate(request, certificate_id):
    certificate = get_object_or_404(
        certificates_visible_to(request.user), pk=certificate_id
    )
    if certificate.is_revoked and certificate.enrolment.learner_id == request.user.pk:
        # Managers may still download it (marked as revoked) for their records.
        raise Http404
    response = HttpResponse(
        certificate_pdf(certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{certificate_filename(certificate)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def verify_certificate_form(request):
    """A box to type the code printed on a certificate."""
    raw = request.GET.get("code", "")
    if raw:
        code = normalise_code(raw)
        if code is not None:
            return redirect("courses:verify_certificate", code=code)
        return render(
            request,
            "courses/certificates/verify_not_found.html",
            {"code": raw.strip()[:40]},
            status=404,
        )
    return render(request, "courses/certificates/verify_form.html")


@never_cache
@require_GET
def verify_certificate(request, code):
    canonical = normalise_code(code)
    if canonical is not None and canonical != code:
        return redirect("courses:verify_certificate", code=canonical)
    certificate = (
        Certificate.objects.filter(code=canonical).first() if canonical else None
    )
    if certificate is None:
        return render(
            request,
            "courses/certificates/verify_not_found.html",
            {"code": code[:40]},
            status=404,
        )
    return render(
        request,
        "courses/certificates/verify.html",
        {
            "certificate": certificate,
            "score": format_score(certificate.score),
            "issuer": settings.CERTIFICATE_ISSUER,
        },
    )


# Wagtail admin: the administrators' list of certificates, and revoking one -----


def _certificate_buttons(certificate, user) -> list[Button]:
    buttons = [
        Button(
            gettext_lazy("Download PDF"),
            url=reverse("courses:download_certificate", args=[certificate.pk]),
            icon_name="download",
            priority=30,
        ),
        Button(
            gettext_lazy("Verification page"),
            url=reverse("courses:verify_certificate", args=[certificate.code]),
            icon_name="link-external",
            priority=40,
        ),
    ]
    if not certificate.is_revoked and is_administrator(user):
        buttons.append(
            Button(
                gettext_lazy("Revoke"),
                url=reverse("courses_certificates:revoke", args=[certificate.pk]),
                icon_name="cross",
                priority=50,
            )
        )
    return buttons


class ScopedCertificates:
    def get_base_queryset(self):
        return certificates_visible_to(self.request.user)


class CertificateIndexView(ScopedCertificates, IndexView):
    def get_list_more_buttons(self, instance):
        return super().get_list_more_buttons(instance) + _certificate_buttons(
            instance, self.request.user
        )


class CertificateInspectView(ScopedCertificates, InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.get_base_queryset(), pk=self.pk)

    @cached_property
    def header_more_buttons(self):
        return super().header_more_buttons + _certificate_buttons(
            self.object, self.request.user
        )

    def get_score_display_value(self):
        return format_score(self.object.score) or "–"


class RevokeCertificateForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy(
            "Kept with the certificate for the record; the public verification "
            "page shows only that it was revoked."
        ),
    )


class RevokeCertificateView(WagtailAdminTemplateMixin, FormView):
    form_class = RevokeCertificateForm
    template_name = "courses/certificates/admin/revoke.html"
    page_title = gettext_lazy("Revoke certificate")
    header_icon = "cross"

    def dispatch(self, request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def certificate(self) -> Certificate:
        return get_object_or_404(
            Certificate.objects.filter(revoked_at__isnull=True), pk=self.kwargs["pk"]
        )

    def get_page_subtitle(self):
        return str(self.certificate)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {
                "url": reverse("courses_certificates:index"),
                "label": gettext("Certificates"),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            certificate=self.certificate,
            score=format_score(self.certificate.score),
            action_url=self.request.path,
            submit_button_label=gettext("Revoke"),
            submit_button_active_label=gettext("Revoking…"),
        )
        return context

    def form_valid(self, form):
        revoke_certificate(
            certificate=self.certificate,
            revoked_by=self.request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            self.request,
            gettext("Certificate %(code)s revoked.") % {"code": self.certificate.code},
        )
        return redirect("courses_certificates:index")


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = gettext_lazy("Certificates")
    menu_order = 252
    add_to_admin_menu = True
    url_prefix = "courses/certificates"
    url_namespace = "courses_certificates"
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "code",
        Column("learner_name", label=gettext_lazy("Learner"), sort_key="learner_name"),
        Column("course_title", label=gettext_lazy("Course"), sort_key="course_title"),
        Column("agency_name", label=gettext_lazy("Agency")),
        DateColumn("completed_at", label=gettext_lazy("Completed")),
        Column(
            "revoked_at",
            label=gettext_lazy("Status"),
            accessor=lambda c: gettext("Revoked") if c.is_revoked else gettext("Valid"),
            sort_key="revoked_at",
        ),
    ]
    list_filter = {"revoked_at": ["isnull"], "issued_at": ["gte", "lte"]}
    search_fields = ["code", "learner_name"]
    search_backend_name = None  # a plain database filter: codes are not words
    ordering = ["-issued_at"]
    inspect_view_fields = [
        "code",
        "learner_name",
        "agency_name",
        "course_title",
        "completed_at",
        "score",
        "issued_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]

    def get_common_view_kwargs(self, **kwargs):
        kwargs = super().get_common_view_kwargs(**kwargs)
        kwargs.update(add_url_name=None, edit_url_name=None, delete_url_name=None)
        return kwargs

    def get_permissions_to_register(self):
        # Our policy asks for the Administrator role, not for model permissions.
        return Permission.objects.none()

    @property
    def revoke_view(self):
        return RevokeCertificateView.as_view()

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("<int:pk>/revoke/", self.revoke_view, name="revoke"),
        ]
