# Two commands: `make run` (the demo, SQLite, no services) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo signs in with the password alone (MFA_REQUIRED=false); production requires the second factor.
DEMO_ENV := DEBUG=true MFA_REQUIRED=false
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-secret} STATIC_MANIFEST=false DATABASE_APP_ROLE=$${DATABASE_APP_ROLE-mrv_app}

.PHONY: run test install migrate demo lint format bench messages screenshots openapi

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo

run: demo
	@$(DEMO_ENV) $(BIN)/python manage.py demo_logins
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(DEMO_ENV) $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var
	$(DEMO_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	for f in $(filter-out bench/__init__.py bench/querycount.py bench/baseline_urls.py,$(wildcard bench/*.py)); do $(TEST_ENV) $(BIN)/python $$f || exit 1; done

# Screenshots of the main pages in both languages (docs/screenshots/, referenced from README.md);
# Chinese text needs a CJK font: apt-get install fonts-wqy-microhei.
screenshots: install
	$(TEST_ENV) $(BIN)/python -m pytest -q -p no:randomly tests/e2e/screenshots.py

# The committed API description (tests/mrv/test_api_schema.py fails when it is stale).
openapi: install
	$(TEST_ENV) $(BIN)/python manage.py spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml
