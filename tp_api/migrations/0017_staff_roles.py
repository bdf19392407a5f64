"""Console roles: owner (everything), manager (events, orders, shops), door (the door
screens). Users from before roles are owners: they could do everything until now."""

import peewee as pw


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("staff_user", "role", pw.CharField(max_length=20, default="owner")),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("staff_user", "role"))
