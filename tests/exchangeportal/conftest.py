import socket
import uuid

import pytest
from django.core.cache import cache

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty (local-memory) cache: no counters from an earlier test.

    Never cleared on Redis: FLUSHDB would wipe keys that are not ours; Redis tests use a
    per-test key prefix instead.
    """
    cache.clear()


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache(settings):
    """Use the Redis server on 127.0.0.1:6379 as the cache (keys under a per-test prefix).

    `.ci/run` starts Redis; on a machine without it these tests are skipped, saying why.
    """
    if not _redis_answers():
        pytest.skip("Redis is not answering on 127.0.0.1:6379 (.ci/run starts it)")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    yield
