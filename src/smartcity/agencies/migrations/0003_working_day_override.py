"""The city's working-day overrides, moved here from the dossiers app. ``dossiers.0011`` renamed the table to
``agencies_workingdayoverride`` with its rows; this migration only records the model in the agencies app and moves
its content type, so the permissions a back-office group holds on it (and the admin's history) follow the model."""

from django.db import migrations, models


def move_content_type(apps, schema_editor, *, source='dossiers', target='agencies'):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    types = ContentType.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=target, model='workingdayoverride').exists():
        types.filter(app_label=source, model='workingdayoverride').update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source='agencies', target='dossiers')


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0002_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('dossiers', '0011_working_day_override_to_agencies'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WorkingDayOverride',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('day', models.DateField(unique=True, verbose_name='ngày')),
                        ('is_working_day', models.BooleanField(
                            help_text='Đánh dấu nếu cơ quan làm việc vào ngày này (ngày làm bù); bỏ đánh dấu nếu '
                                      'là ngày nghỉ (nghỉ bù, nghỉ lễ thêm).',
                            verbose_name='là ngày làm việc')),
                        ('reason', models.CharField(
                            help_text='Văn bản quyết định, ví dụ: Thông báo số …/TB-UBND ngày … về việc nghỉ bù.',
                            max_length=200, verbose_name='căn cứ')),
                    ],
                    options={
                        'verbose_name': 'ngày làm việc điều chỉnh',
                        'verbose_name_plural': 'ngày làm việc điều chỉnh',
                        'ordering': ['day'],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
