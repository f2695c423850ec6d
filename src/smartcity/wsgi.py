"""WSGI entry point: `gunicorn smartcity.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
application = get_wsgi_application()
