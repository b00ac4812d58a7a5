"""The few settings django-scim2 needs: a SCIM user and group model, bearer-token auth, sqlite."""
import os

SECRET_KEY = "rolecall-test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "django_scim", "scimsite"]
MIDDLEWARE = ["scimsite.auth.BearerTokenMiddleware", "django_scim.middleware.SCIMAuthCheckMiddleware"]
ROOT_URLCONF = "scimsite.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.environ.get("SCIM_DJANGO_DB", "/tmp/rolecall-django-scim.sqlite3")}}
AUTH_USER_MODEL = "scimsite.User"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
SCIM_SERVICE_PROVIDER = {
    "NETLOC": "127.0.0.1",
    "SCHEME": "http",
    "GROUP_MODEL": "scimsite.models.Group",
    "AUTHENTICATION_SCHEMES": [{"type": "oauthbearertoken", "name": "Bearer", "description": "Bearer token"}],
}
SCIM_TOKEN = os.environ.get("SCIM_TOKEN", "")
LOGGING = {"version": 1, "disable_existing_loggers": True}
# No migration files: `migrate --run-syncdb` creates every table from the models.
MIGRATION_MODULES = {"scimsite": None, "auth": None, "contenttypes": None, "django_scim": None}
