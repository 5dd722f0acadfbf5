# One image for both roles: SLUICE_ROLE=api|worker|all chooses what it runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
COPY apps ./apps
RUN npm ci --no-audit --no-fund && npx tsc -b && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# SLUICE_HOST=0.0.0.0 with auth off is refused unless SLUICE_ALLOW_OPEN=true: see docker-compose.yml
ENV NODE_ENV=production SLUICE_HOST=0.0.0.0 SLUICE_DATA_DIR=/data SLUICE_AUTH_TOKENS_FILE=/data/tokens.json
COPY --from=build /app /app
# /app stays root's (the code); /data is node's, and a named volume mounted there starts out so,
# so `sluice token create` in a container can write the tokens file. `sluice` is on the PATH.
RUN mkdir -p /data && chown node:node /data && ln -s /app/apps/sluice/bin/sluice.js /usr/local/bin/sluice
USER node
# 3000: the API; 9464: GET /metrics of a worker-only process (SLUICE_METRICS_PORT)
EXPOSE 3000 9464
# --initial-old-space-size: see docs/configuration.md, "The Node flag"
CMD ["node", "--initial-old-space-size=128", "apps/sluice/dist/main.js"]
