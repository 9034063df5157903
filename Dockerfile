# One image for every platform node; roles are chosen by configuration (ROLES).
# Pinned by version and digest (node:20.19.5-bookworm-slim, multi-arch index).
FROM node:20.19.5-bookworm-slim@sha256:9e70124bd00f47dd023e349cd587132ae61892acc0e47ed641416c3e18f401c3 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20.19.5-bookworm-slim@sha256:9e70124bd00f47dd023e349cd587132ae61892acc0e47ed641416c3e18f401c3
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data WEB_HOST=0.0.0.0
# The application files stay root-owned (read-only to the process); only /data is writable.
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data && chmod 0700 /data
VOLUME ["/data"]
EXPOSE 3000
# Runs as the image's unprivileged `node` user (uid 1000), never root.
USER node
# tsx runs the TypeScript sources directly (it is a runtime dependency); dist/web is prebuilt.
# The V8 flags are src/node/v8-flags.ts's (a bigger young generation: less of the CPU in GC).
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "src/main.ts"]
