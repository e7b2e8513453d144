# downtime-monitor: Node runs the TypeScript sources directly (type stripping), so there is no
# build step; the first stage only installs production dependencies.
#
#   docker build -t downtime-monitor .
#   docker run -e JWT_SECRET=… -p 3000:3000 -v data:/data downtime-monitor   # SQLite store in /data

FROM node:24.21.0-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24.21.0-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    NODE_COMPILE_CACHE=/data/.compile-cache
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The image's `node` user (uid 1000) owns only the data directory; the code stays read-only.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import=./scripts/compile-cache.mjs", "--max-semi-space-size=8", "--heap-growing-percent=50", "--expose-gc", "main.ts"]
