"""Road network use cases: routes, nearest resources, isochrones, coverage, closures, siting."""
