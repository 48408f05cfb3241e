"""The portal's infrastructure: caching and conditional GET, rate limits and log-in
protection, the mail queue, images, translation helpers, optimistic locking, paging, iCal,
progress bars, error pages, logging, middleware, health checks, backups and the open API's
shared machinery. It imports no app (`cities`, `events`) and nothing of the composition root
(`exchangeportal.urls`, `api`, `sitemaps`, `views`, `opendata`): `make test` checks it with
import-linter (pyproject.toml)."""
