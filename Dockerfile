# syntax=docker/dockerfile:1
# Every Labs image: the seven gRPC services and the gateway, one recipe, told apart by build args.
#
# Build from the repository root (Dockerfile syntax 1.3 or later: build args in RUN --mount);
# the context needs uv.lock, libs/, protos/ and the one folder:
#   docker build --build-arg SERVICE=time --build-arg PORT=50053 -t labs-time .
#   docker build --build-arg SERVICE=gateway --build-arg FOLDER=gateway --build-arg PORT=8000 \
#     -t labs-gateway .
# Targets: `runtime` (the default, last stage) for clusters; `dev` for Tilt's live_update.

# SERVICE: the deployable's name: package labs-<SERVICE> in <FOLDER>/pyproject.toml, module
# labs_<SERVICE> run by `python -m`. FOLDER: that workspace member's folder. PORT: what it listens
# on (50050 + its offset in labs_common.config.SERVICE_PORT_OFFSETS; the gateway 8000).
ARG SERVICE=""
ARG FOLDER=services/${SERVICE}
ARG PORT=""

# builder: only this deployable's dependencies, from the workspace's one lock file.
FROM python:3.11-slim AS builder
ARG SERVICE
ARG FOLDER
ARG PORT
# A missing argument would otherwise surface as a puzzling "services//pyproject.toml not found".
RUN test -n "$SERVICE" && test -n "$PORT" \
    || { echo "build with --build-arg SERVICE=<name> --build-arg PORT=<port> (Dockerfile)" >&2; \
         exit 1; }
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /bin/uv
# Byte-compile at build time (the running container never writes .pyc); copy out of the cache
# mount; use the image's interpreter, never a downloaded one, so the venv works in the next stage.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# Third-party dependencies first, in their own layer: rebuilt only when the lock or a manifest
# changes. --frozen takes the workspace from uv.lock as it is, so only the manifests of the members
# this image installs are needed, and --no-install-workspace leaves those members for later.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    --mount=type=bind,source=libs/common/pyproject.toml,target=libs/common/pyproject.toml \
    --mount=type=bind,source=libs/protos/pyproject.toml,target=libs/protos/pyproject.toml \
    --mount=type=bind,source=${FOLDER}/pyproject.toml,target=${FOLDER}/pyproject.toml \
    uv sync --frozen --no-dev --no-editable --package labs-${SERVICE} --no-install-workspace

# Then the workspace members. Building labs-protos runs its hatch hook, which compiles protos/ with
# grpcio-tools: a build requirement, installed in uv's isolated build environment, never in .venv.
# --no-editable puts the code itself in site-packages, so the next stage needs only .venv.
COPY pyproject.toml uv.lock ./
COPY protos/ protos/
COPY libs/protos/ libs/protos/
COPY libs/common/ libs/common/
COPY ${FOLDER}/ ${FOLDER}/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package labs-${SERVICE}

# console: the web console's static build (web/dist), from web/package-lock.json. Every image
# carries these few hundred KB; only the gateway serves them (LABS_CONSOLE_DIR, labs_gateway.console).
FROM node:24-slim AS console
WORKDIR /web
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=bind,source=web/package.json,target=package.json \
    --mount=type=bind,source=web/package-lock.json,target=package-lock.json \
    npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# base: what both targets share: the slim interpreter, no uv, no compiler, an unprivileged user.
FROM python:3.11-slim AS base
ARG SERVICE
ARG PORT
# Shared libraries from Debian that a service loads at run time, for billing and forecasting
# alone: WeasyPrint (billing's invoice PDFs, forecasting's report PDFs) dlopens Pango and
# HarfBuzz's subsetter and needs a font (DejaVu Sans, which both templates ask for). Every other
# image skips this step and installs nothing.
RUN case "$SERVICE" in \
      billing|forecasting) \
        packages="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" ;; \
      *) exit 0 ;; \
    esac \
    && apt-get update \
    && apt-get install -y --no-install-recommends $packages \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 labs \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin labs
# Nothing is written at run time (Kubernetes mounts the root file system read-only).
# APP_MODULE: what the entrypoint below runs (not a LABS_* setting).
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LABS_CONSOLE_DIR=/app/console \
    APP_MODULE=labs_${SERVICE}
WORKDIR /app
EXPOSE ${PORT}
# No HEALTHCHECK: Kubernetes probes the gRPC health service, the gateway's /api/v1/health
# (deploy/k8s).
# checkov:skip=CKV_DOCKER_2:health is checked by Kubernetes probes
USER 10001:10001
# `python -m labs_<SERVICE>` with the container's arguments (the init container's `migrate`).
# Exec form cannot expand a variable, so sh does, then `exec` hands PID 1 and its signals
# (SIGTERM drains the server) to Python.
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"$APP_MODULE\" \"$@\"", "--"]

# dev: Tilt builds this one. The code belongs to the runtime user so live_update can sync edited
# sources into site-packages, and /app holds the restart trigger file; never deployed elsewhere.
FROM base AS dev
# root (uid 0) only long enough to hand /app to the runtime user.
USER 0:0
COPY --from=builder --chown=10001:10001 /app/.venv /app/.venv
COPY --from=console /web/dist /app/console
RUN chown 10001:10001 /app
USER 10001:10001

# runtime (the default target): the code is owned by root and read-only to the process.
FROM base AS runtime
COPY --from=builder /app/.venv /app/.venv
COPY --from=console /web/dist /app/console
