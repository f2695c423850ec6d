"""NGSI-LD (ETSI GS CIM 009), the standard's wire format for the stations' latest state, in its own package:
``entities`` (a station's status as a Smart Data Models entity, the ``@context``), ``query`` (the ``q`` query
language and ``idPattern``, bounded, on RE2), ``views`` and ``urls`` (served at /moi-truong/ngsi-ld/v1/ and at the
standard root /ngsi-ld/v1/). ``tests/test_ngsildclient.py`` checks a third-party client against it."""
