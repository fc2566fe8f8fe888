"""factory_boy factories shared by every app's tests."""

import factory

from accounts.models import Agency, User
from accounts.roles import TRAINEE, set_role
from accounts.services import ensure_primary_email

PASSWORD = "correct horse 42"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    name = factory.Sequence(lambda n: f"Cơ quan thử nghiệm {n}")
    kind = Agency.Kind.DEPARTMENT


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified address and a known password, in the role given."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    position = "Chuyên viên"
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            set_role(user=obj, role=extracted or TRAINEE)
            ensure_primary_email(user=obj, verified=True)
