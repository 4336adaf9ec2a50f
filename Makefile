# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_DEBUG=1 $(BIN)/flask --app eventreg
# `make run PORT=5001` when 5000 is taken (macOS AirPlay uses it); links in the demo and e-mails follow.
PORT ?= 5000
PUBLIC_URL ?= http://127.0.0.1:$(PORT)
CATALOGUES := eventreg/translations
# The catalogues' line width (the code's): a new string is then a diff of a few lines, not a rewrap of the file.
PO_WIDTH := 120

.PHONY: run test lint bench migration messages compile-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: on Debian, apt-get install python3-venv"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed compile-messages
	$(FLASK) db upgrade
	EVENTREG_PUBLIC_URL=$(PUBLIC_URL) $(FLASK) seed-demo
	EVENTREG_PUBLIC_URL=$(PUBLIC_URL) $(FLASK) run --host 127.0.0.1 --port $(PORT)

# One worker per core; the browser journeys stay together on one worker, which starts one Chromium for them.
test: $(VENV)/.installed-dev lint compile-messages
	$(BIN)/pytest -n auto --dist loadgroup

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check eventreg tests bench wsgi.py
	$(BIN)/bandit -q -c pyproject.toml -r eventreg wsgi.py

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

# Deployed databases hold real registrations: a schema change is a new revision on top of the last one,
# drafted from the models (`make migration m="seminar teams" rev=0002`), then read and completed by hand
# (data moves, SQLite batch operations).
migration: $(VENV)/.installed
	rm -f /tmp/eventreg-migration.sqlite3
	DATABASE_URL=sqlite:////tmp/eventreg-migration.sqlite3 $(FLASK) db upgrade
	DATABASE_URL=sqlite:////tmp/eventreg-migration.sqlite3 $(FLASK) db migrate -m "$(m)" --rev-id $(rev)
	rm -f /tmp/eventreg-migration.sqlite3

# Extract every marked string into the catalogue template and merge it into the four catalogues, for
# translators (tests/test_translations.py fails on any string left untranslated or fuzzy).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --add-location=file --sort-by-file -w $(PO_WIDTH) \
		--project eventreg --msgid-bugs-address https://github.com/eventreg/eventreg/issues \
		-o $(CATALOGUES)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date -w $(PO_WIDTH)
	$(BIN)/python -m eventreg.commands.english_catalogue

# The .mo files are built from the committed .po files on every install, never committed themselves.
compile-messages: $(VENV)/.installed
	$(BIN)/pybabel compile -d $(CATALOGUES) --statistics 2>&1 | grep -v "^compiling" || true

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
