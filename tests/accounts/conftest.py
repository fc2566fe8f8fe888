import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids), whatever catalogues exist.

    Requests choose their own language (LocaleMiddleware); tests that read a
    message from a response ask for English with HTTP_ACCEPT_LANGUAGE.
    """
    with translation.override("en"):
        yield
