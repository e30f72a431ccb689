#!/usr/bin/env bash
# The review page's browser test (tests/cli/review_browser.rs) drives Debian's `chromium` package
# headless. Install it from the distribution's archive when it is missing; never a downloaded
# browser build. Under CI=true the test fails, not skips, when /usr/bin/chromium is absent.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # --no-install-recommends: the headless test needs no fonts beyond the CJK ones below, no
  # desktop integration.
  apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
fi
chromium --version
