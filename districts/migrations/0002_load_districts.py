import json
from pathlib import Path

from django.db import migrations

# A frozen copy of the reference data at the time of this migration (GB/T 2260).
DATA = Path(__file__).resolve().parent.parent / "data" / "districts.json"


def load(apps, schema_editor):
    District = apps.get_model("districts", "District")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        District.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "government_name": row["government_name"]}
        )


class Migration(migrations.Migration):
    dependencies = [("districts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
