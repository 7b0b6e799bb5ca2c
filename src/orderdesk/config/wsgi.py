import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
application = get_wsgi_application()
settings.require_secret_key()
