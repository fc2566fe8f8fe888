"""Wagtail admin viewsets for people and agencies."""

from collections import defaultdict

from django.db import models
from django.db.models import Case, Count, Value, When
from django.db.models.deletion import ProtectedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.users.views import users as wagtail_users

from . import admin_views
from .forms import AdminUserCreationForm, AdminUserEditForm, AgencyEditForm, AgencyForm
from .models import Agency
from .permissions import agencies_visible_to, learners_visible_to
from .roles import LABELS, role_of
from .services import invite_user

# People ----------------------------------------------------------------------


class UserIndexView(wagtail_users.IndexView):
    """Wagtail's user listing by full name, with agency and role columns."""

    @cached_property
    def search_fields(self):
        return ["email", "full_name", "agency__code", "agency__name"]

    @cached_property
    def columns(self):
        # Wagtail's "Access level" column is replaced by the role, which also
        # names superusers (as administrators).
        columns = [c for c in super().columns if c.name != "is_superuser"]
        widths = {"email": "18%", "is_active": "8%", "last_login": "12%"}
        for column in columns:
            if column.name == "name":
                column.sort_key = "name"
            elif column.name == "email":
                column.label = gettext_lazy("Email")
            column.width = widths.get(column.name, column.width)
        position = next(i for i, c in enumerate(columns) if c.name == "email") + 1
        columns[position:position] = [
            Column(
                "agency",
                label=gettext_lazy("Agency"),
                accessor=lambda u: u.agency.name if u.agency else "",
                sort_key="agency__code",
                width="18%",
            ),
            Column(
                "role",
                label=gettext_lazy("Role"),
                accessor=lambda u: LABELS[role_of(u)],
                width="10%",
            ),
        ]
        return columns

    def get_base_queryset(self):
        return (
            learners_visible_to(self.request.user)
            .select_related("agency", "wagtail_userprofile")
            .prefetch_related("groups")
        )

    def order_queryset(self, queryset):
        if self.ordering == "name":
            return queryset.order_by("full_name", "email")
        if self.ordering == "-name":
            return queryset.order_by("-full_name", "-email")
        return super().order_queryset(queryset)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.request.user.has_perms(
            admin_views.LearnerImportMixin.required_permissions
        ):
            buttons.append(
                Button(
                    _("Import learners"),
                    url=reverse("roster_import:upload"),
                    icon_name="upload",
                )
            )
        return buttons


class UserFormKwargsMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class UserCreateView(UserFormKwargsMixin, wagtail_users.CreateView):
    def save_instance(self):
        """Someone created without a password is invited to choose one."""
        user = super().save_instance()
        if not user.has_usable_password():
            invite_user(user=user)
        return user


class UserScopedMixin:
    """Edit and delete find the person among those the user may see: otherwise 404."""

    def get_queryset(self):
        return learners_visible_to(self.request.user)


class UserEditView(UserScopedMixin, UserFormKwargsMixin, wagtail_users.EditView):
    pass


class UserDeleteView(UserScopedMixin, wagtail_users.DeleteView):
    pass


class UserViewSet(wagtail_users.UserViewSet):
    """Set as ``user_viewset`` of the wagtail.users app config in accounts/apps.py."""

    index_view_class = UserIndexView
    add_view_class = UserCreateView
    edit_view_class = UserEditView
    delete_view_class = UserDeleteView
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return AdminUserEditForm if for_update else AdminUserCreationForm


# Agencies --------------------------------------------------------------------


def agency_tree() -> dict[int, tuple[int, int]]:
    """Every agency's (position, depth) in a depth-first walk, siblings by code."""
    children = defaultdict(list)
    for pk, parent_id, code in Agency.objects.values_list("pk", "parent_id", "code"):
        children[parent_id].append((code, pk))
    tree: dict[int, tuple[int, int]] = {}
    stack = [(pk, 0) for _code, pk in sorted(children[None], reverse=True)]
    while stack:
        pk, depth = stack.pop()
        if pk in tree:
            continue
        tree[pk] = (len(tree), depth)
        stack.extend((c, depth + 1) for _code, c in sorted(children[pk], reverse=True))
    # Anything unreachable from a root (a cycle in bad data) goes last.
    for siblings in children.values():
        for _code, pk in sorted(siblings):
            tree.setdefault(pk, (len(tree), 0))
    return tree


class AgencyTitleColumn(TitleColumn):
    cell_template_name = "accounts/admin/agency_title_cell.html"

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.tree = tree

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["depth"] = self.tree.get(instance.pk, (0, 0))[1]
        context["agency"] = instance
        return context


class AgencyIndexView(generic.IndexView):
    """Agencies as a tree, units indented under their parent, unless sorted."""

    list_filter = ["kind", "is_active"]

    @cached_property
    def tree(self):
        return agency_tree()

    @cached_property
    def columns(self):
        title_column = self._get_title_column_class(AgencyTitleColumn)
        return [
            title_column(
                "name",
                label=gettext_lazy("Name"),
                sort_key="name",
                get_url=self.get_edit_url,
                tree=self.tree,
            ),
            Column("code", label=gettext_lazy("Code"), sort_key="code"),
            Column(
                "kind",
                label=gettext_lazy("Kind"),
                accessor="get_kind_display",
                sort_key="kind",
            ),
            Column(
                "parent",
                label=gettext_lazy("Parent agency"),
                accessor=lambda a: a.parent.name if a.parent else "",
            ),
            BooleanColumn(
                "is_active", label=gettext_lazy("Open"), sort_key="is_active"
            ),
            Column(
                "member_count",
                label=gettext_lazy("People"),
                sort_key="member_count",
            ),
        ]

    def get_base_queryset(self):
        return (
            agencies_visible_to(self.request.user)
            .select_related("parent", "replaced_by")
            .annotate(member_count=Count("members"))
        )

    def order_queryset(self, queryset):
        if self.ordering:
            return super().order_queryset(queryset)
        position = Case(
            *[When(pk=pk, then=Value(pos)) for pk, (pos, _depth) in self.tree.items()],
            default=Value(len(self.tree)),
            output_field=models.IntegerField(),
        )
        return queryset.annotate(tree_position=position).order_by(
            "tree_position", "code"
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.is_active and self.user_has_permission("change"):
            buttons += [
                MenuItem(
                    _("Merge into…"),
                    url=reverse("agency:merge", args=[instance.pk]),
                    icon_name="resubmit",
                    priority=40,
                ),
                MenuItem(
                    _("Close"),
                    url=reverse("agency:deactivate", args=[instance.pk]),
                    icon_name="cross",
                    priority=50,
                ),
            ]
        return buttons

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perms(
            admin_views.AgencyImportMixin.required_permissions
        ):
            buttons.append(
                HeaderButton(
                    _("Import agencies"),
                    url=reverse("agency:import"),
                    icon_name="upload",
                )
            )
        return buttons


class AgencyScopedMixin:
    """Edit and delete find the agency among those the user may see: otherwise 404."""

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return get_object_or_404(
            agencies_visible_to(self.request.user), pk=self.kwargs[self.pk_url_kwarg]
        )


class AgencyEditView(AgencyScopedMixin, generic.EditView):
    pass


class AgencyDeleteView(AgencyScopedMixin, generic.DeleteView):
    """Only an agency nothing refers to can be deleted; others are closed or merged."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "%(agency)s still has people, units or history attached; close it "
                    "or merge it into another agency instead."
                )
                % {"agency": self.object.name},
            )
            return redirect(self.index_url_name)


class AgencyViewSet(ModelViewSet):
    model = Agency
    name = "agency"
    url_prefix = "agencies"
    icon = "site"
    menu_label = gettext_lazy("Agencies")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = AgencyIndexView
    edit_view_class = AgencyEditView
    delete_view_class = AgencyDeleteView
    search_fields = ["code", "name"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return AgencyEditForm if for_update else AgencyForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "merge/<int:pk>/", admin_views.MergeAgencyView.as_view(), name="merge"
            ),
            path(
                "close/<int:pk>/",
                admin_views.DeactivateAgencyView.as_view(),
                name="deactivate",
            ),
            path("import/", admin_views.AgencyUploadView.as_view(), name="import"),
            path(
                "import/preview/",
                admin_views.AgencyPreviewView.as_view(),
                name="import_preview",
            ),
        ]


class RosterImportViewSet(ViewSet):
    name = "roster_import"
    url_prefix = "learners/import"
    icon = "upload"
    menu_label = gettext_lazy("Import learners")

    def get_urlpatterns(self):
        return [
            path("", admin_views.LearnerUploadView.as_view(), name="upload"),
            path("preview/", admin_views.LearnerPreviewView.as_view(), name="preview"),
        ]

    @cached_property
    def menu_item_class(self):
        item_class = super().menu_item_class
        permissions = admin_views.LearnerImportMixin.required_permissions

        def is_shown(_item, request):
            return request.user.has_perms(permissions)

        return type(item_class.__name__, (item_class,), {"is_shown": is_shown})


class AccountsViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Agencies and people")
    menu_icon = "group"
    menu_order = 250
    items = (AgencyViewSet, RosterImportViewSet)
