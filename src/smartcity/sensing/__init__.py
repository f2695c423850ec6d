"""Generic IoT sensing: the OGC SensorThings API v1.1 (REST and MQTT), ingest without loss, storage, quality control."""
