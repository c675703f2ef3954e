#!/usr/bin/env bash
# Start or install what the tests need and the machine lacks.
set -uo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/litso-ci-redis.log || true
fi
if ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; then
  # The IMAP tests (tests/mail/test_imap.py) start their own throwaway Dovecot.
  echo "installing Dovecot"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null || true
fi
if [ ! -x /usr/bin/chromium ]; then
  # The workspace's browser tests (tests/workspace/test_e2e.py) drive Debian's chromium
  # through Playwright.
  echo "installing chromium"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || true
fi
exit 0
