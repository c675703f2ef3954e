"""The web process (``uvicorn litso.asgi:application``): see litso.core.web."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "litso.settings")

from litso.core import web

application = web.application()
