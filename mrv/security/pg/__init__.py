"""PostgreSQL backend that takes the application's role (DATABASE_APP_ROLE) except while migrating.

Django's `OPTIONS["assume_role"]` makes every connection `SET ROLE` to the application role, which may only
INSERT and SELECT the append-only tables (mrv/security/db_roles.py). Migrations and the test runner's flush
need the owner: `owner_session()` opens connections without the role. A connection to the server's
maintenance database (creating the test database) never takes it either.
"""
