"""The open API's shared machinery, one module per concern: `paging`, `formats` (JSON and
CSV negotiation), `filters` (filtering, search, ordering), `throttling`, `errors`,
`csv_export` (streamed CSV and its columns), `schema` (the OpenAPI schema's shared parts)
and `viewsets` (the base of the read-only resources).

The resources live in `cities/api/` and `events/api/`; the router and the documentation
URLs in `exchangeportal/api.py`.
"""
