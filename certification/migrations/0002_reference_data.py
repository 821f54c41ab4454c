import json
from pathlib import Path

from django.db import migrations

APP_DIR = Path(__file__).resolve().parent.parent


def load_catalogues(apps, schema_editor):
    Catalogue = apps.get_model("certification", "Catalogue")
    Field = apps.get_model("certification", "Field")
    data = json.loads((APP_DIR / "data" / "catalogues.json").read_text(encoding="utf-8"))
    for entry in data["catalogues"]:
        catalogue, _ = Catalogue.objects.update_or_create(
            version=entry["version"], defaults={"name": entry["name"], "in_force": entry["in_force"]}
        )
        by_code = {}
        for row in entry["fields"]:
            field, _ = Field.objects.update_or_create(
                catalogue=catalogue,
                code=row["code"],
                defaults={"name": row["name"], "parent": by_code.get(row["parent"])},
            )
            by_code[row["code"]] = field


def load_rule_sets(apps, schema_editor):
    RuleSet = apps.get_model("certification", "RuleSet")
    for code, is_default in (("tianjin-2015", True), ("national-2016", False)):
        data = json.loads((APP_DIR / "rulesets" / f"{code}.json").read_text(encoding="utf-8"))
        RuleSet.objects.update_or_create(
            code=code, defaults={"name": data["name"], "data": data, "is_default": is_default}
        )


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]
    operations = [
        migrations.RunPython(load_catalogues, migrations.RunPython.noop),
        migrations.RunPython(load_rule_sets, migrations.RunPython.noop),
    ]
