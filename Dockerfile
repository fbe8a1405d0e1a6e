# scalelab: the CLI and the built-in simulator in one image.
#   docker build -t scalelab .
#   docker run --rm scalelab validate profiles/step-load.yaml
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm ci && npm prune --omit=dev
COPY profiles ./profiles
COPY sims ./sims
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["--help"]
