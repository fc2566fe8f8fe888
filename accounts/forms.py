from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm as WagtailUserCreationForm
from wagtail.users.forms import UserEditForm as WagtailUserEditForm

from .models import Agency, User, normalise_name
from .roles import ADMIN_ROLES, GROUP_NAMES
from .services import ensure_primary_email, person_changed

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ProfileForm(forms.ModelForm):
    """What a person may change about themself; the agency is not among it."""

    class Meta:
        model = User
        fields = ["full_name", "position", "preferred_language"]
        labels = {
            "full_name": _("Full name"),
            "position": _("Position"),
            "preferred_language": _("Interface language"),
        }

    def clean_full_name(self):
        value = self.cleaned_data["full_name"].strip()
        if not value:
            raise forms.ValidationError(_("Please enter your full name."))
        return value


class SignupForm(forms.Form):
    """Self-registration asks for the person's full name besides allauth's fields."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_full_name(self):
        value = normalise_name(self.cleaned_data["full_name"])
        if not value:
            raise forms.ValidationError(_("Please enter your full name."))
        return value

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])


# Wagtail admin: users ------------------------------------------------------

PERSON_FIELDS = ("full_name", "position", "agency", "preferred_language")


def active_agencies():
    return Agency.objects.filter(is_active=True).order_by("code")


class AdminUserFormMixin:
    """Wagtail's user forms with our person fields instead of first and last name.

    Only a superuser may make someone a superuser.
    """

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["agency"].queryset = active_agencies()
        if for_user is not None and not for_user.is_superuser:
            self.fields.pop("is_superuser", None)

    def clean_full_name(self):
        value = normalise_name(self.cleaned_data["full_name"])
        if not value:
            raise forms.ValidationError(_("Please enter the full name."))
        return value

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            sync_staff_flag(user)
            ensure_primary_email(user=user)
            person_changed(
                user=user,
                agency_changed="agency" in self.changed_data,
                name_changed=bool({"full_name", "email"} & set(self.changed_data)),
            )
        return user


def sync_staff_flag(user) -> None:
    """is_staff follows the groups: it shows the way to the admin in the site header."""
    role_groups = {GROUP_NAMES[role] for role in ADMIN_ROLES}
    is_staff = user.is_superuser or user.groups.filter(name__in=role_groups).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


class AdminUserCreationForm(AdminUserFormMixin, WagtailUserCreationForm):
    first_name = None
    last_name = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password1" in self.fields and not self.fields["password1"].required:
            self.fields["password1"].help_text = _(
                "Leave both password fields blank to email the person an "
                "invitation with a link to choose their own password."
            )

    def save(self, commit=True):
        if not self.cleaned_data.get("password1"):
            # Not an empty string, which Django would count as usable.
            self.instance.set_unusable_password()
        return super().save(commit=commit)

    class Meta(WagtailUserCreationForm.Meta):
        fields = {"email", "is_superuser", "groups", *PERSON_FIELDS}


class AdminUserEditForm(AdminUserFormMixin, WagtailUserEditForm):
    first_name = None
    last_name = None

    class Meta(WagtailUserEditForm.Meta):
        fields = {"email", "is_active", "is_superuser", "groups", *PERSON_FIELDS}


class NameSettingsForm(forms.ModelForm):
    """The admin's Account page: name and position (addresses change via allauth)."""

    class Meta:
        model = User
        fields = ["full_name", "position"]

    def clean_full_name(self):
        value = normalise_name(self.cleaned_data["full_name"])
        if not value:
            raise forms.ValidationError(_("Please enter your full name."))
        return value

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            person_changed(
                user=user,
                agency_changed=False,
                name_changed="full_name" in self.changed_data,
            )
        return user


# Wagtail admin: agencies ---------------------------------------------------


class AgencyForm(forms.ModelForm):
    """The code is set when an agency is created and never changes, even on rename."""

    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "parent"]

    def __init__(self, *args, **kwargs):
        kwargs.pop("for_user", None)
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = active_agencies()

    def clean_name(self):
        value = normalise_name(self.cleaned_data["name"])
        if not value:
            raise forms.ValidationError(_("Please enter the name."))
        return value

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if (
            parent
            and self.instance.pk
            and parent.pk in Agency.objects.subtree_ids(self.instance)
        ):
            raise forms.ValidationError(
                _("An agency cannot be placed under itself or one of its own units.")
            )
        return parent


class AgencyEditForm(AgencyForm):
    class Meta(AgencyForm.Meta):
        fields = ["name", "kind", "parent"]


class MergeAgencyForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Agency.objects.none(),
        help_text=_(
            "The people and open units of this agency move to the agency chosen "
            "here. This agency closes and points to it; its training history "
            "stays recorded under it and counts for the new agency."
        ),
    )

    def __init__(self, *args, source: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = active_agencies().exclude(
            pk__in=Agency.objects.subtree_ids(source)
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV file (UTF-8, comma or semicolon separated, as Excel saves it) "
            "or an Excel .xlsx workbook; the first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class RosterUploadForm(UploadForm):
    invite = forms.BooleanField(
        label=_("Email an invitation to each new person"),
        required=False,
        initial=True,
        help_text=_(
            "The invitation has a link to choose a password, in the person's language."
        ),
    )
