"""A check-in decided by hand at the door (a guest found by name or reference, without a
code to scan) is marked as such: the record says nobody's code was checked."""

import peewee as pw


def up(migrator, db):
    migrator.migrate(migrator.add_column("check_in", "by_hand", pw.BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("check_in", "by_hand"))
