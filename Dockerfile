# hatch mcp serve --http in a container (docs/http.md "Deploy with Docker"). Untested on a real Docker engine: the
# machines hatch is built on have none; test/deploy.test.ts checks that this file and compose.yaml agree.

# Build: compile TypeScript and better-sqlite3's native addon, then drop the development dependencies.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
# `npm ci` runs the build (the prepare script), then only production dependencies are kept.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

# Run: the built hatch, its production dependencies, a non-root user, nothing else.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HATCH_HOME=/data \
    HATCH_LISTEN=0.0.0.0:8808
RUN groupadd --system --gid 10001 hatch \
  && useradd --system --uid 10001 --gid hatch --home-dir /data --shell /usr/sbin/nologin hatch \
  && mkdir -p /data && chown hatch:hatch /data && chmod 700 /data
WORKDIR /app
COPY --from=build /app/package.json /app/oclif.manifest.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
USER hatch
VOLUME ["/data"]
EXPOSE 8808
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8808/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/run.js"]
# TLS is a proxy's job in this setup (--behind-tls-proxy); HATCH_PUBLIC_URL names the https:// URL clients use.
CMD ["mcp", "serve", "--http", "--behind-tls-proxy"]
