from django.db import migrations


def templates_load(apps, schema_editor):
    from orderdesk.messaging.defaults import DEFAULT_TEMPLATES

    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for event, (required, texts) in DEFAULT_TEMPLATES.items():
        for language, (subject, body) in texts.items():
            MessageTemplate.objects.update_or_create(
                store=None,
                event=event,
                language=language,
                defaults={"subject": subject, "body": body, "is_legally_required": required},
            )


def templates_unload(apps, schema_editor):
    apps.get_model("messaging", "MessageTemplate").objects.filter(store=None).delete()


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_messages")]

    operations = [migrations.RunPython(templates_load, templates_unload)]
