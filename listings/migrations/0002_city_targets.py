"""The city's yearly targets of the 实施方案 (2016–2020): at least 150 reformed, 60 listed, 20 domestic and
20 foreign M&A a year. The office edits them (and adds later years) on the progress page."""

from django.db import migrations

YEARLY = {"reformed": 150, "listed": 60, "merged_domestic": 20, "merged_foreign": 20}


def load(apps, schema_editor):
    Target = apps.get_model("listings", "Target")
    for year in range(2016, 2021):
        Target.objects.get_or_create(year=year, district=None, defaults=YEARLY)


def unload(apps, schema_editor):
    apps.get_model("listings", "Target").objects.filter(district=None, year__range=(2016, 2020)).delete()


class Migration(migrations.Migration):
    dependencies = [("listings", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
