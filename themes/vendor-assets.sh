#!/usr/bin/env bash
# Refreshes the vendored front-end assets from the pinned npm packages (package.json).
# The assets are committed so that running the platform never needs npm or a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
dest=themes/static/vendor
rm -rf "$dest/govuk-frontend" "$dest/accessible-autocomplete"
mkdir -p "$dest/govuk-frontend" "$dest/accessible-autocomplete"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.{css,js} "$dest/govuk-frontend/"
cp -r node_modules/govuk-frontend/dist/govuk/assets "$dest/govuk-frontend/"
# The compiled CSS points at /assets/ (the site root); ours are served beside it under /static/.
sed -i 's#url(/assets/#url(assets/#g' "$dest/govuk-frontend/govuk-frontend.min.css"
cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.{js,css} "$dest/accessible-autocomplete/"
