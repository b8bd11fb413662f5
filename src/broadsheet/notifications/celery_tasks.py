from celery import shared_task

from broadsheet.notifications import services


@shared_task(name="broadsheet.send_notification", acks_late=True)
def send_notification_task(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(name="broadsheet.send_due_notifications")
def send_due_notifications_task() -> int:
    return services.send_due()
