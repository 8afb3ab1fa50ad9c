#!/bin/sh
# build.sh rebuilds the front-end bundles in web/static from the sources in
# web/ui/src, with the exact versions pinned in package-lock.json. It is
# the one way to build them (go generate ./web runs it too):
#
#	web/ui/build.sh
#
# web/static is committed, so that go build needs no Node; .ci/run runs
# this script and fails if the committed files differ from its output.
# The output depends only on the sources and the lock file: npm ci installs
# exactly what the lock file names, and esbuild writes the same bytes for
# the same input (no timestamps or absolute paths). Needs Node 18 or later
# (esbuild 0.25) and npm.
set -eu
cd "$(dirname "$0")"

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
	echo "build.sh: Node $(node --version) is too old; esbuild needs 18 or later" >&2
	exit 1
fi

# --ignore-scripts: esbuild finds its platform binary (an optional
# dependency in the lock file) without its postinstall script, and no
# package runs code at install time.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

esbuild=./node_modules/.bin/esbuild
common="--bundle --minify --format=iife --target=es2020 --legal-comments=linked --log-level=warning"

# Start from empty directories so that a file no longer built does not stay.
rm -rf ../static/graphiql ../static/app
mkdir -p ../static/graphiql ../static/app

# GraphiQL at /graphiql (React and GraphiQL from npm).
$esbuild src/graphiql/main.js $common --define:process.env.NODE_ENV=\"production\" \
	--outfile=../static/graphiql/graphiql.js
cp src/graphiql/index.html ../static/graphiql/index.html

# The investigator's page at / (src/app: plain JS and Cytoscape.js).
$esbuild src/app/main.js $common --outfile=../static/app/app.js
cp src/app/index.html ../static/app/index.html
cp node_modules/cytoscape/LICENSE ../static/app/cytoscape.LICENSE.txt
