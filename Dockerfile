# Firetower images, built from this repository (no registry package needed).
#
#   docker build -t firetower-topic-service .                 the topic service (default target)
#   docker build -t firetower-demo-chat --target demo-chat .  one chat demo node
#
# The topic service listens on 0.0.0.0:7070 and needs TOPIC_SERVICE_TOKEN (it refuses to start on
# a non-loopback address without one):
#
#   docker run -p 7070:7070 -e TOPIC_SERVICE_TOKEN=change-me firetower-topic-service
#
# docker-compose.yml runs it with two demo nodes behind a reverse proxy. CI cannot build images
# (no base image can be pulled there): it lints this file with dockerfilelint and runs the same
# `pnpm deploy` output with the same command and environment (e2e/tests/docker.spec.ts).

# ---- build: install, build, and deploy each image's package with its production dependencies only,
# in a flat node_modules as npm makes it (the server serves the client bundle with express's
# sendFile, which refuses a path through pnpm's hidden .pnpm directory)
FROM node:20-alpine AS build
WORKDIR /src
RUN npm install --global pnpm@10
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 && pnpm --filter @firetower/topic-service --config.node-linker=hoisted deploy --legacy --prod /out/topic-service \
 && pnpm --filter @firetower/demo-chat --config.node-linker=hoisted deploy --legacy --prod /out/demo-chat

# ---- demo-chat: one node of the chat demo; TOPIC_SERVICE_URL/TOPIC_SERVICE_TOKEN join a cluster
FROM node:20-alpine AS demo-chat
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /out/demo-chat ./
USER node
EXPOSE 3000
CMD ["node", "dist/main.js"]

# ---- topic-service (default): small, non-root, health-checked (dockerfilelint 1.8 rejects
# HEALTHCHECK --start-period, so the first checks may fail while the service starts: --retries covers it)
FROM node:20-alpine AS topic-service
ENV NODE_ENV=production TOPIC_SERVICE_HOST=0.0.0.0 TOPIC_SERVICE_PORT=7070
WORKDIR /app
COPY --from=build --chown=node:node /out/topic-service ./
COPY --chown=node:node docker/healthcheck.mjs ./healthcheck.mjs
USER node
EXPOSE 7070
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["node", "healthcheck.mjs"]
CMD ["node", "dist/cli.js"]
