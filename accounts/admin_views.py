"""Wagtail admin screens for agencies and people beyond the stock create/edit views."""

import base64
import secrets

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views import account as wagtail_account
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import imports, services
from .forms import MergeAgencyForm, NameSettingsForm, RosterUploadForm, UploadForm
from .permissions import agencies_visible_to

# Sign-in ---------------------------------------------------------------------


def admin_login(request):
    """Admin sign-in goes through allauth; signed in without admin access is a 403."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = ""
    if not request.user.is_authenticated:
        return redirect_to_login(
            next_url or reverse("wagtailadmin_home"), login_url=reverse("account_login")
        )
    if request.user.has_perm("wagtailadmin.access_admin"):
        return redirect(next_url or "wagtailadmin_home")
    return TemplateResponse(request, "accounts/admin_forbidden.html", status=403)


class NameSettingsPanel(wagtail_account.NameEmailSettingsPanel):
    form_class = NameSettingsForm
    title = gettext_lazy("Name and position")


class AccountView(wagtail_account.AccountView):
    """Wagtail's Account page with our name fields instead of first and last name."""

    def get_panels(self):
        return [
            NameSettingsPanel(panel.request, panel.user, panel.profile)
            if isinstance(panel, wagtail_account.NameEmailSettingsPanel)
            else panel
            for panel in super().get_panels()
        ]


# Imports ---------------------------------------------------------------------


class ImportMixin:
    """Upload, then preview, then confirm: the file waits in the session in between.

    The confirm step imports the stored file again from scratch; nothing the
    browser posts back is trusted beyond the one-time token.
    """

    kind = ""
    required_permissions: tuple[str, ...] = ()
    upload_url_name = ""
    preview_url_name = ""
    done_url_name = ""
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms(self.required_permissions):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def session_key(self):
        return f"accounts_import_{self.kind}"

    def run_preview(self, content: bytes) -> imports.Preview:
        raise NotImplementedError

    def run_import(self, content: bytes, stored: dict) -> imports.Preview:
        raise NotImplementedError

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class ImportUploadView(ImportMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "accounts/admin/import_upload.html"
    form_class = UploadForm
    columns_help = ""

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            self.run_preview(content)
        except imports.NotATable as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        self.request.session[self.session_key] = {
            "token": secrets.token_urlsafe(16),
            "name": upload.name,
            "content": base64.b64encode(content).decode("ascii"),
            "options": self.get_options(form),
        }
        return redirect(self.preview_url_name)

    def get_options(self, form) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns_help"] = self.columns_help
        return context


class ImportPreviewView(ImportMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "accounts/admin/import_preview.html"
    key_label = ""
    change_labels: dict = {}

    @cached_property
    def stored(self):
        return self.request.session.get(self.session_key)

    def content(self) -> bytes:
        return base64.b64decode(self.stored["content"])

    def get(self, request, *args, **kwargs):
        if not self.stored:
            messages.warning(request, _("Upload a file first."))
            return redirect(self.upload_url_name)
        try:
            preview = self.run_preview(self.content())
        except imports.NotATable as exc:
            messages.error(request, exc.message)
            return redirect(self.upload_url_name)
        return self.render_to_response(self.get_context_data(preview=preview))

    def post(self, request, *args, **kwargs):
        if not self.stored or request.POST.get("token") != self.stored["token"]:
            return HttpResponseBadRequest(
                _("This preview has expired; upload the file again.")
            )
        try:
            result = self.run_import(self.content(), self.stored)
        except imports.NotATable as exc:
            messages.error(request, exc.message)
            return redirect(self.upload_url_name)
        del request.session[self.session_key]
        summary = result.summary()
        messages.success(
            request,
            _(
                "Import finished: %(to_create)d created, %(to_update)d updated, "
                "%(unchanged)d unchanged, %(errors)d rows with errors skipped."
            )
            % summary,
        )
        return redirect(self.done_url_name)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        preview = kwargs["preview"]
        context.update(
            {
                "file_name": self.stored["name"],
                "token": self.stored["token"],
                "summary": preview.summary(),
                "key_label": self.key_label,
                "updates": [
                    (
                        change,
                        [
                            (self.change_labels.get(name, name), old, new)
                            for name, (old, new) in change.changes.items()
                        ],
                    )
                    for change in preview.to_update
                ],
                "upload_url": reverse(self.upload_url_name),
            }
        )
        return context


class LearnerImportMixin(ImportMixin):
    kind = "learners"
    required_permissions = ("accounts.add_user", "accounts.change_user")
    page_title = gettext_lazy("Import learners")
    upload_url_name = "roster_import:upload"
    preview_url_name = "roster_import:preview"
    done_url_name = "wagtailusers_users:index"

    def run_preview(self, content):
        return services.preview_learner_import(content=content)

    def run_import(self, content, stored):
        return services.import_learners(
            content=content, invite=stored["options"].get("invite", True)
        )


class LearnerUploadView(LearnerImportMixin, ImportUploadView):
    form_class = RosterUploadForm
    columns_help = gettext_lazy(
        "Columns: email, full_name, agency_code, position, role (trainee, trainer, "
        "agency_manager or administrator; empty means trainee). People are matched "
        "by email: importing the same file again changes nothing."
    )

    def get_options(self, form):
        return {"invite": form.cleaned_data["invite"]}


class LearnerPreviewView(LearnerImportMixin, ImportPreviewView):
    key_label = gettext_lazy("Email")
    change_labels = {
        "full_name": gettext_lazy("Full name"),
        "position": gettext_lazy("Position"),
        "agency_code": gettext_lazy("Agency"),
        "role": gettext_lazy("Role"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invite"] = self.stored["options"].get("invite", True)
        return context


class AgencyImportMixin(ImportMixin):
    kind = "agencies"
    required_permissions = ("accounts.add_agency", "accounts.change_agency")
    page_title = gettext_lazy("Import agencies")
    upload_url_name = "agency:import"
    preview_url_name = "agency:import_preview"
    done_url_name = "agency:index"

    def run_preview(self, content):
        return services.preview_agency_import(content=content)

    def run_import(self, content, stored):
        return services.import_agencies(content=content)


class AgencyUploadView(AgencyImportMixin, ImportUploadView):
    columns_help = gettext_lazy(
        "Columns: code, name, kind, parent_code. Agencies are matched by code; "
        "a parent may come after its units. Importing the same file again changes "
        "nothing."
    )


class AgencyPreviewView(AgencyImportMixin, ImportPreviewView):
    key_label = gettext_lazy("Code")
    change_labels = {
        "name": gettext_lazy("Name"),
        "kind": gettext_lazy("Kind"),
        "parent_code": gettext_lazy("Parent agency"),
    }


# Agency actions --------------------------------------------------------------


class AgencyActionMixin(WagtailAdminTemplateMixin):
    """An action on one agency; a missing agency and one out of reach are both 404."""

    header_icon = "site"
    index_url_name = "agency:index"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("accounts.change_agency"):
            raise PermissionDenied
        self.agency = get_object_or_404(
            agencies_visible_to(request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.agency)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Agencies")},
            {"url": "", "label": self.get_page_title(), "sublabel": str(self.agency)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["agency"] = self.agency
        return context


class MergeAgencyView(AgencyActionMixin, FormView):
    template_name = "accounts/admin/agency_merge.html"
    form_class = MergeAgencyForm
    page_title = gettext_lazy("Merge into…")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "source": self.agency}

    def form_valid(self, form):
        target = form.cleaned_data["target"]
        try:
            services.merge_agency(
                source=self.agency, target=target, merged_by=self.request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("target", message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(source)s was merged into %(target)s.")
            % {"source": self.agency.name, "target": target.name},
        )
        return redirect(self.index_url_name)


class DeactivateAgencyView(AgencyActionMixin, TemplateView):
    template_name = "accounts/admin/agency_deactivate.html"
    page_title = gettext_lazy("Close agency")

    def post(self, request, *args, **kwargs):
        try:
            services.deactivate_agency(agency=self.agency)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.index_url_name)
        messages.success(
            request, _("%(agency)s is now closed.") % {"agency": self.agency.name}
        )
        return redirect(self.index_url_name)
