#!/usr/bin/env bash
# Installs the system tools the tests run generated code with: the Logstash ruby filters in
# __tests__/logstash run under Debian's ruby (MRI) and jruby. Logstash 8.19 bundles JRuby
# 9.4; Debian 12 ships jruby 9.3.9 (Ruby 2.6 language level), the closest packaged
# interpreter, so the filters keep to what both accept. Skips what is already there.
set -euo pipefail
missing=()
command -v ruby >/dev/null 2>&1 || missing+=(ruby)
command -v jruby >/dev/null 2>&1 || missing+=(jruby)
# The Logstash API keystore test makes its EC key and certificates with openssl.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The Elasticsearch healthcheck test hands the real curl the config the healthcheck pipes it.
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
ruby --version
jruby --version
