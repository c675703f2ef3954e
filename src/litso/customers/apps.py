from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "litso.customers"
    label = "customers"
