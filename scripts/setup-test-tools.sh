#!/usr/bin/env bash
# Installs the system tools the tests run generated code with: Debian's ruby executes
# the Logstash ruby filter in __tests__/logstash. Skips what is already there.
set -euo pipefail
if ! command -v ruby >/dev/null 2>&1; then
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends ruby >/dev/null
fi
ruby --version
