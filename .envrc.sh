export DATABASE_URL=postgres://postgres@127.0.0.1:5432/mrv_batch
export CELERY_BROKER_URL=redis://127.0.0.1:6379/7
export SECRET_KEY=test-only-secret
export DATABASE_APP_ROLE=mrv_app
export STATIC_MANIFEST=false
export S3_TEST_ENDPOINT_URL=http://127.0.0.1:5077
