# syntax=docker/dockerfile:1
# Build stage: compiles better-sqlite3 against this Node and crier to dist/, then drops the devDependencies
# (TypeScript, tsx) so that only what dist/ needs at run time is copied on.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages ./packages
COPY scripts/build.mjs ./scripts/build.mjs
# Before src/ is copied, so a change to the sources reuses this layer (prepare builds nothing without src/).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: the compiled build and production dependencies only (no sources, no tsx, no compilers),
# a non-root user, state on a volume.
FROM node:20-bookworm-slim
ENV NODE_ENV=production CRIER_CONFIG=/etc/crier/crier.yaml
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/packages ./packages
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY config ./config
RUN useradd --system --home /var/lib/crier --create-home crier && mkdir -p /etc/crier && cp /app/config/docker.yaml /etc/crier/crier.yaml
USER crier
VOLUME ["/var/lib/crier"]
EXPOSE 8080
# The check reads http.host/port from the same config ($CRIER_CONFIG), so it follows a changed port.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/dist/main.js", "healthcheck"]
ENTRYPOINT ["node", "/app/dist/main.js"]
CMD ["start", "--state-dir", "/var/lib/crier"]
