# One image for every platform node; roles are chosen by configuration (ROLES).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build --if-present
ENV DATA_DIR=/data WEB_HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 3000
CMD ["npm", "start"]
