# SalonBook: one image for the web (gunicorn), the Celery worker and Celery beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=salonbook.settings.production

WORKDIR /app

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Dependencies first (pyproject.toml declares no packages: the code runs from /app), so that
# a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Static files are collected at build time; the settings need placeholders for that only.
RUN SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput \
    && mkdir -p var \
    && chown -R app:app var

USER app

EXPOSE 8000

# /healthz as the proxy would ask for it: an allowed host name, over "https" (so that
# SECURE_SSL_REDIRECT does not answer with a redirect).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].lstrip('.'); u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': host, 'X-Forwarded-Proto': 'https'}), timeout=4)"]

# Bind, workers, time-out, access log and no "Server" header: gunicorn.conf.py.
CMD ["gunicorn", "salonbook.wsgi:application", "--config", "gunicorn.conf.py"]
