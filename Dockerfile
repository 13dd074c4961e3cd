FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
    libharfbuzz-subset0 libfontconfig1 fonts-wqy-microhei gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && python manage.py compilemessages -v0 --ignore=.venv \
 && DEBUG=true python manage.py collectstatic --noinput -v0
RUN useradd --create-home desk && mkdir -p /app/var && chown -R desk /app/var
USER desk
EXPOSE 8000
