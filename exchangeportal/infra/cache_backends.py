"""Django's Redis cache backend, reusing one client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` object for
every cache call; building one costs about as much as the round trip to Redis
itself. The client is only a thin handle on the (shared, fork-safe) connection
pool, so one per pool serves every call. `CACHE_URL=redis://…` selects this
backend (see `parse_cache_url` in settings).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
