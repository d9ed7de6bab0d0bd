"""The HTTP application: assembly of routers, error mapping, middleware."""
