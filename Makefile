# ngo-cases developer entry points. Needs only Python 3.11+ and make.
#   make run    serve on http://127.0.0.1:8000 with worker + beat (embedded
#               PostgreSQL and broker unless DATABASE_URL / CELERY_BROKER_URL)
#   make test   the whole test suite on PostgreSQL
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: drill bench-load bench-attachments check-deploy-files bench-encryption bench-cases bench-statistics bench-access-log bench-reminders run test test-browser test-contract lint typecheck check-migrations check-deploy install lock messages clean-var

$(STAMP): requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack run

test: $(STAMP)
	DJANGO_SETTINGS_MODULE=ngo_cases.settings.test \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) -m pytest $(PYTEST_ARGS)

# The browser suite: Playwright driving Debian's Chromium (apt-get install -y chromium)
# against a live server on PostgreSQL (tests/browser, docs/admin.md).
test-browser: $(STAMP)
	DJANGO_SETTINGS_MODULE=ngo_cases.settings.test \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) -m pytest -m browser tests/browser $(PYTEST_ARGS)

# schemathesis over the published OpenAPI schema, one run per role persona (tests/contract).
test-contract: $(STAMP)
	DJANGO_SETTINGS_MODULE=ngo_cases.settings.test \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) -m pytest -m contract -n $${NGO_CONTRACT_PROCESSES:-2} --dist worksteal tests/contract $(PYTEST_ARGS)

# The production drill (deploy/drill, docs/operations.md): gunicorn on production settings, a Celery
# worker and beat, the two database roles on the machine's PostgreSQL (127.0.0.1:5432), fault drills.
drill: $(STAMP)
	cd deploy/drill && $(abspath $(PY)) -m pytest -c pytest.ini $(PYTEST_ARGS)

# A bounded load (wrk from loopback, 30 s per route) on the drill's stack: figures for docs/performance.md.
bench-load: $(STAMP)
	cd deploy/drill && $(abspath $(PY)) bench_load.py

# Attachments through gunicorn on production settings: MB/s and the worker's peak memory (docs/performance.md).
bench-attachments: $(STAMP)
	cd deploy/drill && $(abspath $(PY)) bench_attachments.py

# docker-compose.yml (docker-compose config, Debian's package: apt-get install -y docker-compose) and the
# Dockerfile (hadolint) checked without a container engine.
check-deploy-files: $(STAMP)
	bash deploy/check-files.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# mypy's Django plugin imports the settings; it never connects to the database.
typecheck: $(STAMP)
	DJANGO_SETTINGS_MODULE=ngo_cases.settings.test DATABASE_URL=postgres://typecheck@localhost/typecheck \
		$(VENV)/bin/mypy .
	DJANGO_SETTINGS_MODULE=ngo_cases.settings.test DATABASE_URL=postgres://typecheck@localhost/typecheck \
		$(VENV)/bin/mypy deploy/drill/*.py

check-migrations: $(STAMP)
	DJANGO_SETTINGS_MODULE=ngo_cases.settings.test \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py makemigrations --check --dry-run

# The deploy check runs on production settings with throwaway secrets; see docs/operations.md.
check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=ngo_cases.settings.production \
	DJANGO_SECRET_KEY=check-deploy-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=cases.example.org \
	DATABASE_URL=postgres://ngo@db.invalid/ngo_cases \
	CELERY_BROKER_URL=redis://redis.invalid:6379/0 \
	REDIS_URL=redis://redis.invalid:6379/1 \
	NGO_MASTER_KEYS=1:$$(head -c32 /dev/urandom | base64) \
	NGO_BLIND_INDEX_KEY=$$(head -c32 /dev/urandom | base64) \
		$(PY) manage.py check --deploy --fail-level WARNING

# Benchmarks print figures; they are not part of `make test` or CI (docs/performance.md).
bench-encryption: $(STAMP)
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py migrate --no-input -v0
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py bench_encryption $(BENCH_ARGS)

# 1,000,000 cases in their own database (ngo_cases_bench on the embedded server,
# or DATABASE_URL when set: its name must contain "bench"). Made once, reused.
bench-cases: $(STAMP)
	NGO_LOCAL_DATABASE=ngo_cases_bench DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py migrate --no-input -v0
	NGO_LOCAL_DATABASE=ngo_cases_bench DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py bench_case_access $(BENCH_ARGS)

# Every statistics panel on the bench-cases data set (built when missing; adds consents, milestones,
# follow-ups and referrals once): live queries and a summary table (docs/performance.md).
bench-statistics: $(STAMP)
	NGO_LOCAL_DATABASE=ngo_cases_bench DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py migrate --no-input -v0
	NGO_LOCAL_DATABASE=ngo_cases_bench DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py bench_statistics $(BENCH_ARGS)

# The access log's cost on the bench-cases data set (build it first with make bench-cases).
bench-access-log: $(STAMP)
	NGO_LOCAL_DATABASE=ngo_cases_bench DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py migrate --no-input -v0
	NGO_LOCAL_DATABASE=ngo_cases_bench DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py bench_access_log $(BENCH_ARGS)

# The reminder dispatcher over 1,000,000 follow-ups, 10,000 due (own database; made once, reused).
bench-reminders: $(STAMP)
	NGO_LOCAL_DATABASE=ngo_cases_bench_reminders DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py migrate --no-input -v0
	NGO_LOCAL_DATABASE=ngo_cases_bench_reminders DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-ngo_cases.settings.local} \
		$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py bench_reminders $(BENCH_ARGS)

messages: $(STAMP)
	$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py makemessages -l ru --ignore=.venv --ignore=var
	$(PY) -m ngo_cases.local_stack exec -- $(PY) manage.py compilemessages --ignore=.venv

# Refresh the hash-pinned lock files from requirements/*.in (needs network).
lock:
	$(PYTHON) -m venv var/uv && var/uv/bin/pip install --quiet uv
	cd requirements && ../var/uv/bin/uv pip compile --python-version 3.11 --generate-hashes --no-header base.in -o base.txt
	cd requirements && ../var/uv/bin/uv pip compile --python-version 3.11 --generate-hashes --no-header --override overrides.txt dev.in -o dev.txt

clean-var:
	rm -rf var/
