from celery import shared_task

from broadsheet.integrations import webhooks


@shared_task(name="broadsheet.deliver_webhook", acks_late=True)
def deliver_webhook_task(delivery_id: int) -> bool:
    return webhooks.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="broadsheet.deliver_due_webhooks")
def deliver_due_webhooks_task() -> int:
    return webhooks.deliver_due()
