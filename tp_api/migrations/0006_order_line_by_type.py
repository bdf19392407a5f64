"""An index to list an event's orders newest first without reading all of them."""


def up(migrator, db):
    migrator.migrate(migrator.add_index("order_line", ("ticket_type_id", "order_id"), False))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("order_line", "order_line_ticket_type_id_order_id"))
