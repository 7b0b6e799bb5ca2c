import os

from django.core.wsgi import get_wsgi_application

from orderdesk.core.security import secret_key_require

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
application = get_wsgi_application()
secret_key_require()
