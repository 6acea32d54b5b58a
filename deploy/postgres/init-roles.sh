#!/usr/bin/env bash
# The database and its two roles, run once by the postgres image as its
# superuser (/docker-entrypoint-initdb.d), or by hand / by `make drill` with
# psql on an existing server:
#   ngo_owner  owns the database, the schemas and every table; runs migrate
#              and grant_app_privileges; never used by the running service
#   ngo_app    web, worker and beat: rows only (SELECT, INSERT, UPDATE,
#              DELETE; only SELECT and INSERT on the access log and history,
#              after grant_app_privileges); no ownership, no TRUNCATE, no
#              CREATE, no trigger control
# Passwords come from files (OWNER_PASSWORD_FILE, APP_PASSWORD_FILE).
# See docs/operations.md, "Database roles".
set -euo pipefail
DB="${NGO_DB_NAME:-ngo_cases}"
OWNER="${NGO_DB_OWNER:-ngo_owner}"
APP="${NGO_DB_APP:-ngo_app}"
OWNER_PASSWORD="$(cat "${OWNER_PASSWORD_FILE:-/run/secrets/postgres_owner_password}")"
APP_PASSWORD="$(cat "${APP_PASSWORD_FILE:-/run/secrets/postgres_app_password}")"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v owner="$OWNER" -v app="$APP" -v db="$DB" -v owner_password="$OWNER_PASSWORD" -v app_password="$APP_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE :"app" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE :"db" OWNER :"owner";
\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
CREATE SCHEMA keystore AUTHORIZATION :"owner";
GRANT USAGE ON SCHEMA keystore TO :"app";
-- Tables the owner creates later get row privileges for the application at
-- once; grant_app_privileges then narrows the access log and history tables.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public, keystore
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public, keystore
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"app";
SQL
