"""SensorThings query options applied to the database: the ``$filter`` compiler (``compiler``, with ``functions``
and ``spatial``), ``ordering``, ``querysets``, ``paging``, ``expand``, ``data_array``, and ``render``, which puts
them together into the JSON of a GET."""
