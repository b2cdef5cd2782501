"""Keep records' derived values and history rows' changes as `json` instead of `jsonb` (records.fields.WholeJSONField).

Both are written often (every record of an upload or an API batch) and only ever read back whole: no query
searches inside them. `jsonb` parsed each into its binary form, sorting every object's keys: for an upload, about
15 µs of the database's CPU per record of the 80 it spent storing it. `json` only checks the text.

Changing a column's type resets its compression, so lz4 (migrations 0004 and 0005) is set again, both ways.
"""

import dcp_platform.records.fields
from django.db import migrations

SET_LZ4 = """
DO $$
BEGIN
    ALTER TABLE records_record ALTER COLUMN derived SET COMPRESSION lz4;
    ALTER TABLE records_recordchange ALTER COLUMN changed SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'This PostgreSQL server has no lz4: derived values and history keep the default compression.';
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0005_history_lz4_compression"),
    ]

    operations = [
        migrations.RunSQL(migrations.RunSQL.noop, SET_LZ4),  # undone last: back to jsonb, then lz4 again
        migrations.AlterField(
            model_name="record",
            name="derived",
            field=dcp_platform.records.fields.WholeJSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="recordchange",
            name="changed",
            field=dcp_platform.records.fields.WholeJSONField(default=dict, help_text="question id -> [old, new]"),
        ),
        migrations.RunSQL(SET_LZ4, migrations.RunSQL.noop),
    ]
