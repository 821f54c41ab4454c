"""Application.district required and indexed (filled by 0019)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0019_application_district"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="district",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="districts.district",
                verbose_name="所在区",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["district", "review_deadline", "submitted_at", "id"], name="app_district_deadline"
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["district", "year", "status"], name="app_district_year_status"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["district", "-submitted_at", "-id"], name="app_district_submitted"),
        ),
    ]
