"""Pure computation engines: numpy, scipy and shapely only; never the database or the web."""
