from django.db import migrations


class Migration(migrations.Migration):
    """The rename's dates now live on its publicity notice (0015 moved them there)."""

    dependencies = [
        ("certification", "0015_rename_publicity"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='changerequest',
            name='end_confirmed',
        ),
        migrations.RemoveField(
            model_name='changerequest',
            name='notice_end',
        ),
        migrations.RemoveField(
            model_name='changerequest',
            name='notice_start',
        ),
        migrations.RemoveField(
            model_name='historicalchangerequest',
            name='end_confirmed',
        ),
        migrations.RemoveField(
            model_name='historicalchangerequest',
            name='notice_end',
        ),
        migrations.RemoveField(
            model_name='historicalchangerequest',
            name='notice_start',
        ),
    ]
