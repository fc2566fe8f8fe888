from allauth.account.adapter import get_adapter
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_open(context) -> bool:
    """Whether the sign-in page may offer self-registration."""
    request = context.get("request")
    return bool(request) and get_adapter().is_open_for_signup(request)
