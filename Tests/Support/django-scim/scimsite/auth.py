import hmac

from django.conf import settings
from django.contrib.auth.models import AnonymousUser


class _Client:
    is_authenticated = True
    is_anonymous = False


class BearerTokenMiddleware:
    """`Authorization: Bearer <SCIM_TOKEN>` is the one way in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        given = header[7:] if header.startswith("Bearer ") else ""
        ok = bool(settings.SCIM_TOKEN) and hmac.compare_digest(given, settings.SCIM_TOKEN)
        request.user = _Client() if ok else AnonymousUser()
        return self.get_response(request)
