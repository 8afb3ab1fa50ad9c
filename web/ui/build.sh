#!/bin/sh
# Bundles the front-end assets into ../static (committed, embedded with
# go:embed). Run after changing package.json or src/:
#   cd web/ui && npm ci && sh build.sh
set -eu
cd "$(dirname "$0")"
./node_modules/.bin/esbuild src/graphiql.js --bundle --minify --format=iife \
  --define:process.env.NODE_ENV=\"production\" --target=es2020 \
  --legal-comments=linked --outfile=../static/graphiql/graphiql.js
ls -la ../static/graphiql
# The investigator's page served at / (src/app: plain JS and Cytoscape.js).
mkdir -p ../static/app
./node_modules/.bin/esbuild src/app/main.js --bundle --minify --format=iife \
  --target=es2020 --legal-comments=linked --outfile=../static/app/app.js
cp src/app/index.html ../static/app/index.html
cp node_modules/cytoscape/LICENSE ../static/app/cytoscape.LICENSE.txt
ls -la ../static/app
