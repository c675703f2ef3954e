from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "litso.tickets"
    label = "tickets"
