"""Monitoring (监测): sensors, readings, HTTP and MQTT ingest, rules evaluated on ingest."""
