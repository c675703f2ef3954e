from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "litso.mail"
    label = "mail"
