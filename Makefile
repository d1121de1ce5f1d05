# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app portal
PLUGINS := $(notdir $(patsubst %/,%,$(dir $(wildcard plugins/*/__init__.py))))
# Every language the core has a catalog for (German is the source); `make add-language LANGUAGE=xx` adds one.
LANGUAGES := $(filter-out de,$(patsubst translations/%/LC_MESSAGES/messages.po,%,$(wildcard translations/*/LC_MESSAGES/messages.po)))
# The worked example plugin's catalogs pass the portal's catalog tests, so new languages and compiled files reach
# them too; its messages.pot is extracted in its own folder, as a plugin of a municipality would do it.
EXAMPLE_CATALOGS := $(wildcard examples/plugins/*/*/translations)
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Each pass empties its own Redis database, since `make test` runs the two at the same time.
SQLITE_TEST_REDIS_URL ?= redis://127.0.0.1:6379/5
PG_TEST_REDIS_URL ?= redis://127.0.0.1:6379/6
PYTEST_ARGS ?=

.PHONY: add-language run test test-sqlite test-postgres install test-tools system-packages bench extract update compile translations-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip setuptools wheel

# Reinstall when the package metadata changes; -qq: errors only, so `make run` fits on one screen.
$(VENV)/.installed: setup.cfg setup.py pyproject.toml | $(BIN)/python
	@echo "installing the portal and its test tools into $(VENV)"
	@$(BIN)/pip install -qq -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Without a configuration of its own in instance/, the demo adds the waiting room (off by default) to the built-in
# plugins, so desks, call display, tickets and mediators show together; PORTAL_EXTRA_PLUGINS set outside wins.
ifeq ($(wildcard instance/portal.toml),)
run: export PORTAL_EXTRA_PLUGINS ?= queue
endif
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium (browser tests, Lighthouse), gettext (msgfmt --check), Java (the Nu Html Checker),
# wrk (load test and benchmarks) and the Noto fonts (Ge'ez for Tigrinya, Arabic script for Pashto in screenshots),
# each named by a file it installs, installed when missing and we may (root with apt).
SYSTEM_PACKAGES := /usr/bin/chromium:chromium /usr/bin/msgfmt:gettext /usr/bin/java:default-jre-headless /usr/bin/wrk:wrk \
  /usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf:fonts-noto-core
system-packages:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  [ -e "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  elif [ -n "$$CI" ]; then echo "missing and not installable here:$$missing (CI fails the tests that need them)"; \
	  else echo "missing and not installable here:$$missing (the tests that need them are skipped)"; fi; \
	fi

test-tools: install node_modules/.installed system-packages

PG_REACHABLE = $(BIN)/python -c "import sqlalchemy as s; s.create_engine('$(PG_TEST_URL)').connect().close()" 2>/dev/null

# The two passes run side by side, one per core; make prints each pass's output whole when it ends. With both
# running, the tests that touch no database go to the PostgreSQL pass, the shorter one.
test: test-tools
	$(BIN)/ruff check portal plugins tests benchmarks
	@if $(PG_REACHABLE); then both=yes; else both=; fi; \
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres BOTH_PASSES=$$both

test-sqlite:
	PORTAL_TEST_BOTH_PASSES='$(BOTH_PASSES)' PORTAL_TEST_REDIS_URL='$(SQLITE_TEST_REDIS_URL)' \
	  $(BIN)/python -m pytest $(PYTEST_ARGS)

# The second pass runs the suite again on PostgreSQL.
test-postgres:
	@if $(PG_REACHABLE); then \
	  PORTAL_TEST_BOTH_PASSES='$(BOTH_PASSES)' PORTAL_TEST_DATABASE_URL='$(PG_TEST_URL)' \
	  PORTAL_TEST_REDIS_URL='$(PG_TEST_REDIS_URL)' $(BIN)/python -m pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then echo "PostgreSQL at $(PG_TEST_URL) is not reachable"; exit 1; \
	else echo "PostgreSQL at $(PG_TEST_URL) is not reachable: the PostgreSQL pass is skipped"; fi

# The benchmarks also count instructions per request with Valgrind's callgrind, through a small C library.
BENCH_PACKAGES := /usr/bin/valgrind:valgrind /usr/bin/cc:gcc /usr/include/stdint.h:libc6-dev
bench: test-tools
	@$(MAKE) --no-print-directory system-packages SYSTEM_PACKAGES="$(BENCH_PACKAGES)"
	$(BIN)/python -m benchmarks

# Translation workflow: extract source strings, merge them into every catalog, compile.
extract: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --add-comments=Translators: --no-location --sort-output --ignore-dirs='.* ._ tests' \
	  -o translations/messages.pot portal templates
	@for plugin in $(PLUGINS); do \
	  $(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --add-comments=Translators: --no-location --sort-output --ignore-dirs='.* ._ tests' \
	    -o plugins/$$plugin/translations/messages.pot plugins/$$plugin || exit 1; \
	done

update: extract
	@for dir in translations $(addprefix plugins/,$(addsuffix /translations,$(PLUGINS))); do \
	  for lang in $(LANGUAGES); do \
	    if [ -f $$dir/$$lang/LC_MESSAGES/messages.po ]; then \
	      $(BIN)/pybabel -q update --no-fuzzy-matching -i $$dir/messages.pot -d $$dir -l $$lang || exit 1; \
	    else \
	      $(BIN)/pybabel -q init -i $$dir/messages.pot -d $$dir -l $$lang || exit 1; \
	    fi; \
	  done; \
	done

# New empty catalogs for one language in the core and every plugin, e.g. `make add-language LANGUAGE=it`.
add-language: extract
	@[ -n "$(LANGUAGE)" ] || { echo "name the language: make add-language LANGUAGE=it"; exit 1; }
	@$(BIN)/python -c "import babel, sys; babel.Locale.parse(sys.argv[1])" '$(LANGUAGE)' 2>/dev/null \
	  || { echo "Babel does not know the language '$(LANGUAGE)'"; exit 1; }
	@for dir in translations $(addprefix plugins/,$(addsuffix /translations,$(PLUGINS))) $(EXAMPLE_CATALOGS); do \
	  [ -f $$dir/$(LANGUAGE)/LC_MESSAGES/messages.po ] || \
	    $(BIN)/pybabel -q init -i $$dir/messages.pot -d $$dir -l '$(LANGUAGE)' || exit 1; \
	done

compile: install
	@for dir in translations $(addprefix plugins/,$(addsuffix /translations,$(PLUGINS))) $(EXAMPLE_CATALOGS); do \
	  $(BIN)/pybabel -q compile -d $$dir || exit 1; \
	done

clean:
	rm -rf $(VENV) node_modules build dist *.egg-info
