from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "smartcity.feedback"
    verbose_name = "Phản ánh, kiến nghị"

    def ready(self) -> None:
        # The Decision 766 scorecard (dossiers) may not import feedback (same layer): it reads the feedback
        # indicators through a provider registered here (smartcity.lib.indicators).
        from smartcity.feedback import statistics
        from smartcity.lib import indicators

        indicators.register("feedback", statistics.scorecard_facts)
