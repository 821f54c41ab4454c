import json
from pathlib import Path

from django.db import migrations, models

APP_DIR = Path(__file__).resolve().parent.parent


def english_names(apps, schema_editor):
    """Fill the English names of the catalogues' fields from certification/data/catalogues.json."""
    Field = apps.get_model("certification", "Field")
    data = json.loads((APP_DIR / "data" / "catalogues.json").read_text(encoding="utf-8"))
    for entry in data["catalogues"]:
        for row in entry["fields"]:
            Field.objects.filter(catalogue__version=entry["version"], code=row["code"]).update(
                name_en=row.get("name_en", "")
            )


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0016_change_notice_dates_removed"),
    ]

    operations = [
        migrations.AddField(
            model_name="field",
            name="name_en",
            field=models.CharField(blank=True, max_length=120, verbose_name="英文名称"),
        ),
        migrations.AddField(
            model_name="historicalfield",
            name="name_en",
            field=models.CharField(blank=True, max_length=120, verbose_name="英文名称"),
        ),
        migrations.RunPython(english_names, migrations.RunPython.noop),
    ]
