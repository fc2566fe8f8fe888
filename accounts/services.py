from django.db import transaction

from .models import User, normalise_name


@transaction.atomic
def update_profile(
    *, user: User, full_name: str, position: str, preferred_language: str
) -> User:
    """A person edits their own name, position and language, never their agency."""
    user.full_name = normalise_name(full_name)
    user.position = position.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "position", "preferred_language"])
    return user
