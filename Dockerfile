# One image for every tracker service: api, projector, scheduler, migrate.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY tracker ./tracker
COPY api ./api
COPY seed ./seed
COPY service ./service
RUN pip install . && useradd --system --uid 10001 tracker
USER tracker
EXPOSE 8000
# The default is the API; compose overrides the command for the other services.
CMD ["tracker", "serve", "--host", "0.0.0.0", "--port", "8000", "--no-projector"]
