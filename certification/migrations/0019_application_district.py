"""Each application keeps a copy of its enterprise's district (Application.district), for the district's
queue and the dashboards: added empty and filled from the enterprises in one UPDATE; the next migration
makes it required and indexes it (its own transaction: PostgreSQL refuses to alter a table with the
deferred foreign-key checks of the UPDATE still pending)."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    Application = apps.get_model("certification", "Application")
    Enterprise = apps.get_model("certification", "Enterprise")
    Application.objects.update(
        district_id=models.Subquery(
            Enterprise.objects.filter(pk=models.OuterRef("enterprise_id")).values("district_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0018_major_change_check"),
        ("districts", "0007_district_phone"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="district",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="districts.district",
                verbose_name="所在区",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
