"""Running the platform: readiness (``/api/v1/ready``), and backups that can be restored (``smartcity backup``,
``smartcity restore``). See docs/operations.md."""
