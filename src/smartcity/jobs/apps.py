from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "smartcity.jobs"
    verbose_name = "Tác vụ nền"

    def ready(self) -> None:
        # Bind every ``shared_task`` (the apps' tasks.py) to our Celery app before anything enqueues.
        from smartcity.jobs import engine  # noqa: F401
