"""The OData 4.0 query language as SensorThings uses it, with no Django in it: ``lexer`` → ``parser`` → ``ast`` for
``$filter``/``$orderby``, ``options`` for the other query options, ``errors`` for the 400 they raise."""
