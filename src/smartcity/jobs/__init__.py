"""Background work on Celery: the engine (``engine``), the one table of periodic jobs (``schedule``), and the
``smartcity jobs`` command. Apps write their jobs in their own ``tasks.py`` with ``engine.job``; nothing here
knows a domain app (the schedule names tasks by their dotted names). See docs/jobs.md."""
