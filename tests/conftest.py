import os

import pytest
import redis

from portal.testing import require_tool

# The Redis database the tests that share state across processes use; PORTAL_TEST_REDIS_URL names another.
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture(scope="session")
def portal_config():
    """Core tests run the portal without plugins unless a test asks for them."""
    return {"plugins": []}


@pytest.fixture
def redis_url():
    """Return the tests' Redis database, emptied; skip (fail on CI) when Redis does not answer."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_tool(False, f"Redis at {REDIS_URL} is not reachable ({exc}); tests across processes need it")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()
