# syntax=docker/dockerfile:1
# Build stage: compiles better-sqlite3 against this Node and installs production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages ./packages
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY config ./config
COPY tsconfig.json ./

# Runtime stage: no compilers, a non-root user, state on a volume.
FROM node:20-bookworm-slim
ENV NODE_ENV=production CRIER_CONFIG=/etc/crier/crier.yaml
WORKDIR /app
COPY --from=build /app /app
RUN useradd --system --home /var/lib/crier --create-home crier && mkdir -p /etc/crier && cp /app/config/docker.yaml /etc/crier/crier.yaml
USER crier
VOLUME ["/var/lib/crier"]
EXPOSE 8080
# The check reads http.host/port from the same config ($CRIER_CONFIG), so it follows a changed port.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/bin/crier.js", "healthcheck"]
ENTRYPOINT ["node", "/app/bin/crier.js"]
CMD ["start", "--state-dir", "/var/lib/crier"]
