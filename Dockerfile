# One image for every platform node; roles are chosen by configuration (ROLES).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data WEB_HOST=0.0.0.0
COPY --from=build /app /app
VOLUME ["/data"]
EXPOSE 3000
# tsx runs the TypeScript sources directly (it is a runtime dependency); dist/web is prebuilt.
CMD ["node", "--import", "tsx", "src/main.ts"]
