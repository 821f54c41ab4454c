"""The bench's settings: the product's, plus the anchor's URL (bench/urls.py), never in the product.

``bench/load.py`` serves gunicorn with ``DJANGO_SETTINGS_MODULE=bench.settings`` so that the bare
20-row list (``/bench/anchor/``) answers on the same server, with every middleware, as the pages it
is compared with.
"""

from config.settings import *  # noqa: F403  (the product's settings, unchanged but for the URLs)

ROOT_URLCONF = "bench.urls"
