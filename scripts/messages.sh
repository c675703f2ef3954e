#!/usr/bin/env bash
# Refresh the Russian and Polish catalogues after adding or changing translatable strings:
# list the Jinja2 templates' strings (workspace/jinja_strings.py), extract strings into
# src/litso/locale/{ru,pl}/LC_MESSAGES/django.po, then compile django.mo.
# Needs GNU gettext (xgettext, msgmerge, msgfmt). Translate new or fuzzy entries in the .po files
# (search for `msgstr ""` and `#, fuzzy`), run this script again, and commit both .po and .mo:
# the .mo files are committed so that installing Litso does not need gettext.
# tests/core/test_translations.py fails while an entry is untranslated or a .mo is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${VENV:-.venv}/bin" && pwd)
for tool in xgettext msgmerge msgfmt; do
  command -v "$tool" >/dev/null || { echo "$tool not found: install GNU gettext"; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LITSO_DATA_DIR="$tmp" DJANGO_SETTINGS_MODULE=litso.settings
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"

# makemessages cannot read Jinja2: the workspace's templates' strings are listed in Python first.
"$BIN/django-admin" jinja_strings
cd src/litso
"$BIN/django-admin" makemessages -l ru -l pl -i "migrations/*" -i "*/jinja2/*" --no-obsolete
"$BIN/django-admin" compilemessages -l ru -l pl

for po in locale/*/LC_MESSAGES/django.po; do
  printf '%s: ' "$po"
  msgfmt --statistics -o /dev/null "$po" 2>&1
done
