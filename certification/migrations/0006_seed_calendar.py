
from django.db import migrations

FIRST, LAST = 2004, 2026  # the years the chinesecalendar package covers
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("certification", "CalendarYear")
    CalendarDay = apps.get_model("certification", "CalendarDay")
    days = []
    for day in sorted(set(chinese_calendar.holidays) | set(chinese_calendar.workdays)):
        if not FIRST <= day.year <= LAST:
            continue
        working = chinese_calendar.is_workday(day)
        if working == (day.weekday() >= 5):  # differs from the plain weekday rule
            detail = chinese_calendar.get_holiday_detail(day)[1]
            name = getattr(detail, "value", detail) or ""
            days.append(CalendarDay(date=day, working=working, note=NAMES.get(str(name), str(name))[:40]))
    CalendarDay.objects.bulk_create(days, ignore_conflicts=True)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=y, official=True, source="chinesecalendar") for y in range(FIRST, LAST + 1)],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    apps.get_model("certification", "CalendarDay").objects.filter(date__year__range=(FIRST, LAST)).delete()
    apps.get_model("certification", "CalendarYear").objects.filter(source="chinesecalendar").delete()


class Migration(migrations.Migration):
    dependencies = [("certification", "0005_calendar")]
    operations = [migrations.RunPython(seed, unseed)]
