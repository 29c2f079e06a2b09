# Berth's own image: the server, the built client, the labs and images/ (so
# `berth images build` works inside it). Builds offline from debian:trixie-slim,
# whose Node is 20; only Debian's archive and the npm registry are needed.
#
#   docker compose up -d          # see docs/deploy.md
#   docker build -t berth:latest .
#
# Builds with BuildKit and with the classic builder (no RUN --mount).

# ---------------------------------------------------------------- build stage
FROM debian:trixie-slim AS build
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      nodejs npm python3 make g++ libnode-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Extra CA certificates (PEM) for networks that intercept TLS to the npm
# registry. Empty on an ordinary host; used only in this stage.
ARG EXTRA_CA_CERTS=""
RUN if [ -n "$EXTRA_CA_CERTS" ]; then \
      printf '%s\n' "$EXTRA_CA_CERTS" > /usr/local/share/ca-certificates/berth-build-extra.crt \
      && update-ca-certificates; \
    fi
# Native modules (better-sqlite3) build against Debian's Node headers
# (libnode-dev) instead of downloading headers from nodejs.org.
ENV npm_config_nodedir=/usr npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
WORKDIR /app
# Dependencies first: this layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci --no-progress
COPY tsconfig*.json ./
COPY server ./server
COPY client ./client
RUN npm run build
# Only production dependencies go on to the runtime stage (already compiled).
RUN npm prune --omit=dev --no-progress

# -------------------------------------------------------------- runtime stage
FROM debian:trixie-slim
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
# nodejs: Berth itself. debootstrap (+ keyring): `berth images build` creates
# debian:trixie-slim where it cannot be pulled. No docker CLI: Berth talks to
# the engine through the mounted socket with dockerode.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      nodejs ca-certificates debootstrap debian-archive-keyring \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production BERTH_DATA_DIR=/data BERTH_CACHE_DIR=/data/cache BERTH_LABS_DIR=/app/labs
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY images ./images
COPY docs ./docs
COPY labs ./labs
COPY --from=build /app/dist ./dist
RUN chmod 0755 dist/server/cli.js \
 && ln -s /app/dist/server/cli.js /usr/local/bin/berth \
 && mkdir -p /data
VOLUME /data
EXPOSE 8080
# First start on a fresh host builds the lab images, which takes minutes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20m --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.BERTH_PORT || 8080) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/server/cli.js"]
CMD ["serve", "--build-missing-images"]
