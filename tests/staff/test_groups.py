from litso.staff.groups import desk_staff_group


def test_desk_staff_may_view_but_not_change_tickets(db) -> None:
    group = desk_staff_group()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_ticket", "view_message", "view_customer", "view_event"} <= codenames
    assert not {c for c in codenames if c.startswith(("change_", "delete_", "add_"))}
    assert desk_staff_group().pk == group.pk
