from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "smartcity.education"
    label = "education"
    verbose_name = "Tuyển sinh"
