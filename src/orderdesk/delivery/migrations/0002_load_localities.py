from django.db import migrations


def load(apps, schema_editor):
    from orderdesk.delivery.reference import localities_load

    localities_load(apps.get_model("delivery", "Locality"), apps.get_model("delivery", "LocalityName"))


class Migration(migrations.Migration):
    dependencies = [("delivery", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
