from django.db import migrations


def templates_load(apps, schema_editor):
    from orderdesk.messaging.defaults import default_templates_install

    default_templates_install(apps.get_model("messaging", "MessageTemplate"))


def templates_unload(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(store=None).delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_messages")]

    operations = [migrations.RunPython(templates_load, templates_unload)]
