"""The OGC SensorThings API v1.1 (OGC 18-088) over sensing's storage: the wire format and nothing else.

``odata/`` reads the query options, ``query/`` applies them to the database and renders the JSON, ``entities``
names the entity types and their JSON form, ``writes`` creates, updates and deletes entities (deep insert, JSON
Patch, the integrity rules of clause 10), ``auth`` finds the caller, ``views`` + ``urls`` serve ``/sta/v1.1``.
Storage, ingest, quality control and the MQTT consumer are generic sensing (``smartcity.sensing``).
"""
