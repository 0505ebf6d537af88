# syntax=docker/dockerfile:1
# jtai's worker and web app, one image (docker-compose.yml runs it twice with different commands).
# No secret is ever copied or written into it: keys, passwords and credentials arrive at run time as docker
# secrets or environment variables (docs/deploy.md).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, then the compiled dist/ -------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig*.json ./
COPY src ./src
COPY scripts ./scripts
COPY bin ./bin
# Then what this image runs must be there: fail the build here, not the container later, if it is not.
RUN npm run build \
 && test -f dist/worker/main.js \
 && test -f dist/web/server.js \
 && test -f dist/infra/healthcheck.js \
 && test -f dist/workflow-bundle.js \
 && test -d dist/web/views

# ---- run: production dependencies only, the compiled code, a user that is not root --------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    JTAI_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force \
 && mkdir -p /data \
 && chown node:node /data \
 && chmod 700 /data
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The node image's own unprivileged user (uid 1000).
USER node
VOLUME ["/data"]
EXPOSE 3000
# The web app by default; docker-compose.yml runs the worker from the same image with `node dist/worker/main.js`.
CMD ["node", "dist/web/server.js"]
