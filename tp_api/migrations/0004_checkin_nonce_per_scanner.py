"""A scan's nonce is unique per scanner, not across every scanner of every account."""


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index("check_in", "check_in_nonce"),
        migrator.add_index("check_in", ("scanner_id", "nonce"), True),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("check_in", "check_in_scanner_id_nonce"),
        migrator.add_index("check_in", ("nonce",), True),
    )
