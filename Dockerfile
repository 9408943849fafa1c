# Lookout runtime image. TypeScript is run directly by `tsx` (a production
# dependency), so there is no build step.
FROM node:20-bookworm-slim

WORKDIR /app

# Install production dependencies first so this layer is cached.
COPY package.json package-lock.json ./
# npm install, not npm ci: see .ci/run (optional platform packages missing from the lock file)
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

# Application source (see .dockerignore for what is left out).
COPY . .

ENV NODE_ENV=production

# Code stays root-owned (read-only for the runtime user); only the local
# state directory is writable by `node`.
RUN mkdir -p /app/.lookout && chown node:node /app/.lookout

EXPOSE 1883 8080

USER node

CMD ["node", "bin/lookout.js", "start"]
