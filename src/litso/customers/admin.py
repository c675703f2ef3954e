from django.contrib import admin

from litso.customers.models import ContactPoint, Customer, Organisation


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 1


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("full_name", "address_as", "language", "organisation", "created_at")
    list_filter = ("language",)
    list_select_related = ("organisation",)
    search_fields = ("full_name", "address_as", "contacts__value")
    inlines = [ContactPointInline]
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
