import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


def normalise_name(value: str) -> str:
    """Names are stored in Unicode NFC with single spaces."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


class AgencyLinks:
    """Where each agency sits: under its parent, or once merged, under its successor.

    A merged agency hands its people, units and history to the agency it was
    merged into, so it hangs below that successor alone, not its old parent.
    Built from (pk, parent_id, replaced_by_id) rows already fetched; a loop
    (which the admin forbids) ends a walk instead of hanging it.
    """

    def __init__(self, rows: Iterable[tuple[int, int | None, int | None]]):
        self.above: dict[int, int | None] = {}
        self.merged_into: dict[int, int] = {}
        self.below: dict[int, list[int]] = defaultdict(list)
        for pk, parent_id, replaced_by_id in rows:
            above = parent_id if replaced_by_id is None else replaced_by_id
            self.above[pk] = above
            if replaced_by_id is not None:
                self.merged_into[pk] = replaced_by_id
            if above is not None:
                self.below[above].append(pk)

    def subtree(self, pk: int) -> set[int]:
        """The agency, the units below it and the agencies merged into any of those."""
        seen, stack = {pk}, [pk]
        while stack:
            for child in self.below.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    def ancestors(self, pk: int) -> set[int]:
        """The agency and every agency whose subtree holds it."""
        seen = {pk}
        while (pk := self.above.get(pk)) is not None and pk not in seen:
            seen.add(pk)
        return seen

    def successor(self, pk: int) -> int | None:
        """The agency now holding this one's history: itself unless merged; None
        when the chain leaves these rows or loops."""
        seen = set()
        while pk in self.merged_into:
            if pk in seen:
                return None
            seen.add(pk)
            pk = self.merged_into[pk]
        return pk if pk in self.above else None


def _pk(agency) -> int:
    return agency if isinstance(agency, int) else agency.pk


class AgencyQuerySet(models.QuerySet):
    def links(self) -> AgencyLinks:
        """How these agencies hang together, in one query."""
        return AgencyLinks(
            self.order_by().values_list("pk", "parent_id", "replaced_by_id")
        )

    def subtree_ids(self, agency) -> set[int]:
        """An agency (or its pk), the units below it and whatever was merged into
        any of those: whose people and history count under it."""
        return self.links().subtree(_pk(agency))

    def ancestor_ids(self, agency) -> set[int]:
        """An agency (or its pk) and every agency whose subtree holds it."""
        return self.links().ancestors(_pk(agency))


class Agency(models.Model):
    """A unit of the province (cơ quan / đơn vị). Codes are stable identifiers.

    A merged or renamed agency stays in the table, inactive, pointing at its
    successor through ``replaced_by`` so training history keeps its place.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        DEPARTMENT = "department", _("Department or board")
        DISTRICT = "district", _("District, town or city")
        COMMUNE = "commune", _("Commune or ward")
        OFFICE = "office", _("Office")
        BROADCAST = "broadcast", _("Radio and television station")
        PRESS = "press", _("Press body")
        UNION = "union", _("Mass organisation")
        OTHER = "other", _("Other")

    code = models.CharField(
        _("code"),
        max_length=50,
        unique=True,
        help_text=_("A stable code that survives renames, e.g. QNG-STTTT."),
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("The successor when this agency was merged or renamed."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(replaced_by=models.F("id")),
                name="agency_not_replaced_by_itself",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="agency_not_own_parent",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who uses the site; the email address is the login."""

    username = None
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(
        _("position"),
        max_length=255,
        blank=True,
        help_text=_("For example: Chief of Office, Spokesperson."),
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="vi",
    )
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        self.full_name = normalise_name(self.full_name)
        super().save(*args, **kwargs)

    # Vietnamese names are one field; these read-only stand-ins replace
    # AbstractUser's columns (so no such columns exist) for code such as
    # Wagtail's sidebar that greets a person by ``first_name``.
    @property
    def first_name(self):
        return self.get_short_name()

    @property
    def last_name(self):
        return ""

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        # Vietnamese names put the given name last.
        return self.full_name.split()[-1] if self.full_name else self.email
